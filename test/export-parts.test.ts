import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Store } from "../src/store/db.js";
import { exportRunTable } from "../src/store/export-run.js";
import { RUN_TABLES } from "../src/store/tables.js";
import { FIXTURE_RUN, seedFixture } from "./fixtures/report/run.js";

const dir = mkdtempSync(join(tmpdir(), "soceval-export-parts-"));
let store: Store;

beforeAll(async () => {
  store = await Store.open(join(dir, "store.duckdb"));
  await seedFixture(store);
});
afterAll(() => store.close());

/** A Parquet file's rows as JSON lines, in the file's order. */
async function parquetRows(file: string): Promise<string> {
  const rows = await store.query<{ line: string }>(
    "SELECT to_json(p)::VARCHAR AS line FROM (SELECT * FROM read_parquet(?)) p",
    [file],
  );
  return rows.map((r) => r.line).join("\n");
}

describe("an export written a few cases at a time", () => {
  for (const format of ["jsonl", "parquet"] as const)
    it(`is, for every run table as ${format}, the one query's file: same rows, same order`, async () => {
      for (const table of RUN_TABLES) {
        const whole = join(dir, `${table}-whole.${format}`);
        const inParts = join(dir, `${table}-parts.${format}`);
        const one = await exportRunTable(store, { runId: FIXTURE_RUN, table, format, file: whole, partRows: 1e9 });
        const many = await exportRunTable(store, {
          runId: FIXTURE_RUN,
          table,
          format,
          file: inParts,
          partsIn: `${inParts}.parts`,
          partRows: 3,
        });
        expect(one.parts, table).toBe(1);
        const [{ n } = { n: 0 }] = await store.query<{ n: number }>(
          `SELECT count(DISTINCT ${table === "runs" || table === "run_agents" ? "run_id" : "case_id"})::INTEGER AS n FROM ${table} WHERE run_id = ?`,
          [FIXTURE_RUN],
        );
        // the per-case tables the fixture fills are split; a run's own rows are one part
        if (table !== "runs" && table !== "run_agents" && n > 3) expect(many.parts, table).toBeGreaterThan(1);
        if (format === "jsonl") expect(readFileSync(inParts, "utf8"), table).toBe(readFileSync(whole, "utf8"));
        else expect(await parquetRows(inParts), table).toBe(await parquetRows(whole));
        expect(existsSync(`${inParts}.parts`), `${table}: its parts are gone`).toBe(false);
      }
    });

  it("keeps each case's rows together, in the order the whole export has them", async () => {
    const file = join(dir, "one-case-a-part.jsonl");
    await exportRunTable(store, { runId: FIXTURE_RUN, table: "transcripts", format: "jsonl", file, partRows: 1 });
    const keys = readFileSync(file, "utf8")
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as { case_id: string; agent: string; epoch: number })
      .map((r) => `${r.case_id}/${r.agent}/${r.epoch}`);
    expect(keys).toEqual([...keys].sort());
    expect(new Set(keys).size).toBe(keys.length);
    expect(keys.length).toBe(24);
  });

  it("replaces what an export killed mid-way left in its parts folder", async () => {
    const file = join(dir, "again.jsonl");
    const parts = `${file}.parts`;
    mkdirSync(parts);
    writeFileSync(join(parts, "000000.jsonl"), '{"stale":true}\n');
    writeFileSync(join(parts, "zzz.jsonl"), '{"stale":true}\n');
    await exportRunTable(store, {
      runId: FIXTURE_RUN,
      table: "cases",
      format: "jsonl",
      file,
      partsIn: parts,
      partRows: 2,
    });
    expect(readFileSync(file, "utf8")).not.toContain("stale");
    expect(readFileSync(file, "utf8").trim().split("\n")).toHaveLength(12);
    expect(existsSync(parts)).toBe(false);
  });
});
