import { fieldError } from "../io/yaml.js";
import type { Workflow } from "../schema/index.js";
import { approvalRank } from "./approval.js";

const TOP = approvalRank("ciso");

/**
 * Approval raises that can change no action's approval: every catalogued action the raise applies
 * to (irreversible: those marked reversible: false; the others: any) already needs at least what
 * it raises to under by_risk, and a raise only ever moves approval up (approval.ts). Such a raise
 * reads as a control it is not. Said as a warning, not refused: approval does not change, and a
 * team may keep it on purpose as a guard for when by_risk is lowered.
 */
export function deadRaises(wf: Workflow, file: string): string[] {
  const base = (risk: keyof Workflow["approval_policy"]["by_risk"]) => approvalRank(wf.approval_policy.by_risk[risk]);
  return wf.approval_policy.raise.flatMap((r, i) => {
    const applies = r.reason === "irreversible" ? wf.actions.filter((a) => !a.reversible) : wf.actions;
    const where = fieldError(file, ["approval_policy", "raise", i], "").message.replace(/: $/, "");
    if (applies.length === 0)
      return [
        `${where}: ${r.reason} applies to no catalogued action (none is marked reversible: false), so it never raises (warning)`,
      ];
    const target = r.raise_to === undefined ? undefined : approvalRank(r.raise_to);
    const raises = applies.some((a) => (target === undefined ? base(a.risk) < TOP : base(a.risk) < target));
    if (raises) return [];
    const what = applies.map((a) => `${a.id} (${a.risk} risk → ${wf.approval_policy.by_risk[a.risk]})`).join(", ");
    return [
      `${where}: ${r.reason} → ${r.raise_to ?? "one level up"} never raises: every action it applies to already needs as much under by_risk: ${what} (warning)`,
    ];
  });
}

/** The same, as the lines `run` and `gate` print when they load the suite. */
export function deadRaiseLines(wf: Workflow, file: string): string {
  return deadRaises(wf, file)
    .map((w) => `soceval: warning: ${w.replace(/ \(warning\)$/, "")}\n`)
    .join("");
}
