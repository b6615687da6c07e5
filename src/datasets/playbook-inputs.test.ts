import { describe, expect, it } from "vitest";
import { MINI_CASES, warningsAfter } from "../../test/helpers/workflow-checks.js";
import type { Case } from "../schema/index.js";
import { loadWorkflow } from "../workflow/load.js";
import { PlaybookInputCounter } from "./playbook-inputs.js";

const FILE = "test/fixtures/mini/workflow.yaml";
const WF = loadWorkflow(FILE);
const MINI = MINI_CASES;

const warningsOf = (cases: Case[]) => warningsAfter(new PlaybookInputCounter(WF), FILE, cases);

/** The cases with the alert's entities of `type` renamed to `to`, as an export might name them. */
const renamed = (cases: Case[], type: string, to: string): Case[] =>
  cases.map((c) => ({
    ...c,
    alert: { ...c.alert, entities: c.alert.entities.map((e) => (e.type === type ? { ...e, type: to } : e)) },
  }));

describe("playbook inputs no alert of the dataset can fill", () => {
  it("a required input whose entity type no alert has: the step is refused on every case", () => {
    expect(warningsOf(renamed(MINI, "account", "user"))).toEqual([
      `${FILE}:54: playbook[0].input.user: no alert in cases.jsonl has an entity of type account, so the playbook calls get_signins without its required user and the sandbox refuses it on every case (warning)`,
    ]);
  });

  it("nothing when some alert has it, when the input is optional, or for cases of another workflow", () => {
    expect(warningsOf(MINI)).toEqual([]);
    const [first, ...rest] = MINI;
    expect(warningsOf([first!, ...renamed(rest, "account", "user")])).toEqual([]);
    // get_ip_reputation's ip is optional: the call goes out unfiltered
    expect(warningsOf(renamed(MINI, "ip", "address"))).toEqual([]);
    expect(warningsOf(renamed(MINI, "account", "user").map((c) => ({ ...c, workflow: "other" })))).toEqual([]);
  });
});
