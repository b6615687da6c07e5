import type { Store } from "../store/db.js";
import type { Estimate, ReportReadiness } from "./report-schema.js";
import { columnsOf, tableExists } from "./run.js";
import { point, proportion } from "./stats/proportion.js";

const NOT_MEASURED = (n = 0): Estimate => ({ value: null, lower: null, upper: null, n, method: "point" });

/**
 * Readiness-phase metrics from `readiness_results` (written by `soceval readiness score`), newest row
 * for the run's workflow. A missing table or column means "not measured", never an error: the
 * readiness assessment is optional and may run after the replay.
 */
export async function readinessMetrics(store: Store, workflow: string | null): Promise<Record<string, Estimate>> {
  const r = (await newestReadiness(store, workflow))?.row;
  if (!r) return { readiness_score: NOT_MEASURED(), readiness_blockers: NOT_MEASURED() };
  return {
    readiness_score: point(r.score, 1),
    readiness_blockers: r.blockers === null ? NOT_MEASURED(1) : point(r.blockers, 1),
  };
}

/**
 * What the readiness phase was judged on, for the report to say: the gates that block the workflow,
 * or, with no score for it, the workflow ids the store does hold scores for.
 */
export async function readinessFound(store: Store, workflow: string | null): Promise<ReportReadiness> {
  const found = await newestReadiness(store, workflow);
  const r = found?.row;
  const ids = r?.gates ?? [];
  return {
    workflow,
    candidate: r?.candidate ?? null,
    scored_at: r?.scored_at ?? null,
    blockers: ids.map((gate, i) => ({ gate, title: r?.titles?.[i] ?? null })),
    stored_workflows: found?.workflows ?? [],
  };
}

type ReadinessRow = {
  score: number | null;
  blockers: number | null;
  gates: string[] | null;
  titles: string[] | null;
  candidate: string | null;
  scored_at: string | null;
};

async function newestReadiness(
  store: Store,
  workflow: string | null,
): Promise<{ row: ReadinessRow | undefined; workflows: string[] } | null> {
  if (!(await tableExists(store, "readiness_results"))) return null;
  const cols = await columnsOf(store, "readiness_results");
  const wfCol = ["workflow", "candidate", "workflow_id"].find((c) => cols.has(c));
  const scoreCol = ["overall", "overall_score", "score"].find((c) => cols.has(c));
  if (!wfCol || !scoreCol) return null;
  const workflows = (
    await store.query<{ w: string }>(
      `SELECT DISTINCT ${wfCol}::VARCHAR AS w FROM readiness_results WHERE ${wfCol} IS NOT NULL ORDER BY w`,
    )
  ).map((r) => r.w);
  if (!workflow) return { row: undefined, workflows };
  const blockersType = cols.get("blockers");
  const list = blockersType?.endsWith("[]") ?? false;
  const blockers = !blockersType ? "NULL" : list ? "len(blockers)" : "blockers";
  const titles = list && cols.get("blocker_titles")?.endsWith("[]") ? "blocker_titles" : "NULL";
  const candidate = wfCol !== "candidate" && cols.has("candidate") ? "candidate::VARCHAR" : "NULL";
  const newest = ["scored_at", "created_at", "time"].find((c) => cols.has(c));
  const rows = await store.query<ReadinessRow>(
    `SELECT ${scoreCol}::DOUBLE AS score, (${blockers})::DOUBLE AS blockers, ${list ? "blockers" : "NULL"} AS gates,
     ${titles} AS titles, ${candidate} AS candidate,
     ${newest ? `strftime(${newest}::TIMESTAMP, '%Y-%m-%dT%H:%M:%SZ')` : "NULL"} AS scored_at FROM readiness_results
     WHERE ${wfCol} = ? ${newest ? `ORDER BY ${newest} DESC` : ""} LIMIT 1`,
    [workflow],
  );
  return { row: rows[0], workflows };
}

/** The columns `analyst_reviews` is read by: a table without them measures nothing. */
export const REVIEW_COLUMNS = ["run_id", "case_id", "agent", "accepted"];

/**
 * Over a case_results row (columns qualified `case_results.`), the conditions behind analyst
 * acceptance as reviewMetrics counts it: a reviewed case counts once (its first stored epoch stands
 * for it), and against the rate when any of its reviews rejected the recommendation.
 */
export function reviewConditions(): { den: string; against: string } {
  const review = (accepted: string) =>
    `EXISTS (SELECT 1 FROM analyst_reviews a WHERE a.run_id::VARCHAR = case_results.run_id
       AND a.agent::VARCHAR = case_results.agent AND a.case_id::VARCHAR = case_results.case_id AND ${accepted})`;
  const first = `case_results.epoch = (SELECT min(x.epoch) FROM case_results x WHERE x.run_id = case_results.run_id
       AND x.agent = case_results.agent AND x.case_id = case_results.case_id)`;
  const den = `(${first} AND ${review("a.accepted IS NOT NULL")})`;
  return { den, against: `(${den} AND ${review("NOT a.accepted")})` };
}

/**
 * Assisted-phase metric from `analyst_reviews` (run_id, case_id, agent, accepted BOOLEAN): analysts'
 * verdicts on the agent's recommendations. Shadow mode collects none, so usually not measured. A
 * table a user loaded under other column names is named in `problem`: the report would otherwise
 * tell them to load the reviews they just loaded.
 */
export async function reviewMetrics(
  store: Store,
  runId: string,
): Promise<{ metrics: Map<string, Record<string, Estimate>>; problem: string | null }> {
  const metrics = new Map<string, Record<string, Estimate>>();
  if (!(await tableExists(store, "analyst_reviews"))) return { metrics, problem: null };
  const cols = await columnsOf(store, "analyst_reviews");
  const missing = REVIEW_COLUMNS.filter((c) => !cols.has(c));
  if (missing.length > 0)
    return {
      metrics,
      problem: `the store's analyst_reviews table has no column ${missing.join(", ")} (it has ${[...cols.keys()].join(", ") || "none"}), so analyst acceptance is not measured: its columns must be run_id, case_id, agent, accepted (BOOLEAN)`,
    };
  // one recommendation, one unit: a case two analysts reviewed counts once, accepted only if every
  // review accepted it; a review of a case or agent the run does not hold measures nothing of it
  const rows = await store.query<{ agent: string; x: number; n: number; strays: number; stray: string | null }>(
    `WITH r AS (
       SELECT agent::VARCHAR AS agent, case_id::VARCHAR AS case_id, bool_and(accepted) AS accepted
       FROM analyst_reviews WHERE run_id = ? AND accepted IS NOT NULL GROUP BY ALL),
     held AS (SELECT r.*, EXISTS (SELECT 1 FROM case_results c
                WHERE c.run_id = ? AND c.agent = r.agent AND c.case_id = r.case_id) AS held FROM r)
     SELECT agent, count(*) FILTER (WHERE held AND accepted)::INTEGER AS x, count(*) FILTER (WHERE held)::INTEGER AS n,
            count(*) FILTER (WHERE NOT held)::INTEGER AS strays,
            min(CASE WHEN NOT held THEN 'case ' || case_id END) AS stray
     FROM held GROUP BY agent ORDER BY agent`,
    [runId, runId],
  );
  for (const r of rows) if (r.n > 0) metrics.set(r.agent, { analyst_acceptance_rate: proportion(r.x, r.n) });
  const strays = rows.filter((r) => r.strays > 0);
  const problem =
    strays.length === 0
      ? null
      : `${reviewsName(strays.reduce((t, r) => t + r.strays, 0))} a case its agent did not investigate (${strays.map((r) => `agent ${r.agent}: ${r.stray}`).join("; ")}), so they are not counted in analyst acceptance`;
  return { metrics, problem };
}

const reviewsName = (n: number) => `${n} of this run's analyst reviews ${n === 1 ? "names" : "name"}`;

export function notMeasured(): Estimate {
  return NOT_MEASURED();
}
