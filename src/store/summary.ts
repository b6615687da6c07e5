import type { Store } from "./db.js";

export type AgentSummary = {
  agent: string;
  cases: number;
  labeled: number;
  agreement: number | null;
  critical_misses: number;
  hallucination_rate: number | null;
  policy_violation_rate: number | null;
  failed: number;
  cost_usd: number;
};

/** The few headline numbers `soceval run` prints; the full set lives in analytics/. */
export async function runSummary(store: Store, runId: string): Promise<AgentSummary[]> {
  return store.query<AgentSummary>(
    `SELECT agent,
            count(*) AS cases,
            count(label_verdict) AS labeled,
            avg(CASE WHEN label_verdict IS NOT NULL THEN agree::INT END) AS agreement,
            coalesce(sum(critical_miss::INT), 0) AS critical_misses,
            avg(hallucinated::INT) AS hallucination_rate,
            avg((policy_violations > 0)::INT) AS policy_violation_rate,
            sum(failed::INT) AS failed,
            sum(cost_usd) AS cost_usd
     FROM case_results WHERE run_id = ? GROUP BY agent ORDER BY agent`,
    [runId],
  );
}
