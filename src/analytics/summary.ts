import type { Store } from "../store/db.js";
import { proportionCounts } from "./metric-sql.js";

export type AgentSummary = {
  agent: string;
  cases: number;
  /** case × epoch: what the counts below count */
  investigations: number;
  agreement: number | null;
  critical_misses: number;
  /** what critical_misses is out of: the analyst's true positives (case × epoch) */
  true_positives: number;
  hallucination_rate: number | null;
  policy_violation_rate: number | null;
  failed: number;
  cost_usd: number;
  /** investigations whose cost was measured: fewer than `investigations` when an import lacks transcripts */
  cost_measured: number;
};

const KEYS = ["verdict_agreement", "critical_miss_rate", "hallucination_rate", "policy_violation_rate", "failed_rate"];
const rate = (row: Record<string, number>, key: string) =>
  row[`${key}__n`] ? row[`${key}__x`]! / row[`${key}__n`]! : null;

/**
 * The headline `run`, `score` and `gate` print, from the same metric definitions as the report
 * (src/analytics/catalogue.ts), so the table after a run and the report never disagree.
 */
export async function runSummary(store: Store, runId: string): Promise<AgentSummary[]> {
  const rows = await store.query<Record<string, number> & { agent: string }>(
    `SELECT agent, count(DISTINCT case_id) AS cases, count(*) AS investigations, coalesce(sum(cost_usd), 0) AS cost_usd, count(cost_usd) AS cost_measured, ${proportionCounts(KEYS).join(", ")}
     FROM case_results WHERE run_id = ? GROUP BY agent ORDER BY agent`,
    [runId],
  );
  return rows.map((r) => ({
    agent: r.agent,
    cases: Number(r.cases),
    investigations: Number(r.investigations),
    agreement: rate(r, "verdict_agreement"),
    critical_misses: r.critical_miss_rate__x ?? 0,
    true_positives: r.critical_miss_rate__n ?? 0,
    hallucination_rate: rate(r, "hallucination_rate"),
    policy_violation_rate: rate(r, "policy_violation_rate"),
    failed: r.failed_rate__x ?? 0,
    cost_usd: Number(r.cost_usd),
    cost_measured: Number(r.cost_measured),
  }));
}

/** What an agent's investigations replayed again or cut short by a Ctrl-C cost: not in case_results. */
export type ReplacedSpend = { agent: string; calls: number; cost_usd: number; stored: boolean };

/**
 * Per agent, the model calls of the run in `replaced_model_calls`. The summary's total cost sums
 * stored results only, so an agent whose every investigation a Ctrl-C cut short has no row there at all.
 */
export async function replacedSpend(store: Store, runId: string): Promise<ReplacedSpend[]> {
  const rows = await store.query<{ agent: string; calls: number; cost_usd: number; stored: boolean }>(
    `SELECT agent, count(*)::INTEGER AS calls, coalesce(sum(cost_usd), 0) AS cost_usd,
       EXISTS (SELECT 1 FROM case_results c WHERE c.run_id = ? AND c.agent = m.agent) AS stored
     FROM replaced_model_calls m WHERE run_id = ? GROUP BY agent ORDER BY agent`,
    [runId, runId],
  );
  return rows.map((r) => ({ ...r, calls: Number(r.calls), cost_usd: Number(r.cost_usd) }));
}
