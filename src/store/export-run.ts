import { closeSync, mkdirSync, mkdtempSync, openSync, readSync, rmSync, writeSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type Store, sqlString } from "./db.js";
import { stepsQuery } from "./steps-sql.js";
import { table as tableOf } from "./tables.js";

export type ExportFormat = "jsonl" | "parquet";

/**
 * Rows one part of an export holds. One query over a whole run sorts every row and, for
 * transcripts, gathers every tool call's step at once: 820 MB for a 40,000-case run's
 * transcripts, 520–560 MB for its cases or tool calls (bench/README.md). A part of a few thousand
 * rows holds a few MB; transcripts and cases carry the large JSON (steps, alerts).
 */
const PART_ROWS: Record<string, number> = { transcripts: 2_000, cases: 2_000 };
const DEFAULT_PART_ROWS = 20_000;

const partRowsOf = (table: string): number => PART_ROWS[table] ?? DEFAULT_PART_ROWS;

/** The export's rows of one table, in order, for the cases in [lo, hi] when given. */
function exportQuery(table: string, run: string, range?: [string, string]): string {
  const cases = range ? ` AND case_id BETWEEN ${sqlString(range[0])} AND ${sqlString(range[1])}` : "";
  if (table === "transcripts")
    // DESIGN.md's transcript JSONL, the format `soceval score` reads back
    return `SELECT t.case_id, t.agent, t.epoch, coalesce(s.steps, '[]')::JSON AS steps, t.output::JSON AS output, t.error
    FROM transcripts t LEFT JOIN (${stepsQuery(`run_id = ${run}${cases}`)}) s USING (run_id, case_id, agent, epoch)
    WHERE t.run_id = ${run}${cases.replace("case_id", "t.case_id")} ORDER BY t.case_id, t.agent, t.epoch`;
  const order = orderOf(table);
  return `SELECT * FROM ${table} WHERE run_id = ${run}${cases}${order.length ? ` ORDER BY ${order.join(", ")}` : ""}`;
}

const has = (table: string, column: string) => tableOf(table).columns.some(([c]) => c === column);
const perCase = (table: string) => has(table, "case_id");

/**
 * A table's rows in the order of its key: by case, then agent, epoch and a call's or finding's
 * sequence where it has them, so a case's tool calls come in the order they were made, and an
 * export put together from parts is the same file as one written at once.
 */
const orderOf = (table: string) => ["case_id", "agent", "epoch", "seq"].filter((c) => has(table, c));

/**
 * Case-id ranges, in order, each holding about `rows` of the table's rows of the run (a case's rows
 * stay in one range, so the parts put together are the one query's order).
 */
async function caseRanges(store: Store, table: string, runId: string, rows: number): Promise<[string, string][]> {
  const ranges = await store.query<{ lo: string; hi: string }>(
    `SELECT min(case_id) AS lo, max(case_id) AS hi FROM (
       SELECT case_id, (sum(n) OVER (ORDER BY case_id ROWS UNBOUNDED PRECEDING) - 1) // ? AS part
       FROM (SELECT case_id, count(*) AS n FROM ${table} WHERE run_id = ? GROUP BY case_id))
     GROUP BY part ORDER BY part`,
    [rows, runId],
  );
  return ranges.map((r) => [r.lo, r.hi]);
}

/**
 * Write one table's rows of a run to `file` as JSONL or Parquet, the order of `ORDER BY case_id`
 * (transcripts: case, agent, epoch). A run larger than one part is written a part at a time into a
 * folder beside `file` (`partsIn`, else the system's temporary folder) and put together there, so
 * memory holds one part whatever the run's size. Returns how many parts it wrote.
 */
export async function exportRunTable(
  store: Store,
  opts: { runId: string; table: string; format: ExportFormat; file: string; partsIn?: string; partRows?: number },
): Promise<{ parts: number }> {
  const { runId, table, format, file } = opts;
  const run = sqlString(runId);
  const fmt = format === "parquet" ? "FORMAT parquet" : "FORMAT json";
  const rows = opts.partRows ?? partRowsOf(table);
  const ranges = perCase(table) ? await caseRanges(store, table, runId, rows) : [];
  if (ranges.length <= 1) {
    await store.run(`COPY (${exportQuery(table, run)}) TO ${sqlString(file)} (${fmt}, USE_TMP_FILE false)`);
    return { parts: 1 };
  }
  const dir = partsFolder(opts.partsIn);
  try {
    const parts: string[] = [];
    for (const [i, range] of ranges.entries()) {
      const part = join(dir, `${String(i).padStart(6, "0")}.${format}`);
      await store.run(`COPY (${exportQuery(table, run, range)}) TO ${sqlString(part)} (${fmt})`);
      parts.push(part);
    }
    if (format === "jsonl") concatenate(parts, file);
    // read back in the order listed, and written in row groups of a part's size, so the file is
    // the one query's rows without a row group of the whole run in memory
    else
      await store.run(
        `COPY (SELECT * FROM read_parquet([${parts.map(sqlString).join(", ")}])) TO ${sqlString(file)} (FORMAT parquet, ROW_GROUP_SIZE ${rows}, USE_TMP_FILE false)`,
      );
    return { parts: parts.length };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** A fresh folder for the parts: `partsIn` itself (made anew), or one under the system's temporary folder. */
function partsFolder(partsIn: string | undefined): string {
  if (partsIn === undefined) return mkdtempSync(join(tmpdir(), "soceval-export-"));
  // a folder an export killed mid-way left
  rmSync(partsIn, { recursive: true, force: true });
  mkdirSync(partsIn);
  return partsIn;
}

/** JSONL parts, one after another, into `file`: DuckDB ends every row with a newline. */
function concatenate(parts: string[], file: string): void {
  const out = openSync(file, "w");
  const buf = Buffer.allocUnsafe(1 << 20);
  try {
    for (const part of parts) {
      const fd = openSync(part, "r");
      try {
        for (let n = readSync(fd, buf); n > 0; n = readSync(fd, buf)) {
          for (let at = 0; at < n; ) at += writeSync(out, buf, at, n - at);
        }
      } finally {
        closeSync(fd);
      }
      rmSync(part);
    }
  } finally {
    closeSync(out);
  }
}
