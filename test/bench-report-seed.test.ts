import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { seedBenchRun } from "../bench/report.js";
import { buildReport } from "../src/analytics/report.js";
import { Store } from "../src/store/db.js";

// `npm run bench` seeds its report run with SQL written against the tables' columns: a column added
// to a table must not break it unnoticed (it did once, in runs and findings)
describe("bench/report's synthetic run", () => {
  it("still seeds into today's tables and builds a report", async () => {
    const store = await Store.open(join(mkdtempSync(join(tmpdir(), "soceval-bench-seed-")), "b.duckdb"));
    try {
      await seedBenchRun(store, 400);
      const [n] = await store.query<{ results: number; runs: number }>(
        "SELECT (SELECT count(*)::INTEGER FROM case_results) AS results, (SELECT count(*)::INTEGER FROM runs) AS runs",
      );
      expect(n).toEqual({ results: 400, runs: 1 });
      const doc = await buildReport(store, "latest");
      expect(doc.run.run_id).toBe("bench-report-run");
      expect(Object.keys(doc.agents).sort()).toEqual(["model-x", "playbook"]);
    } finally {
      store.close();
    }
  });
});
