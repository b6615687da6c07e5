import { OUTPUT_STATUS_OVER_EPOCHS, type OutputStatus } from "../schema/output-status.js";
import type { Store } from "../store/db.js";

export type Side = { run_id: string; agent: string };

/** Per paired case, both agents' majority outcome over epochs and whether the candidate's epochs disagree. */
export type PairedCase = {
  case_id: string;
  incident_id: string | null;
  title: string | null;
  label_verdict: string | null;
  b_right: boolean | null;
  c_right: boolean | null;
  b_verdict: string | null;
  c_verdict: string | null;
  c_flaky: boolean;
  c_epochs: number;
  c_epochs_right: number;
  b_critical: boolean;
  c_critical: boolean;
  b_high: boolean;
  c_high: boolean;
  c_failed: boolean;
  b_output: OutputStatus;
  c_output: OutputStatus;
};

// the epoch that went worst: what a case listed as failed, regressed or a new miss is listed for
const WORST_EPOCH = `failed DESC, coalesce(critical_miss, false) DESC, high_severity_violations DESC,
  coalesce(agree, true) ASC, policy_violations DESC, hallucination_count DESC, missed_context DESC, epoch`;

// the verdict a listed case shows: the one most epochs gave, and on a tie the worst epoch's, whose
// findings explain the case (findingsFor). mode() picked among tied verdicts as its hash table
// happened to hold them, so a case listed as a new critical miss could show the epoch that was right
const side = (alias: string) => `${alias} AS (
  SELECT case_id, any_value(incident_id) AS incident_id, any_value(label_verdict) AS label_verdict,
    count(*) AS epochs, count(*) FILTER (WHERE agree) AS epochs_right,
    count(DISTINCT coalesce(agree, false)) > 1 AS flaky,
    first(verdict ORDER BY votes DESC, worst) FILTER (WHERE verdict IS NOT NULL) AS verdict,
    avg(coalesce(critical_miss, false)::INT) > 0.5 AS critical,
    avg((high_severity_violations > 0)::INT) > 0.5 AS high,
    avg(failed::INT) > 0.5 AS failed,
    ${OUTPUT_STATUS_OVER_EPOCHS} AS output
  FROM (
    SELECT *, count(*) OVER (PARTITION BY case_id, verdict) AS votes,
      row_number() OVER (PARTITION BY case_id ORDER BY ${WORST_EPOCH}) AS worst
    FROM case_results WHERE run_id = ? AND agent = ?)
  GROUP BY case_id)`;

export async function pairedCases(store: Store, base: Side, cand: Side): Promise<PairedCase[]> {
  return store.query<PairedCase>(
    `WITH ${side("b")}, ${side("c")}
     SELECT c.case_id, c.incident_id, c.label_verdict,
       (SELECT alert->>'title' FROM cases k WHERE k.run_id = ? AND k.case_id = c.case_id) AS title,
       CASE WHEN b.label_verdict IS NULL THEN NULL ELSE b.epochs_right * 2 > b.epochs END AS b_right,
       CASE WHEN c.label_verdict IS NULL THEN NULL ELSE c.epochs_right * 2 > c.epochs END AS c_right,
       b.verdict AS b_verdict, c.verdict AS c_verdict, c.flaky AS c_flaky,
       c.epochs AS c_epochs, c.epochs_right AS c_epochs_right,
       b.critical AS b_critical, c.critical AS c_critical,
       b.high AS b_high, c.high AS c_high, c.failed AS c_failed,
       b.output AS b_output, c.output AS c_output
     FROM c JOIN b USING (case_id) ORDER BY c.case_id`,
    [base.run_id, base.agent, cand.run_id, cand.agent, cand.run_id],
  );
}

export type CaseFinding = { case_id: string; kind: string; severity: string; detail: string };

/**
 * The findings that explain a case's outcome: causes (no answer at all, then missed context, policy…)
 * before symptoms (critical miss, wrong verdict). Over several epochs, those of the case's worst
 * epoch: a case whose candidate was right in epoch 0 and missed the attack in the others is
 * explained by a miss, not by epoch 0's findings.
 */
export async function findingsFor(store: Store, s: Side, caseIds: string[]): Promise<Map<string, CaseFinding[]>> {
  const out = new Map<string, CaseFinding[]>();
  if (caseIds.length === 0) return out;
  const rows = await store.query<CaseFinding>(
    `WITH worst AS (
       SELECT case_id, epoch FROM case_results
       WHERE run_id = ? AND agent = ? AND list_contains(string_split(?, chr(0)), case_id)
       QUALIFY row_number() OVER (PARTITION BY case_id ORDER BY ${WORST_EPOCH}) = 1)
     SELECT f.case_id, f.kind, f.severity, f.detail FROM findings f JOIN worst USING (case_id, epoch)
     WHERE f.run_id = ? AND f.agent = ?
     ORDER BY f.case_id, CASE f.kind WHEN 'agent_error' THEN -1 WHEN 'verdict_mismatch' THEN 2 WHEN 'critical_miss' THEN 1 ELSE 0 END,
              CASE f.severity WHEN 'high' THEN 0 WHEN 'medium' THEN 1 ELSE 2 END, f.seq`,
    [s.run_id, s.agent, caseIds.join("\u0000"), s.run_id, s.agent],
  );
  for (const r of rows) {
    const list = out.get(r.case_id) ?? [];
    if (list.length < 4) list.push(r);
    out.set(r.case_id, list);
  }
  return out;
}
