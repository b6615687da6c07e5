import { closeSync, openSync, readSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Command } from "commander";
import { InputError } from "../io/errors.js";
import { checkOutFile, refuseInputs, writeOutFileWith } from "../io/out-file.js";
import { formatOfName, refuseOtherFormat } from "../io/out-format.js";
import { DEFAULT_DB, Store } from "../store/db.js";
import { exportRunTable } from "../store/export-run.js";
import { resolveRunId } from "../store/run-ref.js";
import { statusForReader } from "../store/run-status.js";
import { RUN_TABLES } from "../store/tables.js";
import { runInputs } from "../workflow/suite-inputs.js";
import { action, EXIT } from "./exit.js";
import { outFile } from "./out-option.js";
import { offStopSignals, onStopSignals } from "./stop-signals.js";

export function register(program: Command): void {
  program
    .command("export")
    .description("write a run's transcripts (or another table) as JSONL or Parquet")
    .requiredOption("--run <id>", "run id or `latest`")
    .requiredOption("--out <file>", "output file", outFile)
    .option("--format <f>", "jsonl or parquet (default: from --out's extension, else jsonl)")
    .option("--table <name>", `one of ${RUN_TABLES.join(", ")}`, "transcripts")
    .option("--db <path>", "DuckDB store", DEFAULT_DB)
    .action(
      action(async (opts: { run: string; out: string; format?: string; table: string; db: string }) => {
        const flags = { ...opts, format: exportFormat(opts.format, opts.out) };
        checkOutFile("--out", flags.out);
        if (!RUN_TABLES.includes(flags.table))
          throw new InputError(`--table: expected one of ${RUN_TABLES.join(", ")}, got "${flags.table}"`);
        const store = await Store.open(flags.db, { readOnly: true });
        const runId = await resolveRunId(store, flags.run);
        // the run's own suite and dataset: `export --out datasets/x/cases.jsonl` would replace the cases
        refuseInputs(await runInputs(store, [runId]), [["--out", flags.out]]);
        refuseExportName(opts.format, flags.format, flags.out);
        const warning = await unfinishedWarning(store, runId);
        const format = flags.format;
        // a folder that does not exist yet is made, as report --out does; only once the run is known.
        // writeOutFileWith has DuckDB write beside the target, so DuckDB's own temporary file is off;
        // a large run's parts go beside it too (the disk that takes the export), or, for a pipe, to tmp
        const quit = quitOnSignal(flags.out);
        const { regular } = await writeOutFileWith("--out", flags.out, async (file, isFile) => {
          const partsIn = isFile ? `${file}.parts` : join(tmpdir(), `soceval-export-${process.pid}-${Date.now()}`);
          quit.leaves(isFile ? [file, partsIn] : [partsIn], isFile);
          await exportRunTable(store, { runId, table: flags.table, format, file, partsIn });
        }).finally(() => {
          quit.off();
          store.close();
        });
        // a pipe or a device (--out /dev/stdout) cannot be read back to count its rows
        const n = regular ? await countOut(flags) : null;
        if (warning) process.stderr.write(`soceval: warning: ${warning}\n`);
        // on stderr when the export itself goes to a pipe or the terminal, not into its data
        (regular ? process.stdout : process.stderr).write(
          `wrote ${flags.out} (${flags.table} of run ${runId}${n === null ? "" : `, ${n} row${n === 1 ? "" : "s"}`})\n`,
        );
        return 0;
      }),
    );
}

/**
 * Ctrl-C or a cancelled CI job (SIGTERM) during an export ended it silently (exit 130) and left the
 * partial file and its parts beside --out (27 MB for a 100,000-case run) or in the system's temporary
 * folder: removed, with one line, exit 3 as an interrupted import.
 */
function quitOnSignal(out: string): { leaves: (files: string[], regular: boolean) => void; off: () => void } {
  let left: string[] = [];
  let toFile = true;
  const onSignal = (signal: NodeJS.Signals) => {
    for (const f of left) rmSync(f, { recursive: true, force: true });
    const what = toFile ? `${out} not written` : `what reached ${out} is incomplete`;
    process.stderr.write(`\nsoceval: export interrupted (${signal}); ${what}\n`);
    process.exit(EXIT.runtime);
  };
  onStopSignals(onSignal);
  return {
    leaves: (files, regular) => {
      left = files;
      toFile = regular;
    },
    off: () => {
      offStopSignals(onSignal);
    },
  };
}

/** An export of a run that did not finish holds what it stored so far, as its report says. */
async function unfinishedWarning(store: Store, runId: string): Promise<string | null> {
  const [r] = await store.query<{ status: string | null; n: number }>(
    `SELECT status, (SELECT count(DISTINCT case_id) FROM transcripts t WHERE t.run_id = r.run_id)::INTEGER AS n
     FROM runs r WHERE run_id = ?`,
    [runId],
  );
  if (!r || r.status === "finished") return null;
  const status = statusForReader(r.status);
  return `run ${runId} did not finish (${status}): the export holds the ${r.n} case${r.n === 1 ? "" : "s"} it stored so far`;
}

async function countOut(flags: { out: string; format: string }): Promise<number | null> {
  // DuckDB escapes a newline inside a value, so a JSONL export holds one line a row; counted
  // without parsing, since read_json_auto held ~225 MB to count a 40,000-case export
  if (flags.format === "jsonl") return countNewlines(flags.out);
  const store = await Store.open(":memory:");
  try {
    const rows = await store.query<{ n: number }>("SELECT count(*) AS n FROM read_parquet(?)", [flags.out]);
    return rows[0]?.n ?? null;
  } catch {
    return null;
  } finally {
    store.close();
  }
}

function countNewlines(file: string): number | null {
  let fd: number | undefined;
  try {
    fd = openSync(file, "r");
    const buf = Buffer.allocUnsafe(1 << 20);
    let lines = 0;
    for (let n = readSync(fd, buf); n > 0; n = readSync(fd, buf))
      for (let at = buf.indexOf(10, 0); at !== -1 && at < n; at = buf.indexOf(10, at + 1)) lines++;
    return lines;
  } catch {
    return null;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/** --format, else what --out's extension says; a file named .parquet never quietly holds JSON. */
function exportFormat(format: string | undefined, out: string): "jsonl" | "parquet" {
  if (format !== undefined) {
    if (format === "jsonl" || format === "parquet") return format;
    throw new InputError(`--format: expected jsonl or parquet, got "${format}"`);
  }
  const named = formatOfName(out);
  if (named === "Parquet") return "parquet";
  // a .json name is refused with its reason once the inputs are checked (refuseExportName)
  if (named === "JSONL" || named === "JSON" || !/\.[^./\\]+$/.test(out)) return "jsonl";
  throw new InputError(`--out ${out}: the format comes from its extension (.jsonl, .parquet) or --format`);
}

/**
 * An --out whose name says another format than the export's is refused (exit 2): Parquet in x.jsonl,
 * or JSONL in t.json, which jq and JSON.parse reject as one document. After the inputs are checked,
 * so an --out naming one is refused as that first.
 */
function refuseExportName(given: string | undefined, format: "jsonl" | "parquet", out: string): void {
  const writes = format === "jsonl" ? "JSONL" : "Parquet";
  // without --format a .jsonl or .parquet name picks its own format; a .json one is refused either way
  const named = formatOfName(out);
  const drop = named === "JSONL" || named === "Parquet" ? ", or drop --format" : "";
  if (given === undefined) refuseOtherFormat("--out", out, writes, "export", " (or .parquet for Parquet)");
  else refuseOtherFormat("--out", out, writes, `--format ${given}`, drop);
}
