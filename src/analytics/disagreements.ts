import { type OutputStatus, outputStatusSql } from "../schema/output-status.js";
import { type Store, sqlString } from "../store/db.js";
import type { Disagreement, Side } from "./compare-schema.js";
import { DISAGREEMENT_EPOCH, disagreementDetails } from "./disagreement-detail.js";

export const DISAGREEMENT_LIMIT = 50;

type SideRef = { run_id: string; agent: string };

/** Cases (first epoch) where the agents' verdicts differ, right-vs-wrong splits first; LIMITed. */
export async function disagreements(
  store: Store,
  refs: SideRef[],
  sides: Side[],
): Promise<{ rows: Disagreement[]; total: number; query: string }> {
  const values = refs.map((_, i) => `(${i}, ?, ?)`).join(", ");
  const params = refs.flatMap((r) => [r.run_id, r.agent]);
  const base = disagreementsSql(values, refs.length);
  const total = (await store.query<{ n: number }>(`${base} SELECT count(*) AS n FROM d`, params))[0]?.n ?? 0;
  const rows = await store.query<{
    case_id: string;
    incident_id: string | null;
    alert_severity: string | null;
    label_verdict: string | null;
    title: string | null;
    answers: {
      idx: number;
      verdict: string | null;
      escalate: boolean | null;
      agree: boolean | null;
      output_status: OutputStatus;
    }[];
  }>(
    `${base} SELECT d.case_id, d.incident_id, d.alert_severity, d.label_verdict, c.alert->>'title' AS title, d.answers
     FROM d LEFT JOIN cases c ON c.run_id = ? AND c.case_id = d.case_id
     ORDER BY d.split DESC, d.case_id LIMIT ${DISAGREEMENT_LIMIT}`,
    [...params, refs[0]!.run_id],
  );
  const details = await disagreementDetails(
    store,
    refs.map((r, i) => ({ ...r, label: sides[i]!.label })),
    rows.map((r) => r.case_id),
  );
  return {
    total,
    // every one, with the sides written in: the page lists the first DISAGREEMENT_LIMIT
    query: `${disagreementsSql(refs.map((r, i) => `(${i}, ${sqlString(r.run_id)}, ${sqlString(r.agent)})`).join(", "), refs.length)}
     SELECT d.case_id, d.label_verdict, d.answers FROM d ORDER BY d.split DESC, d.case_id`,
    rows: rows.map((r, i) => ({
      case_id: r.case_id,
      incident_id: r.incident_id,
      title: r.title,
      alert_severity: r.alert_severity,
      label_verdict: r.label_verdict,
      answers: r.answers.map((a) => ({
        label: sides[a.idx]!.label,
        verdict: a.verdict,
        escalate: a.escalate,
        agree: a.agree,
        output_status: a.output_status,
      })),
      detail: { epoch: DISAGREEMENT_EPOCH, answers: details[i] ?? [] },
    })),
  };
}

/**
 * The cases (first epoch) every side answered and whose verdicts differ, among those with one
 * analyst label across the sides: `d`, after the sides given as VALUES rows (idx, run_id, agent).
 */
function disagreementsSql(values: string, sides: number): string {
  return `WITH sides(idx, run_id, agent) AS (VALUES ${values}),
    r AS (SELECT s.idx, cr.* FROM case_results cr JOIN sides s ON cr.run_id = s.run_id AND cr.agent = s.agent
          WHERE cr.epoch = ${DISAGREEMENT_EPOCH}),
    d AS (SELECT case_id, any_value(incident_id) AS incident_id, any_value(alert_severity) AS alert_severity,
            any_value(label_verdict) AS label_verdict, count(DISTINCT coalesce(agree, false)) AS split,
            list({'idx': idx, 'verdict': verdict, 'escalate': escalate, 'agree': agree,
              'output_status': ${outputStatusSql("")}} ORDER BY idx) AS answers
          FROM r GROUP BY case_id
          HAVING count(*) = ${sides} AND count(DISTINCT coalesce(verdict, 'no_output')) > 1
            AND count(DISTINCT coalesce(label_verdict, '-') || '/' || coalesce(label_escalate::VARCHAR, '-')) = 1)`;
}
