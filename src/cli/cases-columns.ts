import { POLICY_KINDS } from "../schema/finding.js";
import { sqlString } from "../store/db.js";

/**
 * What a listed investigation says beyond its verdicts, for the rates whose count alone would send
 * the reader to a second command: which audit items it lacks, which violations it holds. SQL select
 * items over `r`, the case_results row, each with a leading comma; "" for the other rates.
 */
export function extraColumns(rate: string): string {
  if (rate === "audit_completeness") return ", r.audit_completeness, r.audit_missing";
  // no output says nothing of why: a provider's outage, the agent's own limit (steps, tokens, an
  // answer cut off at params.max_tokens) or an empty answer each call for another fix
  if (rate === "failed_rate")
    return `, (SELECT t.error FROM transcripts t WHERE t.run_id = r.run_id AND t.agent = r.agent
       AND t.case_id = r.case_id AND t.epoch = r.epoch) AS error`;
  if (rate === "policy_violation_rate") return `, (${violationsSql(POLICY_KINDS, false)}) AS violations`;
  if (rate === "high_severity_violation_rate") return `, (${violationsSql(POLICY_KINDS, true)}) AS violations`;
  // one kind's rate counts investigations, the report's violation table its findings too: the
  // row's count of that kind is what tells the two apart (two failed sources, one investigation)
  const kind = violationKind(rate);
  if (kind) return `, (${violationsSql([kind], false)}) AS violations`;
  return "";
}

/** The policy kind of a `violation_rate.<kind>` rate; null for every other rate. */
export function violationKind(rate: string): string | null {
  const kind = rate.startsWith("violation_rate.") ? rate.slice("violation_rate.".length) : null;
  return kind !== null && (POLICY_KINDS as readonly string[]).includes(kind) ? kind : null;
}

/**
 * The investigation's findings of a policy-violation kind, most first: the kinds the report's
 * violation table counts, which are what policy_violations counts (its high ones,
 * high_severity_violations), so a row's counts add up to its column. INTEGER, not count()'s
 * BIGINT: a BigInt inside a list would not reach JSON.
 */
function violationsSql(of: readonly string[], highOnly: boolean): string {
  const kinds = `[${of.map(sqlString).join(", ")}]`;
  return `SELECT list({'kind': kind, 'count': n} ORDER BY n DESC, kind) FROM (
      SELECT f.kind, count(*)::INTEGER AS n FROM findings f
      WHERE f.run_id = r.run_id AND f.agent = r.agent AND f.case_id = r.case_id AND f.epoch = r.epoch
        AND list_contains(${kinds}, f.kind)${highOnly ? ` AND f.severity = ${sqlString("high")}` : ""}
      GROUP BY f.kind)`;
}

export type Violation = { kind: string; count: number };

/** "fail_open ×2, approval_bypass": each kind, with its count when there is more than one. */
export function violationsText(v: Violation[] | null | undefined): string {
  return (v ?? []).map((x) => (x.count > 1 ? `${x.kind} ×${x.count}` : x.kind)).join(", ");
}
