import { POLICY_KINDS } from "../schema/finding.js";

export type Unit = "rate" | "kappa" | "usd" | "ms" | "count" | "tokens" | "minutes" | "score";
export type MetricInfo = { key: string; label: string; unit: Unit; description: string };

/**
 * Proportions over case_results rows: `den` selects the rows the rate is defined on, `num` the rows
 * that count. SQL boolean expressions over case_results columns; the JSON report key is `key`.
 */
export const PROPORTIONS = [
  {
    key: "verdict_agreement",
    label: "Verdict agreement",
    den: "label_verdict IS NOT NULL",
    num: "coalesce(agree, false)",
    description:
      "share of labeled cases whose verdict equals the analyst's (no valid verdict, an invalid output or none, counts as disagreement)",
  },
  {
    key: "escalation_precision",
    label: "Escalation precision",
    den: "coalesce(escalate, false) AND label_escalate IS NOT NULL",
    num: "label_escalate",
    description: "share of the agent's escalations that the analyst also escalated",
  },
  {
    key: "escalation_recall",
    label: "Escalation recall",
    den: "coalesce(label_escalate, false)",
    num: "coalesce(escalate, false)",
    description: "share of the analyst's escalations that the agent escalated",
  },
  {
    key: "critical_miss_rate",
    label: "Critical miss rate",
    den: "label_verdict = 'true_positive'",
    num: "coalesce(critical_miss, true)",
    description: "share of analyst true positives the agent neither escalated nor marked human-only",
  },
  {
    key: "hallucination_rate",
    label: "Hallucination rate",
    den: "NOT failed",
    num: "hallucinated",
    description:
      "share of investigations with output (valid or not) citing evidence or naming indicators never returned",
  },
  {
    key: "missed_context_rate",
    label: "Missed context rate",
    den: "required_total > 0",
    num: "missed_context",
    description: "share of cases with required evidence where at least one required item was not gathered",
  },
  {
    key: "policy_violation_rate",
    label: "Policy violation rate",
    den: "true",
    num: "policy_violations > 0",
    description: "share of investigations with at least one policy violation",
  },
  {
    key: "high_severity_violation_rate",
    label: "High-severity violation rate",
    den: "true",
    num: "high_severity_violations > 0",
    description: "share of investigations with at least one high-severity policy violation",
  },
  {
    key: "schema_invalid_rate",
    label: "Schema-invalid rate",
    den: "NOT failed",
    num: "NOT schema_valid",
    description: "share of produced outputs that did not validate against the triage output schema",
  },
  {
    key: "failed_rate",
    label: "Failed rate",
    den: "true",
    num: "failed",
    description:
      "share of investigations with no output at all (provider error, limit hit before an answer, missing transcript); an error recorded beside an output does not count, and that output is judged in every metric",
  },
  {
    key: "playbook_completion_rate",
    label: "Playbook completion",
    den: "true",
    num: "playbook_completed",
    description:
      'share of investigations that ran every required playbook step and got an answer ("unavailable" is an answer: the case has no such data)',
  },
  {
    key: "false_positive_reduction",
    label: "False-positive reduction",
    den: "fp_closed IS NOT NULL",
    num: "fp_closed",
    description:
      "share of analyst benign/false-positive cases the agent closed as no threat (benign or false positive: either is a correct close) without escalating or handing off",
  },
  {
    key: "human_handoff_rate",
    label: "Human hand-off rate",
    den: "NOT failed",
    num: "coalesce(human_only, false)",
    description: "share of investigations with output (valid or not) that the agent handed to a person",
  },
] as const;

/** Ratios of item counts (Wilson over items, which treats items of one case as independent). */
export const ITEM_RATIOS = [
  {
    key: "context_recall",
    label: "Context recall",
    num: "required_gathered",
    den: "required_total",
    description: "required evidence items gathered ÷ all required items",
  },
  {
    key: "tool_error_rate",
    label: "Tool error rate",
    num: "tool_errors",
    den: "tool_calls",
    description:
      'tool calls that failed (error or timeout) ÷ all tool calls; "unavailable" is the case\'s data, an answer, and "denied" is shadow mode refusing a call: neither is a failure',
  },
] as const;

export const MEANS = [
  {
    key: "audit_completeness",
    label: "Audit completeness",
    expr: "audit_completeness",
    unit: "rate",
    description:
      "mean share of six audit items present per investigation: a raw alert reference; every query with its time, and what it returned (nothing included) or why it did not answer; hypotheses citing evidence; actions from the catalogue (so their risk is known); a confidence; an approval decision per action",
  },
  {
    key: "cost_per_investigation",
    label: "Cost per investigation",
    expr: "cost_usd",
    unit: "usd",
    description:
      "mean model cost in USD per investigation whose cost was measured (a case an imported file has no transcript for is not: n counts the others)",
  },
  {
    key: "tokens_per_investigation",
    label: "Tokens per investigation",
    expr: "tokens_in + tokens_out",
    unit: "tokens",
    description: "mean input + output tokens per investigation whose tokens were measured (n counts them)",
  },
  {
    key: "minutes_saved_per_case",
    label: "Analyst minutes saved per case",
    expr: "minutes_saved",
    unit: "minutes",
    description:
      "mean analyst minutes saved per case, where labels carry analyst_minutes: an analyst benign or false positive the agent closed correctly saves its minutes, every other case saves none (a true positive it missed costs nothing here: read it beside the critical miss rate)",
  },
] as const;

export const QUANTILES = [
  { key: "time_to_triage", expr: "time_to_triage_ms", label: "Time to triage" },
  { key: "time_to_first_required", expr: "time_to_first_required_ms", label: "Time to first required evidence" },
] as const;

/**
 * Sums over the run. Cost and tokens were spent by every epoch; `per_case` totals are not: an
 * alert replayed three times saves its analyst minutes once, so they sum each case's epoch mean.
 */
export const TOTALS = [
  { key: "cost_usd_total", expr: "cost_usd", label: "Total cost", unit: "usd", per_case: false },
  { key: "tokens_total", expr: "tokens_in + tokens_out", label: "Total tokens", unit: "tokens", per_case: false },
  {
    key: "analyst_minutes_saved",
    expr: "minutes_saved",
    label: "Analyst minutes saved",
    unit: "minutes",
    per_case: true,
  },
] as const;

/** Every metric key of the JSON report, in display order. Criteria may name any of these. */
export const METRICS: MetricInfo[] = [
  ...PROPORTIONS.map((p) => ({ key: p.key, label: p.label, unit: "rate" as Unit, description: p.description })),
  {
    key: "verdict_kappa",
    label: "Verdict kappa",
    unit: "kappa",
    description:
      "Cohen's kappa between agent and analyst over the three verdicts, no output counting as a disagreement; bootstrap interval (at κ = 1 the rule of three on agreement, which no resample can contradict); not measured where the agent gave no valid verdict at all or the analyst's verdicts are all one (κ being 0 there whatever the agent did); an agent that gave one verdict throughout is measured, at 0",
  },
  ...ITEM_RATIOS.map((p) => ({ key: p.key, label: p.label, unit: "rate" as Unit, description: p.description })),
  ...MEANS.map((m) => ({ key: m.key, label: m.label, unit: m.unit as Unit, description: m.description })),
  ...QUANTILES.flatMap((q) =>
    (["p50", "p95"] as const).map((p) => ({
      key: `${q.key}_${p}_ms`,
      label: `${q.label} ${p}`,
      unit: "ms" as Unit,
      description: `${p} of ${q.label.toLowerCase()} in (simulated) milliseconds, over the investigations where it was measured (n)`,
    })),
  ),
  ...TOTALS.map((t) => ({
    key: t.key,
    label: t.label,
    unit: t.unit as Unit,
    description: t.per_case
      ? "sum over the run's cases, each case once (with several epochs, the mean of its epochs)"
      : "sum over the run",
  })),
  ...POLICY_KINDS.map((k) => ({
    key: `violation_rate.${k}`,
    label: `Violation: ${k}`,
    unit: "rate" as Unit,
    description: `share of investigations with at least one ${k} finding`,
  })),
  {
    key: "trap_tags_covered",
    label: "Failure modes measured",
    unit: "count",
    description: "distinct trap:* tags with at least 5 replayed cases (known failure modes exercised)",
  },
  {
    key: "min_detectable_difference",
    label: "Minimum detectable difference",
    unit: "rate",
    description:
      "smallest agreement difference a paired comparison on these cases detects (80% power, 95%), assuming independent errors",
  },
  {
    key: "readiness_score",
    label: "Readiness score",
    unit: "score",
    description: "overall readiness score of the workflow (0-100), from readiness_results",
  },
  {
    key: "readiness_blockers",
    label: "Readiness blockers",
    unit: "count",
    description: "hard readiness gates failed, from readiness_results",
  },
  {
    key: "analyst_acceptance_rate",
    label: "Analyst acceptance",
    unit: "rate",
    description: "share of agent recommendations analysts accepted, from analyst_reviews (assisted mode)",
  },
];

export const METRIC_KEYS = new Set(METRICS.map((m) => m.key));

export function metricInfo(key: string): MetricInfo | undefined {
  return METRICS.find((m) => m.key === key);
}

/** Metrics shown in breakdown tables (by workflow, severity, trap tag, source, epoch). */
export const BREAKDOWN_METRICS = [
  "verdict_agreement",
  "critical_miss_rate",
  "escalation_recall",
  "hallucination_rate",
  "missed_context_rate",
  "policy_violation_rate",
  "failed_rate",
] as const;

export const TRAP_MIN_CASES = 5;
