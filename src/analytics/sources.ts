import type { Store } from "../store/db.js";
import type { SourceRow } from "./report-schema.js";
import { proportion } from "./stats/proportion.js";
import { groupByAgent } from "./violations.js";

export const EXACT_LIMIT = 500_000;

/**
 * Evidence-source coverage and tool failures per agent: what history holds for each source, what
 * the agent asked for, and how the calls went.
 */
export async function evidenceSources(store: Store, runId: string): Promise<Map<string, SourceRow[]>> {
  // An exact distinct count over millions of calls dominates the report's cost; above this size
  // the cases-querying column is a HyperLogLog estimate (deterministic, within ~2%). It counts
  // distinct cases, not case×epoch investigations, so it compares with cases_with_evidence.
  const calls = (await store.query<{ n: number }>("SELECT count(*) AS n FROM tool_calls WHERE run_id = ?", [runId]))[0]!
    .n;
  const queried = calls <= EXACT_LIMIT ? "count(DISTINCT case_id)" : "approx_count_distinct(case_id)";
  const rows = await store.query<Omit<SourceRow, "failure_rate"> & { agent: string; epochs: number }>(
    `WITH ev AS (SELECT source, count(*) AS n FROM (SELECT unnest(list_distinct(evidence_sources)) AS source FROM cases WHERE run_id = ?) GROUP BY source),
          un AS (SELECT source, count(*) AS n FROM (SELECT unnest(list_distinct(unavailable)) AS source FROM cases WHERE run_id = ?) GROUP BY source),
          calls AS (
            SELECT agent, coalesce(source, 'tool:' || tool) AS source, count(*) AS calls,
              count(*) FILTER (WHERE status = 'ok') AS ok,
              count(*) FILTER (WHERE status = 'error') AS errors,
              count(*) FILTER (WHERE status = 'timeout') AS timeouts,
              count(*) FILTER (WHERE status = 'unavailable') AS unavailable,
              count(*) FILTER (WHERE status = 'denied') AS denied,
              ${queried} AS cases_queried,
              coalesce(sum(len(evidence_ids)), 0) AS records_returned,
              count(DISTINCT epoch) AS epochs
            FROM tool_calls WHERE run_id = ? GROUP BY ALL),
          agents AS (SELECT DISTINCT agent FROM case_results WHERE run_id = ?),
          sources AS (SELECT source FROM ev UNION SELECT source FROM un UNION SELECT source FROM calls)
     SELECT a.agent, s.source, coalesce(ev.n, 0) AS cases_with_evidence, coalesce(un.n, 0) AS cases_unavailable,
       coalesce(c.cases_queried, 0) AS cases_queried, coalesce(c.calls, 0) AS calls, coalesce(c.ok, 0) AS ok,
       coalesce(c.errors, 0) AS errors, coalesce(c.timeouts, 0) AS timeouts, coalesce(c.unavailable, 0) AS unavailable,
       coalesce(c.denied, 0) AS denied, coalesce(c.records_returned, 0) AS records_returned, coalesce(c.epochs, 1) AS epochs
     FROM agents a CROSS JOIN sources s
     LEFT JOIN ev ON ev.source = s.source LEFT JOIN un ON un.source = s.source
     LEFT JOIN calls c ON c.agent = a.agent AND c.source = s.source
     ORDER BY a.agent, s.source`,
    [runId, runId, runId, runId],
  );
  return groupByAgent(rows, ({ agent: _, epochs, ...r }) => ({
    source: r.source,
    cases_with_evidence: r.cases_with_evidence,
    cases_unavailable: r.cases_unavailable,
    cases_queried: r.cases_queried,
    calls: r.calls,
    ok: r.ok,
    errors: r.errors,
    timeouts: r.timeouts,
    unavailable: r.unavailable,
    denied: r.denied,
    records_returned: r.records_returned,
    // as tool_error_rate: "unavailable" is the case's data (the source was down in history) and
    // "denied" is shadow mode or scope refusing the call; neither is the tool failing. Its interval
    // counts one epoch's calls, as tool_error_rate's does: repeated epochs ask the same cases again
    failure_rate: proportion(r.errors + r.timeouts, r.calls, r.calls / Math.max(1, Number(epochs))),
  }));
}
