import type { Step, ToolCallStep, TriageOutput } from "../src/schema/index.js";
import { citedAnywhere } from "./hallucinated-evidence.js";
import { type Citable, type ScoreContext, workflowIndex } from "./types.js";

/**
 * The audit trail a reviewer needs, item by item. `key` is what case_results.audit_missing stores
 * and what `show` and `cases` print, so it never changes once released; a new item is a new key.
 */
export const AUDIT_ITEMS = [
  { key: "alert_reference", what: "a raw alert reference" },
  { key: "query_trail", what: "every query with its time, and what it returned or why it did not answer" },
  { key: "hypotheses_cited", what: "hypotheses, each citing evidence" },
  { key: "catalogued_actions", what: "every recommended action from the catalogue (so its risk is known)" },
  { key: "confidence", what: "a confidence" },
  { key: "approval_decisions", what: "an approval decision per recommended action" },
] as const;

export type AuditItem = (typeof AUDIT_ITEMS)[number]["key"];

/** The audit items an investigation lacks, in AUDIT_ITEMS order. */
export function missingAuditItems(ctx: ScoreContext, calls: ToolCallStep[], output: TriageOutput | null): AuditItem[] {
  const alert = ctx.case.alert;
  const actions = workflowIndex(ctx.workflow).actions;
  // an answer that failed the schema is audited on the fields it wrote, as it is judged for
  // hallucination: hypotheses citing evidence are in the trail whatever else made it invalid
  // (`show` prints them); a text answer, or none, has no such fields
  const answer: Citable | null = output ?? (ctx.readable?.fields ? ctx.readable : null);
  const present: Record<AuditItem, boolean> = {
    alert_reference: alert.raw !== undefined || alert.rule.trim() !== "",
    query_trail: calls.length > 0 && untracedQueries(ctx.transcript.steps).length === 0,
    hypotheses_cited: !!answer && answer.hypotheses.length > 0 && answer.hypotheses.every((h) => citesAny(ctx, h)),
    catalogued_actions: !!answer && answer.recommended_actions.every((a) => actions.has(a.action)),
    confidence: !!answer && typeof answer.confidence === "number" && Number.isFinite(answer.confidence),
    approval_decisions: !!answer && answer.recommended_actions.every((a) => typeof a.requires_approval === "boolean"),
  };
  return AUDIT_ITEMS.map((i) => i.key).filter((k) => !present[k]);
}

/** A hypothesis tied to evidence: in its list, or an id quoted in its explanation (cited as every scorer reads it). */
function citesAny(ctx: ScoreContext, h: Citable["hypotheses"][number]): boolean {
  if (h.evidence.length > 0) return true;
  return (
    citedAnywhere(ctx.case, { summary: h.explanation, evidence: [], hypotheses: [], recommended_actions: [] }).size > 0
  );
}

/**
 * Positions among all steps of the queries a reviewer cannot place: no time, or a query that did not
 * answer (an error, a timeout, a source unavailable, a denied call) with neither evidence nor a note
 * saying why. An answered query is placed by what it returned, nothing included: "searched at 10:02,
 * no records" is the audit trail of a lookup that found nothing, not a gap in it. `show` names them,
 * so a missing query_trail points at its steps.
 */
export function untracedQueries(steps: readonly Step[]): number[] {
  const at: number[] = [];
  steps.forEach((s, i) => {
    if (s.type !== "tool_call") return;
    if (!(s.time && (s.status === "ok" || s.evidence_ids.length > 0 || s.note?.trim()))) at.push(i);
  });
  return at;
}

/** The share present, as the scorer has always computed it: each missing item costs one sixth. */
export function auditCompleteness(missing: readonly string[]): number {
  return (AUDIT_ITEMS.length - missing.length) / AUDIT_ITEMS.length;
}
