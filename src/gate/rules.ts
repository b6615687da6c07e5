import { InputError } from "../io/errors.js";
import type { GateRules } from "../schema/index.js";

/** What a suite without a `gate:` block is held to: a sensible, strict default. */
export const DEFAULT_GATE: GateRules = {
  margins: [
    { metric: "verdict_agreement", max_drop: 0.02 },
    { metric: "escalation_recall", max_drop: 0.02 },
  ],
  limits: [{ metric: "hallucination_rate", max: 0.05 }],
  no_new_critical_miss: true,
  no_high_severity_violation: true,
  budget: { metric: "cost_per_investigation", max_increase_pct: 20 },
  max_infra_failure_rate: 0.1,
};

/**
 * The metrics `compare` (src/analytics/compare.ts) computes a paired difference for, in its order:
 * the only ones a margin can name. Checked against a real comparison in rules.test.ts, so the two
 * lists cannot drift apart; listed here so a suite's margins are checked when it is loaded, before
 * the gate replays anything.
 */
export const PAIRED_METRICS: readonly string[] = [
  "verdict_agreement",
  "critical_miss_rate",
  "escalation_recall",
  "hallucination_rate",
  "missed_context_rate",
  "policy_violation_rate",
  "high_severity_violation_rate",
  "false_positive_reduction",
  "failed_rate",
  "cost_per_investigation",
  "time_to_triage_mean_ms",
];

/** Paired metrics the comparison computes; a margin on anything else is a configuration error. */
export function checkRules(rules: GateRules, paired: Set<string>, single: Set<string>, where: string): void {
  for (const m of rules.margins)
    if (!paired.has(m.metric))
      throw new InputError(
        `${where}: gate.margins: "${m.metric}" has no paired difference (use one of ${[...paired].join(", ")})`,
      );
  for (const l of rules.limits)
    if (!single.has(l.metric)) throw new InputError(`${where}: gate.limits: unknown metric "${l.metric}"`);
  if (rules.budget && !single.has(rules.budget.metric))
    throw new InputError(`${where}: gate.budget: unknown metric "${rules.budget.metric}"`);
}
