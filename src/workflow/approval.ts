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
 */
export function requiredApproval(
  wf: Workflow,
  action: CatalogueAction,
  facts: Facts,
  confidence: number | null,
): RequiredApproval {
  let level = approvalRank(wf.approval_policy.by_risk[action.risk]);
  const reasons = [`${action.risk} risk → ${LEVELS[level]}`];
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
    const target = r.raise_to ? approvalRank(r.raise_to) : Math.min(level + 1, LEVELS.length - 1);
    if (target > level) {
      level = target;
      reasons.push(`${r.reason.replace("_", " ")} → ${LEVELS[level]}`);
    }
  }
  return { approval: LEVELS[level]!, reasons };
}

export function findAction(wf: Workflow, id: string): CatalogueAction | undefined {
  return wf.actions.find((a) => a.id === id);
}
