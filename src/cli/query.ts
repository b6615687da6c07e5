import Table from "cli-table3";
import type { Command } from "commander";
import Papa from "papaparse";
import { InputError } from "../io/errors.js";
import { DEFAULT_DB, type Row, Store } from "../store/db.js";
import { action, EXIT } from "./exit.js";

type Opts = { db: string; format: string };

export function register(program: Command): void {
  program
    .command("query")
    .description("run read-only SQL against the store (tables: runs, cases, case_results, findings, tool_calls, …)")
    .argument("<sql>", 'e.g. "select agent, avg(agree::int) from case_results group by 1"')
    .option("--db <path>", "DuckDB store", DEFAULT_DB)
    .option("--format <format>", "table | json | csv", "table")
    .action(
      action(async (sql: string, opts: Opts) => {
        if (!["table", "json", "csv"].includes(opts.format))
          throw new InputError(`--format: "${opts.format}" is not one of table, json, csv`);
        const store = await Store.open(opts.db, { readOnly: true });
        let rows: Row[];
        try {
          rows = await store.query(sql);
        } catch (e) {
          throw new InputError(`query: ${(e as Error).message.split("\n")[0]}`);
        } finally {
          store.close();
        }
        process.stdout.write(formatRows(rows, opts.format));
        return EXIT.ok;
      }),
    );
}

/** Lists, structs and JSON become compact JSON text; dates ISO; null an empty cell. */
function cell(v: unknown): string | number | boolean {
  if (v === null || v === undefined) return "";
  if (v instanceof Date) return v.toISOString();
  if (typeof v === "object") return JSON.stringify(v);
  return v as string | number | boolean;
}

export function formatRows(rows: Row[], format: string): string {
  if (format === "json") return `${JSON.stringify(rows, (_k, v) => (typeof v === "bigint" ? Number(v) : v), 2)}\n`;
  const columns = rows.length ? Object.keys(rows[0]!) : [];
  if (format === "csv")
    return `${Papa.unparse({ fields: columns, data: rows.map((r) => columns.map((c) => cell(r[c]))) }, { newline: "\n" })}\n`;
  if (rows.length === 0) return "(no rows)\n";
  const table = new Table({ head: columns, style: { head: [], border: [] } });
  for (const r of rows) table.push(columns.map((c) => String(cell(r[c]))));
  return `${table.toString()}\n(${rows.length} row${rows.length === 1 ? "" : "s"})\n`;
}
