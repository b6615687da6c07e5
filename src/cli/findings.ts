import Table from "cli-table3";
import type { Command } from "commander";
import { InputError } from "../io/errors.js";
import { printable } from "../io/printable.js";
import { showCommand } from "../io/shell.js";
import { writeJsonLines } from "../io/write-lines.js";
import { runRef } from "../report/format.js";
import { FindingKind } from "../schema/index.js";
import { DEFAULT_DB, Store } from "../store/db.js";
import { resolveRunId } from "../store/run-ref.js";
import { action, EXIT } from "./exit.js";

type Flags = {
  run: string;
  kind?: string;
  case?: string;
  agent?: string;
  severity?: string;
  format: string;
  db: string;
};
type FindingRow = {
  run_id: string;
  case_id: string;
  agent: string;
  epoch: number;
  severity: string;
  kind: string;
  detail: string;
  evidence_id: string | null;
  action: string | null;
  step: number | null;
  scorer: string;
};

const SEVERITIES = ["low", "medium", "high"];
/** A terminal table of thousands of rows is read by no one, and cli-table3 takes ever longer (as `cases`). */
const TABLE_ROWS = 200;

export function register(program: Command): void {
  program
    .command("findings")
    .description("list what the scorers found in a run, one row per finding")
    .requiredOption("--run <id>", "run id or `latest`")
    .option("--kind <kind>", `only this kind (${FindingKind.options.join(", ")})`)
    .option("--case <id>", "only this case")
    .option("--agent <name>", "only this agent")
    .option("--severity <s>", "only this severity (low, medium, high)")
    .option("--format <f>", `table (the first ${TABLE_ROWS}) or jsonl (every one)`, "table")
    .option("--db <path>", "DuckDB store", DEFAULT_DB)
    .action(
      action(async (flags: Flags) => {
        if (flags.kind && !FindingKind.options.includes(flags.kind as FindingKind))
          throw new InputError(
            `--kind: unknown finding kind "${flags.kind}" (known: ${FindingKind.options.join(", ")})`,
          );
        if (flags.severity && !SEVERITIES.includes(flags.severity))
          throw new InputError(`--severity: expected low, medium or high, got "${flags.severity}"`);
        if (!["table", "jsonl"].includes(flags.format))
          throw new InputError(`--format: expected table or jsonl, got "${flags.format}"`);
        const store = await Store.open(flags.db, { readOnly: true });
        let rows: FindingRow[];
        let total: number;
        try {
          const runId = await resolveRunId(store, flags.run);
          // a filter naming a case or agent the run does not have is a typo, not "no findings"
          if (flags.case !== undefined && !(await has(store, "case_id", runId, flags.case)))
            throw new InputError(`--case: run ${runId} has no case ${flags.case}`);
          if (flags.agent !== undefined && !(await has(store, "agent", runId, flags.agent)))
            throw new InputError(`--agent: run ${runId} has no agent ${flags.agent}`);
          const where = ["run_id = ?"];
          const params: unknown[] = [runId];
          for (const [col, v] of [
            ["kind", flags.kind],
            ["case_id", flags.case],
            ["agent", flags.agent],
            ["severity", flags.severity],
          ] as const)
            if (v !== undefined) {
              where.push(`${col} = ?`);
              params.push(v);
            }
          const listing = `SELECT run_id, case_id, agent, epoch, severity, kind, detail, evidence_id, action, step, scorer FROM findings
             WHERE ${where.join(" AND ")}
             ORDER BY case_id, agent, epoch, CASE severity WHEN 'high' THEN 0 WHEN 'medium' THEN 1 ELSE 2 END, seq`;
          // every row, streamed from the store as it is read: a run of millions is never held whole
          if (flags.format === "jsonl") {
            await writeJsonLines(process.stdout, store.stream<FindingRow>(listing, params));
            return EXIT.ok;
          }
          rows = await store.query<FindingRow>(`${listing} LIMIT ${TABLE_ROWS}`, params);
          const [count] = await store.query<{ n: bigint | number }>(
            `SELECT count(*) AS n FROM findings WHERE ${where.join(" AND ")}`,
            params,
          );
          total = Number(count?.n ?? 0);
        } finally {
          store.close();
        }
        const t = new Table({
          head: ["case", "agent", "epoch", "severity", "kind", "step", "detail"],
          colWidths: [null, null, null, null, null, null, 80],
          wordWrap: true,
          style: process.stdout.isTTY ? {} : { head: [], border: [] },
        });
        // step: the tool call's position, as in tool_calls.step and transcript_steps
        // a finding's detail may quote alert text (attacker-controlled): no control character reaches the terminal
        for (const r of rows)
          t.push([printable(r.case_id), r.agent, r.epoch, r.severity, r.kind, r.step ?? "", printable(r.detail)]);
        const first = rows[0];
        process.stdout.write(
          first
            ? `${t.toString()}\n${total > rows.length ? `the first ${rows.length} of ${total} findings shown; --format jsonl lists every one\n` : ""}${total} finding(s); one case whole, steps and evidence: ${printable(showCommand(first.case_id, `--run ${runRef(first.run_id, flags.db)}`))}\n`
            : "no findings match\n",
        );
        return EXIT.ok;
      }),
    );
}

/** Does the run have this case (or agent), with or without findings? */
async function has(store: Store, col: "case_id" | "agent", runId: string, value: string): Promise<boolean> {
  // a case is the run's once it is stored in `cases`, before any agent answered it
  const table = col === "case_id" ? "cases" : "run_agents";
  const rows = await store.query(
    `SELECT 1 FROM ${table} WHERE run_id = ? AND ${col} = ?
     UNION ALL SELECT 1 FROM case_results WHERE run_id = ? AND ${col} = ? LIMIT 1`,
    [runId, value, runId, value],
  );
  return rows.length > 0;
}
