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
    expect(s).toEqual({ file: `${FIX}/malformed.jsonl`, cases: 8, valid: 2, invalid: 6, unlabeled: 1, warnings: 0 });
    const f = `${FIX}/malformed.jsonl`;
    expect(errors[0]).toMatch(new RegExp(`^${f}:2: malformed JSON`));
    expect(errors.slice(1)).toEqual([
      `${f}:3: alert.sevrity: unknown field "sevrity" (did you mean "severity"?)`,
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

const CASE = {
  id: "k-1",
  workflow: "phishing-triage",
  alert: { title: "t", rule: "r", source: "s", severity: "low", time: "2025-03-03T09:12:00Z" },
  evidence: [{ id: "e1", source: "email.headers", time: "2025-03-03T09:12:00Z", data: {} }],
  label: { verdict: "true_positive", escalate: true, required_evidence: ["e1"] },
};

function dataset(lines: string[]): string {
  const f = join(mkdtempSync(join(tmpdir(), "soceval-val-")), "d.jsonl");
  writeFileSync(f, `${lines.join("\n")}\n`);
  return f;
}

describe("validateDataset: repeated keys and repeated list items", () => {
  it("refuses every repeated key of a line by its path, where JSON.parse would keep the last", async () => {
    const ok = JSON.stringify(CASE);
    const flipped = ok.replace('"verdict":"true_positive"', '"verdict":"true_positive","verdict":"false_positive"');
    const deep = JSON.stringify({ ...CASE, id: "k-3" }).replace('"data":{}', '"data":{"r":"clean","r":"bad"}');
    const f = dataset([ok, flipped.replace('"k-1"', '"k-2"').replace('"rule":"r"', '"rule":"r","rule":"r"'), deep]);
    const errors: string[] = [];
    const s = await validateDataset(f, (e) => errors.push(e));
    expect(errors).toEqual([
      `${f}:2: alert.rule: repeated key`,
      `${f}:2: label.verdict: repeated key`,
      `${f}:3: evidence[0].data.r: repeated key`,
    ]);
    expect(s).toMatchObject({ cases: 3, valid: 1, invalid: 2 });
  });

  it("warns of a repeated tag, unavailable source or required evidence id, naming both places; the case stays valid", async () => {
    const c = {
      ...CASE,
      tags: ["a", "b", "a"],
      unavailable: ["sandbox.detonation", "sandbox.detonation"],
      label: { ...CASE.label, required_evidence: ["e1", "e1"] },
    };
    const f = dataset([JSON.stringify(c)]);
    const errors: string[] = [];
    const s = await validateDataset(f, (e) => errors.push(e));
    expect(errors).toEqual([
      `${f}:1: tags[2]: tag "a" repeats tags[0]; counted once (warning)`,
      `${f}:1: unavailable[1]: source "sandbox.detonation" repeats unavailable[0]; counted once (warning)`,
      `${f}:1: label.required_evidence[1]: evidence id "e1" repeats label.required_evidence[0]; counted once (warning)`,
    ]);
    expect(s).toMatchObject({ cases: 1, valid: 1, invalid: 0, warnings: 3 });
  });

  it("warns of required evidence in a source the case lists as unavailable: no tool call returns it", async () => {
    const held = { ...CASE, unavailable: ["email.headers"] };
    // a record of the source that is not required makes an outage trap: no warning
    const trap = { ...held, id: "k-2", label: { ...CASE.label, required_evidence: [] } };
    const f = dataset([JSON.stringify(held), JSON.stringify(trap), JSON.stringify({ ...CASE, id: "k-3" })]);
    const errors: string[] = [];
    const s = await validateDataset(f, (e) => errors.push(e));
    expect(errors).toEqual([
      `${f}:1: label.required_evidence[0]: "e1" is a record of "email.headers", which unavailable[0] lists as down: no tool call can return it, so missed context counts it on every run (warning)`,
    ]);
    expect(s).toMatchObject({ cases: 3, valid: 3, invalid: 0, warnings: 1 });
  });

  it("refuses a line nested too deeply to scan, by its line, instead of failing the whole command", async () => {
    const nested = `${"[".repeat(50_000)}${"]".repeat(50_000)}`;
    const deep = JSON.stringify({ ...CASE, id: "k-2" }).replace('"data":{}', `"data":{"x":${nested}}`);
    const f = dataset([JSON.stringify(CASE), deep]);
    const errors: string[] = [];
    const s = await validateDataset(f, (e) => errors.push(e));
    expect(errors).toEqual([`${f}:2: nested too deeply to check for repeated keys`]);
    expect(s).toMatchObject({ cases: 2, valid: 1, invalid: 1 });
  });

  it("still refuses a repeated evidence record id: a citation of it would be ambiguous", async () => {
    const f = dataset([JSON.stringify({ ...CASE, evidence: [CASE.evidence[0], CASE.evidence[0]] })]);
    const errors: string[] = [];
    const s = await validateDataset(f, (e) => errors.push(e));
    expect(errors).toEqual([`${f}:1: evidence[1].id: duplicate evidence id "e1"`]);
    expect(s).toMatchObject({ valid: 0, invalid: 1 });
  });
});

describe("datasetStats", () => {
  it("stops at a repeated key, as validate refuses it", async () => {
    const f = dataset([JSON.stringify(CASE).replace('"escalate":true', '"escalate":true,"escalate":false')]);
    await expect(datasetStats(f)).rejects.toThrow(`${f}:1: label.escalate: repeated key`);
  });

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

describe("validateDataset: integers beyond 2^53 − 1", () => {
  it("counts each on any line JSON.parse reads and names the first few by line and path, leaving digits in strings alone", async () => {
    const long = (id: string, n: string) =>
      JSON.stringify({ ...CASE, id }).replace('"data":{}', `"data":{"EventRecordID":${n},"s":"${n}"}`);
    const lines = [
      long("k-1", "12345678901234567890"),
      JSON.stringify({ ...CASE, id: "k-2" }).replace('"data":{}', '"data":{"ok":9007199254740991,"f":1e20}'),
      // invalid (no workflow), yet read, and counted, all the same
      long("k-3", "-9007199254740993").replace('"workflow":"phishing-triage",', ""),
      "{not json 12345678901234567890",
      ...["k-4", "k-5", "k-6", "k-7"].map((id) => long(id, "18446744073709551615")),
    ];
    const f = dataset(lines);
    const s = await validateDataset(f, () => {});
    expect(s).toMatchObject({ cases: 8, valid: 6, invalid: 2, warnings: 0 });
    expect(s.longIntegers).toEqual({
      count: 6,
      first: [
        { line: 1, path: "evidence[0].data.EventRecordID", digits: "12345678901234567890" },
        { line: 3, path: "evidence[0].data.EventRecordID", digits: "-9007199254740993" },
        { line: 5, path: "evidence[0].data.EventRecordID", digits: "18446744073709551615" },
        { line: 6, path: "evidence[0].data.EventRecordID", digits: "18446744073709551615" },
        { line: 7, path: "evidence[0].data.EventRecordID", digits: "18446744073709551615" },
      ],
    });
    expect((await validateDataset(dataset([lines[1]!]), () => {})).longIntegers).toBeUndefined();
  });

  it("judges a case as run reads it: a number where the case wants one, beside problems of its own", async () => {
    const minutes = (c: object) =>
      JSON.stringify(c).replace(
        '"required_evidence":[]',
        '"required_evidence":[],"analyst_minutes":12345678901234567891',
      );
    const labeled = {
      ...CASE,
      label: { verdict: "true_positive", escalate: true, actions: [], required_evidence: [] },
    };
    const { workflow: _w, ...noWorkflow } = { ...labeled, id: "m-2" };
    const problems: string[] = [];
    const s = await validateDataset(dataset([minutes({ ...labeled, id: "m-1" }), minutes(noWorkflow)]), (p) =>
      problems.push(p),
    );
    expect(s).toMatchObject({ cases: 2, valid: 1, invalid: 1 });
    expect(problems).toEqual([expect.stringMatching(/:2: workflow: required field missing$/)]);
  });
});
