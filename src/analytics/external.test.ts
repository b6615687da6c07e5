import { describe, expect, it } from "vitest";
import { Store } from "../store/db.js";
import { readinessFound, readinessMetrics, reviewMetrics } from "./external.js";

describe("the readiness score a report is judged on", () => {
  it("names the gates of the newest score, by id alone where the store predates their titles", async () => {
    const store = await Store.open(":memory:");
    try {
      // a store written before soceval kept the gates' titles
      await store.run("ALTER TABLE readiness_results DROP COLUMN blocker_titles");
      await store.run(
        `INSERT INTO readiness_results (candidate, workflow, scored_at, overall, blockers) VALUES
         ('Old', 'phishing-triage', '2026-01-01 10:00:00', 40, ['no_reviewer', 'no_escalation_criteria']),
         ('New', 'phishing-triage', '2026-02-01 10:00:00', 70, ['no_reviewer']),
         ('Endpoint', 'endpoint-investigation', '2026-03-01 10:00:00', 80, [])`,
      );
      expect(await readinessFound(store, "phishing-triage")).toEqual({
        workflow: "phishing-triage",
        candidate: "New",
        scored_at: "2026-02-01T10:00:00Z",
        blockers: [{ gate: "no_reviewer", title: null }],
        stored_workflows: ["endpoint-investigation", "phishing-triage"],
      });
      expect((await readinessMetrics(store, "phishing-triage")).readiness_blockers!.value).toBe(1);
      expect(await readinessFound(store, "phishing")).toEqual({
        workflow: "phishing",
        candidate: null,
        scored_at: null,
        blockers: [],
        stored_workflows: ["endpoint-investigation", "phishing-triage"],
      });
    } finally {
      store.close();
    }
  });

  it("finds nothing in a store no readiness score was written to", async () => {
    const store = await Store.open(":memory:");
    try {
      expect(await readinessFound(store, "phishing-triage")).toMatchObject({ candidate: null, stored_workflows: [] });
    } finally {
      store.close();
    }
  });
});

describe("analysts' reviews a report's assisted phase is judged on", () => {
  it("measures acceptance from analyst_reviews, and names a table loaded under other columns", async () => {
    const store = await Store.open(":memory:");
    try {
      await store.run(
        `CREATE TABLE analyst_reviews AS SELECT * FROM (VALUES ('r1', 'c1', 'a', true), ('r1', 'c2', 'a', false),
           ('r1', 'c3', 'a', true), ('r2', 'c1', 'a', false)) t(run_id, case_id, agent, accepted)`,
      );
      await store.run(
        `INSERT INTO case_results (run_id, case_id, agent, epoch) VALUES ('r1', 'c1', 'a', 0), ('r1', 'c2', 'a', 0), ('r1', 'c3', 'a', 0)`,
      );
      const ok = await reviewMetrics(store, "r1");
      expect(ok.problem).toBeNull();
      expect(ok.metrics.get("a")!.analyst_acceptance_rate).toMatchObject({ x: 2, n: 3 });
      // a second review of c3 that rejects it, and a review of a case the run does not hold
      await store.run("INSERT INTO analyst_reviews VALUES ('r1', 'c3', 'a', false), ('r1', 'c9', 'a', true)");
      const mended = await reviewMetrics(store, "r1");
      expect(mended.metrics.get("a")!.analyst_acceptance_rate).toMatchObject({ x: 1, n: 3 });
      expect(mended.problem).toBe(
        "1 of this run's analyst reviews names a case its agent did not investigate (agent a: case c9), so they are not counted in analyst acceptance",
      );
      await store.run("ALTER TABLE analyst_reviews RENAME COLUMN accepted TO approved");
      const renamed = await reviewMetrics(store, "r1");
      expect(renamed.metrics.size).toBe(0);
      expect(renamed.problem).toBe(
        "the store's analyst_reviews table has no column accepted (it has run_id, case_id, agent, approved), so analyst acceptance is not measured: its columns must be run_id, case_id, agent, accepted (BOOLEAN)",
      );
    } finally {
      store.close();
    }
  });
});
