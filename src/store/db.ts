import { existsSync, unlinkSync } from "node:fs";
import {
  type DuckDBConnection,
  DuckDBInstance,
  type DuckDBValueConverter,
  JSDuckDBValueConverter,
} from "@duckdb/node-api";
import { InputError } from "../io/errors.js";
import { duckDbFile } from "../io/out-file.js";
import { formatOfName } from "../io/out-format.js";
import { shellWord } from "../io/shell.js";
import { BULK_WRITE_CHECKPOINT_MB, bulkWriteMemoryMb, sizeMb } from "./bulk-writes.js";
import { ChunkAppender } from "./chunk-append.js";
import { type EncodedRow, encode } from "./encode.js";
import { bringLayoutUpToDate, readOlderLayout } from "./layout.js";
import type { FrameReader } from "./row-frame.js";
import { emptyFile, makeFolder, removeUnstarted, storeOpenError } from "./store-file.js";
import { table } from "./tables.js";

export const DEFAULT_DB = ".soceval/soceval.duckdb";

/**
 * The `--db <path>` a printed command needs to reach this store, the path one shell word; "" for
 * the default store (and an in-memory one, which no later command can reach).
 */
export function storeFlag(db: string | undefined): string {
  return !db || db === DEFAULT_DB || db === ":memory:" ? "" : `--db ${shellWord(db)}`;
}

export type Row = Record<string, unknown>;

/** One open soceval store. Every command opens it through here so the tables always exist. */
export class Store {
  /** the stores attached to this one, by schema: a damaged file found by a query is one of them, or this */
  private readonly attached = new Map<string, string>();
  /** statements sent and not yet answered; see close */
  private inFlight = 0;
  private closeWhenIdle = false;
  /** DuckDB's settings before a run's (tuneForBulkWrites), to give back when it ends */
  private beforeBulkWrites: { memoryLimit: string; checkpointThreshold: string } | null = null;
  private isClosed = false;
  /** transactions committed on this handle (appendBatch, openTransaction); see commits */
  private committed = 0;

  private constructor(
    readonly path: string,
    private readonly instance: DuckDBInstance,
    private readonly conn: DuckDBConnection,
  ) {}

  /**
   * `existing` (implied by `readOnly`): the store must be there already, so a command that reads
   * results never creates an empty one at a mistyped --db and reports nothing from it.
   */
  static async open(path: string = DEFAULT_DB, opts: { readOnly?: boolean; existing?: boolean } = {}): Promise<Store> {
    // DuckDB opens an empty path as a store in memory: a run stored there (`--db "$STORE"` with the
    // variable unset) would report success and be gone when the command ends
    if (path === "")
      throw new InputError("--db: an empty path; name the store's file (default: .soceval/soceval.duckdb)");
    if (path !== ":memory:" && (opts.readOnly || opts.existing) && !existsSync(path))
      throw new InputError(`${path}: no soceval store here (run \`soceval run <suite>\` first, or pass --db)`, path);
    // a zero-byte file (mktemp's) holds nothing: a store to read is not there, one to write is new
    if (path !== ":memory:" && emptyFile(path)) {
      if (opts.readOnly || opts.existing)
        throw new InputError(
          `${path}: an empty file, not a soceval store (run \`soceval run <suite>\` first, or pass --db)`,
          path,
        );
      unlinkSync(path);
    }
    const existed = path !== ":memory:" && existsSync(path);
    // DuckDB opens a JSON, CSV or Parquet file as a database of one view: `run --db cases.jsonl` then
    // failed as a runtime "Catalog Error" (exit 3); no file but a DuckDB database is a store
    if (existed && duckDbFile(path) === false)
      throw new InputError(`${path}: not a DuckDB database, so not a soceval store; pass --db the store's file`, path);
    // a new store under a name that says another format (`runs merge … --db merged.json`) would be a
    // DuckDB file that jq, a browser or DuckDB's read_json then fails on
    const says = path !== ":memory:" && !existed ? formatOfName(path) : undefined;
    if (says)
      throw new InputError(
        `--db ${path}: the name says ${says}, but a store is a DuckDB database: name it .duckdb`,
        path,
      );
    const folders = path !== ":memory:" ? makeFolder(path) : [];
    let instance: DuckDBInstance;
    try {
      instance = await DuckDBInstance.create(path, opts.readOnly ? { access_mode: "READ_ONLY" } : {});
    } catch (e) {
      // a store it could not start (a full disk) leaves no stub of a file, nor folder, for the next
      // command to mistake for a store; one another process made meanwhile (holding it) is not ours
      const error = storeOpenError(path, e, "cannot open the DuckDB store");
      if (path !== ":memory:" && !existed && !/in use by another process/.test(error.message))
        removeUnstarted(path, folders);
      throw error;
    }
    const conn = await instance.connect();
    const store = new Store(path, instance, conn);
    // a DuckDB file of the user's own is not turned into a soceval store: a command that expected
    // one refuses it, and so does one that writes, unless the file is new or holds no table at all
    const tables = await store.query<{ runs: number; other: number }>(
      `SELECT count(*) FILTER (WHERE table_name = 'runs')::INTEGER AS runs, count(*)::INTEGER AS other
       FROM duckdb_tables() WHERE database_name = current_database()`,
    );
    const mustBeOurs = opts.readOnly || opts.existing || (existed && (tables[0]?.other ?? 0) > 0);
    if (path !== ":memory:" && mustBeOurs && !tables[0]?.runs) {
      store.close();
      throw new InputError(
        `${path}: not a soceval store (it holds no runs table)${opts.readOnly || opts.existing ? "" : "; pass a new --db"}`,
        path,
      );
    }
    // written by an earlier soceval: read through views that fill what it lacks, never changed by a
    // command that only reads (it may not be ours to write, or writable at all)
    if (opts.readOnly && path !== ":memory:") await readOlderLayout(store);
    if (!opts.readOnly) await bringLayoutUpToDate(store);
    // DuckDB's checkpoint "vacuums" the row groups earlier checkpoints left (a checkpointed row
    // group is not appended to, so each checkpoint starts one), merging them pairwise like a binary
    // counter: a run's checkpoints rewrote 5,000, 10,000, 20,000 … rows of alerts at once (an
    // 80,000-case run held 447 MB where 40,000 held 379), and the first `rescore` after a
    // 40,000-case run merged them all (575 MB against 366). Without it, row groups stay a
    // checkpoint's size (~5,000 cases) and a deleted run's blocks are still reused.
    if (!opts.readOnly && path !== ":memory:") await store.run("SET max_vacuum_tasks = 0");
    return store;
  }

  /** How many statements a piece of SQL holds (a user's `soceval query` runs one). */
  async statementCount(sql: string): Promise<number> {
    return (await this.tracked(() => this.conn.extractStatements(sql))).count;
  }

  /** Rows as JS values; `converter` chooses them (shown-values.ts: how `soceval query` prints them). */
  async query<T = Row>(
    sql: string,
    params?: unknown[],
    converter: DuckDBValueConverter<unknown> = JSDuckDBValueConverter as DuckDBValueConverter<unknown>,
  ): Promise<T[]> {
    try {
      const reader = await this.tracked(() => this.conn.runAndReadAll(sql, params as never));
      return (reader.convertRowObjects(converter) as Record<string, unknown>[]).map(plain) as T[];
    } catch (e) {
      throw this.damaged(e);
    }
  }

  /**
   * DuckDB finds a damaged block only when a query reads it, and says where in which file only
   * sometimes ("Corrupt database file: … in block at location 274432"): the error names the store,
   * or every file attached to it (a merge's shards), as opening a damaged file does.
   */
  private damaged(e: unknown): unknown {
    const message = e instanceof Error ? e.message.split("\n")[0]! : "";
    // an appender's rows meet the damage when they are flushed: "Failed to append: Corrupt database file: …"
    if (!/^(IO Error|Failed to append): (Corrupt database file|Could not read enough bytes)/.test(message)) return e;
    const files = [this.path, ...this.attached.values()];
    const which = files.length > 1 ? `one of ${files.join(", ")}` : this.path;
    return new DamagedStore(`${which}: a damaged DuckDB file (${message}); restore it from a copy`, this.path);
  }

  /**
   * The rows of a query one DuckDB chunk (up to 2,048 rows) at a time, as `query` gives them: a
   * command that prints every row never holds them all. The result is read while it is iterated,
   * so the store must stay open until the loop ends.
   */
  async *stream<T = Row>(sql: string, params?: unknown[]): AsyncGenerator<T[]> {
    this.inFlight++;
    try {
      const result = await this.conn.stream(sql, params as never);
      for await (const rows of result.yieldRowObjectJs()) yield rows.map(plain) as T[];
    } catch (e) {
      throw this.damaged(e);
    } finally {
      this.settled();
    }
  }

  /** Attach another store read-only as `schema` (a merge's shard); `detach` lets it go. */
  async attach(file: string, schema: string): Promise<void> {
    await this.run(`ATTACH ${sqlString(file)} AS ${schema} (READ_ONLY)`);
    this.attached.set(schema, file);
  }

  async detach(schema: string): Promise<void> {
    this.attached.delete(schema);
    await this.run(`DETACH ${schema}`);
  }

  async run(sql: string, params?: unknown[]): Promise<void> {
    try {
      await this.tracked(() => this.conn.run(sql, params as never));
    } catch (e) {
      throw this.damaged(e);
    }
  }

  /**
   * Append rows to several tables in one transaction: all land, or none do. A row is an object
   * keyed by column name, or already encoded (src/store/encode.ts) in column order. `into` names
   * the table that takes a table's rows instead (a staging copy of it, same columns).
   */
  async appendBatch(
    batch: Record<string, (Row | EncodedRow)[]>,
    into: (name: string) => string = (name) => name,
  ): Promise<void> {
    const tables = Object.keys(batch).filter((name) => batch[name]!.length > 0);
    const tx = await this.openTransaction(tables, into);
    try {
      for (const name of tables)
        for (const row of batch[name]!) tx.append(name, Array.isArray(row) ? row : encode(name, row));
    } catch (e) {
      await tx.rollback();
      throw e;
    }
    await tx.commit();
  }

  /**
   * A transaction that takes rows as they arrive, through one appender per table, until it is
   * committed: a run streams its rows into DuckDB instead of holding a batch in JS, and commits
   * every few thousand cases (bench/README.md: each commit has a fixed cost, so fewer, larger
   * ones store a run with a third less CPU). Nothing else may use the connection while it is open.
   */
  async openTransaction(
    tables: readonly string[],
    into: (name: string) => string = (name) => name,
  ): Promise<OpenTransaction> {
    await this.conn.run("BEGIN TRANSACTION");
    try {
      const appenders = new Map<string, ChunkAppender>();
      for (const name of tables)
        appenders.set(
          name,
          new ChunkAppender(
            await this.conn.createAppender(into(name)),
            table(name).columns.map(([, type]) => type),
          ),
        );
      return new OpenTransaction(
        this.conn,
        appenders,
        (e) => this.damaged(e),
        () => this.committed++,
      );
    } catch (e) {
      await this.conn.run("ROLLBACK").catch(() => {});
      throw e;
    }
  }

  /**
   * The buffer pool while a run (or a merge) writes its rows, chosen with bench/replay
   * (bench/README.md, twentieth session), given back when it ends so queries get DuckDB's default
   * (80% of RAM): 64 MB, or twice `vectorBytes`, the bytes of the dataset's 2,048 longest cases, if
   * that is more. DuckDB reads, writes and checkpoints a column a vector of 2,048 rows at a time and
   * cannot spill one: a fixed 128 MB failed a run of 150 KB alerts ("failed to pin block", the
   * database invalidated), and with the bench's 15 KB alerts 32 MB failed and 40 MB held. Never
   * more than DuckDB's own default. An in-memory store has no file to spill to.
   *
   * And a checkpoint at every commit of a batch (a WAL of 4 MiB, where DuckDB's default is 16):
   * until its checkpoint, a committed batch stays in memory uncompressed. At the default every
   * other batch of the bench's cases checkpointed, and the run peaked ~20 MB higher at 10,000
   * cases and at 40,000, for no gain in time (bench/README.md, twenty-first session). A slow
   * model's small batches still commit without checkpointing.
   */
  async tuneForBulkWrites(on: boolean, vectorBytes = 0): Promise<void> {
    if (this.path === ":memory:") return;
    if (on) {
      const [d] = await this.query<{ limit: string; threshold: string }>(
        "SELECT current_setting('memory_limit') AS limit, current_setting('checkpoint_threshold') AS threshold",
      );
      this.beforeBulkWrites ??= { memoryLimit: d!.limit, checkpointThreshold: d!.threshold };
      const mb = bulkWriteMemoryMb(vectorBytes);
      if (mb < sizeMb(d!.limit)) await this.conn.run(`SET memory_limit = '${mb}MiB'`);
      await this.conn.run(`SET checkpoint_threshold = '${BULK_WRITE_CHECKPOINT_MB}MiB'`);
    } else if (this.beforeBulkWrites) {
      // set again, not RESET: DuckDB's RESET memory_limit shows the default but leaves the buffer
      // pool at the bound, so a gate's comparison after its run failed "Out of Memory" at 64 MiB
      const { memoryLimit, checkpointThreshold } = this.beforeBulkWrites;
      this.beforeBulkWrites = null;
      await this.conn.run(`SET memory_limit = ${sqlString(memoryLimit)}`);
      await this.conn.run(`SET checkpoint_threshold = ${sqlString(checkpointThreshold)}`);
    }
  }

  /**
   * Closing the connection while DuckDB still works on a statement of it crashes the process
   * (a segfault, an abort, or a hang that never exits): the statement's worker thread then frees
   * the connection's context while it holds its lock. A command whose Promise.all of queries
   * fails on one (a damaged block) closes in its `finally` with the others still running, so the
   * store closes when the last of them is answered instead.
   */
  close(): void {
    if (this.isClosed) return;
    if (this.inFlight > 0) {
      this.closeWhenIdle = true;
      return;
    }
    this.conn.closeSync();
    this.instance.closeSync();
    this.isClosed = true;
  }

  /**
   * How many transactions this handle has committed: a signal handler, which cannot query the store
   * while a run streams into it, tells by this whether the run's first rows (its own) are stored yet.
   */
  get commits(): number {
    return this.committed;
  }

  /** Whether DuckDB has let go of the file (close waits for statements still answering). */
  get closed(): boolean {
    return this.isClosed;
  }

  private async tracked<T>(statement: () => Promise<T>): Promise<T> {
    this.inFlight++;
    try {
      return await statement();
    } finally {
      this.settled();
    }
  }

  private settled(): void {
    this.inFlight--;
    if (this.inFlight === 0 && this.closeWhenIdle) {
      this.closeWhenIdle = false;
      this.close();
    }
  }
}

/** See Store.openTransaction. All its rows land at `commit`, or none do. */
export class OpenTransaction {
  private done = false;
  constructor(
    private readonly conn: DuckDBConnection,
    private readonly appenders: Map<string, ChunkAppender>,
    private readonly damaged: (e: unknown) => unknown,
    private readonly onCommit: () => void = () => {},
  ) {}

  append(name: string, row: EncodedRow): void {
    const a = this.appenders.get(name);
    if (!a) throw new Error(`no appender for ${name}`);
    a.add(row);
  }

  /** One row of a replay worker's frame (row-frame.ts). */
  appendFrom(name: string, r: FrameReader): void {
    const a = this.appenders.get(name);
    if (!a) throw new Error(`no appender for ${name}`);
    a.addFrom(r);
  }

  async commit(): Promise<void> {
    this.done = true;
    try {
      for (const a of this.appenders.values()) a.close();
      await this.conn.run("COMMIT");
    } catch (e) {
      await this.conn.run("ROLLBACK").catch(() => {});
      throw this.damaged(e);
    }
    this.onCommit();
  }

  async rollback(): Promise<void> {
    if (this.done) return;
    this.done = true;
    for (const a of this.appenders.values()) a.discard();
    await this.conn.run("ROLLBACK").catch(() => {});
  }
}

/** A store file whose damage a statement met: bad input (exit 2), which no retry or resume gets past. */
export class DamagedStore extends InputError {
  override name = "DamagedStore";
}

/** A string as a SQL literal, for the statements that cannot take parameters (COPY, ATTACH). */
export function sqlString(s: string): string {
  return `'${s.replace(/'/g, "''")}'`;
}

/**
 * BIGINT arrives as bigint; metrics and JSON reports want plain numbers. One past 2^53 would lose
 * digits as a number, so it stays exact as text.
 */
function plain(row: Record<string, unknown>): Row {
  for (const k in row) {
    const v = row[k];
    if (typeof v === "bigint") row[k] = Number.isSafeInteger(Number(v)) ? Number(v) : v.toString();
  }
  return row;
}
