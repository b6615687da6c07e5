import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { datasetStats } from "./stats.js";
import { statsText } from "./stats-text.js";
import { validateDataset } from "./validate.js";

const FIX = "test/fixtures/datasets";

describe("validateDataset", () => {
  it("reports every problem of the malformed fixture as file:line: field: message", async () => {
    const errors: string[] = [];
    const s = await validateDataset(`${FIX}/malformed.jsonl`, (e) => errors.push(e));
    expect(s).toEqual({ file: `${FIX}/malformed.jsonl`, cases: 8, valid: 2, invalid: 6, unlabeled: 1 });
    const f = `${FIX}/malformed.jsonl`;
    expect(errors[0]).toMatch(new RegExp(`^${f}:2: malformed JSON`));
    expect(errors.slice(1)).toEqual([
      `${f}:3: alert.sevrity: unknown field "sevrity"`,
      expect.stringMatching(new RegExp(`^${f}:4: alert.severity: .*critical`)),
      `${f}:5: evidence[1].id: duplicate evidence id "e1"`,
      `${f}:6: label.required_evidence[1]: "e9" is not an evidence id of this case`,
      `${f}:7: id: duplicate case id "m-001" (first on line 1)`,
    ]);
  });

  it("says a file whose first line is not JSON is not a JSONL dataset, instead of a line per row", async () => {
    const errors: string[] = [];
    await expect(validateDataset(`${FIX}/splunk-notables.csv`, (e) => errors.push(e))).rejects.toThrow(
      `${FIX}/splunk-notables.csv:1: not a JSONL dataset (the first line is not JSON); import a CSV with \`soceval dataset import csv\``,
    );
    expect(errors).toEqual([]);
  });

  it("accepts the valid fixture and counts the unlabeled case", async () => {
    const errors: string[] = [];
    const s = await validateDataset(`${FIX}/valid.jsonl`, (e) => errors.push(e));
    expect(errors).toEqual([]);
    expect(s).toMatchObject({ cases: 3, valid: 3, invalid: 0, unlabeled: 1 });
  });

  it("counts a repeated id even when the first occurrence is otherwise invalid", async () => {
    const dir = mkdtempSync(join(tmpdir(), "soceval-val-"));
    const f = join(dir, "d.jsonl");
    writeFileSync(f, '{"id":"x","workflow":"w"}\n{"id":"x","workflow":"w"}\n');
    const errors: string[] = [];
    await validateDataset(f, (e) => errors.push(e));
    expect(errors.some((e) => e.endsWith(`:2: id: duplicate case id "x" (first on line 1)`))).toBe(true);
  });
});

describe("datasetStats", () => {
  it("counts verdicts, escalation, workflows, tags, source coverage and unavailable sources", async () => {
    const s = await datasetStats(`${FIX}/valid.jsonl`);
    expect(s.cases).toBe(3);
    expect(s.verdict).toEqual({ benign_positive: 1, true_positive: 1, unlabeled: 1 });
    expect(s.escalation).toEqual({ escalated: 1, not_escalated: 1, unlabeled: 1 });
    expect(s.workflow).toEqual({ "phishing-triage": 3 });
    expect(s.tags).toEqual({ "trap:prompt_injection": 1, "trap:source_unavailable": 1 });
    expect(s.evidence_sources["email.headers"]).toEqual({ cases: 3, share: 1 });
    expect(s.evidence_sources["email.url_reputation"]!.share).toBeCloseTo(1 / 3);
    expect(s.unavailable).toEqual({ "sandbox.detonation": 1 });
    expect(s.incidents).toBe(1);
    expect(s.adversarial).toBe(1);
    expect(s.analyst_minutes).toEqual({ cases: 2, total: 22 });
    const text = statsText(s);
    expect(text).toContain("sandbox.detonation");
    expect(text).toMatch(/email\.url_reputation\s*│\s*1\s*│\s*33\.3%/);
  });

  it("stops at the first invalid line with file:line: field", async () => {
    await expect(datasetStats(`${FIX}/malformed.jsonl`)).rejects.toThrow(/malformed\.jsonl:2: malformed JSON/);
  });
});
