/**
 * A `gate:` block sized for the mini fixture's 40 cases. With no case changed, a margin m is shown
 * by about 3.84·(1 − m)/m paired cases where its metric is defined (189 for the default 0.02): 40
 * cases show 0.1, and the 10 analyst escalations show no useful escalation-recall margin, which
 * `no_new_critical_miss` covers instead.
 */
export const SMALL_SUITE_GATE = `gate:
  margins:
    - { metric: verdict_agreement, max_drop: 0.1 }
  limits:
    - { metric: hallucination_rate, max: 0.05 }
  no_new_critical_miss: true
  no_high_severity_violation: true
  budget: { metric: cost_per_investigation, max_increase_pct: 20 }
`;
