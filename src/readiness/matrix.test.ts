import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadMatrix } from "./matrix.js";

const MATRIX = readFileSync("test/fixtures/readiness/matrix.yaml", "utf8");
const write = (text: string) => {
  const f = join(mkdtempSync(join(tmpdir(), "soceval-matrix-")), "m.yaml");
  writeFileSync(f, text);
  return f;
};
const lineOf = (text: string, needle: string) => text.split("\n").findIndex((l) => l.includes(needle)) + 1;

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
});
