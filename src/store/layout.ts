import { InputError } from "../io/errors.js";
import { shellWord } from "../io/shell.js";
import type { Store } from "./db.js";
import { TRANSCRIPT_STEPS_VIEW } from "./steps-sql.js";
import { ddl, TABLES } from "./tables.js";
import { missingTranscriptSql, UNMEASURED_COLUMNS } from "./unmeasured.js";

/*
 * A store's layout across soceval versions: a command that writes brings an older store up to
 * this one's tables, columns and views; one that only reads sees it through views of the current
 * layout, and changes nothing.
 */

/** An older store opened read-only: read through temporary views of the current layout. */
export async function readOlderLayout(store: Store): Promise<void> {
  const layout = await schemaVersion(store);
  if (layout < SCHEMA_VERSION) await readAsCurrent(store, layout);
}

/** A store opened to write: its tables, columns and views made this soceval's, its old rows mended once. */
export async function bringLayoutUpToDate(store: Store): Promise<void> {
  await refuseOldLayout(store);
  await refuseNewerLayout(store);
  for (const t of TABLES) await store.run(ddl(t));
  await addMissingColumns(store);
  await store.run(TRANSCRIPT_STEPS_VIEW);
  await store.run("CREATE TABLE IF NOT EXISTS soceval_schema (version INTEGER)");
  const version = await schemaVersion(store);
  if (version === SCHEMA_VERSION) return;
  // before version 1 a model's prose answer went into transcripts.output as raw text, which no
  // JSON reader (export, show, Parquet) could read back: it becomes the JSON string it was
  if (version < 1)
    await store.run(
      "UPDATE transcripts SET output = to_json(output::VARCHAR) WHERE output IS NOT NULL AND NOT json_valid(output::VARCHAR)",
    );
  // before version 4 a case an imported file had no transcript for was stored as costing 0 and
  // taking 0 ms: nothing was measured, so those values are unknown
  if (version < 4)
    await store.run(
      `UPDATE case_results r SET ${UNMEASURED_COLUMNS.map((c) => `${c} = NULL`).join(", ")} WHERE ${missingTranscriptSql("r")}`,
    );
  await store.run(`DELETE FROM soceval_schema; INSERT INTO soceval_schema VALUES (${SCHEMA_VERSION})`);
}

/** Stores from before steps lived only in tool_calls/model_calls (0.1 pre-releases) cannot take new runs. */
async function refuseOldLayout(store: Store): Promise<void> {
  const old = await store.query(
    "SELECT 1 FROM duckdb_columns() WHERE database_name = current_database() AND table_name = 'transcripts' AND column_name = 'steps'",
  );
  // `soceval export` opens a store through here too: the way out is a tool that reads any DuckDB file
  if (old.length > 0)
    throw new InputError(
      `${store.path}: written by a pre-release soceval (transcripts.steps), which no command of this one reads ` +
        `or writes; copy what you need out with the DuckDB CLI (duckdb ${shellWord(store.path)} ` +
        `"COPY runs TO 'runs.jsonl'; COPY transcripts TO 'transcripts.jsonl'") and use a new --db`,
      store.path,
    );
}

/**
 * A store a later soceval has written may hold columns this one does not fill (its appends then
 * fail half-way through a run) and rows its migrations would mend again: this one must not write
 * to it, nor mark it as its own older layout. Reading it is left to the commands that only read.
 */
async function refuseNewerLayout(store: Store): Promise<void> {
  const version = await schemaVersion(store);
  if (version > SCHEMA_VERSION)
    throw new InputError(
      `${store.path}: written by a newer soceval (store layout ${version}; this one writes layout ${SCHEMA_VERSION}), ` +
        "which this one must not add to or change; run the newer soceval, or pass another --db",
      store.path,
    );
}

/**
 * The layout a store was last brought up to by a command that writes: 0 before soceval_schema
 * existed. Bump SCHEMA_VERSION whenever tables.ts gains a column or the transcript_steps view
 * changes, so that a read-only command reads an older store through views of the current layout.
 */
const SCHEMA_VERSION = 7;

async function schemaVersion(store: Store, database?: string): Promise<number> {
  const [table] = await store.query<{ n: number }>(
    `SELECT count(*)::INTEGER AS n FROM duckdb_tables()
     WHERE database_name = ${database === undefined ? "current_database()" : "?"} AND table_name = 'soceval_schema'`,
    database === undefined ? [] : [database],
  );
  if (!table?.n) return 0;
  const [row] = await store.query<{ v: number | null }>(
    `SELECT max(version) AS v FROM ${database === undefined ? "" : `${database}.`}soceval_schema`,
  );
  return row?.v ?? 0;
}

/** A shard attached as `database` that a later soceval wrote: merged by this one, what only that one stores would be dropped. */
export async function refuseNewerShard(store: Store, database: string, file: string): Promise<void> {
  const version = await schemaVersion(store, database);
  if (version > SCHEMA_VERSION)
    throw new InputError(
      `${file}: written by a newer soceval (store layout ${version}; this one writes layout ${SCHEMA_VERSION}), ` +
        "whose runs this one cannot merge whole; merge with the newer soceval",
      file,
    );
}

/** Before layout version 1 a model's prose answer was kept as raw text in a JSON column: read as the JSON string it was. */
const PROSE_AS_JSON = "CASE WHEN json_valid(output::VARCHAR) THEN output ELSE to_json(output::VARCHAR) END";

/**
 * A store from an earlier soceval, opened read-only: each table that lacks columns this soceval
 * reads is shadowed by a temporary view that adds them as NULL (a table it lacks entirely, by an
 * empty one), and transcript_steps is defined anew, so every query reads it as the current layout.
 */
async function readAsCurrent(store: Store, layout: number): Promise<void> {
  await refuseOldLayout(store);
  const [db] = await store.query<{ name: string }>("SELECT current_database() AS name");
  const main = `"${db!.name.replace(/"/g, '""')}".main`;
  const present = await columnsOf(store);
  const tables = new Set([...present].map((tc) => tc.slice(0, tc.indexOf("."))));
  for (const t of TABLES) {
    // before layout 4 a missing transcript's time, tokens and cost were stored as 0: read as unknown
    const unmeasured = t.name === "case_results" && layout < 4 && tables.has(t.name);
    if (t.columns.every(([c]) => present.has(`${t.name}.${c}`)) && t.name !== "transcripts" && !unmeasured) continue;
    const cols = t.columns.map(([c, type]) =>
      !present.has(`${t.name}.${c}`)
        ? `NULL::${type} AS ${c}`
        : t.name === "transcripts" && c === "output"
          ? `${PROSE_AS_JSON} AS output`
          : unmeasured && (UNMEASURED_COLUMNS as readonly string[]).includes(c)
            ? `CASE WHEN ${missingTranscriptSql("r", `${main}.`)} THEN NULL ELSE ${c} END AS ${c}`
            : c,
    );
    const from = tables.has(t.name) ? ` FROM ${main}.${t.name}${unmeasured ? " r" : ""}` : " WHERE false";
    await store.run(`CREATE TEMP VIEW ${t.name} AS SELECT ${cols.join(", ")}${from}`);
  }
  await store.run(TRANSCRIPT_STEPS_VIEW.replace("CREATE OR REPLACE VIEW", "CREATE OR REPLACE TEMP VIEW"));
}

/** `table.column` of every column a database has: the store's own, or an attached one by name. */
export async function columnsOf(store: Store, database?: string): Promise<Set<string>> {
  const rows = await store.query<{ t: string; c: string }>(
    `SELECT table_name AS t, column_name AS c FROM duckdb_columns()
     WHERE database_name = ${database === undefined ? "current_database()" : "?"}`,
    database === undefined ? [] : [database],
  );
  return new Set(rows.map((r) => `${r.t}.${r.c}`));
}

/**
 * A store written by an earlier soceval gains every column tables.ts has declared since (a
 * finding's step, a run's merge provenance, replay config, exit criteria): new columns are only
 * ever added last, so the table's order stays the declared one.
 */
async function addMissingColumns(store: Store): Promise<void> {
  const present = await columnsOf(store);
  for (const t of TABLES)
    for (const [c, type] of t.columns)
      if (!present.has(`${t.name}.${c}`)) await store.run(`ALTER TABLE ${t.name} ADD COLUMN ${c} ${type}`);
}
