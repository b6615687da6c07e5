import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FIXTURE_RUN, seedFixture } from "../../test/fixtures/report/run.js";
import { Store } from "../store/db.js";
import { buildReport } from "./report.js";

describe("report analytics beyond the golden run", () => {
  let store: Store;
  beforeAll(async () => {
    store = await Store.open(":memory:");
    await seedFixture(store);
  });
  afterAll(() => store.close());

  it("with two epochs: a per-epoch breakdown, and intervals that count cases, not rows", async () => {
    const single = await buildReport(store, "latest");
    await store.run(
      `INSERT INTO case_results SELECT * REPLACE (1 AS epoch) FROM case_results WHERE run_id = '${FIXTURE_RUN}';
       UPDATE runs SET epochs = 2 WHERE run_id = '${FIXTURE_RUN}'`,
    );
    const double = await buildReport(store, "latest");
    const a1 = single.agents.playbook!.metrics.verdict_agreement!;
    const a2 = double.agents.playbook!.metrics.verdict_agreement!;
    expect(a2).toMatchObject({ value: a1.value, lower: a1.lower, upper: a1.upper, n: 24 });
    expect(double.agents.playbook!.breakdowns.epoch.map((e) => [e.key, e.n])).toEqual([
      ["0", 12],
      ["1", 12],
    ]);
    expect(single.agents.playbook!.breakdowns.epoch).toEqual([]);
    await store.run("DELETE FROM case_results WHERE epoch = 1; UPDATE runs SET epochs = 1");
  });

  it("does not print kappa as certain when a dozen cases all agree: [1, 1] is what no resample can contradict", async () => {
    const s = await Store.open(":memory:");
    try {
      await seedFixture(s);
      await s.run(`UPDATE case_results SET verdict = label_verdict, agree = true WHERE agent = 'model-x'`);
      const kappa = (await buildReport(s, "latest")).agents["model-x"]!.metrics.verdict_kappa!;
      expect(kappa).toMatchObject({ value: 1, upper: 1, method: "rule_of_three" });
      // agreement 12 of 12 is bounded by 1 − 3/units, and κ with it: well below 1
      expect(kappa.lower!).toBeLessThan(0.8);
      expect(kappa.lower!).toBeGreaterThanOrEqual(-1);
    } finally {
      s.close();
    }
  });

  it("reads the newest readiness result for the run's workflow", async () => {
    const before = await buildReport(store, "latest");
    expect(before.agents.playbook!.metrics.readiness_score!.value).toBeNull();
    await store.run(
      `INSERT INTO readiness_results (candidate, workflow, overall, blockers, scored_at) VALUES
         ('phishing', 'phishing-triage', 64, ['no forbidden-action list'], '2025-01-01'),
         ('phishing', 'phishing-triage', 81, [], '2025-02-01'), ('other', 'other', 10, ['x'], '2025-03-01')`,
    );
    const doc = await buildReport(store, "latest");
    expect(doc.agents.playbook!.metrics.readiness_score!.value).toBe(81);
    const readiness = doc.phases.find((p) => p.phase === "readiness" && p.agent === "playbook")!;
    expect(readiness.status).toBe("met");
    await store.run("DELETE FROM readiness_results");
  });

  it("limits to the named agents", async () => {
    const doc = await buildReport(store, "latest", { agents: ["model-x"] });
    expect(Object.keys(doc.agents)).toEqual(["model-x"]);
    expect(new Set(doc.phases.map((p) => p.agent))).toEqual(new Set(["model-x"]));
  });

  it("refuses an agent the run does not hold, rather than leaving it out of the report", async () => {
    await expect(buildReport(store, "latest", { agents: ["model-x", "modelx"] })).rejects.toThrow(
      `--agent: run ${FIXTURE_RUN} has no results for "modelx" (it has: playbook, model-x)`,
    );
  });
});
