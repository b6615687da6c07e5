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
