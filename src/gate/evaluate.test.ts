import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { FIXTURE_RUN, seedFixture } from "../../test/fixtures/report/run.js";
import { cloneRun, cloneRunWithEpochs } from "../../test/helpers/clone-run.js";
import { buildComparison } from "../analytics/compare.js";
import { DEFAULT_GATE } from "../schema/gate-defaults.js";
import { MISSING_TRANSCRIPT } from "../scoring/import.js";
import { Store } from "../store/db.js";
import { evaluateGate } from "./evaluate.js";
import { toJUnit } from "./junit.js";
import { toMarkdown } from "./summary.js";

const base = { run_id: FIXTURE_RUN, agent: "playbook" };

describe("the gate over stored runs", () => {
  let store: Store;
  beforeEach(async () => {
    store = await Store.open(":memory:");
    await seedFixture(store);
  });
  afterEach(() => store.close());

  it("gives two candidate runs with identical results the same intervals and verdict", async () => {
    await cloneRun(store, FIXTURE_RUN, "run-cand-1");
    await cloneRun(store, FIXTURE_RUN, "run-cand-2");
    const one = await evaluateGate(store, base, { run_id: "run-cand-1", agent: "model-x" }, DEFAULT_GATE);
    const two = await evaluateGate(store, base, { run_id: "run-cand-2", agent: "model-x" }, DEFAULT_GATE);
    const margin = one.rules.find((r) => r.rule === "margin:verdict_agreement")!;
    expect(margin.lower).not.toBeNull();
    expect(two.rules).toEqual(one.rules);
    expect(two.status).toBe(one.status);
  });

  it("fails a limit it could not measure instead of passing it", async () => {
    await cloneRun(store, FIXTURE_RUN, "run-no-output");
    await store.run(
      "UPDATE case_results SET failed = true, verdict = NULL, agree = false WHERE run_id = 'run-no-output'",
    );
    const v = await evaluateGate(store, base, { run_id: "run-no-output", agent: "model-x" }, DEFAULT_GATE);
    const limit = v.rules.find((r) => r.rule === "limit:hallucination_rate")!;
    expect(limit.candidate).toBeNull();
    expect(limit).toMatchObject({ pass: false });
    expect(limit.detail).toMatch(/^not measured/);
    expect(v.status).toBe("fail");
    expect(toMarkdown(v, "fixture")).toMatch(/\| limit:hallucination_rate \| .* \| not measured.*\| \*\*FAIL\*\* \|/);
  });

  it("fails a margin or a budget it could not measure, too", async () => {
    await cloneRun(store, FIXTURE_RUN, "run-unmeasured");
    // no analyst escalations in the candidate's cases: escalation recall is defined nowhere
    await store.run("UPDATE case_results SET label_escalate = false WHERE run_id IN ('run-unmeasured', ?)", [
      FIXTURE_RUN,
    ]);
    await store.run("UPDATE case_results SET cost_usd = NULL WHERE run_id = 'run-unmeasured'");
    const rules = {
      ...DEFAULT_GATE,
      margins: [{ metric: "escalation_recall", max_drop: 0.02 }],
      budget: { metric: "cost_per_investigation", max_increase_pct: 10 },
    };
    const v = await evaluateGate(store, base, { run_id: "run-unmeasured", agent: "model-x" }, rules);
    const margin = v.rules.find((r) => r.rule === "margin:escalation_recall")!;
    expect(margin).toMatchObject({ pass: false, diff: null });
    expect(margin.detail).toMatch(/^not measured/);
    const budget = v.rules.find((r) => r.rule === "budget:cost_per_investigation")!;
    expect(budget).toMatchObject({ pass: false, candidate: null, detail: "not measured" });
  });

  it("lets a budget against a free baseline allow an absolute rise, the larger allowance winning", async () => {
    await cloneRun(store, FIXTURE_RUN, "run-free");
    await cloneRun(store, FIXTURE_RUN, "run-paid");
    await store.run("UPDATE case_results SET cost_usd = 0 WHERE run_id = 'run-free'");
    await store.run("UPDATE case_results SET cost_usd = 0.004 WHERE run_id = 'run-paid'");
    const free = { run_id: "run-free", agent: "model-x" };
    const paid = { run_id: "run-paid", agent: "model-x" };
    const budget = (b: { metric: string; max_increase_pct: number; max_increase?: number }) =>
      evaluateGate(store, free, paid, { ...DEFAULT_GATE, budget: b }).then(
        (v) => v.rules.find((r) => r.rule === "budget:cost_per_investigation")!,
      );
    // a percentage of zero is zero: any cost fails
    expect(await budget({ metric: "cost_per_investigation", max_increase_pct: 25 })).toMatchObject({
      pass: false,
      threshold: 0,
    });
    const abs = await budget({ metric: "cost_per_investigation", max_increase_pct: 25, max_increase: 0.005 });
    expect(abs).toMatchObject({ pass: true, threshold: 0.005 });
    expect(abs.description).toBe("cost_per_investigation may rise by at most 25% or 0.005, whichever is more");
    expect(await budget({ metric: "cost_per_investigation", max_increase_pct: 25, max_increase: 0.003 })).toMatchObject(
      {
        pass: false,
      },
    );
    // against a paid baseline the percentage can be the larger: 0.004 × 1.25 = 0.005 over 0.004 + 0.0001
    const back = await evaluateGate(store, paid, free, {
      ...DEFAULT_GATE,
      budget: { metric: "cost_per_investigation", max_increase_pct: 25, max_increase: 0.0001 },
    });
    expect(back.rules.find((r) => r.rule === "budget:cost_per_investigation")!.threshold).toBeCloseTo(0.005);
  });

  it("prints a value just past its budget or limit apart from it, never as the limit itself", async () => {
    await cloneRun(store, FIXTURE_RUN, "run-cheap");
    await cloneRun(store, FIXTURE_RUN, "run-dearer");
    await store.run("UPDATE case_results SET cost_usd = 0.01 WHERE run_id = 'run-cheap'");
    // 20.012% dearer: over a 20% budget, and over a limit of 0.012, by less than 3 digits show
    await store.run("UPDATE case_results SET cost_usd = 0.0120012 WHERE run_id = 'run-dearer'");
    const v = await evaluateGate(
      store,
      { run_id: "run-cheap", agent: "model-x" },
      { run_id: "run-dearer", agent: "model-x" },
      {
        ...DEFAULT_GATE,
        limits: [{ metric: "cost_per_investigation", max: 0.012 }],
        budget: { metric: "cost_per_investigation", max_increase_pct: 20 },
      },
    );
    const budget = v.rules.find((r) => r.rule === "budget:cost_per_investigation")!;
    const limit = v.rules.find((r) => r.rule === "limit:cost_per_investigation")!;
    expect(budget).toMatchObject({ pass: false, candidate: 0.0120012 });
    expect(budget.detail).toBe("0.012 vs 0.01 (20.01%)");
    expect(limit).toMatchObject({ pass: false });
    expect(limit.detail).toBe("0.012001 > 0.012");
    const summary = toMarkdown(v, "fixture");
    expect(summary).toContain(
      "| budget:cost_per_investigation | 0.01 | 0.012001 | 0.012 vs 0.01 (20.01%) | ≤ 0.012 | **FAIL** |",
    );
    expect(summary).toContain(
      "| limit:cost_per_investigation | 0.01 | 0.012001 | 0.012001 \\> 0.012 | ≤ 0.012 | **FAIL** |",
    );
    expect(toJUnit(v, "fixture")).toContain("0.012001 &gt; 0.012");
    // a margin's unfavourable end 0.02004 below zero is beyond a drop of 0.02, and reads so
    const margin = {
      ...budget,
      rule: "margin:verdict_agreement",
      baseline: 0.9,
      candidate: 0.89,
      diff: -0.01,
      lower: -0.02004,
      upper: 0.00004,
      threshold: -0.02,
    };
    expect(toMarkdown({ ...v, rules: [margin] }, "fixture")).toContain("| -0.01 [-0.02004, 0.00004] | drop ≤ 0.02 |");
  });

  it("tells a candidate answer that failed the schema from no answer in its flips", async () => {
    await cloneRun(store, FIXTURE_RUN, "run-invalid");
    const right = (
      await store.query<{ case_id: string }>(
        "SELECT case_id FROM case_results WHERE run_id = ? AND agent = 'playbook' AND agree ORDER BY case_id LIMIT 2",
        [FIXTURE_RUN],
      )
    ).map((r) => r.case_id);
    expect(right).toHaveLength(2);
    // both stored with no verdict: the first answered out of schema, the second not at all
    await store.run(
      "UPDATE case_results SET verdict = NULL, agree = false, schema_valid = false, failed = (case_id = ?) WHERE run_id = 'run-invalid' AND case_id IN (?, ?)",
      [right[1]!, right[0]!, right[1]!],
    );
    const v = await evaluateGate(store, base, { run_id: "run-invalid", agent: "playbook" }, DEFAULT_GATE);
    expect(v.regressed.map((x) => x.case_id)).toEqual(expect.arrayContaining(right));
    const md = toMarkdown(v, "fixture");
    const line = (id: string) => md.split("\n").find((l) => l.startsWith(`- \`${id}\``))!;
    expect(line(right[0]!)).toMatch(/ → invalid output/);
    expect(line(right[1]!)).toMatch(/ → no output/);
    const xml = toJUnit(v, "fixture");
    expect(xml).toMatch(
      new RegExp(
        `name="${right[0]} \\[playbook\\]"[^>]*><failure message="regressed: [^"]*→ candidate invalid output"`,
      ),
    );
    expect(xml).toMatch(new RegExp(`name="${right[1]} \\[playbook\\]"[^>]*><error message="no triage output"`));
  });

  it("holds a cost, token or time budget to the cases both sides were measured on, not to each side's own value", async () => {
    await cloneRun(store, FIXTURE_RUN, "run-gaps-cost");
    await store.run("UPDATE runs SET kind = 'imported' WHERE run_id = 'run-gaps-cost'");
    const expensive = "('c03', 'c04', 'c05')";
    await store.run(
      `UPDATE case_results SET cost_usd = CASE WHEN case_id IN ${expensive} THEN 0.02 ELSE 0.001 END
       WHERE run_id = ? AND agent = 'playbook'`,
      [FIXTURE_RUN],
    );
    // the candidate costs 50% more on every case, and the file it came from lacks the three costly ones
    await store.run(
      `UPDATE case_results SET cost_usd = CASE WHEN case_id IN ${expensive} THEN NULL ELSE 0.0015 END
       WHERE run_id = 'run-gaps-cost' AND agent = 'playbook'`,
    );
    await store.run(
      `UPDATE transcripts SET output = NULL, error = ? WHERE run_id = 'run-gaps-cost' AND case_id IN ${expensive}`,
      [MISSING_TRANSCRIPT],
    );
    const v = await evaluateGate(store, base, { run_id: "run-gaps-cost", agent: "playbook" }, DEFAULT_GATE);
    const budget = v.rules.find((r) => r.rule === "budget:cost_per_investigation")!;
    // its own mean (0.0015 against the baseline's 0.00575) would read as 74% cheaper and pass
    expect(budget).toMatchObject({ baseline: 0.001, candidate: 0.0015, pass: false });
    expect(budget.detail).toBe("0.0015 vs 0.001 (50.0%)");
    // tokens and time are unmeasured there too: the same cases on both sides
    await store.run(
      `UPDATE case_results SET tokens_in = NULL, tokens_out = NULL, time_to_triage_ms = NULL
       WHERE run_id = 'run-gaps-cost' AND case_id IN ${expensive}`,
    );
    await store.run(
      `UPDATE case_results SET tokens_in = CASE WHEN case_id IN ${expensive} THEN 90000 ELSE 1000 END, tokens_out = 0,
         time_to_triage_ms = CASE WHEN case_id IN ${expensive} THEN 90000 ELSE 1000 END
       WHERE run_id = ? AND agent = 'playbook'`,
      [FIXTURE_RUN],
    );
    await store.run(
      `UPDATE case_results SET tokens_in = 1500, tokens_out = 0, time_to_triage_ms = 1500
       WHERE run_id = 'run-gaps-cost' AND agent = 'playbook' AND case_id NOT IN ${expensive}`,
    );
    for (const metric of ["tokens_per_investigation", "time_to_triage_p95_ms"]) {
      const other = await evaluateGate(
        store,
        base,
        { run_id: "run-gaps-cost", agent: "playbook" },
        {
          ...DEFAULT_GATE,
          budget: { metric, max_increase_pct: 20 },
        },
      );
      expect(
        other.rules.find((r) => r.rule === `budget:${metric}`),
        metric,
      ).toMatchObject({
        baseline: 1000,
        candidate: 1500,
        pass: false,
      });
    }
  });

  it("cannot judge an imported candidate most of whose transcripts carry an error and no output", async () => {
    await cloneRun(store, FIXTURE_RUN, "run-imported");
    await store.run("UPDATE runs SET kind = 'imported' WHERE run_id = 'run-imported'");
    await store.run("UPDATE transcripts SET error = 'connection refused', output = NULL WHERE run_id = 'run-imported'");
    const v = await evaluateGate(store, base, { run_id: "run-imported", agent: "model-x" }, DEFAULT_GATE);
    expect(v.status).toBe("infra_failure");
    // an error beside an output is no failed answer: that output is judged like any other
    await cloneRun(store, FIXTURE_RUN, "run-imported-answered");
    await store.run("UPDATE runs SET kind = 'imported' WHERE run_id = 'run-imported-answered'");
    await store.run("UPDATE transcripts SET error = 'connection refused' WHERE run_id = 'run-imported-answered'");
    const answered = await evaluateGate(
      store,
      base,
      { run_id: "run-imported-answered", agent: "model-x" },
      DEFAULT_GATE,
    );
    expect(answered.status).not.toBe("infra_failure");
    // the same errors in a replayed run are the agent's: judged, not excused
    await cloneRun(store, FIXTURE_RUN, "run-replayed");
    await store.run("UPDATE transcripts SET error = 'limit: steps' WHERE run_id = 'run-replayed'");
    const own = await evaluateGate(store, base, { run_id: "run-replayed", agent: "model-x" }, DEFAULT_GATE);
    expect(own.status).not.toBe("infra_failure");
  });

  it("names an imported candidate's missing transcripts apart from its errors, and always reports how many", async () => {
    await cloneRun(store, FIXTURE_RUN, "run-gaps");
    await store.run("UPDATE runs SET kind = 'imported' WHERE run_id = 'run-gaps'");
    await store.run(
      "UPDATE transcripts SET output = NULL, error = ? WHERE run_id = 'run-gaps' AND agent = 'model-x' AND case_id IN ('c01', 'c02', 'c03')",
      [MISSING_TRANSCRIPT],
    );
    const v = await evaluateGate(store, base, { run_id: "run-gaps", agent: "model-x" }, DEFAULT_GATE);
    expect(v.status).toBe("infra_failure");
    expect(v.infra.missing).toBe(3);
    const errors = v.infra.failed - 3;
    expect(toMarkdown(v, "suite")).toContain(
      `${v.infra.failed} of 12 investigations have no answer (${errors > 0 ? `${errors} imported transcripts record an error, ` : ""}3 have no transcript)`,
    );
    const own = await evaluateGate(store, base, { run_id: FIXTURE_RUN, agent: "model-x" }, DEFAULT_GATE);
    expect(own.infra.missing).toBe(0);
  });

  it('writes "no output" for an investigation without an answer, never "null"', async () => {
    const v = await evaluateGate(store, base, { run_id: FIXTURE_RUN, agent: "model-x" }, DEFAULT_GATE);
    const c12 = v.regressed.find((x) => x.case_id === "c12")!;
    expect(c12.candidate_verdict).toBeNull();
    const md = toMarkdown(v, "fixture");
    expect(md).toMatch(/`c12` .*: analyst benign_positive, benign_positive → no output/);
    expect(md).not.toMatch(/→ null/);
  });

  it("points the cases a summary leaves out to the verdict file the gate writes, and asks for one only without", async () => {
    const v = await evaluateGate(store, base, { run_id: FIXTURE_RUN, agent: "model-x" }, DEFAULT_GATE);
    expect(v.regressed.length).toBeGreaterThan(1);
    const more = `… ${v.regressed.length - 1} more`;
    expect(toMarkdown(v, "fixture", { maxCases: 1 })).toContain(
      `${more} (every case: write the verdict with --json or --junit)`,
    );
    const md = toMarkdown(v, "fixture", { maxCases: 1, verdictFile: "out/verdict.json" });
    expect(md).toContain(`${more} (every case: in out/verdict.json)`);
    expect(md).not.toContain("write the verdict with");
  });

  it("writes an attacker's alert title into the PR comment inert: links defanged, markup escaped, bidi shown", async () => {
    const v = await evaluateGate(store, base, { run_id: FIXTURE_RUN, agent: "model-x" }, DEFAULT_GATE);
    v.regressed[0]!.title = "Pay now https://evil.example/x <img src=x> \u202Egnp.exe";
    const md = toMarkdown(v, "fixture");
    expect(md).toContain("Pay now hxxps://evil.example/x \\<img src=x\\> \\[U+202E\\]gnp.exe");
    expect(md).not.toContain("https://evil");
  });

  it("counts a case the candidate gets wrong in every epoch as a regression, even where the baseline wavered", async () => {
    const [right] = await store.query<{ case_id: string }>(
      "SELECT case_id FROM case_results WHERE run_id = ? AND agent = 'playbook' AND agree ORDER BY case_id LIMIT 1",
      [FIXTURE_RUN],
    );
    const x = right!.case_id;
    for (const run of ["run-b3", "run-c3"]) await cloneRunWithEpochs(store, FIXTURE_RUN, run, 3);
    // the baseline is right in 2 of 3 epochs; the candidate in none
    await store.run("UPDATE case_results SET agree = false WHERE run_id = 'run-b3' AND case_id = ? AND epoch = 2", [x]);
    await store.run("UPDATE case_results SET agree = false WHERE run_id = 'run-c3' AND case_id = ?", [x]);
    const v = await evaluateGate(
      store,
      { run_id: "run-b3", agent: "playbook" },
      { run_id: "run-c3", agent: "playbook" },
      DEFAULT_GATE,
    );
    expect(v.regressed.map((r) => r.case_id)).toEqual([x]);
    expect(v.flaky).toEqual([]);
    // the candidate wavering instead is flaky, not counted
    await store.run("UPDATE case_results SET agree = true WHERE run_id = 'run-c3' AND case_id = ? AND epoch = 0", [x]);
    const w = await evaluateGate(
      store,
      { run_id: "run-b3", agent: "playbook" },
      { run_id: "run-c3", agent: "playbook" },
      DEFAULT_GATE,
    );
    expect(w.regressed).toEqual([]);
    expect(w.flaky).toEqual([{ case_id: x, agent: "playbook", epochs_right: 1, epochs: 3 }]);
    // skipped in JUnit, yet one of the cases behind the failed agreement margin: it says so there
    expect(w.rules.find((r) => r.rule === "margin:verdict_agreement")!.pass).toBe(false);
    expect(w.worse_on_margin.find((m) => m.metric === "verdict_agreement")!.cases.map((c) => c.case_id)).toContain(x);
    expect(toJUnit(w, "fixture")).toContain(
      `name="${x} [playbook]" time="0"><skipped message="flaky: right in 1 of 3 epochs of playbook; worse on the failed margin verdict_agreement in most epochs"/>`,
    );
    // a list cut short says how many it left out, as every other list of the summary does
    const many = { ...w, flaky: ["a", "b", "c"].map((id) => ({ ...w.flaky[0]!, case_id: id })) };
    expect(toMarkdown(many, "fixture", { maxCases: 2 })).toContain(
      "**Flaky** (3, not counted as regressions; the candidate's epochs right): `a` (1/3), `b` (1/3), … 1 more",
    );
  });

  it("counts a true positive the candidate never escalates as a new critical miss, even where its verdict wavered", async () => {
    // c02: the analyst's true positive, escalated by the playbook
    for (const run of ["run-b3", "run-c3"]) await cloneRunWithEpochs(store, FIXTURE_RUN, run, 3);
    // the candidate closes it in every epoch, calling it a true positive once and a false positive twice
    await store.run(
      `UPDATE case_results SET escalate = false, critical_miss = true,
         verdict = CASE WHEN epoch = 0 THEN 'true_positive' ELSE 'false_positive' END, agree = (epoch = 0)
       WHERE run_id = 'run-c3' AND agent = 'playbook' AND case_id = 'c02'`,
    );
    const cand = { run_id: "run-c3", agent: "playbook" };
    const v = await evaluateGate(store, { run_id: "run-b3", agent: "playbook" }, cand, DEFAULT_GATE);
    expect(v.flaky.map((f) => f.case_id)).toEqual(["c02"]);
    expect(v.regressed).toEqual([]);
    expect(v.new_critical_miss.map((x) => x.case_id)).toEqual(["c02"]);
    expect(v.rules.find((r) => r.rule === "no_new_critical_miss")!.pass).toBe(false);
    expect(v.cases.find((c) => c.case_id === "c02")!.outcome).toBe("new_critical_miss");
    expect(toJUnit(v, "fixture")).toMatch(/name="c02 \[playbook\]" time="0"><failure [^>]*type="new_critical_miss"/);
    // compare counts it against the candidate too
    const doc = await buildComparison(store, [{ run_id: "run-b3", agent: "playbook" }, cand]);
    const miss = doc.pairings[0]!.metrics.find((m) => m.metric === "critical_miss_rate")!;
    expect(miss).toMatchObject({ candidate_only: 1, baseline_only: 0 });
  });
});

describe("the gate's summary, as a reviewer reads it", () => {
  let store: Store;
  beforeEach(async () => {
    store = await Store.open(":memory:");
    await seedFixture(store);
  });
  afterEach(() => store.close());
  const same = { run_id: FIXTURE_RUN, agent: "playbook" };
  const ids = async (sql: string) =>
    (await store.query<{ case_id: string }>(sql, [FIXTURE_RUN])).map((r) => r.case_id).sort();

  it("names the cases behind a failed count rule, and what each rule allows", async () => {
    await cloneRun(store, FIXTURE_RUN, "run-count");
    // verdicts unchanged: nothing flips right → wrong, yet a true positive goes unescalated and a case gets a high violation
    const [tp] = await ids(
      "SELECT case_id FROM case_results WHERE run_id = ? AND agent = 'playbook' AND label_verdict = 'true_positive' AND NOT coalesce(critical_miss, false)",
    );
    const [clean] = await ids(
      "SELECT case_id FROM case_results WHERE run_id = ? AND agent = 'playbook' AND high_severity_violations = 0 AND label_verdict <> 'true_positive'",
    );
    await store.run("UPDATE case_results SET critical_miss = true WHERE run_id = 'run-count' AND case_id = ?", [tp!]);
    await store.run("UPDATE case_results SET high_severity_violations = 1 WHERE run_id = 'run-count' AND case_id = ?", [
      clean!,
    ]);
    const v = await evaluateGate(store, same, { run_id: "run-count", agent: "playbook" }, DEFAULT_GATE);
    expect(v.regressed).toEqual([]);
    expect(v.new_critical_miss.map((x) => x.case_id)).toEqual([tp]);
    expect(v.new_high_violation.map((x) => x.case_id)).toEqual([clean]);
    const md = toMarkdown(v, "fixture", { db: "ci.duckdb" });
    expect(md).toContain("| rule | baseline | candidate | Δ [95% CI] | allowed | result |");
    // a dozen cases with identical verdicts cannot show a drop under 2 points: the interval says so, not [0, 0]
    expect(md).toMatch(
      /\| margin:verdict_agreement \| .* \| 0 \[-0\.\d+, 0\.\d+\] \| drop ≤ 0\.02 \| \*\*FAIL\*\*: too few cases/,
    );
    expect(md).toMatch(/\| limit:hallucination_rate \| .* \| ≤ 0\.05 \| pass \|/);
    expect(md).toMatch(/\| no_new_critical_miss \| — \| 1 \| 1 case \| 0 \| \*\*FAIL\*\* \|/);
    expect(md).toContain(`**New critical misses** (1): \`${tp}\``);
    expect(md).toContain(`**New high-severity violations** (1): \`${clean}\``);
    // a budget has no interval: its own words, not "[—, —]"
    expect(md).not.toContain("[—, —]");
    expect(md).toContain("`soceval show <case> --run run-count --agent playbook --db ci.duckdb`");
  });

  it("lists the cases behind a failed margin that are not verdict flips, as compare counts them", async () => {
    await cloneRun(store, FIXTURE_RUN, "run-esc");
    // verdicts unchanged: the candidate stops escalating what the analyst escalated and the baseline did
    const lost = await ids(
      "SELECT case_id FROM case_results WHERE run_id = ? AND agent = 'playbook' AND label_escalate AND escalate",
    );
    expect(lost.length).toBeGreaterThan(1);
    await store.run(
      `UPDATE case_results SET escalate = false WHERE run_id = 'run-esc' AND agent = 'playbook' AND case_id IN (${lost.map(() => "?").join(", ")})`,
      lost,
    );
    const cand = { run_id: "run-esc", agent: "playbook" };
    const rules = {
      ...DEFAULT_GATE,
      margins: [
        { metric: "verdict_agreement", max_drop: 0.02 },
        { metric: "escalation_recall", max_drop: 0.02 },
      ],
    };
    const v = await evaluateGate(store, same, cand, rules);
    expect(v.rules.find((r) => r.rule === "margin:escalation_recall")!.pass).toBe(false);
    expect(v.regressed).toEqual([]);
    const worse = v.worse_on_margin.find((w) => w.metric === "escalation_recall")!;
    expect(worse.cases.map((x) => x.case_id)).toEqual(lost);
    expect(v.worse_on_margin.find((w) => w.metric === "verdict_agreement")!.cases).toEqual([]);
    // in JUnit they fail as a count rule's cases do, named by the margin
    expect(v.cases.filter((c) => c.outcome === "worse_on_margin").map((c) => c.case_id)).toEqual(lost);
    const xml = toJUnit(v, "fixture");
    for (const c of lost)
      expect(xml).toMatch(
        new RegExp(
          `name="${c} \\[playbook\\]" time="0"><failure message="worse on escalation_recall: analyst \\w+; baseline \\w+ → candidate \\w+" type="worse_on_margin">`,
        ),
      );
    // the same cases compare counts as "only baseline"
    const cmp = await buildComparison(store, [same, cand]);
    expect(cmp.pairings[0]!.metrics.find((m) => m.metric === "escalation_recall")!.baseline_only).toBe(lost.length);
    const md = toMarkdown(v, "fixture", { db: "ci.duckdb" });
    expect(md).toContain(`**Worse on escalation_recall** (${lost.length}): ${lost.map((c) => `\`${c}\``).join(", ")}`);
    expect(md).not.toContain("**Worse on verdict_agreement**");
    // and the commands that give every figure of the table its cases
    expect(md).toContain(
      `\`soceval cases --run run-esc --agent playbook --db ci.duckdb --rate <metric>\` (the baseline's: \`--run ${FIXTURE_RUN} --agent playbook\`)`,
    );
    expect(md).toContain(`\`soceval compare --runs ${FIXTURE_RUN} run-esc --agents playbook playbook --db ci.duckdb\``);
    // the same cases as a list above are named by that list, not listed twice
    await store.run(
      `UPDATE case_results SET critical_miss = true WHERE run_id = 'run-esc' AND agent = 'playbook' AND case_id IN (${lost.map(() => "?").join(", ")})`,
      lost,
    );
    const again = await evaluateGate(store, same, cand, rules);
    expect(again.new_critical_miss.map((x) => x.case_id)).toEqual(lost);
    expect(toMarkdown(again, "fixture")).toContain(
      `**Worse on escalation_recall** (${lost.length}): the new critical misses above`,
    );
    // one new critical miss more, not worse on escalation recall: the margin's cases are then only part
    // of that list, and "the new critical misses above" would name one case too many
    const [extra] = await ids(
      `SELECT case_id FROM case_results WHERE run_id = ? AND agent = 'playbook'
         AND NOT coalesce(critical_miss, false) AND case_id NOT IN (${lost.map((c) => `'${c}'`).join(", ")})`,
    );
    expect(extra).toBeDefined();
    await store.run("UPDATE case_results SET critical_miss = true WHERE run_id = 'run-esc' AND case_id = ?", [extra!]);
    const more = await evaluateGate(store, same, cand, rules);
    expect(more.new_critical_miss.map((x) => x.case_id)).toEqual([...lost, extra!].sort());
    const moreMd = toMarkdown(more, "fixture");
    expect(moreMd).not.toContain("the new critical misses above");
    expect(moreMd).toMatch(new RegExp(`\\*\\*Worse on escalation_recall\\*\\* \\(${lost.length}\\): \`${lost[0]}\``));
    await store.run("UPDATE case_results SET critical_miss = false WHERE run_id = 'run-esc' AND case_id = ?", [extra!]);
    // on a rate where less is better, the worse cases are those it newly counts for the candidate
    const misses = await evaluateGate(store, same, cand, {
      ...rules,
      margins: [{ metric: "critical_miss_rate", max_drop: 0.02 }],
    });
    const worseMiss = misses.worse_on_margin[0]!.cases.map((x) => x.case_id);
    const tps = await ids(
      `SELECT case_id FROM case_results WHERE run_id = ? AND agent = 'playbook' AND label_verdict = 'true_positive' AND NOT coalesce(critical_miss, false) AND case_id IN (${lost.map((c) => `'${c}'`).join(", ")})`,
    );
    expect(tps.length).toBeGreaterThan(0);
    expect(worseMiss).toEqual(tps);
    const cmp2 = await buildComparison(store, [same, cand]);
    expect(cmp2.pairings[0]!.metrics.find((m) => m.metric === "critical_miss_rate")!.candidate_only).toBe(tps.length);
  });

  it("says a margin failed for too few cases when the change itself is within it", async () => {
    await cloneRun(store, FIXTURE_RUN, "run-wide");
    const [right] = await ids(
      "SELECT case_id FROM case_results WHERE run_id = ? AND agent = 'playbook' AND agree AND label_verdict <> 'true_positive'",
    );
    const [wrong] = await ids("SELECT case_id FROM case_results WHERE run_id = ? AND agent = 'playbook' AND NOT agree");
    expect(wrong).toBeDefined();
    await store.run("UPDATE case_results SET agree = NOT agree WHERE run_id = 'run-wide' AND case_id IN (?, ?)", [
      right!,
      wrong!,
    ]);
    const rules = { ...DEFAULT_GATE, margins: [{ metric: "verdict_agreement", max_drop: 0.02 }] };
    const v = await evaluateGate(store, same, { run_id: "run-wide", agent: "playbook" }, rules);
    const margin = v.rules.find((r) => r.rule === "margin:verdict_agreement")!;
    expect(margin).toMatchObject({ pass: false, diff: 0 });
    // and how many it would take: z²(1 − m)/m unchanged pairs, 189 for 0.02, against the fixture's 12
    expect(margin.cases_needed).toBe(189);
    expect(margin.detail).toMatch(
      /within the margin, but its interval is too wide to show it: too few cases \(with no case changed, a margin of 0\.02 needs about 189 paired cases where verdict_agreement is defined, an incident's alerts counting once; these are 12(, \d+ incidents or lone cases)?\)$/,
    );
    expect(toMarkdown(v, "fixture")).toMatch(
      /\| margin:verdict_agreement \| .* \*\*FAIL\*\*: too few cases to show it \(needs about 189\) \|/,
    );
  });
  it("does not call a margin failed for too few cases when it has the cases an unchanged candidate needs", async () => {
    await cloneRun(store, FIXTURE_RUN, "run-enough");
    // two cases go right → wrong; a margin of 0.4 needs about 6 units unchanged, and the fixture has 10
    const right = await ids("SELECT case_id FROM case_results WHERE run_id = ? AND agent = 'playbook' AND agree");
    await store.run("UPDATE case_results SET agree = false WHERE run_id = 'run-enough' AND case_id IN (?, ?)", [
      right[0]!,
      right[1]!,
    ]);
    const rules = { ...DEFAULT_GATE, margins: [{ metric: "verdict_agreement", max_drop: 0.4 }] };
    const v = await evaluateGate(store, same, { run_id: "run-enough", agent: "playbook" }, rules);
    const margin = v.rules.find((r) => r.rule === "margin:verdict_agreement")!;
    expect(margin.pass).toBe(false);
    expect(margin.diff!).toBeGreaterThan(-0.4);
    expect(margin.cases_needed).toBeUndefined();
    expect(margin.detail).toMatch(/; its worst end is 0\.\d+ worse, beyond the margin 0\.4$/);
    const md = toMarkdown(v, "fixture");
    expect(md).toMatch(/\| margin:verdict_agreement \| .* \| drop ≤ 0\.4 \| \*\*FAIL\*\* \|/);
    expect(md).not.toContain("too few cases");
  });
});
