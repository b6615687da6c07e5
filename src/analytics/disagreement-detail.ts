import { SUBMIT_TOOL } from "../providers/types.js";
import { outputStatusOf } from "../schema/output-status.js";
import { type Store, sqlString } from "../store/db.js";
import { stepsQuery } from "../store/steps-sql.js";
import type { DisagreementAnswer } from "./compare-schema.js";
import type { WorstCaseFinding } from "./report-schema.js";
import { findingsQuery, parseJson, parseSteps, stepReturning } from "./worst-cases.js";

/** The epoch a disagreement row compares (disagreements.ts); its detail shows the same one. */
export const DISAGREEMENT_EPOCH = 0;

/**
 * A call that retrieves evidence, as the scorers count it (scorers/types.ts `retrieves`): ok, and of a
 * workflow tool — the only ones stored with a source — other than the agent's own answer. An imported
 * transcript's made-up tool or `submit_triage` step listing an id must not be named as where it came from.
 */
const RETRIEVING = `status = 'ok' AND source IS NOT NULL AND tool <> ${sqlString(SUBMIT_TOOL)}`;

export type DetailSide = { run_id: string; agent: string; label: string };

type Row = {
  pos: number;
  idx: number;
  epochs_run: number | null;
  epochs_agree: number | null;
  verdict: string | null;
  confidence: number | null;
  escalate: boolean | null;
  human_only: boolean | null;
  failed: boolean | null;
  schema_valid: boolean | null;
  output: string | null;
  error: string | null;
  steps: string | null;
  findings: Omit<WorstCaseFinding, "step">[] | null;
  required: { id: string; gathered: boolean; step: number | null }[] | null;
};

/**
 * Why each side decided, for the listed disagreements only (≤ 50 cases × sides): its answer, its
 * findings, its steps and, per required evidence id, whether it gathered it. One query; findings and
 * steps come from the same SQL the report's worst cases use, so both pages show one transcript alike.
 * "Gathered" is the missed-context scorer's judgement (no missed_context finding for the id), so the
 * page agrees with missed_context_rate and context_recall.
 */
export async function disagreementDetails(
  store: Store,
  sides: DetailSide[],
  caseIds: string[],
): Promise<DisagreementAnswer[][]> {
  if (caseIds.length === 0 || sides.length === 0) return [];
  const keys = "(run_id, case_id, agent, epoch) IN (SELECT (run_id, case_id, agent, epoch) FROM k)";
  const rows = await store.query<Row>(
    `WITH sides(idx, run_id, agent) AS (VALUES ${sides.map((_, i) => `(${i}, ?, ?)`).join(", ")}),
     listed(pos, case_id) AS (VALUES ${caseIds.map((_, i) => `(${i}, ?)`).join(", ")}),
     k AS (SELECT s.idx, s.run_id, s.agent, l.pos, l.case_id, ${DISAGREEMENT_EPOCH} AS epoch FROM sides s, listed l),
     fs AS (${findingsQuery(keys)}),
     st AS (${stepsQuery(keys)}),
     runs_of AS (
       SELECT run_id, case_id, agent, count(*) AS epochs_run, count(*) FILTER (WHERE agree) AS epochs_agree
       FROM case_results WHERE (run_id, case_id, agent) IN (SELECT (run_id, case_id, agent) FROM k) GROUP BY ALL),
     wanted AS (
       SELECT idx, run_id, case_id, agent, epoch, unnest(ids) AS id, generate_subscripts(ids, 1) AS ord
       FROM (SELECT k.*, from_json(c.label->'required_evidence', '["VARCHAR"]') AS ids
             FROM k JOIN cases c ON c.run_id = k.run_id AND c.case_id = k.case_id)),
     missed AS (SELECT DISTINCT run_id, case_id, agent, epoch, evidence_id AS id FROM findings
                WHERE kind = 'missed_context' AND ${keys}),
     returned AS (
       SELECT run_id, case_id, agent, epoch, id, min(step) AS step
       FROM (SELECT run_id, case_id, agent, epoch, step, unnest(evidence_ids) AS id FROM tool_calls
             WHERE ${RETRIEVING} AND ${keys}) GROUP BY ALL),
     req AS (
       SELECT w.idx, w.case_id,
         list({'id': w.id, 'gathered': m.id IS NULL, 'step': CASE WHEN m.id IS NULL THEN r.step END} ORDER BY w.ord) AS required
       FROM (SELECT idx, run_id, case_id, agent, epoch, id, min(ord) AS ord FROM wanted GROUP BY ALL) w
       LEFT JOIN missed m USING (run_id, case_id, agent, epoch, id)
       LEFT JOIN returned r USING (run_id, case_id, agent, epoch, id)
       GROUP BY w.idx, w.case_id)
     SELECT k.pos, k.idx, n.epochs_run, n.epochs_agree, cr.verdict, cr.confidence, cr.escalate, cr.human_only,
       cr.failed, cr.schema_valid, t.output, t.error, st.steps, fs.findings, req.required
     FROM k
     LEFT JOIN case_results cr USING (run_id, case_id, agent, epoch)
     LEFT JOIN transcripts t USING (run_id, case_id, agent, epoch)
     LEFT JOIN runs_of n USING (run_id, case_id, agent)
     LEFT JOIN fs USING (run_id, case_id, agent, epoch)
     LEFT JOIN st USING (run_id, case_id, agent, epoch)
     LEFT JOIN req ON req.idx = k.idx AND req.case_id = k.case_id
     ORDER BY k.pos, k.idx`,
    [...sides.flatMap((s) => [s.run_id, s.agent]), ...caseIds],
  );
  const byCase: DisagreementAnswer[][] = caseIds.map(() => []);
  for (const r of rows) byCase[r.pos]!.push(toAnswer(sides[r.idx]!, r));
  return byCase;
}

function toAnswer(side: DetailSide, r: Row): DisagreementAnswer {
  const steps = parseSteps(r.steps);
  const out = parseJson(r.output);
  const o = isObject(out) ? out : {};
  const failed = r.failed ?? out === null;
  return {
    label: side.label,
    run_id: side.run_id,
    agent: side.agent,
    epochs_run: Number(r.epochs_run ?? 0),
    epochs_agree: Number(r.epochs_agree ?? 0),
    verdict: r.verdict,
    confidence: r.confidence,
    escalate: r.escalate,
    human_only: r.human_only,
    failed,
    schema_valid: r.schema_valid,
    output_status: outputStatusOf({ schema_valid: r.schema_valid, failed }),
    error: r.error,
    summary: text(o.summary),
    // an output that failed the schema is still what the side answered: show what of it is readable
    hypotheses: list(o.hypotheses).map((h) => ({
      kind: text(h.kind),
      explanation: text(h.explanation),
      evidence: ids(h.evidence),
    })),
    recommended_actions: list(o.recommended_actions).map((a) => ({
      action: text(a.action),
      target: text(a.target),
      requires_approval: typeof a.requires_approval === "boolean" ? a.requires_approval : null,
      rationale: text(a.rationale),
      evidence: ids(a.evidence),
      rollback: text(a.rollback),
    })),
    missing_sources: ids(o.missing_sources),
    findings: (r.findings ?? []).map((f) => ({ ...f, step: stepReturning(steps, f.evidence_id) })),
    steps,
    required_evidence: (r.required ?? []).map((q) => ({ id: q.id, gathered: q.gathered, step: q.step ?? null })),
  };
}

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === "object" && !Array.isArray(v);
const text = (v: unknown): string | null => (typeof v === "string" ? v : null);
const list = (v: unknown): Record<string, unknown>[] => (Array.isArray(v) ? v.filter(isObject) : []);
const ids = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === "string") : []);
