import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CaseResult } from "../schema/result.js";
import { Store } from "../store/db.js";
import { aggregateSelect, estimatesFrom } from "./metric-sql.js";
import type { Estimate } from "./stats/proportion.js";
import { runSummary } from "./summary.js";

/**
 * DESIGN.md's metric definitions checked against the SQL that aggregates case_results, on twelve
 * hand-made investigations chosen so that every filter matters: a failed investigation, an answer
 * that failed the schema, an unlabeled case, cases with no required evidence, a human-only hand-off,
 * an analyst true positive the analyst did not escalate. Every expected value below is counted by
 * hand from the table, not read back from the code.
 */
type Row = Omit<CaseResult, "run_id" | "case_id" | "agent" | "epoch">;

const base: Row = {
  workflow: "phishing-mini",
  incident_id: null,
  tags: [],
  alert_severity: "medium",
  label_verdict: "true_positive",
  label_escalate: true,
  verdict: "true_positive",
  escalate: true,
  confidence: 0.9,
  human_only: false,
  agree: true,
  escalation_match: true,
  critical_miss: false,
  hallucinated: false,
  hallucination_count: 0,
  missed_context: false,
  required_total: 2,
  required_gathered: 2,
  required_cited: 2,
  policy_violations: 0,
  high_severity_violations: 0,
  schema_valid: true,
  failed: false,
  tool_calls: 3,
  tool_errors: 0,
  playbook_completed: true,
  audit_completeness: 1,
  time_to_triage_ms: 0,
  time_to_first_required_ms: null,
  tokens_in: 0,
  tokens_out: 0,
  cost_usd: 0,
  fp_closed: null,
  analyst_minutes: null,
  minutes_saved: null,
  audit_missing: [],
};

const noOutput = {
  verdict: null,
  escalate: null,
  confidence: null,
  human_only: null,
  agree: false,
  escalation_match: false,
  schema_valid: false,
  failed: true,
} as const;

// k1..k12; each row's timing and spend grow with its number so that quantiles and sums are checkable
const ROWS: Partial<Row>[] = [
  /* k1  TP, escalated: right */ {},
  /* k2  TP, right verdict but not escalated: critical miss; one required item missed */ {
    escalate: false,
    escalation_match: false,
    critical_miss: true,
    missed_context: true,
    required_gathered: 1,
    required_cited: 1,
    policy_violations: 1,
    tool_errors: 1,
    playbook_completed: false,
  },
  /* k3  TP, called benign but handed to a person: no critical miss; a hallucination */ {
    verdict: "benign_positive",
    escalate: false,
    human_only: true,
    agree: false,
    escalation_match: false,
    hallucinated: true,
    hallucination_count: 1,
  },
  /* k4  TP, provider error: failed, a critical miss, nothing gathered */ {
    ...noOutput,
    critical_miss: true,
    missed_context: true,
    required_gathered: 0,
    required_cited: 0,
    policy_violations: 1,
    high_severity_violations: 1,
    tool_calls: 1,
    tool_errors: 1,
    playbook_completed: false,
    audit_completeness: 2 / 6,
  },
  /* k5  TP the analyst did not escalate, agent did not either: still a critical miss */ {
    label_escalate: false,
    escalate: false,
    critical_miss: true,
    policy_violations: 2,
    high_severity_violations: 1,
  },
  /* k6  FP closed as FP: a correct close; no required evidence */ {
    label_verdict: "false_positive",
    label_escalate: false,
    verdict: "false_positive",
    escalate: false,
    critical_miss: null,
    required_total: 0,
    required_gathered: 0,
    required_cited: 0,
    fp_closed: true,
    analyst_minutes: 10,
    minutes_saved: 10,
  },
  /* k7  benign closed as FP: a disagreement, but a correct close; no required evidence */ {
    label_verdict: "benign_positive",
    label_escalate: false,
    verdict: "false_positive",
    escalate: false,
    agree: false,
    critical_miss: null,
    required_total: 0,
    required_gathered: 0,
    required_cited: 0,
    fp_closed: true,
    analyst_minutes: 20,
    minutes_saved: 20,
  },
  /* k8  FP, right verdict but escalated: no reduction */ {
    label_verdict: "false_positive",
    label_escalate: false,
    verdict: "false_positive",
    escalation_match: false,
    critical_miss: null,
    policy_violations: 1,
    high_severity_violations: 1,
    fp_closed: false,
    analyst_minutes: 30,
    minutes_saved: 0,
  },
  /* k9  benign, provider error, no transcript measured */ {
    ...noOutput,
    label_verdict: "benign_positive",
    label_escalate: false,
    critical_miss: null,
    missed_context: true,
    required_gathered: 0,
    required_cited: 0,
    tool_calls: 0,
    playbook_completed: false,
    audit_completeness: 2 / 6,
    fp_closed: false,
    analyst_minutes: 40,
    minutes_saved: 0,
  },
  /* k10 unlabeled, escalated; no required evidence */ {
    label_verdict: null,
    label_escalate: null,
    verdict: "false_positive",
    agree: null,
    escalation_match: null,
    critical_miss: null,
    required_total: 0,
    required_gathered: 0,
    required_cited: 0,
  },
  /* k11 benign the analyst escalated, agent escalated too: handed on, so no reduction */ {
    label_verdict: "benign_positive",
    verdict: "benign_positive",
    critical_miss: null,
    fp_closed: false,
    analyst_minutes: 50,
    minutes_saved: 0,
  },
  /* k12 TP, answer that failed the schema: not failed, but no verdict; it cites a record it never saw */ {
    verdict: null,
    escalate: null,
    confidence: null,
    human_only: null,
    agree: false,
    escalation_match: false,
    critical_miss: true,
    schema_valid: false,
    hallucinated: true,
    hallucination_count: 2,
    required_cited: 0,
    audit_completeness: 3 / 6,
  },
];

function rowsFor(runId: string, epochs: number): CaseResult[] {
  return ROWS.flatMap((over, i) =>
    Array.from({ length: epochs }, (_, epoch) => {
      const k = i + 1;
      const gathered = over.required_gathered ?? base.required_gathered;
      const unmeasured = k === 9;
      return CaseResult.parse({
        ...base,
        ...over,
        run_id: runId,
        case_id: `k${k}`,
        agent: "a",
        epoch,
        time_to_triage_ms: unmeasured ? null : 100 * k,
        time_to_first_required_ms: gathered > 0 ? 10 * k : null,
        tokens_in: unmeasured ? null : 100 * k,
        tokens_out: unmeasured ? null : 10 * k,
        cost_usd: unmeasured ? null : 0.001 * k,
      });
    }),
  );
}

let store: Store;
let one: Record<string, Estimate>;
let two: Record<string, Estimate>;

async function estimates(runId: string): Promise<Record<string, Estimate>> {
  const [row] = await store.query(`SELECT ${aggregateSelect()} FROM case_results WHERE run_id = ? AND agent = 'a'`, [
    runId,
  ]);
  return estimatesFrom(row!);
}

beforeAll(async () => {
  store = await Store.open(":memory:");
  await store.appendBatch({ case_results: [...rowsFor("one", 1), ...rowsFor("two", 2)] });
  one = await estimates("one");
  two = await estimates("two");
});
afterAll(() => store.close());

describe("metric definitions over case_results (DESIGN.md, counted by hand)", () => {
  it.each([
    // labeled cases: all but k10; agreeing k1 k2 k5 k6 k8 k11 (k4's crash and k12's invalid answer disagree)
    ["verdict_agreement", 6, 11],
    // the agent's escalations of labeled cases: k1 k8 k11 (k10 is unlabeled); the analyst escalated k1 k11
    ["escalation_precision", 2, 3],
    // the analyst's escalations: k1 k2 k3 k4 k11 k12; the agent escalated k1 k11 (k3's hand-off is no escalation)
    ["escalation_recall", 2, 6],
    // analyst true positives: k1 k2 k3 k4 k5 k12; missed: k2 k4 k5 k12 (k3 was handed to a person)
    ["critical_miss_rate", 4, 6],
    // investigations with output, valid or not: all but k4 and k9; hallucinated k3 k12
    ["hallucination_rate", 2, 10],
    // cases with required evidence: all but k6 k7 k10; one item not gathered: k2 k4 k9
    ["missed_context_rate", 3, 9],
    // every investigation; at least one violation: k2 k4 k5 k8
    ["policy_violation_rate", 4, 12],
    // at least one high-severity violation: k4 k5 k8
    ["high_severity_violation_rate", 3, 12],
    // produced outputs (not failed): 10; invalid: k12
    ["schema_invalid_rate", 1, 10],
    ["failed_rate", 2, 12],
    // every required step answered: all but k2 k4 k9
    ["playbook_completion_rate", 9, 12],
    // analyst benign/false positives: k6 k7 k8 k9 k11; closed without escalation or hand-off: k6 k7
    ["false_positive_reduction", 2, 5],
    // outputs: 10; handed to a person: k3
    ["human_handoff_rate", 1, 10],
    // required items: 9 cases × 2; gathered all but k2's one, k4's two and k9's two
    ["context_recall", 13, 18],
    // tool calls: 10 investigations × 3 + k4's 1 + k9's 0; failed: k2's and k4's
    ["tool_error_rate", 2, 31],
  ] as const)("%s is %i of %i", (key, x, n) => {
    expect(one[key]).toMatchObject({ n });
    expect(one[key]!.value).toBeCloseTo(x / n, 12);
  });

  it("audit completeness is the mean share of items present over every investigation", () => {
    // nine complete, k4 and k9 with 2 of 6, k12 with 3 of 6
    expect(one.audit_completeness!.value).toBeCloseTo((9 + 2 / 6 + 2 / 6 + 3 / 6) / 12, 12);
    expect(one.audit_completeness!.n).toBe(12);
    // its interval: Student's t on 11 degrees of freedom (2.200985) with the sample standard deviation
    const xs = [...new Array(9).fill(1), 2 / 6, 2 / 6, 3 / 6];
    const avg = xs.reduce((s, x) => s + x, 0) / 12;
    const sd = Math.sqrt(xs.reduce((s, x) => s + (x - avg) ** 2, 0) / 11);
    expect(one.audit_completeness!.lower).toBeCloseTo(avg - (2.200985 * sd) / Math.sqrt(12), 5);
    expect(one.audit_completeness!.upper).toBe(1);
  });

  it("time to triage p50/p95 interpolate between ranks over the measured investigations", () => {
    // 100·k ms for every k but k9 (no transcript, unmeasured): 100..800, 1000..1200 (11 values)
    // p50: rank 5 of 0..10 → 600; p95: rank 9.5 → 1100 + 0.5 × 100
    expect(one.time_to_triage_p50_ms).toMatchObject({ value: 600, n: 11 });
    expect(one.time_to_triage_p95_ms!.value).toBeCloseTo(1150, 9);
    // first required evidence: only where some was gathered (k1 k2 k3 k5 k8 k11 k12): 10,20,30,50,80,110,120
    // p50: rank 3 → 50; p95: rank 5.7 → 110 + 0.7 × 10
    expect(one.time_to_first_required_p50_ms).toMatchObject({ value: 50, n: 7 });
    expect(one.time_to_first_required_p95_ms!.value).toBeCloseTo(117, 9);
  });

  it("cost, tokens and minutes saved: means over the measured, totals over the run", () => {
    // k9 unmeasured: the others' 0.001·k sum to 0.001 × (78 − 9)
    expect(one.cost_per_investigation).toMatchObject({ n: 11 });
    expect(one.cost_per_investigation!.value).toBeCloseTo(0.069 / 11, 12);
    expect(one.cost_usd_total!.value).toBeCloseTo(0.069, 12);
    expect(one.tokens_total!.value).toBe(110 * 69);
    // analyst minutes where labels carry them (k6 k7 k8 k9 k11): saved on the correct closes k6 and k7
    expect(one.minutes_saved_per_case).toMatchObject({ n: 5 });
    expect(one.minutes_saved_per_case!.value).toBeCloseTo(30 / 5, 12);
    expect(one.analyst_minutes_saved!.value).toBe(30);
  });

  it("two identical epochs change no rate or interval; money is spent twice, minutes saved once", () => {
    for (const key of ["verdict_agreement", "critical_miss_rate", "hallucination_rate", "false_positive_reduction"]) {
      expect(two[key]!.value, key).toBeCloseTo(one[key]!.value!, 12);
      expect(two[key]!.n, key).toBe(2 * one[key]!.n);
      // the interval counts cases, not case × epoch rows
      expect(two[key]!.lower, key).toBeCloseTo(one[key]!.lower!, 12);
      expect(two[key]!.upper, key).toBeCloseTo(one[key]!.upper!, 12);
    }
    expect(two.cost_usd_total!.value).toBeCloseTo(2 * 0.069, 12);
    expect(two.analyst_minutes_saved!.value).toBe(30);
    expect(two.time_to_triage_p50_ms!.value).toBe(600);
  });

  it("a share with no spread (every case at 5/6) is not certain: it gets the cases' interval, as 1 does", async () => {
    // three investigations, each lacking one audit item: a t interval would be [5/6, 5/6]
    const rows = rowsFor("flat", 1)
      .slice(0, 3)
      .map((r) => ({ ...r, audit_completeness: 5 / 6 }));
    await store.appendBatch({ case_results: rows });
    const flat = (await estimates("flat")).audit_completeness!;
    expect(flat.value).toBeCloseTo(5 / 6, 12);
    // Wilson for 2.5 of 3, from the formula with z = 1.959964
    const z = 1.959964;
    const [p, n] = [5 / 6, 3];
    const centre = (p + (z * z) / (2 * n)) / (1 + (z * z) / n);
    const half = (z / (1 + (z * z) / n)) * Math.sqrt((p * (1 - p)) / n + (z * z) / (4 * n * n));
    expect(flat.lower).toBeCloseTo(centre - half, 5);
    expect(flat.upper).toBeCloseTo(centre + half, 5);
    // never narrower than every case complete: 1 − 3/3 = 0 to 1
    await store.appendBatch({ case_results: rowsFor("full", 1).slice(0, 3) });
    const full = (await estimates("full")).audit_completeness!;
    expect(full).toMatchObject({ value: 1, lower: 0, upper: 1 });
  });

  it("a rate's interval is Wilson's score interval at 95%", () => {
    // 6 of 11, worked from the formula with z = 1.959964
    const z = 1.959964;
    const [p, n] = [6 / 11, 11];
    const centre = (p + (z * z) / (2 * n)) / (1 + (z * z) / n);
    const half = (z / (1 + (z * z) / n)) * Math.sqrt((p * (1 - p)) / n + (z * z) / (4 * n * n));
    expect(one.verdict_agreement!.lower).toBeCloseTo(centre - half, 5);
    expect(one.verdict_agreement!.upper).toBeCloseTo(centre + half, 5);
  });

  it("the headline after a run counts as the report does", async () => {
    const [s] = await runSummary(store, "one");
    expect(s).toMatchObject({ agent: "a", cases: 12, investigations: 12, critical_misses: 4, true_positives: 6 });
    expect(s!.agreement).toBeCloseTo(6 / 11, 12);
    expect(s!.hallucination_rate).toBeCloseTo(2 / 10, 12);
    expect(s!.policy_violation_rate).toBeCloseTo(4 / 12, 12);
    expect(s!.failed).toBe(2);
    expect(s!.cost_usd).toBeCloseTo(0.069, 12);
    expect(s!.cost_measured).toBe(11);
  });
});
