import { cpSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { Store } from "../src/store/db.js";
import { jsonLines, reportJson, soceval } from "./helpers/cli.js";

/**
 * Assisted mode's analyst acceptance comes from analyst_reviews, which a SOC lead loads into the
 * store. The report printed "Analyst acceptance 66.7% (2/3)" and pointed at `soceval cases --rate
 * RATE`, which refused the rate as unknown: the rejected recommendations could not be listed.
 */
const dir = mkdtempSync(join(tmpdir(), "soceval-acceptance-"));
cpSync("test/fixtures/mini", dir, { recursive: true });
const db = join(dir, "s.duckdb");
const bare = join(dir, "bare.duckdb");

beforeAll(async () => {
  for (const store of [db, bare]) {
    const r = await soceval(["run", "suite.yaml", "--epochs", "2", "--limit", "4", "--quiet", "--db", store], dir);
    expect(r.status, r.stderr).toBe(0);
  }
  const store = await Store.open(db);
  try {
    // mini-001 is rejected by one of its two reviewers; mini-003 is not reviewed; a null is no review
    await store.run(`CREATE TABLE analyst_reviews (run_id VARCHAR, case_id VARCHAR, agent VARCHAR, accepted BOOLEAN)`);
    await store.run(
      `INSERT INTO analyst_reviews SELECT (SELECT max(run_id) FROM runs), case_id, 'playbook', accepted FROM (VALUES
         ('mini-000', true), ('mini-001', true), ('mini-001', false), ('mini-002', true), ('mini-003', NULL)) v(case_id, accepted)`,
    );
  } finally {
    store.close();
  }
});

describe("soceval cases --rate analyst_acceptance_rate", () => {
  it("lists the rejected recommendations, one per case, with the report's count", async () => {
    const acceptance = (await reportJson(db, dir)).agents.playbook!.metrics.analyst_acceptance_rate!;
    expect(acceptance).toMatchObject({ x: 2, n: 3 });

    const table = await soceval(["cases", "--run", "latest", "--rate", "analyst_acceptance_rate", "--db", db], dir);
    expect(table.status, table.stderr).toBe(0);
    expect(table.stdout).toContain("Analyst acceptance, investigations that count against it: playbook 1 of 3");
    const rows = jsonLines<{ case_id: string; epoch: number }>(
      await soceval(
        ["cases", "--run", "latest", "--rate", "analyst_acceptance_rate", "--format", "jsonl", "--db", db],
        dir,
      ),
    );
    expect(rows.map((r) => [r.case_id, r.epoch])).toEqual([["mini-001", 0]]);
  });

  it("refuses a store with no reviews rather than say none was rejected", async () => {
    const r = await soceval(["cases", "--run", "latest", "--rate", "analyst_acceptance_rate", "--db", bare], dir);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain("has no analyst_reviews table, so no recommendation was reviewed");
  });
});
