/**
 * The metrics `compare` computes a per-case paired difference for, in its order, with whether
 * higher is better: the only ones a gate margin can name. A module of its own (no SQL, no
 * statistics) so a suite's margins are checked when it loads, before the gate replays anything.
 */
export const PAIRED_PROPORTIONS = [
  ["verdict_agreement", true],
  ["critical_miss_rate", false],
  ["escalation_recall", true],
  ["hallucination_rate", false],
  ["missed_context_rate", false],
  ["policy_violation_rate", false],
  ["high_severity_violation_rate", false],
  ["false_positive_reduction", true],
  ["failed_rate", false],
] as const;

/** Means of a per-case column: [metric, case_results column, higher is better]. */
export const PAIRED_MEANS = [
  ["cost_per_investigation", "cost_usd", false],
  ["time_to_triage_mean_ms", "time_to_triage_ms", false],
] as const;

export const PAIRED_METRICS: readonly string[] = [
  ...PAIRED_PROPORTIONS.map(([m]) => m),
  ...PAIRED_MEANS.map(([m]) => m),
];
