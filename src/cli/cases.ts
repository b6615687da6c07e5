import type { Command } from "commander";
import { ACCEPTANCE, P95_BEHIND, p95Condition, RATES_BEHIND, rateCondition } from "../analytics/cases-behind.js";
import { REVIEW_COLUMNS } from "../analytics/external.js";
import { columnsOf, tableExists } from "../analytics/run.js";
import { InputError } from "../io/errors.js";
import { writeJsonLines } from "../io/write-lines.js";
import { outputStatusSql } from "../schema/output-status.js";
import { DEFAULT_DB, Store } from "../store/db.js";
import { resolveRunId } from "../store/run-ref.js";
import { extraColumns } from "./cases-columns.js";
import { type AgentCount, type CaseRow, casesText, TABLE_ROWS } from "./cases-text.js";
import { optionalCount } from "./count-flag.js";
import { action, EXIT } from "./exit.js";

type Flags = {
  run: string;
  rate: string;
  agent?: string;
  severity?: string;
  tag?: string;
  source?: string;
  workflow?: string;
  epoch?: string;
  format: string;
  db: string;
};

/** The breakdown filters: the condition over case_results, and the values a run has stored. */
const FILTERS: { flag: "severity" | "tag" | "workflow" | "epoch" | "source"; where: string; values: string }[] = [
  {
    flag: "severity",
    where: "alert_severity = ?",
    values: "SELECT DISTINCT alert_severity AS v FROM case_results WHERE run_id = ? ORDER BY v",
  },
  {
    flag: "tag",
    where: "list_contains(tags, ?)",
    values: "SELECT DISTINCT unnest(tags) AS v FROM case_results WHERE run_id = ? ORDER BY v",
  },
  {
    flag: "workflow",
    where: "workflow = ?",
    values: "SELECT DISTINCT workflow AS v FROM case_results WHERE run_id = ? ORDER BY v",
  },
  {
    flag: "epoch",
    where: "epoch = ?",
    values: "SELECT DISTINCT epoch AS v FROM case_results WHERE run_id = ? ORDER BY v",
  },
  {
    flag: "source",
    where: `EXISTS (SELECT 1 FROM cases s WHERE s.run_id = case_results.run_id
      AND s.case_id = case_results.case_id AND list_contains(s.evidence_sources, ?))`,
    values: "SELECT DISTINCT unnest(evidence_sources) AS v FROM cases WHERE run_id = ? ORDER BY v",
  },
];

export function register(program: Command): void {
  program
    .command("cases")
    .description(
      "list the investigations that count against a rate (a critical miss, a disagreement, a violation kind, each violation named), or hold items against a ratio of items (a required item not gathered, a failed tool call, an audit item missing, each named): the rows behind a report's number",
    )
    .requiredOption("--run <id>", "run id or `latest`")
    .requiredOption(
      "--rate <metric>",
      `the rate (${RATES_BEHIND.join(", ")}); a policy kind alone names its violation_rate; or a p95 (${[...P95_BEHIND.keys()].join(", ")}): the investigations at or above it`,
    )
    .option("--agent <name>", "only this agent")
    .option("--severity <s>", "only alerts of this severity (a breakdown row)")
    .option("--tag <tag>", "only cases with this tag, e.g. trap:prompt_injection")
    .option("--source <source>", "only cases whose evidence holds this source, e.g. sandbox.detonation")
    .option("--workflow <id>", "only this workflow's cases")
    .option("--epoch <n>", "only this epoch")
    .option("--format <f>", "table or jsonl", "table")
    .option("--db <path>", "DuckDB store", DEFAULT_DB)
    .action(
      action(async (flags: Flags) => {
        // a policy kind on its own names its violation rate
        if (!RATES_BEHIND.includes(flags.rate) && RATES_BEHIND.includes(`violation_rate.${flags.rate}`))
          flags.rate = `violation_rate.${flags.rate}`;
        const p95 = P95_BEHIND.get(flags.rate);
        if (!RATES_BEHIND.includes(flags.rate) && p95 === undefined)
          throw new InputError(
            `--rate: unknown rate "${flags.rate}" (known: ${[...RATES_BEHIND, ...P95_BEHIND.keys()].join(", ")})`,
          );
        if (!["table", "jsonl"].includes(flags.format))
          throw new InputError(`--format: expected table or jsonl, got "${flags.format}"`);
        const epoch = optionalCount("--epoch", flags.epoch, { min: 0 });
        // a p95's condition needs the p95 itself, computed below over the rows it selects
        let { against, den, items } = p95 === undefined ? rateCondition(flags.rate) : p95Condition(p95, new Map());
        const store = await Store.open(flags.db, { readOnly: true });
        let rows: CaseRow[];
        let counts: AgentCount[];
        let quantiles: Map<string, number> | undefined;
        try {
          const runId = await resolveRunId(store, flags.run);
          if (flags.rate === ACCEPTANCE) await refuseWithoutReviews(store);
          const where = ["run_id = ?"];
          const params: unknown[] = [runId];
          if (flags.agent !== undefined) {
            const [known] = await store.query("SELECT 1 FROM run_agents WHERE run_id = ? AND agent = ?", [
              runId,
              flags.agent,
            ]);
            if (!known) throw new InputError(`--agent: run ${runId} has no agent ${flags.agent}`);
            where.push("agent = ?");
            params.push(flags.agent);
          }
          // a breakdown row of the report: the same slice of the same rows
          // each value is checked against the run (and agent) alone: its combination may rightly select nothing
          const scope = [...where];
          const scoped = [...params];
          for (const f of FILTERS) {
            const value = flags[f.flag];
            if (value === undefined) continue;
            const v = f.flag === "epoch" ? epoch : value;
            // a value no investigation has is a typo ("High" for "high"), not "none count against it"
            const [hit] = await store.query(
              `SELECT 1 FROM case_results WHERE ${scope.join(" AND ")} AND ${f.where} LIMIT 1`,
              [...scoped, v],
            );
            if (!hit) {
              const stored = await store.query<{ v: string }>(`${f.values} LIMIT 30`, [runId]);
              throw new InputError(
                `--${f.flag}: no investigation of run ${runId}${flags.agent ? ` (agent ${flags.agent})` : ""} has ${JSON.stringify(value)} (stored: ${stored.map((r) => String(r.v)).join(", ") || "none"})`,
              );
            }
            where.push(f.where);
            params.push(v);
          }
          // a p95 is the slice's own, per agent, as the report computes it over the agent's rows
          if (p95 !== undefined) {
            const qs = await store.query<{ agent: string; q: number | null }>(
              `SELECT agent, quantile_cont(${p95}, 0.95) AS q FROM case_results WHERE ${where.join(" AND ")} GROUP BY agent`,
              params,
            );
            quantiles = new Map(qs.filter((r) => r.q !== null).map((r) => [r.agent, Number(r.q)]));
            ({ against, den, items } = p95Condition(p95, quantiles));
          }
          // the rate's own conditions, so the count is the report's (analytics/cases-behind.ts)
          // an item ratio's row also says how many of its items count against it, and of how many
          const itemCols = items ? `, (${items.items})::BIGINT AS items, (${items.total})::BIGINT AS items_total` : "";
          // output_status tells an output that failed the schema (no verdict stored) from no output at all
          const listing = `SELECT r.run_id, r.case_id, r.agent, r.epoch, r.label_verdict, r.verdict, r.escalate,
               c.alert->>'title' AS title${items ? ", r.items, r.items_total" : ""}${p95 === undefined ? extraColumns(flags.rate) : `, r.${p95} AS ms`},
               ${outputStatusSql("r")} AS output_status
             FROM (SELECT *${itemCols} FROM case_results WHERE ${where.join(" AND ")} AND ${against}) r
             LEFT JOIN cases c ON c.run_id = r.run_id AND c.case_id = r.case_id
             ORDER BY r.agent, r.case_id, r.epoch`;
          // every row, streamed from the store as it is read: a run of millions is never held whole
          if (flags.format === "jsonl") {
            await writeJsonLines(process.stdout, store.stream<CaseRow>(listing, params));
            return EXIT.ok;
          }
          rows = await store.query<CaseRow>(`${listing} LIMIT ${TABLE_ROWS + 1}`, params);
          // an item ratio is over items: its "of" is every item, summed as the report sums them
          const of = items
            ? `count_if(${against}) AS rows, (coalesce(sum(${items.items}) FILTER (WHERE ${against}), 0))::BIGINT AS items,
               coalesce(sum(${items.total}), 0)::BIGINT AS "of"`
            : `count_if(${den} AND ${against}) AS rows, count_if(${den}) AS "of"`;
          counts = await store.query<AgentCount>(
            `SELECT agent, ${of} FROM case_results WHERE ${where.join(" AND ")} GROUP BY agent ORDER BY agent`,
            params,
          );
        } finally {
          store.close();
        }
        if (quantiles) for (const c of counts) c.p95 = quantiles.get(c.agent) ?? null;
        process.stdout.write(casesText(flags.rate, rows, counts, items !== null, flags.db));
        return EXIT.ok;
      }),
    );
}

/**
 * Analyst acceptance is read from analyst_reviews, which shadow mode never fills: without the table
 * (or its columns) there is nothing to list, and "none count against it" would read as every
 * recommendation accepted.
 */
async function refuseWithoutReviews(store: Store): Promise<void> {
  if (!(await tableExists(store, "analyst_reviews")))
    throw new InputError(
      `--rate ${ACCEPTANCE}: ${store.path} has no analyst_reviews table, so no recommendation was reviewed: load analysts' verdicts on the run's recommendations into analyst_reviews (run_id, case_id, agent, accepted BOOLEAN)`,
    );
  const cols = await columnsOf(store, "analyst_reviews");
  const missing = REVIEW_COLUMNS.filter((c) => !cols.has(c));
  if (missing.length > 0)
    throw new InputError(
      `--rate ${ACCEPTANCE}: the analyst_reviews table of ${store.path} has no column ${missing.join(", ")} (it has ${[...cols.keys()].join(", ") || "none"}): its columns must be run_id, case_id, agent, accepted (BOOLEAN)`,
    );
}
