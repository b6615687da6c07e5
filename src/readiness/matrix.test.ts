import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadMatrix } from "./matrix.js";
import { loadTelemetry } from "./telemetry.js";

const MATRIX = readFileSync("test/fixtures/readiness/matrix.yaml", "utf8");
const write = (text: string) => {
  const f = join(mkdtempSync(join(tmpdir(), "soceval-matrix-")), "m.yaml");
  writeFileSync(f, text);
  return f;
};
const lineOf = (text: string, needle: string) => text.split("\n").findIndex((l) => l.includes(needle)) + 1;
const lastLineOf = (text: string, needle: string) =>
  text.split("\n").length - [...text.split("\n")].reverse().findIndex((l) => l.includes(needle));

describe("a readiness matrix's cross-references", () => {
  it("are named at their own line, like a schema error", () => {
    const text = MATRIX.replace("reasons_area: fit", "reasons_area: nope");
    const f = write(text);
    expect(() => loadMatrix(f)).toThrow(
      `${f}:${lineOf(text, "reasons_area: nope")}: reasons_area: unknown area "nope"`,
    );
  });

  it("name the question a rule tests, at the rule's line", () => {
    const text = MATRIX.replace("freshness_question: q_fresh", "freshness_question: q_nope");
    const f = write(text);
    expect(() => loadMatrix(f)).toThrow(
      `${f}:${lineOf(text, "freshness_question: q_nope")}: check.freshness_question: "q_nope" is not a choice question`,
    );
  });

  it("refuse a gate id declared twice, at the second one's line: stored blockers are named by gate id", () => {
    const gate = MATRIX.slice(MATRIX.indexOf("  - id: no_escalation_criteria"), MATRIX.indexOf("phases:"));
    const text = MATRIX.replace("phases:", `${gate.replace('equals: "no"', 'equals: "yes"')}phases:`);
    const f = write(text);
    const second = lastLineOf(text, "id: no_escalation_criteria");
    expect(() => loadMatrix(f)).toThrow(`${f}:${second}: gates[1].id: duplicate gate id "no_escalation_criteria"`);
  });
});

describe("a readiness matrix's shares", () => {
  it("refuse 50% or 50 where a share from 0 to 1 belongs, saying how to write it, at the field's line", () => {
    for (const [from, to, got] of [
      ["min_present_share: 0.5", "min_present_share: 50%", '"50%"'],
      ["min_present_share: 0.5", "min_present_share: 50", "50"],
    ] as const) {
      const text = MATRIX.replace(from, to);
      const f = write(text);
      expect(() => loadMatrix(f)).toThrow(
        `${f}:${lineOf(text, to)}: check.min_present_share: expected a share from 0 to 1, e.g. 0.5 for 50% (got ${got})`,
      );
    }
  });
});

describe("a telemetry matrix", () => {
  const TELEMETRY = readFileSync("test/fixtures/readiness/telemetry-clean.yaml", "utf8");
  it("names a duplicate object id, and a source listed under two objects, at their own line", () => {
    const dupId = TELEMETRY.replace("id: travel,", "id: signins,");
    const f = write(dupId);
    const at = lastLineOf(dupId, "id: signins,");
    expect(() => loadTelemetry(f)).toThrow(`${f}:${at}: objects[1].id: duplicate id "signins"`);
    const dupSource = TELEMETRY.replace("sources: [hr.travel]", "sources: [hr.travel, idp.signins]");
    const g = write(dupSource);
    expect(() => loadTelemetry(g)).toThrow(
      `${g}:${lineOf(dupSource, "sources: [hr.travel, idp.signins]")}: objects[1].sources[1]: source "idp.signins" is also listed under signins`,
    );
  });
});
