import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { FIXTURE_RUN, seedFixture } from "../../test/fixtures/report/run.js";
import { cloneRun, cloneRunWithEpochs } from "../../test/helpers/clone-run.js";
import { DEFAULT_GATE } from "../schema/gate-defaults.js";
import { Store } from "../store/db.js";
import { evaluateGate, TOO_WIDE } from "./evaluate.js";
import { toJUnit } from "./junit.js";

const base = { run_id: FIXTURE_RUN, agent: "playbook" };
const cand = { run_id: "run-cand", agent: "playbook" };
const Z2 = 1.959964 ** 2;

/** The report fixture's run, and a copy of it as the candidate, fresh for each test. */
let store: Store;
beforeEach(async () => {
  store = await Store.open(":memory:");
  await seedFixture(store);
  await cloneRun(store, FIXTURE_RUN, "run-cand");
});
afterEach(() => store.close());

describe("the gate's rules at their edges", () => {
  it("passes a limit the candidate meets exactly: a hallucination limit of 0 with none", async () => {
    await store.run("UPDATE case_results SET hallucinated = false, hallucination_count = 0 WHERE run_id = 'run-cand'");
    const v = await evaluateGate(store, base, cand, {
      ...DEFAULT_GATE,
      limits: [{ metric: "hallucination_rate", max: 0 }],
    });
    expect(v.rules.find((r) => r.rule === "limit:hallucination_rate")).toMatchObject({ candidate: 0, pass: true });
  });

  it("passes a margin its interval's worst end reaches exactly, and fails one a hair narrower", async () => {
    // an unchanged candidate: no case discordant, so Tango's lower end is −z²/(u + z²) over u units
    const first = await evaluateGate(store, base, cand, DEFAULT_GATE);
    const m = first.rules.find((r) => r.rule === "margin:verdict_agreement")!;
    const [{ units }] = (await store.query<{ units: number }>(
      "SELECT count(DISTINCT coalesce(incident_id, case_id))::INTEGER AS units FROM case_results WHERE run_id = ? AND agent = 'playbook' AND label_verdict IS NOT NULL",
      [FIXTURE_RUN],
    )) as [{ units: number }];
    const edge = Z2 / (units + Z2);
    expect(m.lower).toBeCloseTo(-edge, 5);
    const judge = async (max_drop: number) =>
      (
        await evaluateGate(store, base, cand, { ...DEFAULT_GATE, margins: [{ metric: "verdict_agreement", max_drop }] })
      ).rules.find((r) => r.rule === "margin:verdict_agreement")!.pass;
    expect(await judge(-m.lower!)).toBe(true);
    expect(await judge(-m.lower! - 1e-6)).toBe(false);
  });

  it("judges a candidate whose provider failures are exactly the share the rule allows", async () => {
    const clean = await evaluateGate(store, base, cand, { ...DEFAULT_GATE, max_infra_failure_rate: 0 });
    expect(clean.infra).toMatchObject({ failed: 0, rate: 0 });
    expect(clean.status).not.toBe("infra_failure");
    await store.run(
      "UPDATE transcripts SET error = 'provider: HTTP 503' WHERE run_id = 'run-cand' AND agent = 'playbook' AND case_id = (SELECT min(case_id) FROM transcripts WHERE run_id = 'run-cand')",
    );
    const [{ n }] = (await store.query<{ n: number }>(
      "SELECT count(*)::INTEGER AS n FROM transcripts WHERE run_id = 'run-cand' AND agent = 'playbook'",
    )) as [{ n: number }];
    const atShare = await evaluateGate(store, base, cand, { ...DEFAULT_GATE, max_infra_failure_rate: 1 / n });
    expect(atShare.infra).toMatchObject({ failed: 1, investigations: n });
    expect(atShare.status).not.toBe("infra_failure");
    const below = await evaluateGate(store, base, cand, { ...DEFAULT_GATE, max_infra_failure_rate: 0.99 / n });
    expect(below.status).toBe("infra_failure");
  });
});

describe("a margin on a rate where lower is better", () => {
  it("calls a candidate that misses every true positive worse, not short of cases", async () => {
    await store.run(
      "UPDATE case_results SET critical_miss = true, escalate = false WHERE run_id = 'run-cand' AND label_verdict = 'true_positive'",
    );
    const v = await evaluateGate(store, base, cand, {
      ...DEFAULT_GATE,
      margins: [{ metric: "critical_miss_rate", max_drop: 0.02 }],
    });
    const r = v.rules.find((x) => x.rule === "margin:critical_miss_rate")!;
    expect(r.diff!).toBeGreaterThan(0.02);
    expect(r.pass).toBe(false);
    expect(r.cases_needed).toBeUndefined();
    expect(r.detail).not.toContain(TOO_WIDE);
    expect(r.detail).toContain("beyond the margin 0.02");
  });

  it("says an unchanged candidate is short of cases, and how many it needs", async () => {
    const v = await evaluateGate(store, base, cand, {
      ...DEFAULT_GATE,
      margins: [{ metric: "critical_miss_rate", max_drop: 0.02 }],
    });
    const r = v.rules.find((x) => x.rule === "margin:critical_miss_rate")!;
    expect(r).toMatchObject({ diff: 0, pass: false, cases_needed: 189 });
    expect(r.detail).toContain(TOO_WIDE);
  });
});

describe("a case whose candidate epochs disagree", () => {
  let x = "";
  beforeEach(async () => {
    // an analyst true positive the baseline escalates, with no high-severity violation
    const [tp] = await store.query<{ case_id: string }>(
      `SELECT case_id FROM case_results WHERE run_id = ? AND agent = 'playbook' AND label_verdict = 'true_positive'
         AND agree AND NOT critical_miss AND high_severity_violations = 0 ORDER BY case_id LIMIT 1`,
      [FIXTURE_RUN],
    );
    x = tp!.case_id;
    for (const run of ["run-b3", "run-c3"]) await cloneRunWithEpochs(store, FIXTURE_RUN, run, 3);
    // right in epoch 0; in epochs 1 and 2 it closes the true positive and recommends a forbidden action
    await store.run(
      `UPDATE case_results SET agree = false, verdict = 'benign_positive', escalate = false, critical_miss = true,
         policy_violations = 1, high_severity_violations = 1
       WHERE run_id = 'run-c3' AND case_id = ? AND epoch > 0`,
      [x],
    );
  });

  it("is flaky, not a regression, but its majority critical miss and high violation are new", async () => {
    const v = await evaluateGate(
      store,
      { run_id: "run-b3", agent: "playbook" },
      { run_id: "run-c3", agent: "playbook" },
      DEFAULT_GATE,
    );
    expect(v.flaky.map((f) => f.case_id)).toEqual([x]);
    expect(v.regressed).toEqual([]);
    expect(v.new_critical_miss.map((c) => c.case_id)).toEqual([x]);
    expect(v.new_high_violation.map((c) => c.case_id)).toEqual([x]);
    expect(v.rules.find((r) => r.rule === "no_new_critical_miss")).toMatchObject({ pass: false, candidate: 1 });
    expect(v.rules.find((r) => r.rule === "no_new_high_severity_violation")).toMatchObject({ pass: false });
    expect(v.status).toBe("fail");
    // CI shows it as the failure it is, not as a skipped flaky test
    expect(v.cases.find((c) => c.case_id === x)!.outcome).toBe("new_critical_miss");
    expect(toJUnit(v, "fixture")).toMatch(new RegExp(`name="${x}[^"]*"[^>]*>\\s*<failure`));
  });

  it("is explained by the findings of an epoch that missed it, not by epoch 0, which was right", async () => {
    for (const epoch of [1, 2])
      await store.run(
        `INSERT INTO findings (run_id, case_id, agent, epoch, seq, scorer, kind, severity, detail)
         VALUES ('run-c3', ?, 'playbook', ?, 0, 'policy', 'forbidden_action', 'high', 'recommended a forbidden action'),
                ('run-c3', ?, 'playbook', ?, 1, 'agreement', 'critical_miss', 'high', 'neither escalated nor handed on')`,
        [x, epoch, x, epoch],
      );
    const v = await evaluateGate(
      store,
      { run_id: "run-b3", agent: "playbook" },
      { run_id: "run-c3", agent: "playbook" },
      DEFAULT_GATE,
    );
    const why = v.new_critical_miss.find((c) => c.case_id === x)!.why;
    expect(why.map((f) => f.kind)).toEqual(["forbidden_action", "critical_miss"]);
  });

  it("is not a new critical miss when it misses in only one epoch of three", async () => {
    await store.run(
      "UPDATE case_results SET critical_miss = false, high_severity_violations = 0 WHERE run_id = 'run-c3' AND case_id = ? AND epoch = 2",
      [x],
    );
    const v = await evaluateGate(
      store,
      { run_id: "run-b3", agent: "playbook" },
      { run_id: "run-c3", agent: "playbook" },
      DEFAULT_GATE,
    );
    expect(v.new_critical_miss).toEqual([]);
    expect(v.new_high_violation).toEqual([]);
    expect(v.cases.find((c) => c.case_id === x)!.outcome).toBe("flaky");
  });

  it("shows, where its epochs' verdicts tie, the verdict of the epoch that went worst", async () => {
    // three epochs, three verdicts: right in epoch 0, then two different ways of closing the true positive
    await store.run(
      "UPDATE case_results SET verdict = 'false_positive' WHERE run_id = 'run-c3' AND case_id = ? AND epoch = 2",
      [x],
    );
    const shown = async () => {
      const v = await evaluateGate(
        store,
        { run_id: "run-b3", agent: "playbook" },
        { run_id: "run-c3", agent: "playbook" },
        DEFAULT_GATE,
      );
      // listed as a new critical miss (two epochs of three miss it), where the verdict is shown
      return v.new_critical_miss.find((c) => c.case_id === x)?.candidate_verdict;
    };
    // epochs 1 and 2 both miss it with a high violation: the first of them is the worst
    expect(await shown()).toBe("benign_positive");
    // epoch 2 alone keeps its high violation: it is the worst now, and its verdict is the one shown
    await store.run(
      "UPDATE case_results SET high_severity_violations = 0, policy_violations = 0 WHERE run_id = 'run-c3' AND case_id = ? AND epoch = 1",
      [x],
    );
    expect(await shown()).toBe("false_positive");
    // two epochs of three agree: the majority, not the worst, is shown
    await store.run(
      "UPDATE case_results SET verdict = 'benign_positive' WHERE run_id = 'run-c3' AND case_id = ? AND epoch = 2",
      [x],
    );
    expect(await shown()).toBe("benign_positive");
  });
});
