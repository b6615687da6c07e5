import { MISSING_TRANSCRIPT } from "../scoring/import.js";
import { type Store, storeFlag } from "../store/db.js";

/**
 * `failed`: investigations with no answer that are not the agent's own doing, as the gate counts
 * them; `missing`: of those, the investigations of an imported run with no transcript at all (the
 * report's `incomplete` warning counts their cases), so the rest (`failed − missing`) are
 * transcripts that record an error.
 */
export type ProviderFailures = { failed: number; investigations: number; missing: number };

/** Where the failed investigations came from, which decides how to replace them. */
export type FailureSource = {
  run_id: string;
  kind: string | null;
  suite_path: string | null;
  resume_flags?: string;
  /** the store the run is in, so the printed commands reach it */
  db?: string;
};

/**
 * Investigations per agent where the provider, not the agent, failed (a transcript error soceval
 * wrote as `provider:` or `internal:`): they count as failed answers in every metric, so past a
 * share of them the numbers measure an outage, not the agent. An imported transcript's error is
 * whatever the other platform recorded: soceval cannot tell an outage from the agent's own limit
 * there, so every one that left the investigation without an output counts (one with an output
 * beside it is judged like any other answer: no failed answer), and so does a case the imported
 * file has no transcript for.
 */
export async function providerFailures(store: Store, runId: string): Promise<Map<string, ProviderFailures>> {
  const rows = await store.query<{ agent: string; failed: number; investigations: number; missing: number }>(
    `SELECT agent,
            count(*) FILTER (WHERE error LIKE 'provider:%' OR error LIKE 'internal:%'
              OR (error IS NOT NULL AND coalesce(output::VARCHAR, 'null') = 'null'
                  AND (SELECT kind FROM runs r WHERE r.run_id = t.run_id) = 'imported'))::INTEGER AS failed,
            count(*)::INTEGER AS investigations,
            count(*) FILTER (WHERE error = ?
              AND (SELECT kind FROM runs r WHERE r.run_id = t.run_id) = 'imported')::INTEGER AS missing
     FROM transcripts t WHERE run_id = ? GROUP BY agent`,
    [MISSING_TRANSCRIPT, runId],
  );
  return new Map(
    rows.map((r) => [r.agent, { failed: r.failed, investigations: r.investigations, missing: r.missing }]),
  );
}

/** An import's investigations without an answer, by why: "2 imported transcripts record an error, 3 have no transcript". */
export function importGaps(f: ProviderFailures): string {
  const errors = f.failed - f.missing;
  return [
    ...(errors > 0 ? [`${errors} imported transcripts record an error`] : []),
    ...(f.missing > 0 ? [`${f.missing} have no transcript`] : []),
  ].join(", ");
}

const pct = (n: number, of: number) => `${((100 * n) / Math.max(1, of)).toFixed(1)}%`;

/**
 * The line a report (and a comparison) leads with when an agent's provider failed some of its
 * investigations. Plain text, no Markdown: it is printed as is on the terminal and in the HTML
 * banner. An imported run's fix is on the platform its transcripts came from; a replay's is a
 * resume that replays only the failed investigations. Transcripts missing from an imported file
 * have a warning of their own: here they are named apart, never counted as errors.
 */
export function providerFailureWarning(agent: string, f: ProviderFailures, from: FailureSource): string | null {
  const db = storeFlag(from.db);
  const list = `soceval findings --run ${from.run_id} --kind agent_error${db ? ` ${db}` : ""} lists them`;
  if (from.kind === "imported") {
    const errors = f.failed - f.missing;
    if (errors <= 0) return null; // only missing transcripts: the run's own warning says so
    const all =
      f.missing > 0
        ? `; with the ${f.missing} investigation${f.missing === 1 ? "" : "s"} that have no transcript at all, ` +
          `${f.failed} of ${f.investigations} (${pct(f.failed, f.investigations)}) do`
        : "";
    return (
      `agent ${agent}: ${errors} of ${f.investigations} imported transcripts (${pct(errors, f.investigations)}) record an ` +
      "error instead of an answer (soceval cannot tell a provider outage from the agent's own failure in another " +
      `platform's transcript), which count as failed answers in every metric${all}; ${list}. To replace them, ` +
      "investigate those cases again on the platform the transcripts came from, then score the whole export again " +
      "with soceval score (it makes a new run)"
    );
  }
  if (f.failed === 0) return null;
  const resume = `soceval run ${from.suite_path ?? "<suite>"}${from.resume_flags ? ` ${from.resume_flags}` : ""} --resume ${from.run_id} --retry-failed`;
  return (
    `agent ${agent}: the provider failed ${f.failed} of ${f.investigations} investigations ` +
    `(${pct(f.failed, f.investigations)}), which count as failed answers in every metric; ${list}, ` +
    `and ${resume} replays them`
  );
}
