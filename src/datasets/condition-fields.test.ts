import { describe, expect, it } from "vitest";
import { editedMini } from "../../test/helpers/mini-workflow.js";
import { MINI_CASES, warningsAfter } from "../../test/helpers/workflow-checks.js";
import type { Case } from "../schema/index.js";
import { loadWorkflow } from "../workflow/load.js";
import { ConditionFieldCounter } from "./condition-fields.js";

const MINI = MINI_CASES;

const warningsOf = (file: string, cases: Case[]) =>
  warningsAfter(new ConditionFieldCounter(loadWorkflow(file)), file, cases);

describe("conditions whose field no record of the dataset has", () => {
  it("a misspelt record field: named by the workflow's line and path, with the fields the records do have", () => {
    const file = editedMini(["field: device_known, equals: false", "field: device_knwn, equals: false"]);
    const [w, ...rest] = warningsOf(file, MINI);
    expect(rest).toEqual([]);
    expect(w).toMatch(
      new RegExp(
        `^${file.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&")}:62: decision_rules\\[0\\]\\.when\\.all\\[1\\]\\.field: no record of idp\\.signins in cases\\.jsonl has a field "device_knwn" \\(there: .*device_known.*\\): the test sees no value on any case \\(warning\\)$`,
      ),
    );
  });

  it("nothing to say when some record has the field, or when no record of the source is there to look in", () => {
    expect(warningsOf("test/fixtures/mini/workflow.yaml", MINI)).toEqual([]);
    const file = editedMini(["field: device_known, equals: false", "field: device_knwn, equals: false"]);
    const noSignins = MINI.map((c) => ({ ...c, evidence: c.evidence.filter((e) => e.source !== "idp.signins") }));
    expect(warningsOf(file, noSignins)).toEqual([]);
    // cases of another workflow are not looked in
    expect(
      warningsOf(
        file,
        MINI.map((c) => ({ ...c, workflow: "other" })),
      ),
    ).toEqual([]);
  });

  it("a path below the alert's raw that no alert has", () => {
    const file = editedMini(['{ entity: account, matches: "^adm-" }', '{ alert: raw.user.tier, equals: "0" }']);
    const withRaw = MINI.map((c) => ({ ...c, alert: { ...c.alert, raw: { user: { name: "x", teir: 0 } } } }));
    expect(warningsOf(file, withRaw)).toEqual([
      `${file}:52: negative_playbook.human_only[0].when.any[0].alert: no alert in cases.jsonl has "raw.user.tier" (there: name, teir): the test sees no value on any case (warning)`,
    ]);
    const spelt = withRaw.map((c) => ({ ...c, alert: { ...c.alert, raw: { user: { tier: 0 } } } }));
    expect(warningsOf(file, spelt)).toEqual([]);
  });
});
