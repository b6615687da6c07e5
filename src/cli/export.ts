import { mkdirSync, renameSync, rmSync } from "node:fs";
import { dirname, resolve } from "node:path";
import type { Command } from "commander";
import { InputError } from "../io/errors.js";
import { checkOutFile } from "../io/out-file.js";
import { DEFAULT_DB, Store, sqlString } from "../store/db.js";
import { resolveRunId } from "../store/run-ref.js";
import { stepsQuery } from "../store/steps-sql.js";
import { RUN_TABLES } from "../store/tables.js";
import { action } from "./exit.js";

/** transcripts export in DESIGN.md's transcript JSONL, the format `soceval score` reads back. */
function transcriptsQuery(runLiteral: string): string {
  return `SELECT t.case_id, t.agent, t.epoch, coalesce(s.steps, '[]')::JSON AS steps, t.output::JSON AS output, t.error
    FROM transcripts t LEFT JOIN (${stepsQuery(`run_id = ${runLiteral}`)}) s USING (run_id, case_id, agent, epoch)
    WHERE t.run_id = ${runLiteral} ORDER BY t.case_id, t.agent, t.epoch`;
}

export function register(program: Command): void {
  program
    .command("export")
    .description("write a run's transcripts (or another table) as JSONL or Parquet")
    .requiredOption("--run <id>", "run id or `latest`")
    .requiredOption("--out <file>", "output file")
    .option("--format <f>", "jsonl or parquet (default: from --out's extension, else jsonl)")
    .option("--table <name>", `one of ${RUN_TABLES.join(", ")}`, "transcripts")
    .option("--db <path>", "DuckDB store", DEFAULT_DB)
    .action(
      action(async (opts: { run: string; out: string; format?: string; table: string; db: string }) => {
        const flags = { ...opts, format: exportFormat(opts.format, opts.out) };
        checkOutFile("--out", flags.out);
        if (!RUN_TABLES.includes(flags.table))
          throw new InputError(`--table: expected one of ${RUN_TABLES.join(", ")}, got "${flags.table}"`);
        const store = await Store.open(flags.db, { existing: true });
        const runId = await resolveRunId(store, flags.run);
        // a folder that does not exist yet is made, as report --out does; only once the run is known
        mkdirSync(dirname(resolve(flags.out)), { recursive: true });
        const run = sqlString(runId);
        const order = flags.table === "runs" || flags.table === "run_agents" ? "" : " ORDER BY case_id";
        const select =
          flags.table === "transcripts"
            ? transcriptsQuery(run)
            : `SELECT * FROM ${flags.table} WHERE run_id = ${run}${order}`;
        const fmt = flags.format === "parquet" ? "FORMAT parquet" : "FORMAT json";
        // write beside the target and rename, so a failed export never leaves half a file
        const tmp = `${flags.out}.partial`;
        await store.run(`COPY (${select}) TO ${sqlString(tmp)} (${fmt})`);
        store.close();
        renameSync(tmp, flags.out);
        rmSync(tmp, { force: true });
        const n = await countOut(flags);
        process.stdout.write(`wrote ${flags.out} (${flags.table} of run ${runId}${n === null ? "" : `, ${n} rows`})\n`);
        return 0;
      }),
    );
}

async function countOut(flags: { out: string; format: string }): Promise<number | null> {
  const store = await Store.open(":memory:");
  try {
    const fn = flags.format === "parquet" ? "read_parquet" : "read_json_auto";
    const rows = await store.query<{ n: number }>(`SELECT count(*) AS n FROM ${fn}(?)`, [flags.out]);
    return rows[0]?.n ?? null;
  } catch {
    return null;
  } finally {
    store.close();
  }
}

/** --format, else what --out's extension says; a file named .parquet never quietly holds JSON. */
function exportFormat(format: string | undefined, out: string): "jsonl" | "parquet" {
  if (format !== undefined) {
    if (format === "jsonl" || format === "parquet") return format;
    throw new InputError(`--format: expected jsonl or parquet, got "${format}"`);
  }
  const ext = out.match(/\.([^./\\]+)$/)?.[1]?.toLowerCase();
  if (ext === "parquet") return "parquet";
  if (ext === undefined || ext === "jsonl" || ext === "ndjson" || ext === "json") return "jsonl";
  throw new InputError(`--out ${out}: the format comes from its extension (.jsonl, .parquet) or --format`);
}
