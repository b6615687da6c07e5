import type { Store } from "../store/db.js";
import { BREAKDOWN_METRICS } from "./catalogue.js";
import { aggregateSelect, estimatesFrom, proportionCounts, summedCounts } from "./metric-sql.js";
import type { BreakdownRow, Estimate } from "./report-schema.js";

export type Dim = "workflow" | "alert_severity" | "epoch" | "trap_tag" | "evidence_source";
export type AggregateRow = Record<string, unknown> & { agent: string };
export type BreakdownAggregate = AggregateRow & { dim: Dim; key: string | null };

const SEVERITY_ORDER = "['informational', 'low', 'medium', 'high', 'critical']";
const ORDER = `ORDER BY agent, dim, coalesce(list_position(${SEVERITY_ORDER}, key), TRY_CAST(key AS INTEGER), 0), key`;
const COUNTS = proportionCounts(BREAKDOWN_METRICS).join(", ");
const SUMS = summedCounts(BREAKDOWN_METRICS).join(", ");

/** Every headline aggregate per agent, in one scan of case_results. */
export async function overallRows(store: Store, runId: string): Promise<AggregateRow[]> {
  return store.query<AggregateRow>(
    `SELECT agent, ${aggregateSelect()} FROM case_results WHERE run_id = ? GROUP BY agent ORDER BY agent`,
    [runId],
  );
}

/**
 * The breakdown aggregates: one scan of case_results into a small cube (agent × workflow ×
 * severity × epoch × trap-tag list), and one join with the cases' evidence-source lists; every
 * breakdown is then summed from those few rows, since its counts add up.
 */
export async function breakdownRows(store: Store, runId: string): Promise<BreakdownAggregate[]> {
  // a tag listed twice on a case is one tag: the case counts once in its row
  const cube = `SELECT agent, workflow, alert_severity, epoch, list_distinct(list_filter(tags, t -> starts_with(t, 'trap:'))) AS traps,
      count(*) AS rows__n, ${COUNTS}
    FROM case_results WHERE run_id = ? GROUP BY ALL`;
  const main = await store.query<BreakdownAggregate>(
    `WITH cube AS (${cube}),
     dims AS (
       SELECT agent,
         CASE WHEN grouping(workflow) = 0 THEN 'workflow' WHEN grouping(alert_severity) = 0 THEN 'alert_severity'
              ELSE 'epoch' END AS dim,
         CASE WHEN grouping(workflow) = 0 THEN workflow WHEN grouping(alert_severity) = 0 THEN alert_severity
              ELSE epoch::VARCHAR END AS key,
         ${SUMS}
       FROM cube GROUP BY GROUPING SETS ((agent, workflow), (agent, alert_severity), (agent, epoch))),
     by_trap AS (
       SELECT agent, 'trap_tag' AS dim, key, ${SUMS}
       FROM (SELECT *, unnest(traps) AS key FROM cube) GROUP BY agent, key)
     SELECT * FROM (SELECT * FROM dims UNION ALL SELECT * FROM by_trap) ${ORDER}`,
    [runId],
  );
  const sources = await store.query<BreakdownAggregate>(
    `WITH cube AS (
       SELECT r.agent, c.evidence_sources AS srcs, r.epoch, count(*) AS rows__n, ${COUNTS}
       FROM case_results r JOIN cases c ON c.run_id = r.run_id AND c.case_id = r.case_id
       WHERE r.run_id = ? GROUP BY ALL)
     SELECT agent, 'evidence_source' AS dim, key, ${SUMS}
     FROM (SELECT *, unnest(list_distinct(srcs)) AS key FROM cube) GROUP BY agent, key ${ORDER}`,
    [runId],
  );
  return [...main, ...sources];
}

/** With several epochs a breakdown counts cases as rows ÷ epochs (exact when every case ran every epoch). */
export function breakdownRow(row: BreakdownAggregate): BreakdownRow {
  const n = Number(row.rows__n);
  return {
    key: row.key ?? "(none)",
    cases: Math.round(n / Math.max(1, Number(row.epochs__n))),
    n,
    metrics: estimatesFrom(row, BREAKDOWN_METRICS),
  };
}

export function overallMetrics(row: AggregateRow): Record<string, Estimate> {
  return estimatesFrom(row);
}
