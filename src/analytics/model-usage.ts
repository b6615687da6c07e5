import { CONTEXT_FULL_STOP } from "../schema/index.js";
import { type Store, sqlString } from "../store/db.js";
import type { ModelUsage } from "./report-schema.js";
import { groupByAgent } from "./violations.js";

/**
 * Per agent, what its model calls cost and how they went, from `model_calls` and the price the
 * agent ran with (`run_agents.config`): so a cost figure in the report can be traced to calls,
 * attempts and a price. Agents without model calls (the playbook) have none; an agent with only
 * replaced calls (every investigation cut short by a Ctrl-C) has them counted as replaced.
 */
export async function modelUsage(store: Store, runId: string): Promise<Map<string, ModelUsage>> {
  const rows = await store.query<
    { agent: string } & Omit<ModelUsage, "price" | "limit_stops_by"> & {
        price: string | null;
        limit_stops_by: string | null;
      }
  >(
    `WITH m AS (
       SELECT agent, count(*) AS calls, count(*) FILTER (WHERE error IS NOT NULL) AS failed,
         coalesce(sum(attempts), 0) AS attempts, count(*) FILTER (WHERE attempts > 1) AS retried,
         coalesce(sum(tokens_in), 0) AS tokens_in, coalesce(sum(tokens_cached_in), 0) AS tokens_cached_in,
         coalesce(sum(tokens_cache_write), 0) AS tokens_cache_write, coalesce(sum(tokens_out), 0) AS tokens_out,
         coalesce(sum(cost_usd), 0) AS cost_usd, count(*) FILTER (WHERE usage_reported = false) AS unreported
       FROM model_calls WHERE run_id = ? GROUP BY agent),
     r AS (
       SELECT agent, count(*) AS replaced_calls, coalesce(sum(cost_usd), 0) AS replaced_cost_usd
       FROM replaced_model_calls WHERE run_id = ? GROUP BY agent),
     l AS (
       -- each stop's error names its limit ("limit: 2200 tokens > max_tokens 1500"); an answer cut
       -- off at the token limit names params.max_tokens, the cap on one answer, not the investigation's;
       -- a conversation the model's context refused quotes the server, whose words may name anything
       -- (vLLM's "'max_tokens' … is too large"), so it is keyed by its own opening
       SELECT agent, sum(n)::BIGINT AS limit_stops,
         to_json(map_from_entries(list({k: k, v: n}) FILTER (WHERE k IS NOT NULL))) AS limit_stops_by
       FROM (SELECT agent, CASE WHEN starts_with(error, ${sqlString(CONTEXT_FULL_STOP)}) THEN 'context_window'
               ELSE nullif(regexp_extract(error, 'params[.]max_tokens|max_[a-z_]+'), '') END AS k, count(*) AS n
             FROM transcripts WHERE run_id = ? AND error LIKE 'limit:%' GROUP BY ALL)
       GROUP BY agent)
     SELECT agent, coalesce(m.calls, 0) AS calls, coalesce(m.failed, 0) AS failed, coalesce(m.attempts, 0) AS attempts,
       coalesce(m.retried, 0) AS retried, coalesce(m.tokens_in, 0) AS tokens_in,
       coalesce(m.tokens_cached_in, 0) AS tokens_cached_in, coalesce(m.tokens_cache_write, 0) AS tokens_cache_write,
       coalesce(m.tokens_out, 0) AS tokens_out, coalesce(m.cost_usd, 0) AS cost_usd, coalesce(m.unreported, 0) AS unreported,
       coalesce(l.limit_stops, 0) AS limit_stops, l.limit_stops_by, coalesce(r.replaced_calls, 0) AS replaced_calls,
       coalesce(r.replaced_cost_usd, 0) AS replaced_cost_usd, (a.config->'price')::VARCHAR AS price
     -- an agent whose every investigation a Ctrl-C cut short has replaced calls and no model_calls:
     -- what it spent must still reach the report
     FROM (SELECT agent FROM m UNION SELECT agent FROM r) LEFT JOIN m USING (agent) LEFT JOIN l USING (agent)
     LEFT JOIN r USING (agent) LEFT JOIN (SELECT agent, config FROM run_agents WHERE run_id = ?) a USING (agent)
     ORDER BY agent`,
    [runId, runId, runId, runId],
  );
  const byAgent = groupByAgent(rows, ({ agent: _, price, limit_stops_by, ...r }) => ({
    ...r,
    limit_stops_by: limit_stops_by ? (JSON.parse(limit_stops_by) as Record<string, number>) : {},
    price: price && price !== "null" ? (JSON.parse(price) as Record<string, number>) : null,
  }));
  return new Map([...byAgent].map(([agent, [usage]]) => [agent, usage!]));
}
