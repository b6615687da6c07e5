import Table from "cli-table3";
import type { Command } from "commander";
import Papa from "papaparse";
import { InputError } from "../io/errors.js";
import { printable } from "../io/printable.js";
import { DEFAULT_DB, type Row, Store } from "../store/db.js";
import { shownValue } from "../store/shown-values.js";
import { action, EXIT } from "./exit.js";

type Opts = { db: string; format: string };

/** A terminal table past a few hundred rows is unreadable, and cli-table3 takes minutes over tens of thousands. */
const TABLE_ROWS = 200;

export function register(program: Command): void {
  program
    .command("query")
    .description(
      "run SQL against the store, opened read-only (tables: runs, cases, case_results, findings, tool_calls, …); DuckDB's file functions (COPY … TO, read_csv, ATTACH) still reach the files you name",
    )
    .argument("<sql>", 'e.g. "select agent, avg(agree::int) from case_results group by 1"')
    .option("--db <path>", "DuckDB store", DEFAULT_DB)
    .option("--format <format>", `table (the first ${TABLE_ROWS} rows) | json | csv (every row)`, "table")
    .action(
      action(async (sql: string, opts: Opts) => {
        if (!["table", "json", "csv"].includes(opts.format))
          throw new InputError(`--format: "${opts.format}" is not one of table, json, csv`);
        if (!sql.replace(/[\s;]/g, "")) throw new InputError("query: no SQL given");
        const store = await Store.open(opts.db, { readOnly: true });
        let rows: Row[];
        try {
          // only one result set is printed: a second statement's would be dropped without a word
          const statements = await store.statementCount(sql);
          if (statements === 0) throw new Error("no SQL given");
          if (statements > 1) throw new Error("one statement at a time (this SQL holds several, separated by ;)");
          rows = await store.query(sql, undefined, shownValue);
        } catch (e) {
          throw new InputError(
            `query: ${(e as Error).message.split("\n")[0]!.replace(/^Failed to extract statements: /, "")}`,
          );
        } finally {
          store.close();
        }
        process.stdout.write(formatRows(rows, opts.format));
        return EXIT.ok;
      }),
    );
}

/**
 * A text cell a spreadsheet would run as a formula: case ids, alert titles and entity values are
 * attacker-written (`=HYPERLINK(...)`, `@SUM(...)`), and a CSV export is opened in Excel. Such a
 * cell is written with a leading `'` (OWASP's advice), which the spreadsheet shows as text. A
 * number written as text (a DECIMAL or an integer past 2^53, "-12.5") runs nothing and is kept.
 */
const FORMULA = /^(?![-+]?\d+(\.\d+)?([eE][-+]?\d+)?$)[=+\-@\t\r]/;

/** Lists, structs and JSON become compact JSON text; dates ISO; null an empty cell. */
function cell(v: unknown): string | number | boolean {
  if (v === null || v === undefined) return "";
  if (v instanceof Date) return v.toISOString();
  if (typeof v === "object") return JSON.stringify(v);
  return v as string | number | boolean;
}

/**
 * A user's SQL can return BIGINTs inside lists and structs, INTERVALs and integers past 2^53:
 * each becomes a value JSON can carry without losing a digit (a number where it is exact, text
 * otherwise), at every depth.
 */
function exact(v: unknown): unknown {
  if (typeof v === "bigint") return Number.isSafeInteger(Number(v)) ? Number(v) : v.toString();
  if (Array.isArray(v)) return v.map(exact);
  if (v === null || typeof v !== "object" || v instanceof Date) return v;
  const o = v as Record<string, unknown>;
  if (Object.keys(o).length === 3 && typeof o.micros === "bigint" && "months" in o && "days" in o)
    return interval(Number(o.months), Number(o.days), o.micros);
  return Object.fromEntries(Object.entries(o).map(([k, x]) => [k, exact(x)]));
}

/** An INTERVAL as DuckDB prints it: "1 month 3 days 00:05:00". */
function interval(months: number, days: number, micros: bigint): string {
  const parts: string[] = [];
  if (months) parts.push(`${months} month${Math.abs(months) === 1 ? "" : "s"}`);
  if (days) parts.push(`${days} day${Math.abs(days) === 1 ? "" : "s"}`);
  if (micros || parts.length === 0) {
    const sign = micros < 0n ? "-" : "";
    const m = micros < 0n ? -micros : micros;
    const secs = Number(m / 1_000_000n);
    const frac = m % 1_000_000n;
    const hms = [Math.floor(secs / 3600), Math.floor(secs / 60) % 60, secs % 60]
      .map((x) => String(x).padStart(2, "0"))
      .join(":");
    parts.push(`${sign}${hms}${frac ? `.${String(frac).padStart(6, "0")}` : ""}`);
  }
  return parts.join(" ");
}

export function formatRows(given: Row[], format: string): string {
  const rows = given.map((r) => exact(r) as Row);
  if (format === "json") return `${JSON.stringify(rows, null, 2)}\n`;
  const columns = rows.length ? Object.keys(rows[0]!) : [];
  if (format === "csv")
    return `${Papa.unparse(
      { fields: columns, data: rows.map((r) => columns.map((c) => cell(r[c]))) },
      { newline: "\n", escapeFormulae: FORMULA },
    )}\n`;
  if (rows.length === 0) return "(no rows)\n";
  const table = new Table({ head: columns, style: { head: [], border: [] } });
  // the store holds alert text an attacker wrote (cases.alert): on a terminal its escapes are shown, not obeyed
  for (const r of rows.slice(0, TABLE_ROWS)) table.push(columns.map((c) => printable(String(cell(r[c])))));
  const count = `${rows.length} row${rows.length === 1 ? "" : "s"}`;
  return rows.length > TABLE_ROWS
    ? `${table.toString()}\n(${count}; the first ${TABLE_ROWS} shown: --format csv or json prints every one)\n`
    : `${table.toString()}\n(${count})\n`;
}
