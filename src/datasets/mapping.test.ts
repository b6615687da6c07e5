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
