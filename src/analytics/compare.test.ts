import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FIXTURE_RUN, seedFixture } from "../../test/fixtures/report/run.js";
import { cloneRun } from "../../test/helpers/clone-run.js";
import { InputError } from "../io/errors.js";
import { renderComparison } from "../report/render.js";
import { MISSING_TRANSCRIPT } from "../scoring/import.js";
import { Store } from "../store/db.js";
import { buildComparison, resolveSides } from "./compare.js";
import { reading } from "./compare-reading.js";
import { CompareDoc, type PairedMetric, type Pairing } from "./compare-schema.js";

describe("comparison of two agents on the same cases", () => {
  let store: Store;
  let doc: CompareDoc;
  beforeAll(async () => {
    store = await Store.open(":memory:");
    await seedFixture(store);
    doc = await buildComparison(store, await resolveSides(store, ["latest"]));
  });
  afterAll(() => store.close());

  it("pairs per case, clusters by incident and tests agreement with exact McNemar", () => {
    expect(() => CompareDoc.parse(doc)).not.toThrow();
    expect(doc.sides.map((s) => s.label)).toEqual(["playbook", "model-x"]);
    const agree = doc.pairings[0]!.metrics.find((m) => m.metric === "verdict_agreement")!;
    // model-x right where the playbook is wrong on c03, c04, c09, c11; the reverse on c01, c12
    expect(agree).toMatchObject({
      n: 12,
      units: 10,
      candidate_only: 4,
      baseline_only: 2,
      candidate_only_units: 4,
      baseline_only_units: 2,
    });
    expect(agree.diff).toBeCloseTo(2 / 12, 5);
    expect(agree.mcnemar_p).toBeCloseTo((2 * (1 + 6 + 15)) / 64, 6);
    expect(agree.lower!).toBeLessThan(agree.diff!);
    expect(agree.upper!).toBeGreaterThan(agree.diff!);
    const cost = doc.pairings[0]!.metrics.find((m) => m.metric === "cost_per_investigation")!;
    expect(cost).toMatchObject({ diff: 0.0125, mcnemar_p: null });
  });

  it("counts an incident once in McNemar's test, as in the interval, however many of its alerts differ", async () => {
    const clustered = await Store.open(":memory:");
    try {
      await seedFixture(clustered);
      // three of model-x's four wins become alerts of one incident: one discordant unit, not three
      await clustered.run("UPDATE case_results SET incident_id = 'inc-x' WHERE case_id IN ('c03', 'c04', 'c09')");
      const d = await buildComparison(clustered, await resolveSides(clustered, ["latest"]));
      const agree = d.pairings[0]!.metrics.find((m) => m.metric === "verdict_agreement")!;
      expect(agree).toMatchObject({ n: 12, candidate_only: 4, baseline_only: 2 });
      expect(agree.units).toBeLessThan(10);
      expect(agree.mcnemar_p).toBe(1); // units: 2 for model-x (inc-x, c11) against 2 for the playbook
      // what the p-value counts is printed beside the case counts, so it can be reproduced
      expect(agree).toMatchObject({ candidate_only_units: 2, baseline_only_units: 2 });
      const html = await renderComparison(d, "html");
      expect(html).toContain("4 / 2 (incidents 2 / 2)");
    } finally {
      clustered.close();
    }
  });

  it("counts a case over its epochs the same way in the case and the incident counts: by majority", async () => {
    const s = await Store.open(":memory:");
    try {
      await seedFixture(s);
      // three epochs, each the first's copy; then the playbook gets c05 (a lone case both sides get
      // right) wrong once: right in 2 of 3 epochs is still right, on both sides of the comparison
      for (const epoch of [1, 2])
        await s.run(`INSERT INTO case_results SELECT * REPLACE (${epoch} AS epoch) FROM case_results WHERE epoch = 0`);
      await s.run("UPDATE case_results SET agree = false WHERE case_id = 'c05' AND agent = 'playbook' AND epoch = 2");
      const d = await buildComparison(s, await resolveSides(s, ["latest"]));
      const agree = d.pairings[0]!.metrics.find((m) => m.metric === "verdict_agreement")!;
      expect(agree).toMatchObject({ candidate_only: 4, baseline_only: 2 });
      // no case of an incident changed, so the incidents' counts are the cases' own
      expect(agree).toMatchObject({ candidate_only_units: 4, baseline_only_units: 2 });
      expect(agree.mcnemar_p).toBeCloseTo((2 * (1 + 6 + 15)) / 64, 6);
      const html = await renderComparison(d, "html");
      expect(html).toContain(`<td class="num wrap">4 / 2</td>`);
      // the page says how a case of several epochs counts, in both pages' method sections
      expect(html).toContain("having it when it had it in most of its epochs");
      const md = await renderComparison(d, "md");
      expect(md).toContain("having it when it had it in most of its epochs");
      // the list of disagreements compares one epoch, and says so beside the counts that do not
      expect(md).toMatch(
        /\d+ cases with different verdicts in the first epoch \(the counts above take each case's majority/,
      );
      expect(html).toContain("shown (first epoch; the counts above take each case's majority of epochs)");
    } finally {
      s.close();
    }
  });

  it("gives Detectable over the cases the interval counts: clustered alerts detect less than lone ones", async () => {
    const s = await Store.open(":memory:");
    try {
      await seedFixture(s);
      await s.run(`UPDATE case_results SET incident_id = NULL WHERE run_id = ?`, [FIXTURE_RUN]);
      const detectable = async () =>
        (await buildComparison(s, await resolveSides(s, ["latest"]))).pairings[0]!.metrics.find(
          (m) => m.metric === "verdict_agreement",
        )!;
      const lone = await detectable();
      // the same outcomes, but model-x's four wins are the alerts of one incident, and the rest pair up
      await s.run(
        `UPDATE case_results SET incident_id = CASE WHEN case_id IN ('c03', 'c04', 'c09', 'c11') THEN 'inc-wins'
           WHEN case_id IN ('c01', 'c12') THEN 'inc-losses' ELSE 'inc-' || case_id END WHERE run_id = ?`,
        [FIXTURE_RUN],
      );
      const clustered = await detectable();
      expect(clustered.n).toBe(lone.n);
      expect(clustered.upper! - clustered.lower!).toBeGreaterThan(lone.upper! - lone.lower!);
      expect(clustered.min_detectable_difference!).toBeGreaterThan(lone.min_detectable_difference!);
    } finally {
      s.close();
    }
  });

  it("says so when a run it compares did not finish", async () => {
    expect(doc.notes.some((n) => n.includes("did not finish"))).toBe(false);
    const partial = await Store.open(":memory:");
    try {
      await seedFixture(partial);
      await partial.run("UPDATE runs SET status = 'interrupted'");
      const d = await buildComparison(partial, await resolveSides(partial, ["latest"]));
      expect(d.notes).toContain(
        `run ${FIXTURE_RUN} did not finish (status interrupted): only the cases it stored are compared`,
      );
    } finally {
      partial.close();
    }
  });

  it("lists the cases where verdicts differ, right-versus-wrong first", () => {
    expect(doc.disagreements_total).toBe(6);
    expect(doc.disagreements[0]!.answers.map((a) => a.label)).toEqual(["playbook", "model-x"]);
    expect(doc.disagreements.every((d) => new Set(d.answers.map((a) => a.verdict)).size > 1)).toBe(true);
  });

  it("gives the query that lists every disagreement, in the page's order", async () => {
    const rows = await store.query<{ case_id: string; answers: { idx: number; verdict: string | null }[] }>(
      doc.disagreements_query,
    );
    expect(rows).toHaveLength(doc.disagreements_total);
    expect(rows.map((r) => r.case_id)).toEqual(doc.disagreements.map((d) => d.case_id));
    expect(rows[0]!.answers.map((a) => a.verdict)).toEqual(doc.disagreements[0]!.answers.map((a) => a.verdict));
    const html = await renderComparison(doc, "html");
    expect(html).toContain(`list every one (${doc.disagreements_total})`);
    expect(html).toContain(
      "soceval query &quot;WITH sides(idx, run_id, agent) AS (VALUES (0, &#x27;run-fixture-0001&#x27;",
    );
  });

  it("is reproducible", async () => {
    expect(await buildComparison(store, await resolveSides(store, [FIXTURE_RUN]))).toEqual(doc);
  });

  it("resolves sides and refuses ambiguous or unknown agents", async () => {
    expect(await resolveSides(store, ["latest"], ["model-x", "playbook"])).toEqual([
      { run_id: FIXTURE_RUN, agent: "model-x" },
      { run_id: FIXTURE_RUN, agent: "playbook" },
    ]);
    await expect(resolveSides(store, ["latest"], ["playbook", "ghost"])).rejects.toThrow(/ghost/);
    await expect(resolveSides(store, ["latest", "latest"])).rejects.toThrow(InputError);
    await expect(resolveSides(store, ["nope"])).rejects.toThrow(/no run "nope"/);
    expect(await resolveSides(store, ["latest", "latest"], ["playbook", "model-x"])).toHaveLength(2);
  });
});

describe("comparison across runs", () => {
  it("gives two runs with identical per-case results identical intervals (seeded by content, not run ids)", async () => {
    const s = await Store.open(":memory:");
    try {
      await seedFixture(s);
      await cloneRun(s, FIXTURE_RUN, "run-copy-1");
      await cloneRun(s, FIXTURE_RUN, "run-copy-2");
      const one = await buildComparison(s, [
        { run_id: FIXTURE_RUN, agent: "playbook" },
        { run_id: "run-copy-1", agent: "model-x" },
      ]);
      const two = await buildComparison(s, [
        { run_id: FIXTURE_RUN, agent: "playbook" },
        { run_id: "run-copy-2", agent: "model-x" },
      ]);
      expect(two.seed).toBe(one.seed);
      expect(one.seed).not.toMatch(/run-/);
      expect(two.pairings).toEqual(one.pairings);
      // runs made the same way get no setup note; a run with other epochs does, as the gate refuses it
      expect(one.notes.some((n) => n.includes("different setups"))).toBe(false);
      await s.run("UPDATE runs SET epochs = 3 WHERE run_id = 'run-copy-2'");
      const other = await buildComparison(s, [
        { run_id: FIXTURE_RUN, agent: "playbook" },
        { run_id: "run-copy-2", agent: "model-x" },
      ]);
      expect(other.notes).toContain(
        `run ${FIXTURE_RUN} and run run-copy-2 were replayed under different setups (epochs 1, run run-copy-2 has 3): ` +
          "a difference between their agents may come from the setup, not the agent (the gate refuses such a pair)",
      );
    } finally {
      s.close();
    }
  });

  it("across dataset versions pairs only cases whose analyst label is the same, and says how many it left out", async () => {
    const s = await Store.open(":memory:");
    try {
      await seedFixture(s);
      await cloneRun(s, FIXTURE_RUN, "run-relabeled");
      await s.run("UPDATE runs SET dataset_hash = 'ffff0000' WHERE run_id = 'run-relabeled'");
      // the analysts changed their minds on c03 and c04 (where model-x was right and the playbook wrong)
      await s.run(
        `UPDATE case_results SET label_verdict = 'true_positive', label_escalate = true,
           agree = (verdict = 'true_positive') WHERE run_id = 'run-relabeled' AND case_id IN ('c03', 'c04')`,
      );
      const d = await buildComparison(s, [
        { run_id: FIXTURE_RUN, agent: "playbook" },
        { run_id: "run-relabeled", agent: "playbook" },
      ]);
      expect(d.pairings[0]!.cases).toBe(10);
      const agree = d.pairings[0]!.metrics.find((m) => m.metric === "verdict_agreement")!;
      // the same answers on the same labels: no difference, and the relabeled cases are not counted
      expect(agree).toMatchObject({ n: 10, diff: 0, candidate_only: 0, baseline_only: 0 });
      expect(d.notes.join("\n")).toMatch(/different dataset versions.*2 cases left out because the label changed/);
      expect(d.disagreements_total).toBe(0);
    } finally {
      s.close();
    }
  });
});

describe("comparison with a side whose provider failed", () => {
  /** model-x's provider failed 9 of its 12 investigations (the fixture's one and 8 more); the playbook violated policy on every case. */
  async function outage(s: Store): Promise<void> {
    await seedFixture(s);
    const down = "('c01','c02','c03','c04','c05','c06','c07','c08')";
    await s.run(
      `UPDATE transcripts SET output = NULL, error = 'provider: HTTP 503'
         WHERE agent = 'model-x' AND (case_id IN ${down} OR error IS NOT NULL)`,
    );
    await s.run(
      `UPDATE case_results SET failed = true, verdict = NULL, agree = false, policy_violations = 0,
         high_severity_violations = 0 WHERE agent = 'model-x' AND case_id IN ${down}`,
    );
    await s.run("UPDATE case_results SET policy_violations = 0, high_severity_violations = 0 WHERE agent = 'model-x'");
    await s.run("UPDATE case_results SET policy_violations = 1 WHERE agent = 'playbook'");
  }

  it("warns how many investigations the provider failed, as the report does", async () => {
    const s = await Store.open(":memory:");
    try {
      await outage(s);
      const d = await buildComparison(s, await resolveSides(s, ["latest"]));
      expect(d.notes).toContainEqual(
        expect.stringMatching(
          new RegExp(
            `^run ${FIXTURE_RUN}: agent model-x: the provider failed 9 of 12 investigations \\(75\\.0%\\), which count as failed answers in every metric`,
          ),
        ),
      );
      // the baseline's provider failed nothing: no line for it
      expect(d.notes.some((n) => n.includes("agent playbook:"))).toBe(false);
      expect(await renderComparison(d, "html")).toContain("the provider failed 9 of 12 investigations");
    } finally {
      s.close();
    }
  });

  it("does not call a lead that failures produce better: the reading is not comparable, and a note says why", async () => {
    const s = await Store.open(":memory:");
    try {
      await outage(s);
      const d = await buildComparison(s, await resolveSides(s, ["latest"]));
      const p = d.pairings[0]!;
      const pv = p.metrics.find((m) => m.metric === "policy_violation_rate")!;
      // the interval alone would read better: model-x violated nothing, mostly by answering nothing
      expect(pv.upper!).toBeLessThan(0);
      expect(reading(pv, p)).toBe("not comparable");
      // a reading the failures count against stays as it is
      const failed = p.metrics.find((m) => m.metric === "failed_rate")!;
      expect(reading(failed, p)).toBe("worse");
      expect(d.notes).toContainEqual(
        expect.stringMatching(
          /^model-x failed 75\.0% of the 12 paired investigations and playbook 0\.0%: an investigation with no answer raises no policy violation.*model-x's lead on Policy violation rate/,
        ),
      );
      const html = await renderComparison(d, "html");
      const row = html.slice(html.lastIndexOf(`<th scope="row">Policy violation rate</th>`));
      expect(row.slice(0, row.indexOf("</tr>"))).toContain("not comparable");
      expect(row.slice(0, row.indexOf("</tr>"))).not.toContain(">better<");
      const md = await renderComparison(d, "md");
      expect(md).toMatch(/^\| Policy violation rate \|.*\| not comparable \|$/m);
    } finally {
      s.close();
    }
  });

  it("does not call a cost lead not comparable for failures that are in no cost pair (imported cases with no transcript)", async () => {
    const s = await Store.open(":memory:");
    try {
      await seedFixture(s);
      await cloneRun(s, FIXTURE_RUN, "run-imported");
      await s.run("UPDATE runs SET kind = 'imported' WHERE run_id = 'run-imported'");
      await s.run("UPDATE case_results SET cost_usd = 0.004 WHERE agent = 'playbook'");
      // half the candidate's cases have no transcript: failed answers, but their cost was never measured
      await s.run(
        `UPDATE case_results SET cost_usd = CASE WHEN case_id IN ('c03', 'c04', 'c05', 'c06', 'c07', 'c08') THEN NULL ELSE 0.002 END,
           failed = case_id IN ('c03', 'c04', 'c05', 'c06', 'c07', 'c08'),
           verdict = CASE WHEN case_id IN ('c03', 'c04', 'c05', 'c06', 'c07', 'c08') THEN NULL ELSE verdict END
         WHERE run_id = 'run-imported' AND agent = 'playbook'`,
      );
      await s.run(
        `UPDATE transcripts SET output = NULL, error = ? WHERE run_id = 'run-imported' AND agent = 'playbook'
           AND case_id IN ('c03', 'c04', 'c05', 'c06', 'c07', 'c08')`,
        [MISSING_TRANSCRIPT],
      );
      const d = await buildComparison(s, await resolveSides(s, [FIXTURE_RUN, "run-imported"], ["playbook"]));
      const p = d.pairings[0]!;
      const failed = p.metrics.find((m) => m.metric === "failed_rate")!;
      expect(failed.lower!).toBeGreaterThan(0);
      const cost = p.metrics.find((m) => m.metric === "cost_per_investigation")!;
      // on the 6 cases both sides were measured on, the candidate cost half: that is the agent
      expect(cost).toMatchObject({ n: 6, failed_more: null });
      expect(cost.upper!).toBeLessThan(0);
      expect(reading(cost, p)).toBe("better");
      expect(d.notes.join("\n")).not.toMatch(/lead on[^"]*Cost per investigation/);
      // a cost lead over pairs where the candidate did fail more (a run's failures spent real money) stays not comparable
      await s.run(
        "UPDATE case_results SET cost_usd = 0.001 WHERE run_id = 'run-imported' AND case_id IN ('c03', 'c04', 'c05', 'c06', 'c07', 'c08')",
      );
      const again = (await buildComparison(s, await resolveSides(s, [FIXTURE_RUN, "run-imported"], ["playbook"])))
        .pairings[0]!;
      const measured = again.metrics.find((m) => m.metric === "cost_per_investigation")!;
      expect(measured).toMatchObject({ n: 12, failed_more: "candidate" });
      expect(reading(measured, again)).toBe("not comparable");
    } finally {
      s.close();
    }
  });

  it("with equal failure rates reads as the interval says", async () => {
    const p = {
      baseline: "a",
      candidate: "b",
      cases: 100,
      metrics: [
        { metric: "failed_rate", lower: -0.02, upper: 0.03, diff: 0.005 },
        { metric: "policy_violation_rate", lower: -0.1, upper: -0.02, diff: -0.06 },
      ].map((m) => ({
        ...m,
        higher_is_better: false,
        n: 100,
        units: 100,
        baseline: 0.1,
        candidate: 0.1,
        mcnemar_p: 0.01,
        candidate_only: 0,
        baseline_only: 6,
        candidate_only_cases: null,
        baseline_only_cases: null,
        candidate_only_units: 0,
        baseline_only_units: 6,
        min_detectable_difference: 0.05,
        failed_more: null,
      })),
    };
    expect(reading(p.metrics[1]!, p)).toBe("better");
    // the baseline failing materially more: the candidate's higher violation rate is not the candidate's fault alone
    p.metrics[0] = { ...p.metrics[0]!, lower: -0.3, upper: -0.1, diff: -0.2 };
    p.metrics[1] = {
      ...p.metrics[1]!,
      lower: 0.02,
      upper: 0.1,
      diff: 0.06,
      candidate_only: 6,
      baseline_only: 0,
      candidate_only_units: 6,
      baseline_only_units: 0,
    };
    expect(reading(p.metrics[1]!, p)).toBe("not comparable");
  });
});

describe("what decides a comparison's reading, and its units", () => {
  const metric = (over: Partial<PairedMetric>): PairedMetric => ({
    metric: "policy_violation_rate",
    higher_is_better: false,
    n: 320,
    units: 305,
    baseline: 0.031,
    candidate: 0.016,
    diff: -0.016,
    lower: -0.03,
    upper: -0.003,
    mcnemar_p: 0.063,
    candidate_only: 0,
    baseline_only: 5,
    candidate_only_cases: null,
    baseline_only_cases: null,
    candidate_only_units: 0,
    baseline_only_units: 5,
    min_detectable_difference: 0.02,
    failed_more: null,
    ...over,
  });
  const pairing = (m: PairedMetric): Pairing => ({ baseline: "a", candidate: "b", cases: 320, metrics: [m] });

  it("is better or worse only where the interval and McNemar's p agree; else borderline", () => {
    // the audit's case: the interval excludes zero, McNemar p = 0.063 does not reject
    const split = metric({});
    expect(reading(split, pairing(split))).toBe("borderline");
    const both = metric({ mcnemar_p: 0.01 });
    expect(reading(both, pairing(both))).toBe("better");
    const worse = metric({
      diff: 0.02,
      lower: 0.005,
      upper: 0.04,
      mcnemar_p: 0.01,
      candidate_only_units: 6,
      baseline_only_units: 0,
    });
    expect(reading(worse, pairing(worse))).toBe("worse");
    // McNemar rejects, the interval does not
    const other = metric({ lower: -0.03, upper: 0.001, mcnemar_p: 0.03 });
    expect(reading(other, pairing(other))).toBe("borderline");
    // both reject, but the discordant units lean against the difference
    const lean = metric({ mcnemar_p: 0.01, candidate_only_units: 6, baseline_only_units: 0 });
    expect(reading(lean, pairing(lean))).toBe("borderline");
    // cost and time have no McNemar test: the interval alone decides
    const cost = metric({
      metric: "cost_per_investigation",
      mcnemar_p: null,
      candidate_only: null,
      baseline_only: null,
    });
    expect(reading(cost, pairing(cost))).toBe("better");
  });

  it("gives Detectable in points like the differences, and both pages say which test decides", async () => {
    const s = await Store.open(":memory:");
    try {
      await seedFixture(s);
      const d = await buildComparison(s, await resolveSides(s, ["latest"]));
      const agree = d.pairings[0]!.metrics.find((m) => m.metric === "verdict_agreement")!;
      const pts = `${(100 * agree.min_detectable_difference!).toFixed(1)} pts`;
      const md = await renderComparison(d, "md");
      const mdRow = md.split("\n").find((l) => l.startsWith("| Verdict agreement |"))!;
      expect(mdRow.split(" | ")[5]).toBe(pts);
      expect(md).not.toMatch(/^\| Verdict agreement \|.*\| \d+\.\d% \|/m);
      expect(md).toContain("McNemar's p is\nbelow 0.05 as well");
      const html = await renderComparison(d, "html");
      const row = html.slice(html.lastIndexOf(`<th scope="row">Verdict agreement</th>`));
      expect(row.slice(0, row.indexOf("</tr>"))).toContain(`<td class="num">${pts}</td>`);
      expect(html).toContain("McNemar&#x27;s exact p is below 0.05 as well");
      // stated once, in the method section, not again among the notes
      expect(html.split("McNemar&#x27;s exact p is below 0.05 as well")).toHaveLength(2);
      expect(html.indexOf("McNemar&#x27;s exact p is below 0.05 as well")).toBeGreaterThan(
        html.indexOf("<h2>Method</h2>"),
      );
      expect(html).toContain("where the two tests disagree it reads &quot;borderline&quot;");
    } finally {
      s.close();
    }
  });
});
