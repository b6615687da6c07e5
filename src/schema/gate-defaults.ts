import type { GateRules } from "./suite.js";

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
