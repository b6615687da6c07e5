import { PROPORTIONS } from "../analytics/catalogue.js";
import { MAJORITY } from "../analytics/compare.js";
import { PAIRED_PROPORTIONS } from "../analytics/paired-metrics.js";
import type { Store } from "../store/db.js";
import type { Side } from "./cases.js";

/**
 * The cases behind a margin's drop: where the metric counts for the baseline and not for the
 * candidate ("only baseline" of a rate where higher is better, "only candidate" of one where lower
 * is), over the cases `compare` pairs (defined on both sides, same analyst label), each case's
 * epochs taken by majority. A failed margin on escalation recall or missed context otherwise named
 * a Δ with no case behind it. Empty for a metric that is not a paired proportion (cost, time).
 */
export async function casesWorseOn(store: Store, base: Side, cand: Side, metric: string): Promise<string[]> {
  const paired = PAIRED_PROPORTIONS.find(([m]) => m === metric);
  const p = PROPORTIONS.find((x) => x.key === metric);
  if (!paired || !p) return [];
  const side = `SELECT case_id,
      any_value(coalesce(label_verdict, '-') || '/' || coalesce(label_escalate::VARCHAR, '-')) AS label,
      avg(CASE WHEN ${p.num} THEN 1.0 ELSE 0.0 END) FILTER (WHERE ${p.den}) AS v
    FROM case_results WHERE run_id = ? AND agent = ? GROUP BY case_id`;
  const [had, lacked] = paired[1] ? ["b.v", "c.v"] : ["c.v", "b.v"];
  const worse = `${MAJORITY(had)} AND NOT ${MAJORITY(lacked)}`;
  const rows = await store.query<{ case_id: string }>(
    `WITH c AS (${side}), b AS (${side})
     SELECT case_id FROM c JOIN b USING (case_id)
     WHERE c.label = b.label AND c.v IS NOT NULL AND b.v IS NOT NULL AND ${worse} ORDER BY case_id`,
    [cand.run_id, cand.agent, base.run_id, base.agent],
  );
  return rows.map((r) => r.case_id);
}
