import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { datasetStats } from "./stats.js";

const VALID = "test/fixtures/datasets/valid.jsonl";
const lines = () => readFileSync(VALID, "utf8").trim().split("\n");
const write = (text: string) => {
  const f = join(mkdtempSync(join(tmpdir(), "soceval-stats-")), "cases.jsonl");
  writeFileSync(f, text);
  return f;
};

describe("datasetStats refuses what dataset validate refuses", () => {
  it("counts a valid dataset", async () => {
    expect((await datasetStats(VALID)).cases).toBe(lines().length);
  });

  // counting a repeated case twice would inflate every number the report is built on
  it("stops at a repeated case id, naming both lines", async () => {
    const [first] = lines();
    const f = write(`${lines().join("\n")}\n${first}\n`);
    const id = JSON.parse(first!).id;
    await expect(datasetStats(f)).rejects.toThrow(
      `${f}:${lines().length + 1}: id: duplicate case id "${id}" (first on line 1)`,
    );
  });

  it("stops at a case whose evidence ids repeat", async () => {
    const c = JSON.parse(lines()[0]!);
    c.evidence.push(c.evidence[0]);
    const f = write(`${JSON.stringify(c)}\n`);
    await expect(datasetStats(f)).rejects.toThrow(
      `${f}:1: evidence[${c.evidence.length - 1}].id: duplicate evidence id`,
    );
  });

  it("reads a case as run reads it: a huge number where the case wants one is a number", async () => {
    const c = JSON.parse(lines()[0]!);
    c.label.analyst_minutes = 0;
    const f = write(`${JSON.stringify(c).replace('"analyst_minutes":0', '"analyst_minutes":12345678901234567891')}\n`);
    expect((await datasetStats(f)).analyst_minutes).toMatchObject({ cases: 1 });
  });
});
