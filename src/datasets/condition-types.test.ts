import { describe, expect, it } from "vitest";
import { editedMini } from "../../test/helpers/mini-workflow.js";
import { MINI_CASES, warningsAfter } from "../../test/helpers/workflow-checks.js";
import type { Case } from "../schema/index.js";
import { loadWorkflow } from "../workflow/load.js";
import { ConditionTypeCounter } from "./condition-types.js";

const MINI = MINI_CASES;

const warningsOf = (file: string, cases: Case[]) =>
  warningsAfter(new ConditionTypeCounter(loadWorkflow(file)), file, cases);

/** The sign-in records' device_known as text, as a CSV export writes it. */
const asText = (cases: Case[]): Case[] =>
  cases.map((c) => ({
    ...c,
    evidence: c.evidence.map((e) =>
      e.source === "idp.signins" && typeof e.data.device_known === "boolean"
        ? { ...e, data: { ...e.data, device_known: String(e.data.device_known) } }
        : e,
    ),
  }));

describe("condition values of another type than every value the dataset holds", () => {
  it("equals false against the text 'false': named at the test's line, with examples", () => {
    const file = "test/fixtures/mini/workflow.yaml";
    expect(warningsOf(file, asText(MINI))).toEqual([
      `${file}:62: decision_rules[0].when.all[1].equals: equals false compares true/false, but every device_known of idp.signins ` +
        'in cases.jsonl is text ("false", "true"), and values are compared unconverted: the test never holds (warning)',
    ]);
    expect(warningsOf(file, MINI)).toEqual([]);
  });

  it("a not_equals always holds; gte needs numbers; one value of the right type anywhere is enough", () => {
    const file = editedMini(
      ["field: device_known, equals: false", "field: device_known, not_equals: false"],
      ["{ source: ti.ip, field: verdict, equals: malicious }", "{ source: idp.signins, field: country, gte: 3 }"],
    );
    const lines = warningsOf(file, asText(MINI));
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(
      /all\[0\]\.gte: gte 3 compares a number, but every country of idp\.signins in cases\.jsonl is text \("NL".*the test never holds/,
    );
    expect(lines[1]).toMatch(/all\[1\]\.not_equals: .* the test always holds \(warning\)$/);
    const [first, ...rest] = MINI;
    expect(warningsOf(file, [first!, ...asText(rest)])).toHaveLength(1);
  });

  it("text against text is compared (case aside), and a field no record has is left to the field check", () => {
    const file = editedMini(["field: device_known, equals: false", "field: device_knwn, equals: false"]);
    expect(warningsOf(file, asText(MINI))).toEqual([]);
    expect(
      warningsOf(
        "test/fixtures/mini/workflow.yaml",
        MINI.map((c) => ({ ...c, workflow: "other" })),
      ),
    ).toEqual([]);
  });
});
