import type { Store } from "../store/db.js";
import type { Estimate } from "./report-schema.js";
import { columnsOf, tableExists } from "./run.js";
import { point, proportion } from "./stats/proportion.js";

const NOT_MEASURED = (n = 0): Estimate => ({ value: null, lower: null, upper: null, n, method: "point" });

/**
 * Readiness-phase metrics from `readiness_results` (written by `soceval readiness score`), newest row
 * for the run's workflow. A missing table or column means "not measured", never an error: the
 * readiness assessment is optional and may run after the replay.
 */
export async function readinessMetrics(store: Store, workflow: string | null): Promise<Record<string, Estimate>> {
  const empty = { readiness_score: NOT_MEASURED(), readiness_blockers: NOT_MEASURED() };
  if (!workflow || !(await tableExists(store, "readiness_results"))) return empty;
  const cols = await columnsOf(store, "readiness_results");
  const wfCol = ["workflow", "candidate", "workflow_id"].find((c) => cols.has(c));
  const scoreCol = ["overall", "overall_score", "score"].find((c) => cols.has(c));
  if (!wfCol || !scoreCol) return empty;
  const blockersType = cols.get("blockers");
  const blockers = !blockersType ? "NULL" : blockersType.endsWith("[]") ? "len(blockers)" : "blockers";
  const newest = ["scored_at", "created_at", "time"].find((c) => cols.has(c));
  const rows = await store.query<{ score: number | null; blockers: number | null }>(
    `SELECT ${scoreCol}::DOUBLE AS score, (${blockers})::DOUBLE AS blockers FROM readiness_results
     WHERE ${wfCol} = ? ${newest ? `ORDER BY ${newest} DESC` : ""} LIMIT 1`,
    [workflow],
  );
  const r = rows[0];
  if (!r) return empty;
  return {
    readiness_score: point(r.score, 1),
    readiness_blockers: r.blockers === null ? NOT_MEASURED(1) : point(r.blockers, 1),
  };
}

/**
 * Assisted-phase metric from `analyst_reviews` (run_id, case_id, agent, accepted BOOLEAN): analysts'
 * verdicts on the agent's recommendations. Shadow mode collects none, so usually not measured.
 */
export async function reviewMetrics(store: Store, runId: string): Promise<Map<string, Record<string, Estimate>>> {
  const out = new Map<string, Record<string, Estimate>>();
  if (!(await tableExists(store, "analyst_reviews"))) return out;
  const cols = await columnsOf(store, "analyst_reviews");
  if (!["run_id", "agent", "accepted"].every((c) => cols.has(c))) return out;
  const rows = await store.query<{ agent: string; x: number; n: number }>(
    `SELECT agent, count(*) FILTER (WHERE accepted) AS x, count(accepted) AS n FROM analyst_reviews
     WHERE run_id = ? GROUP BY agent ORDER BY agent`,
    [runId],
  );
  for (const r of rows) out.set(r.agent, { analyst_acceptance_rate: proportion(r.x, r.n) });
  return out;
}

export function notMeasured(): Estimate {
  return NOT_MEASURED();
}
