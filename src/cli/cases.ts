import Table from "cli-table3";
import type { Command } from "commander";
import { RATES_BEHIND, rateCondition } from "../analytics/cases-behind.js";
import { metricInfo } from "../analytics/catalogue.js";
import { InputError } from "../io/errors.js";
import { printable } from "../io/printable.js";
import { showCommand } from "../io/shell.js";
import { writeJsonLines } from "../io/write-lines.js";
import { runRef } from "../report/format.js";
import { DEFAULT_DB, Store } from "../store/db.js";
import { resolveRunId } from "../store/run-ref.js";
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
type Row = {
  run_id: string;
  case_id: string;
  agent: string;
  epoch: number;
  label_verdict: string | null;
  verdict: string | null;
  escalate: boolean | null;
  title: string | null;
};
type Count = { agent: string; rows: number; of: number };

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

/** Rows a terminal table shows; jsonl streams every one. */
const TABLE_ROWS = 200;

export function register(program: Command): void {
  program
    .command("cases")
    .description(
      "list the investigations that count against a rate (a critical miss, a disagreement, a violation kind): the rows behind a report's number",
    )
    .requiredOption("--run <id>", "run id or `latest`")
    .requiredOption(
      "--rate <metric>",
      `the rate (${RATES_BEHIND.join(", ")}); a policy kind alone names its violation_rate`,
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
        if (!RATES_BEHIND.includes(flags.rate))
          throw new InputError(`--rate: unknown rate "${flags.rate}" (known: ${RATES_BEHIND.join(", ")})`);
        if (!["table", "jsonl"].includes(flags.format))
          throw new InputError(`--format: expected table or jsonl, got "${flags.format}"`);
        const { against, den } = rateCondition(flags.rate);
        const store = await Store.open(flags.db, { readOnly: true });
        let rows: Row[];
        let counts: Count[];
        try {
          const runId = await resolveRunId(store, flags.run);
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
          if (flags.epoch !== undefined && !/^\d+$/.test(flags.epoch))
            throw new InputError(`--epoch: expected a whole number, got "${flags.epoch}"`);
          // each value is checked against the run (and agent) alone: its combination may rightly select nothing
          const scope = [...where];
          const scoped = [...params];
          for (const f of FILTERS) {
            const value = flags[f.flag];
            if (value === undefined) continue;
            const v = f.flag === "epoch" ? Number(value) : value;
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
          // the rate's own conditions, so the count is the report's (analytics/cases-behind.ts)
          const listing = `SELECT r.run_id, r.case_id, r.agent, r.epoch, r.label_verdict, r.verdict, r.escalate,
               c.alert->>'title' AS title
             FROM (SELECT * FROM case_results WHERE ${where.join(" AND ")} AND ${against}) r
             LEFT JOIN cases c ON c.run_id = r.run_id AND c.case_id = r.case_id
             ORDER BY r.agent, r.case_id, r.epoch`;
          // every row, streamed from the store as it is read: a run of millions is never held whole
          if (flags.format === "jsonl") {
            await writeJsonLines(process.stdout, store.stream<Row>(listing, params));
            return EXIT.ok;
          }
          rows = await store.query<Row>(`${listing} LIMIT ${TABLE_ROWS + 1}`, params);
          counts = await store.query<Count>(
            `SELECT agent, count_if(${den} AND ${against}) AS rows, count_if(${den}) AS "of"
             FROM case_results WHERE ${where.join(" AND ")} GROUP BY agent ORDER BY agent`,
            params,
          );
        } finally {
          store.close();
        }
        const t = new Table({
          head: ["case", "agent", "epoch", "analyst", "agent verdict", "escalated", "alert"],
          colWidths: [null, null, null, null, null, null, 60],
          wordWrap: true,
          style: process.stdout.isTTY ? {} : { head: [], border: [] },
        });
        // the alert title is attacker-controlled: no control character reaches the terminal
        for (const r of rows.slice(0, TABLE_ROWS))
          t.push([
            printable(r.case_id),
            r.agent,
            r.epoch,
            r.label_verdict ?? "",
            r.verdict ?? "no output",
            r.escalate === null ? "" : r.escalate ? "yes" : "no",
            printable(r.title ?? ""),
          ]);
        const label = metricInfo(flags.rate)?.label ?? flags.rate;
        // an agent with nothing in the rate's denominator has no rate, as the report's "—"
        const totals = counts
          .map((c) => (Number(c.of) === 0 ? `${c.agent} none to measure` : `${c.agent} ${c.rows} of ${c.of}`))
          .join("; ");
        const first = rows[0];
        const all = counts.reduce((n, c) => n + Number(c.rows), 0);
        process.stdout.write(
          `${rows.length > 0 ? `${t.toString()}\n` : ""}` +
            // a terminal table of thousands of rows is read by no one: the count stays exact
            (rows.length > TABLE_ROWS
              ? `the first ${TABLE_ROWS} of ${all} shown; --format jsonl lists every one\n`
              : "") +
            // a hand-off is neither right nor wrong: the rate counts it, nothing counts against
            `${label}, ${flags.rate === "human_handoff_rate" ? "investigations it counts" : "investigations that count against it"}: ${totals || "none stored"}\n` +
            (first
              ? `one case whole, steps and evidence: ${printable(showCommand(first.case_id, `--run ${runRef(first.run_id, flags.db)}`))}\n`
              : ""),
        );
        return EXIT.ok;
      }),
    );
}
