import type { Finding } from "../src/schema/index.js";
import { handedOff, type Scorer } from "./types.js";

const NAME = "agreement";

/**
 * The agent's decision against the analyst's label. No valid output counts as disagreement and,
 * on a true positive, as a critical miss: a crashed agent escalates nothing.
 */
export const agreement: Scorer = {
  name: NAME,
  score({ case: c, output }) {
    const label = c.label;
    if (!label) return { findings: [], values: { agree: null, escalation_match: null, critical_miss: null } };
    const agree = output !== null && output.verdict === label.verdict;
    const escalationMatch = output !== null && output.escalate === label.escalate;
    const criticalMiss = label.verdict === "true_positive" && !handedOff(output);
    const findings: Finding[] = [];
    if (output && !agree)
      findings.push({
        scorer: NAME,
        kind: "verdict_mismatch",
        severity: "low",
        detail: `agent said ${output.verdict}, the analyst said ${label.verdict}`,
      });
    if (criticalMiss)
      findings.push({
        scorer: NAME,
        kind: "critical_miss",
        severity: "high",
        detail: output
          ? `analyst true positive that the agent ${output.verdict === "true_positive" ? "recognised but " : ""}neither escalated nor handed to a human`
          : "analyst true positive and the agent produced no valid triage output",
      });
    return { findings, values: { agree, escalation_match: escalationMatch, critical_miss: criticalMiss } };
  },
};
