import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import { type DuckDBAppender, type DuckDBConnection, DuckDBInstance, LIST, listValue, VARCHAR } from "@duckdb/node-api";
import { InputError } from "../io/errors.js";
import { type ColumnType, ddl, TABLES, table } from "./tables.js";

const VARCHAR_LIST = LIST(VARCHAR);

export const DEFAULT_DB = ".soceval/soceval.duckdb";

export type Row = Record<string, unknown>;

/** One open soceval store. Every command opens it through here so the tables always exist. */
export class Store {
  private constructor(
    readonly path: string,
    readonly instance: DuckDBInstance,
    readonly conn: DuckDBConnection,
  ) {}

  static async open(path: string = DEFAULT_DB, opts: { readOnly?: boolean } = {}): Promise<Store> {
    if (path !== ":memory:") mkdirSync(dirname(path), { recursive: true });
    let instance: DuckDBInstance;
    try {
      instance = await DuckDBInstance.create(path, opts.readOnly ? { access_mode: "READ_ONLY" } : {});
    } catch (e) {
      throw new InputError(`${path}: cannot open the DuckDB store (${(e as Error).message.split("\n")[0]})`, path);
    }
    const conn = await instance.connect();
    const store = new Store(path, instance, conn);
    if (!opts.readOnly) for (const t of TABLES) await conn.run(ddl(t));
    return store;
  }

  async query<T = Row>(sql: string, params?: unknown[]): Promise<T[]> {
    const reader = await this.conn.runAndReadAll(sql, params as never);
    return reader.getRowObjectsJS().map(plain) as T[];
  }

  async run(sql: string, params?: unknown[]): Promise<void> {
    await this.conn.run(sql, params as never);
  }

  /** Append rows to several tables in one transaction: all land, or none do. */
  async appendBatch(batch: Record<string, Row[]>): Promise<void> {
    await this.conn.run("BEGIN TRANSACTION");
    try {
      for (const [name, rows] of Object.entries(batch)) {
        if (rows.length === 0) continue;
        const t = table(name);
        const app = await this.conn.createAppender(name);
        for (const row of rows) appendRow(app, t.columns, row);
        app.closeSync();
      }
      await this.conn.run("COMMIT");
    } catch (e) {
      await this.conn.run("ROLLBACK").catch(() => {});
      throw e;
    }
  }

  close(): void {
    this.conn.closeSync();
    this.instance.closeSync();
  }
}

function appendRow(app: DuckDBAppender, columns: [string, ColumnType][], row: Row): void {
  for (const [name, type] of columns) {
    const v = row[name];
    if (v === null || v === undefined) {
      app.appendNull();
      continue;
    }
    switch (type) {
      case "VARCHAR":
        app.appendVarchar(String(v));
        break;
      case "JSON":
        app.appendVarchar(typeof v === "string" ? v : JSON.stringify(v));
        break;
      case "VARCHAR[]":
        app.appendList(listValue((v as unknown[]).map(String)), VARCHAR_LIST);
        break;
      case "INTEGER":
        app.appendInteger(Number(v));
        break;
      case "BIGINT":
        app.appendBigInt(BigInt(Math.round(Number(v))));
        break;
      case "DOUBLE":
        app.appendDouble(Number(v));
        break;
      case "BOOLEAN":
        app.appendBoolean(Boolean(v));
        break;
      case "TIMESTAMP":
        app.appendVarchar(v instanceof Date ? v.toISOString() : String(v));
        break;
    }
  }
  app.endRow();
}

/** BIGINT arrives as bigint; metrics and JSON reports want plain numbers. */
function plain(row: Record<string, unknown>): Row {
  for (const k in row) if (typeof row[k] === "bigint") row[k] = Number(row[k]);
  return row;
}
