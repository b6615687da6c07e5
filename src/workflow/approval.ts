import { type Approval, type CatalogueAction, LOW_CONFIDENCE_BELOW, type Workflow } from "../schema/index.js";
import { type Facts, whenHolds } from "./conditions.js";

const LEVELS: Approval[] = ["none", "analyst", "lead", "ciso"];

export function approvalRank(a: Approval): number {
  return LEVELS.indexOf(a);
}

export type RequiredApproval = { approval: Approval; reasons: string[] };

/**
 * The approval an action needs on this case under the workflow's policy: its risk's base level,
 * raised by asset criticality, data sensitivity, the agent's low confidence and irreversibility.
 * Each raise that applies asks for its raise_to, or one level above the base (what the agent's
 * prompt says it asks for), and the strictest wins: the rules' order in the file changes nothing.
 */
export function requiredApproval(
  wf: Workflow,
  action: CatalogueAction,
  facts: Facts,
  confidence: number | null,
): RequiredApproval {
  const base = approvalRank(wf.approval_policy.by_risk[action.risk]);
  const raised: { reason: string; rank: number }[] = [];
  for (const r of wf.approval_policy.raise) {
    const applies =
      r.reason === "irreversible"
        ? !action.reversible
        : r.reason === "low_confidence"
          ? confidence !== null && confidence < (r.below ?? LOW_CONFIDENCE_BELOW)
          : r.when
            ? whenHolds(r.when, facts)
            : false;
    if (!applies) continue;
    const rank = r.raise_to ? approvalRank(r.raise_to) : Math.min(base + 1, LEVELS.length - 1);
    if (rank > base) raised.push({ reason: r.reason.replace("_", " "), rank });
  }
  // named from the lowest raise to the strictest, so the reasons read the same whatever the order
  raised.sort((a, b) => a.rank - b.rank || a.reason.localeCompare(b.reason));
  const level = Math.max(base, ...raised.map((r) => r.rank));
  const reasons = [`${action.risk} risk → ${LEVELS[base]}`, ...raised.map((r) => `${r.reason} → ${LEVELS[r.rank]}`)];
  return { approval: LEVELS[level]!, reasons };
}

export function findAction(wf: Workflow, id: string): CatalogueAction | undefined {
  return wf.actions.find((a) => a.id === id);
}
