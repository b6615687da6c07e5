import { MEANS, QUANTILES } from "../analytics/catalogue.js";
import { round } from "../analytics/round.js";
import type { Store } from "../store/db.js";
import type { Side } from "./cases.js";

/** How a budget metric aggregates its column: a mean, or a quantile of it. */
function aggregate(metric: string): { expr: string; agg: (x: string) => string } | null {
  const mean = MEANS.find((m) => m.key === metric);
  if (mean) return { expr: mean.expr, agg: (x) => `avg(${x})` };
  for (const q of QUANTILES)
    for (const [suffix, p] of [
      ["p50", 0.5],
      ["p95", 0.95],
    ] as const)
      if (metric === `${q.key}_${suffix}_ms`) return { expr: q.expr, agg: (x) => `quantile_cont(${x}, ${p})` };
  return null;
}

/**
 * Both sides' value of a cost, token or time metric over the cases both were measured on. A case
 * an imported file has no transcript for has no cost, tokens or time: each side's own mean would
 * leave out only its own such cases, and compare a candidate's cheap cases with all the baseline's.
 * Null for a metric that is not a mean or quantile of a column (the caller takes the sides' values).
 */
export async function budgetValues(
  store: Store,
  base: Side,
  cand: Side,
  metric: string,
): Promise<{ baseline: number | null; candidate: number | null } | null> {
  const a = aggregate(metric);
  if (!a) return null;
  const measured = `SELECT case_id FROM case_results WHERE run_id = ? AND agent = ? AND (${a.expr}) IS NOT NULL`;
  const value = `(SELECT ${a.agg(`(${a.expr})`)} FROM case_results WHERE run_id = ? AND agent = ?
      AND (${a.expr}) IS NOT NULL AND case_id IN (SELECT case_id FROM common))::DOUBLE`;
  const [row] = await store.query<{ baseline: number | null; candidate: number | null }>(
    `WITH common AS (${measured} INTERSECT ${measured}) SELECT ${value} AS baseline, ${value} AS candidate`,
    [base.run_id, base.agent, cand.run_id, cand.agent, base.run_id, base.agent, cand.run_id, cand.agent],
  );
  const num = (v: unknown) => (v === null || v === undefined ? null : Number(v));
  // as the sides' metrics are: a parallel sum differs in its last bits between runs
  return round({ baseline: num(row?.baseline), candidate: num(row?.candidate) });
}
