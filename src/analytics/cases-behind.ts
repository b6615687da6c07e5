import { POLICY_KINDS } from "../schema/finding.js";
import { type OutputStatus, outputStatusOverEpochsSql, outputStatusSql } from "../schema/output-status.js";
import { type Store, sqlString } from "../store/db.js";
import { PROPORTIONS, QUANTILES } from "./catalogue.js";
import { reviewConditions } from "./external.js";
import { itemsSql } from "./items-behind.js";
import type { CasesBehind } from "./report-schema.js";

/** Each row's answer in the SQL a reader runs, as `cases --format jsonl` and `listed` give it. */
const STATUS = `${outputStatusSql("")} AS output_status`;

/** How many cases the report names per metric; `query` lists every one. */
export const CASES_LISTED = 50;

/**
 * The rates whose cases a reader must be able to name, and which rows count against each: for a
 * rate of failures (a miss, a violation) the rows it counts, for a rate of successes (agreement,
 * recall) the rows of its denominator it does not count, for a ratio of items (evidence items, tool
 * calls, audit items) the rows holding at least one item against it.
 */
const AGAINST: [key: string, counts: CasesBehind["counts"]][] = [
  ["verdict_agreement", "complement"],
  ["critical_miss_rate", "numerator"],
  ["escalation_precision", "complement"],
  ["escalation_recall", "complement"],
  ["hallucination_rate", "numerator"],
  ["missed_context_rate", "numerator"],
  ["context_recall", "items"],
  ["policy_violation_rate", "numerator"],
  ["high_severity_violation_rate", "numerator"],
  ["false_positive_reduction", "complement"],
  ["schema_invalid_rate", "numerator"],
  ["failed_rate", "numerator"],
  ["tool_error_rate", "items"],
  ["playbook_completion_rate", "complement"],
  ["audit_completeness", "items"],
  // neither a success nor a failure: the investigations it counts are the ones to read
  ["human_handoff_rate", "numerator"],
];

type Listed = { case_id: string; epochs: number; items?: number | null; output_status: OutputStatus }[] | null;

/**
 * A p95 of the report (time to triage, to first required evidence) and the case_results column it
 * is over: the investigations at or above it are the ones that set it, and a criterion on it
 * ("95% finish within 5 minutes") fails on them.
 */
export const P95_BEHIND = new Map<string, string>(QUANTILES.map((q) => [`${q.key}_p95_ms`, q.expr]));

/**
 * The investigations behind a p95 over `column`: each agent's rows at or above its own p95
 * (`quantiles`, computed over the same rows), over the rows with a value.
 */
export function p95Condition(column: string, quantiles: Map<string, number>): ReturnType<typeof rateCondition> {
  const when = [...quantiles].map(([agent, q]) => `WHEN ${sqlString(agent)} THEN ${q}`).join(" ");
  const against = quantiles.size === 0 ? "false" : `coalesce(${column} >= (CASE agent ${when} END), false)`;
  return { against, den: `${column} IS NOT NULL`, items: null };
}

/** The assisted-mode rate read from analyst_reviews, a table the user loads (external.ts), not from case_results. */
export const ACCEPTANCE = "analyst_acceptance_rate";

/**
 * Every rate whose cases can be listed: the headline rates, analyst acceptance (the recommendations
 * analysts rejected), then `violation_rate.<kind>` per policy kind.
 */
export const RATES_BEHIND: string[] = [
  ...AGAINST.map(([key]) => key),
  ACCEPTANCE,
  ...POLICY_KINDS.map((k) => `violation_rate.${k}`),
];

/**
 * For `metric`, the condition over a case_results row (columns unqualified) that makes it count
 * against the rate, and the rate's denominator. A violation kind counts an investigation with at
 * least one finding of that kind, over every investigation, as `violation_rate.<kind>` does. An item
 * ratio's denominator is its items, not rows: `items` gives a row's items against it and in all.
 */
export function rateCondition(metric: string): {
  against: string;
  den: string;
  items: ReturnType<typeof itemsSql> | null;
} {
  if (metric === ACCEPTANCE) return { ...reviewConditions(), items: null };
  const kind = metric.startsWith("violation_rate.") ? metric.slice("violation_rate.".length) : null;
  if (kind !== null) {
    if (!(POLICY_KINDS as readonly string[]).includes(kind)) throw new Error(`cases behind: unknown kind ${kind}`);
    return {
      against: `EXISTS (SELECT 1 FROM findings f WHERE f.run_id = case_results.run_id AND f.agent = case_results.agent
        AND f.case_id = case_results.case_id AND f.epoch = case_results.epoch AND f.kind = ${sqlString(kind)})`,
      den: "true",
      items: null,
    };
  }
  const entry = AGAINST.find(([key]) => key === metric);
  if (!entry) throw new Error(`cases behind: ${metric} is not a listed rate`);
  if (entry[1] === "items") {
    const items = itemsSql(metric);
    return { against: items.against, den: `${items.total} > 0`, items };
  }
  const p = PROPORTIONS.find((m) => m.key === metric)!;
  return { against: againstSql(metric, entry[1]), den: p.den, items: null };
}

/** The condition a case_results row meets when it counts against the metric: the metric's own SQL. */
function againstSql(key: string, counts: CasesBehind["counts"]): string {
  if (counts === "items") return itemsSql(key).against;
  const p = PROPORTIONS.find((m) => m.key === key);
  if (!p) throw new Error(`cases behind: ${key} is not a proportion`);
  // IS NOT TRUE: a NULL is not counted by the rate's count_if, so it counts against it here
  const against = counts === "numerator" ? `(${p.num})` : `(${p.num}) IS NOT TRUE`;
  return p.den === "true" ? against : `(${p.den}) AND ${against}`;
}

const scope = (runId: string, agent: string) => `run_id = ${sqlString(runId)} AND agent = ${sqlString(agent)}`;

/**
 * Per agent, for each headline rate and each policy-violation kind found: how many case×epoch rows
 * count against it, in how many cases, the first CASES_LISTED cases by id, and the query that lists
 * them all; for an item ratio also the items those rows hold against it. Made from the same SQL
 * conditions as the rates, so the counts equal the report's. Two scans: case_results and findings.
 */
export async function casesBehind(
  store: Store,
  runId: string,
  multiEpoch: boolean,
  limit = CASES_LISTED,
): Promise<Map<string, CasesBehind[]>> {
  const rates = await store.query<Record<string, unknown> & { agent: string }>(
    multiEpoch ? perCaseSql(limit) : perRowSql(limit),
    [runId],
  );
  const kinds = `[${POLICY_KINDS.map(sqlString).join(", ")}]`;
  const violations = await store.query<{ agent: string; kind: string; rows: number; cases: number; listed: Listed }>(
    `WITH per_case AS (
       SELECT f.agent, f.kind, f.case_id, count(DISTINCT f.epoch) AS epochs,
         ${outputStatusOverEpochsSql(undefined, "r")} AS output_status
       FROM findings f LEFT JOIN case_results r USING (run_id, case_id, agent, epoch)
       WHERE f.run_id = ? AND list_contains(${kinds}, f.kind) GROUP BY ALL)
     SELECT agent, kind, sum(epochs)::BIGINT AS rows, count(*) AS cases,
       min({'case_id': case_id, 'epochs': epochs, 'output_status': output_status}, ${limit}) AS listed
     FROM per_case GROUP BY agent, kind ORDER BY agent, rows DESC, kind`,
    [runId],
  );
  const out = new Map<string, CasesBehind[]>();
  for (const r of rates) {
    out.set(
      r.agent,
      AGAINST.map(([key, counts], i): CasesBehind => {
        const rows = Number(r[`m${i}_rows`] ?? 0);
        // one epoch: each row is its own case
        const cases = Number(r[multiEpoch ? `m${i}_cases` : `m${i}_rows`] ?? 0);
        const where = `WHERE ${scope(runId, r.agent)} AND ${againstSql(key, counts)} ORDER BY case_id, epoch`;
        if (counts !== "items")
          return {
            metric: key,
            counts,
            rows,
            cases,
            listed: listed(r[`m${i}_listed`] as Listed),
            query: `SELECT case_id, epoch, ${STATUS} FROM case_results ${where}`,
          };
        const items = itemsSql(key);
        return {
          metric: key,
          counts,
          rows,
          cases,
          items: Number(r[`m${i}_items`] ?? 0),
          item_counts: items.side,
          listed: listed(r[`m${i}_listed`] as Listed),
          // audit completeness's rows also say which items they lack
          query: `SELECT case_id, epoch, ${STATUS}, ${items.items} AS items${key === "audit_completeness" ? ", audit_missing" : ""} FROM case_results ${where}`,
        };
      }),
    );
  }
  for (const v of violations) {
    const list = out.get(v.agent) ?? [];
    list.push({
      metric: `violation_rate.${v.kind}`,
      counts: "numerator",
      rows: Number(v.rows),
      cases: Number(v.cases),
      listed: listed(v.listed),
      query: `SELECT DISTINCT case_id, epoch FROM findings WHERE ${scope(runId, v.agent)} AND kind = ${sqlString(v.kind)} ORDER BY case_id, epoch`,
    });
    out.set(v.agent, list);
  }
  return out;
}

/** A ratio's items against it summed over the rows that count, else nothing (SQL, with a leading comma). */
function itemsSum(key: string, counts: CasesBehind["counts"], as: string): string {
  if (counts !== "items") return "";
  const { items, against } = itemsSql(key);
  return `, (sum(${items}) FILTER (WHERE ${against}))::BIGINT AS ${as}`;
}

/** Several epochs: rows grouped by case first, so a case is listed once with the epochs that count. */
function perCaseSql(limit: number): string {
  // a case's output status over the epochs that count, as `cases` gives each row's
  const perCase = AGAINST.map(([key, counts], i) => {
    const c = againstSql(key, counts);
    return `count_if(${c}) AS m${i}${itemsSum(key, counts, `i${i}`)}, ${outputStatusOverEpochsSql(c)} AS s${i}`;
  }).join(", ");
  const summed = AGAINST.map(([, counts], i) => {
    const items = counts === "items";
    return `sum(m${i})::BIGINT AS m${i}_rows, count_if(m${i} > 0) AS m${i}_cases,
      ${items ? `sum(i${i})::BIGINT AS m${i}_items,` : ""}
      min({'case_id': case_id, 'epochs': m${i}${items ? `, 'items': i${i}` : ""}, 'output_status': s${i}}, ${limit}) FILTER (WHERE m${i} > 0) AS m${i}_listed`;
  }).join(",\n      ");
  return `WITH per_case AS (SELECT agent, case_id, ${perCase} FROM case_results WHERE run_id = ? GROUP BY agent, case_id)
     SELECT agent, ${summed} FROM per_case GROUP BY agent ORDER BY agent`;
}

/**
 * One epoch: a row is a case, so the rows are counted and listed as they are, without grouping a
 * million-row run by case (~4× faster: bench/README.md).
 */
function perRowSql(limit: number): string {
  const cols = AGAINST.map(([key, counts], i) => {
    const c = againstSql(key, counts);
    const items = counts === "items" ? `, 'items': (${itemsSql(key).items})::BIGINT` : "";
    return `count_if(${c}) AS m${i}_rows${itemsSum(key, counts, `m${i}_items`)},
      min({'case_id': case_id, 'epochs': 1${items}, 'output_status': ${outputStatusSql("")}}, ${limit}) FILTER (WHERE ${c}) AS m${i}_listed`;
  }).join(",\n      ");
  return `SELECT agent, ${cols} FROM case_results WHERE run_id = ? GROUP BY agent ORDER BY agent`;
}

function listed(l: Listed): CasesBehind["listed"] {
  return (l ?? []).map((c) =>
    // only an item ratio's struct has items
    c.items === undefined || c.items === null
      ? { case_id: c.case_id, epochs: Number(c.epochs), output_status: c.output_status }
      : { case_id: c.case_id, epochs: Number(c.epochs), items: Number(c.items), output_status: c.output_status },
  );
}
