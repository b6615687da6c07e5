import { readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { validateDataset } from "../datasets/validate.js";
import { Case, Step } from "../schema/index.js";
import { parseJsonLine } from "./jsonl.js";

const line1 = readFileSync("test/fixtures/mini/cases.jsonl", "utf8").split("\n")[0]!;
type Line = { workflow?: unknown; alert: Record<string, unknown> };
const edited = (change: (c: Line) => void) => {
  const c = JSON.parse(line1);
  change(c);
  return JSON.stringify(c);
};
const problem = (text: string) => {
  const r = parseJsonLine("cases.jsonl", 7, text, Case);
  return r && "error" in r ? r.error : null;
};

describe("what a bad case line is called", () => {
  it("a missing field says missing, enums included (not 'Invalid option', which reads as a wrong value)", () => {
    expect(problem(edited((c) => delete c.alert.severity))).toBe(
      "cases.jsonl:7: alert.severity: required field missing",
    );
    expect(problem(edited((c) => delete c.workflow))).toBe("cases.jsonl:7: workflow: required field missing");
    // a wrong value is still a wrong value
    expect(problem(edited((c) => (c.alert.severity = "urgent")))).toMatch(
      /alert\.severity: Invalid option: expected one of .* \(got "urgent"\)$/,
    );
  });

  it("a CSV export given where a dataset belongs says so, with the command that imports it", () => {
    const r = parseJsonLine("alerts.csv", 1, "SystemAlertId,AlertName", Case);
    expect(r && "error" in r ? r.error : null).toMatch(
      /^alerts\.csv:1: malformed JSON: .*; this is a CSV file, and soceval reads JSONL \(one JSON object a line\): `soceval dataset import csv` makes cases of an export$/,
    );
    // a later line, or a .jsonl file, is a malformed line as any other
    expect(problem("SystemAlertId,AlertName")).not.toContain("CSV");
  });

  it("a byte-order mark inside the file (two files joined) is named, not shown as an invisible token", () => {
    expect(problem(`\uFEFF${line1}`)).toBe(
      "cases.jsonl:7: malformed JSON: the line starts with a byte-order mark (U+FEFF), as a file joined onto another does; delete it",
    );
  });

  it("a misspelt enum field names the field it was probably meant to be", () => {
    const typo = edited((c) => {
      c.alert.sevrity = c.alert.severity;
      delete c.alert.severity;
    });
    expect(problem(typo)).toBe(
      'cases.jsonl:7: alert.sevrity: unknown field "sevrity" (did you mean "severity"? It is required and missing)',
    );
  });

  it("validate reports a typo on line 1 as malformed JSON and goes on; only a file that is not JSON at all is refused whole", async () => {
    const file = join(tmpdir(), `soceval-first-line-${process.pid}.jsonl`);
    writeFileSync(file, `${line1.replace(/}$/, ",}")}\n${line1.replace('"mini-000"', '"mini-900"')}\n`);
    const errors: string[] = [];
    const summary = await validateDataset(file, (e) => errors.push(e));
    expect(summary).toMatchObject({ cases: 2, valid: 1, invalid: 1 });
    expect(errors[0]).toMatch(/:1: malformed JSON: /);
    writeFileSync(file, "id,title\nmini-000,x\n");
    await expect(validateDataset(file, () => {})).rejects.toThrow(/:1: not a JSONL dataset/);
  });
});

describe("an integer beyond 2^53 − 1 on a line", () => {
  const ID = "12345678901234567891";
  it("is kept as its digits where any value goes, and as JSON.parse reads it where the schema wants a number", () => {
    const text = `{"type":"tool_call","tool":"get_signins","status":"ok","latency_ms":${ID},"input":{"EventRecordID":${ID},"n":[${ID},7]}}`;
    const r = parseJsonLine("t.jsonl", 3, text, Step);
    expect(r).toEqual({
      line: 3,
      value: expect.objectContaining({ latency_ms: Number(ID), input: { EventRecordID: ID, n: [ID, 7] } }),
    });
  });

  it("is refused where text belongs, as a short number is", () => {
    const r = parseJsonLine("t.jsonl", 3, `{"type":"tool_call","tool":${ID},"status":"ok"}`, Step);
    expect(r).toEqual({ line: 3, error: "t.jsonl:3: tool: Invalid input: expected string, received number" });
  });
});
