import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadMapping } from "./mapping.js";

const BUNDLED = readFileSync("datasets/mappings/splunk-es-notables.yaml", "utf8");
const write = (text: string) => {
  const f = join(mkdtempSync(join(tmpdir(), "soceval-mapping-")), "m.yaml");
  writeFileSync(f, text);
  return f;
};
const lineOf = (text: string, needle: string) => text.split("\n").findIndex((l) => l.includes(needle)) + 1;

describe("a CSV mapping's values", () => {
  it("the bundled mapping loads", () => {
    expect(() => loadMapping("datasets/mappings/splunk-es-notables.yaml")).not.toThrow();
  });

  it("a map target that is not a value of its field is refused at the mapping's line, before any row", () => {
    const text = BUNDLED.replace(/high: high/, "high: hi");
    expect(text).not.toBe(BUNDLED);
    const f = write(text);
    expect(() => loadMapping(f)).toThrow(
      `${f}:${lineOf(text, "high: hi")}: case.alert.severity.map.high: "hi" is not a value of alert.severity (one of`,
    );
  });

  it("a const of the wrong type is refused at its line", () => {
    const text = `${BUNDLED.trimEnd()}\n`.replace(/^case:\n/m, "case:\n  alert.source: { const: 42 }\n");
    const f = write(text.replace(/^ {2}alert\.source: (?!\{ const: 42).*\n/m, ""));
    expect(() => loadMapping(f)).toThrow(/m\.yaml:\d+: case\.alert\.source\.const: 42 is not a value of alert\.source/);
  });
});

describe("a CSV mapping's cell types", () => {
  // read as text, every row failed "expected number, received string", blamed on the export
  it("a column whose type can never fit its field is refused at the mapping's line, before any row", () => {
    const minutes = BUNDLED.replace("{ column: analyst_minutes, type: number }", "analyst_minutes");
    expect(minutes).not.toBe(BUNDLED);
    const f = write(minutes);
    expect(() => loadMapping(f)).toThrow(
      `${f}:${lineOf(minutes, "label.analyst_minutes")}: case.label.analyst_minutes: label.analyst_minutes takes a number, but the column is read as text: give it type: number, or a map`,
    );
    const title = BUNDLED.replace("alert.title: rule_title", "alert.title: { column: rule_title, type: boolean }");
    const g = write(title);
    expect(() => loadMapping(g)).toThrow(
      `${g}:${lineOf(title, "alert.title")}: case.alert.title: alert.title takes text, but the column is read as a boolean: leave type out`,
    );
    // a map may give any value, and json any shape: the rows decide
    const mapped = BUNDLED.replace(
      "{ column: analyst_minutes, type: number }",
      "{ column: analyst_minutes, map: { n/a: null, '*': 5 } }",
    );
    expect(() => loadMapping(write(mapped))).not.toThrow();
  });
});

describe("a CSV mapping's coverage of the case format", () => {
  // an unmapped required field failed on the first CSV row, blamed on the export instead of the mapping
  it("names the required case fields it leaves unmapped, at the mapping's case section", () => {
    const text = BUNDLED.replace(/^ {2}alert\.rule: .*\n/m, "").replace(/^ {2}alert\.source: .*\n/m, "");
    const f = write(text);
    expect(() => loadMapping(f)).toThrow(
      `${f}:${lineOf(text, "  id: event_id")}: case: alert.rule and alert.source are not mapped, and every case needs them (give each a column or a const)`,
    );
  });

  it("asks for a whole label once part of it is mapped, and for an evidence record's source", () => {
    const noEscalate = BUNDLED.replace(/^ {2}label\.escalate: .*\n/m, "");
    expect(() => loadMapping(write(noEscalate))).toThrow(
      /case: label\.escalate is not mapped, and every label needs it \(give it a column or a const\)/,
    );
    const noSource = BUNDLED.replace(/^ {2}source:\n( {4}.*\n)+/m, "");
    expect(noSource).not.toBe(BUNDLED);
    expect(() => loadMapping(write(noSource))).toThrow(
      /evidence: source is not mapped, and every evidence record needs it/,
    );
  });

  it("counts group_by as the id, a whole mapped object as its fields, and fills evidence id, time and data", () => {
    const minimal = [
      "group_by: key",
      "case:",
      "  workflow: { const: phishing-triage }",
      "  alert: { column: alert_json, type: json }",
      "evidence:",
      "  source: { const: email.headers }",
    ].join("\n");
    expect(() => loadMapping(write(minimal))).not.toThrow();
    expect(() => loadMapping(write(minimal.replace("group_by: key\n", "")))).toThrow(
      /case: id is not mapped, and every case needs it/,
    );
  });
});
