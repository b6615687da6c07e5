import type { ReportReadiness } from "../analytics/report-schema.js";
import { nearest } from "../io/nearest.js";
import { storeFlag } from "../store/db.js";

/** The command that fills the phase, naming the report's own store (nothing for the default one). */
const scoreIt = (db: string | undefined) => {
  const flag = storeFlag(db);
  return `score its answers into the same store with \`soceval readiness score <answers.yaml>${flag ? ` ${flag}` : ""}\``;
};
/** Past this many, the other workflow ids are counted, not listed: a typo is among the first few anyway. */
const LISTED = 8;

/** The gates that block the workflow, each by its id and the matrix's title: `no_reviewer "Nobody assigned…"`. */
export function blockersText(r: ReportReadiness | undefined): string {
  return (r?.blockers ?? []).map((b) => (b.title ? `${b.gate} "${b.title}"` : b.gate)).join(", ");
}

/**
 * Why the readiness phase has no data: the workflow id it looked for, and the ids the store does
 * hold scores for, since answers scored under another id (`workflow: phishing` for phishing-triage)
 * are the usual cause and otherwise invisible.
 */
export function readinessUnmeasured(r: ReportReadiness | undefined, db?: string): string {
  const score = scoreIt(db);
  const wf = r?.workflow;
  if (!wf) return "no readiness score applies: the run names no workflow to look one up by";
  // found, but a hand-made readiness_results table may lack the blockers
  if (r.stored_workflows.includes(wf))
    return `the readiness score stored for workflow ${wf} does not record this: ${score} again`;
  const others = otherWorkflows(r);
  if (others.length === 0) return `no readiness score for workflow ${wf} in the store: ${score}`;
  const close = nearest(wf, others) ?? others.find((w) => w.includes(wf) || wf.includes(w));
  const hint = close ? ` (if the answers scored as ${close} are this workflow's, set \`workflow: ${wf}\` in them)` : "";
  return `no readiness score for workflow ${wf} in the store, only for ${listed(others)}${hint}: ${score}`;
}

/** The same in a phase-table cell, where it fits only when the store holds scores under other ids. */
export function readinessMismatch(r: ReportReadiness | undefined): string {
  const others = otherWorkflows(r);
  return r?.workflow && others.length && !r.stored_workflows.includes(r.workflow)
    ? `the store's readiness scores are for ${listed(others)}, not ${r.workflow}`
    : "";
}

function otherWorkflows(r: ReportReadiness | undefined): string[] {
  return (r?.stored_workflows ?? []).filter((w) => w !== r?.workflow);
}

function listed(ids: string[]): string {
  const rest = ids.length > LISTED ? ` and ${ids.length - LISTED} more` : "";
  return `workflow${ids.length === 1 ? "" : "s"} ${ids.slice(0, LISTED).join(", ")}${rest}`;
}
