import { describe, expect, it } from "vitest";
import { MINI_CASES, warningsAfter } from "../../test/helpers/workflow-checks.js";
import type { Case } from "../schema/index.js";
import { loadWorkflow } from "../workflow/load.js";
import { PlaybookFilterCounter } from "./playbook-filters.js";

const FILE = "test/fixtures/mini/workflow.yaml";
const WF = loadWorkflow(FILE);
const MINI = MINI_CASES;

const warningsOf = (cases: Case[]) => warningsAfter(new PlaybookFilterCounter(WF), FILE, cases);

/** The sign-in records' accounts spelt DOMAIN\user, as a directory export might, while alerts keep the UPN. */
const downLevel = (cases: Case[]): Case[] =>
  cases.map((c) => ({
    ...c,
    evidence: c.evidence.map((e) =>
      e.source !== "idp.signins"
        ? e
        : {
            ...e,
            entities: e.entities.map((x) =>
              x.type === "account" ? { ...x, value: `CORP\\${x.value.split("@")[0]}` } : x,
            ),
          },
    ),
  }));

describe("playbook steps whose entity filter matches no record", () => {
  it("alerts and records spelling the account differently: the step returns nothing on every case", () => {
    const [w, ...rest] = warningsOf(downLevel(MINI));
    expect(rest).toEqual([]);
    const tried = MINI.filter((c) => c.evidence.some((e) => e.source === "idp.signins")).length;
    expect(w).toContain(
      `${FILE}:54: playbook[0].input.user: in none of the ${tried} cases with records of idp.signins in cases.jsonl does one hold ` +
        `the alert's account as an entity of type account (e.g. the alert's "user0@corp.example" beside "CORP\\\\user0"`,
    );
    expect(w).toMatch(/\), so the playbook's get_signins call returns nothing on every case \(warning\)$/);
  });

  it("one case that matches is enough: records about others are normal", () => {
    expect(warningsOf(MINI)).toEqual([]);
    const [first, ...rest] = MINI;
    expect(warningsOf([first!, ...downLevel(rest)])).toEqual([]);
  });

  it("a case whose source is unavailable, or of another workflow, is not held against the step", () => {
    const down = downLevel(MINI).map((c) => ({ ...c, unavailable: ["idp.signins"] }));
    expect(warningsOf(down)).toEqual([]);
    expect(warningsOf(downLevel(MINI).map((c) => ({ ...c, workflow: "other" })))).toEqual([]);
  });
});
