import type { Store } from "../store/db.js";

export type ProviderFailures = { failed: number; investigations: number };

/**
 * Investigations per agent where the provider, not the agent, failed (a transcript error soceval
 * wrote as `provider:` or `internal:`): they count as failed answers in every metric, so past a
 * share of them the numbers measure an outage, not the agent. An imported transcript's error is
 * whatever the other platform recorded: soceval cannot tell an outage from the agent's own limit
 * there, so every one counts.
 */
export async function providerFailures(store: Store, runId: string): Promise<Map<string, ProviderFailures>> {
  const rows = await store.query<{ agent: string; failed: number; investigations: number }>(
    `SELECT agent,
            count(*) FILTER (WHERE error LIKE 'provider:%' OR error LIKE 'internal:%'
              OR (error IS NOT NULL AND (SELECT kind FROM runs r WHERE r.run_id = t.run_id) = 'imported'))::INTEGER AS failed,
            count(*)::INTEGER AS investigations
     FROM transcripts t WHERE run_id = ? GROUP BY agent`,
    [runId],
  );
  return new Map(rows.map((r) => [r.agent, { failed: r.failed, investigations: r.investigations }]));
}

/** The line a report leads with when an agent's provider failed some of its investigations. */
export function providerFailureWarning(agent: string, f: ProviderFailures): string | null {
  if (f.failed === 0) return null;
  const pct = ((100 * f.failed) / f.investigations).toFixed(1);
  return (
    `agent ${agent}: the provider failed ${f.failed} of ${f.investigations} investigations (${pct}%), which count as ` +
    "failed answers in every metric; `soceval findings --kind agent_error` lists them, and `soceval run … --resume --retry-failed` replays them"
  );
}
