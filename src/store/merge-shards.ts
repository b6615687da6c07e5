import { existsSync } from "node:fs";
import { resolve } from "node:path";
import { InputError } from "../io/errors.js";
import { VECTOR_ROWS } from "../io/hash.js";
import { shellWord } from "../io/shell.js";
import { type Store, sqlString } from "./db.js";
import { columnsOf, refuseNewerShard } from "./layout.js";
import { newRunId } from "./run-id.js";
import { type ReplayConfig, repeatedKeys } from "./run-writer.js";
import { storeOpenError } from "./store-file.js";
import { RUN_TABLES, table } from "./tables.js";

/** Every table a shard's run fills but its `runs` row (written once, for the merged run). */
const SHARD_TABLES = RUN_TABLES.filter((t) => t !== "runs");

type ShardRun = {
  run_id: string;
  suite: string;
  suite_path: string | null;
  dataset_hash: string;
  agent_hashes: string;
  epochs: number;
  seed: number;
  shard: string;
  status: string;
  started_at: Date;
  git_revision: string | null;
  /** the suite's faults and --limit (runs.replay_config); null in a store from before that column */
  replay_config: string | null;
};

/** A sharded run as found in one of the files: where it is, and which slice of which run it is. */
type Found = ShardRun & { file: string; schema: string; index: number; count: number; identity: string };

export type MergeOutcome = {
  runId: string;
  suite: string;
  shards: { shard: string; run_id: string; file: string }[];
  results: number;
  /** shards replayed at different git revisions: the merged run mixes scorer versions */
  revisions: string[];
  /** stores passed that hold no shard of the merged run (another run's, or an older slice) */
  unused: string[];
};

/**
 * Merge the shards of one run (`soceval run --shard i/n --db shard-i.duckdb`, one store each) into
 * a single run in `store`, so report, compare and gate see every case. The shards must be the same
 * suite, dataset, agents, seed and epochs, cover 1..n exactly, and each be finished; the newest
 * run of each slice is taken. All rows land in one transaction, under a new run id.
 */
export async function mergeShards(store: Store, files: string[]): Promise<MergeOutcome> {
  const attached: string[] = [];
  try {
    const found: Found[] = [];
    for (const [i, file] of files.entries()) {
      const schema = await attach(store, file, i, attached);
      for (const r of await shardRuns(store, schema)) found.push(describe(r, file, schema));
    }
    const chosen = chooseShards(found, files);
    await refuseMergedBefore(store, chosen);
    const outcome = await copyShards(store, chosen);
    return { ...outcome, unused: files.filter((f) => !chosen.some((c) => c.file === f)) };
  } finally {
    for (const schema of attached) await store.detach(schema).catch(() => {});
  }
}

async function attach(store: Store, file: string, i: number, attached: string[]): Promise<string> {
  if (!existsSync(file)) throw new InputError(`${file}: no such store`, file);
  // the target store itself can be one of the shards: it is open already, as `main`
  if (store.path !== ":memory:" && resolve(file) === resolve(store.path)) return "main";
  const schema = `shard_${i}`;
  try {
    await store.attach(file, schema);
  } catch (e) {
    throw storeOpenError(file, e, "cannot open as a soceval store", "merge once the run writing it has finished");
  }
  attached.push(schema);
  // a DuckDB file of another kind: named as such, as --db names one, not DuckDB's catalog error
  if (![...(await columnsOf(store, schema))].some((c) => c.startsWith("runs.")))
    throw new InputError(`${file}: not a soceval store (it holds no runs table)`, file);
  await refuseNewerShard(store, schema, file);
  return schema;
}

async function shardRuns(store: Store, schema: string): Promise<ShardRun[]> {
  const config = (await columnsOfShard(store, schema)).has("runs.replay_config") ? "replay_config::VARCHAR" : "NULL";
  return store.query<ShardRun>(
    `SELECT run_id, suite, suite_path, dataset_hash, agent_hashes::VARCHAR AS agent_hashes, epochs, seed, shard,
            status, started_at, git_revision, ${config} AS replay_config
     FROM ${schema}.runs WHERE shard IS NOT NULL ORDER BY started_at DESC`,
  );
}

function describe(r: ShardRun, file: string, schema: string): Found {
  const [index, count] = r.shard.split("/").map(Number) as [number, number];
  // the same run, sliced: what must agree between its shards
  const agents = JSON.stringify(Object.entries(JSON.parse(r.agent_hashes) as object).sort());
  // the faults and --limit too: a shard replayed under other faults, or limited, is another run
  // not where the suite file was: shards replayed on several machines sit in checkouts at other paths,
  // and what the file decides (agents, workflow, prompts, faults, seed) is compared by content
  const identity = [r.suite, r.dataset_hash, agents, r.epochs, r.seed, count, r.replay_config].join("\u0000");
  return { ...r, file, schema, index, count, identity };
}

/**
 * Which run is merged: of the runs found, those with one identity (suite, dataset, agents, epochs,
 * seed, shard count) covering the most slices, the newest on a tie; each slice is its newest stored
 * run. A slice held only by a run of another identity is named with what differs, not called missing.
 */
function chooseShards(found: Found[], files: string[]): Found[] {
  if (found.length === 0)
    throw new InputError(`no sharded runs (made with --shard i/n) in ${files.join(", ")}`, files[0]);
  const groups = new Map<string, Found[]>();
  for (const f of found) groups.set(f.identity, [...(groups.get(f.identity) ?? []), f]);
  const slices = (g: Found[]) => new Set(g.map((f) => f.index)).size;
  const newestOf = (g: Found[]) => Math.max(...g.map((f) => +f.started_at));
  const same = [...groups.values()].reduce((a, b) =>
    slices(b) > slices(a) || (slices(b) === slices(a) && newestOf(b) > newestOf(a)) ? b : a,
  );
  const ref = same[0]!;
  const chosen: Found[] = [];
  const missing: number[] = [];
  for (let i = 1; i <= ref.count; i++) {
    const slice = same.filter((f) => f.index === i).sort((a, b) => +b.started_at - +a.started_at)[0];
    if (!slice) missing.push(i);
    else chosen.push(slice);
  }
  if (missing.length > 0) {
    const ours = shardList(
      chosen.map((c) => c.index),
      ref.count,
    );
    // a store passed for a missing slice that holds that slice of another run: say how it differs
    const others = found.filter((f) => f.identity !== ref.identity);
    const foreign = missing.flatMap((i) => {
      const f = others.filter((o) => o.index === i).sort((a, b) => +b.started_at - +a.started_at)[0];
      return f ? [f] : [];
    });
    const unrelated = others.filter((o) => !foreign.includes(o) && !chosen.some((c) => c.file === o.file));
    for (const o of unrelated) if (!foreign.some((f) => f.file === o.file)) foreign.push(o);
    if (foreign.length > 0) {
      const which = foreign.map(
        (f) => `shard ${f.shard} in ${f.file} was made with other ${differences(f, ref)} than ${ours}`,
      );
      throw new InputError(`${which.join("; ")}; pass the shards of one run`, foreign[0]!.file);
    }
    const have = chosen.map((c) => `${c.shard} in ${c.file}`).join(", ");
    const names = missing.map((i) => `${i}/${ref.count}`);
    throw new InputError(
      `suite ${ref.suite}: shard${names.length > 1 ? "s" : ""} ${names.join(", ")} missing (have ${have}); ` +
        "pass every shard's store",
      ref.file,
    );
  }
  const unfinished = chosen.find((c) => c.status !== "finished");
  if (unfinished)
    throw new InputError(
      `${unfinished.file}: shard ${unfinished.shard} (run ${unfinished.run_id}) is ${unfinished.status === "running" ? "unfinished (running, or stopped by a kill)" : unfinished.status}; ` +
        `finish it first: ${resumeCommand(unfinished)}`,
      unfinished.file,
    );
  return chosen;
}

/**
 * The command that finishes a shard. A resume is refused unless agents, epochs, --limit and shard
 * are the run's, and the suite's defaults are not at hand here, so each is spelled out: a bare
 * `--resume` hint was refused for a shard replayed with `--agent` or `--epochs`.
 */
function resumeCommand(f: Found): string {
  const agents = Object.keys(JSON.parse(f.agent_hashes) as object).map(shellWord);
  const limit = f.replay_config ? (JSON.parse(f.replay_config) as { limit?: number | null }).limit : null;
  return [
    `soceval run ${f.suite_path ? shellWord(f.suite_path) : "<suite>"} --resume ${f.run_id}`,
    agents.length > 0 ? `--agent ${agents.join(" ")}` : "",
    `--epochs ${f.epochs}`,
    limit ? `--limit ${limit}` : "",
    `--shard ${f.shard} --db ${shellWord(f.file)}`,
  ]
    .filter(Boolean)
    .join(" ");
}

/**
 * The same shard runs merged again into the same store would be a second run with the same cases
 * (and the newer of the two `latest`): refused, naming the run that already holds them.
 */
async function refuseMergedBefore(store: Store, chosen: Found[]): Promise<void> {
  const key = (ids: string[]) => [...ids].sort().join(" ");
  const ours = key(chosen.map((c) => c.run_id));
  const merged = await store.query<{ run_id: string; merged_from: string }>(
    "SELECT run_id, merged_from::VARCHAR AS merged_from FROM main.runs WHERE merged_from IS NOT NULL",
  );
  const same = merged.find(
    (m) => key((JSON.parse(m.merged_from) as { run_id: string }[]).map((x) => x.run_id)) === ours,
  );
  if (same)
    throw new InputError(
      `${store.path} already holds these shards merged, as run ${same.run_id}; ` +
        `report on that run, or remove it first (soceval runs delete ${same.run_id} --db ${store.path})`,
      store.path,
    );
}

/** "shards 1/4–3/4", "shards 1/4, 3/4", "shard 2/4" */
function shardList(indices: number[], count: number): string {
  const sorted = [...indices].sort((a, b) => a - b);
  if (sorted.length === 0) return "the other shards";
  if (sorted.length === 1) return `shard ${sorted[0]}/${count}`;
  const run = sorted.every((v, k) => k === 0 || v === sorted[k - 1]! + 1);
  if (run && sorted.length > 2) return `shards ${sorted[0]}/${count}–${sorted[sorted.length - 1]}/${count}`;
  return `shards ${sorted.map((i) => `${i}/${count}`).join(", ")}`;
}

/** What makes `f` another run than `ref`: "agents (playbook 1a2b3c4d, not playbook 5e6f7a8b)/epochs (2, not 1)". */
function differences(f: Found, ref: Found): string {
  const out: string[] = [];
  const agents = (r: Found) =>
    Object.entries(JSON.parse(r.agent_hashes) as Record<string, string>)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([name, hash]) => `${name} ${String(hash).slice(0, 8)}`)
      .join(", ");
  if (agents(f) !== agents(ref)) out.push(`agents (${agents(f)}, not ${agents(ref)})`);
  if (f.epochs !== ref.epochs) out.push(`epochs (${f.epochs}, not ${ref.epochs})`);
  if (f.seed !== ref.seed) out.push(`seed (${f.seed}, not ${ref.seed})`);
  if (f.dataset_hash !== ref.dataset_hash)
    out.push(`dataset (hash ${f.dataset_hash.slice(0, 12)}, not ${ref.dataset_hash.slice(0, 12)})`);
  if (f.suite !== ref.suite) out.push(`suite (${f.suite}, not ${ref.suite})`);
  if (f.count !== ref.count) out.push(`shard count (${f.count}, not ${ref.count})`);
  if (f.replay_config !== ref.replay_config) {
    const cfg = (r: Found) => (r.replay_config ? (JSON.parse(r.replay_config) as ReplayConfig) : null);
    const [a, b] = [cfg(f), cfg(ref)];
    const limit = (c: ReplayConfig | null) => (c ? String(c.limit ?? "none") : "unknown");
    const faults = (c: ReplayConfig | null) => (c ? JSON.stringify(c.faults) : "unknown");
    if (limit(a) !== limit(b)) out.push(`--limit (${limit(a)}, not ${limit(b)})`);
    if (faults(a) !== faults(b)) out.push(`faults (${faults(a)}, not ${faults(b)})`);
    if (limit(a) === limit(b) && faults(a) === faults(b)) out.push("fault draws");
  }
  return out.join("/") || "settings";
}

/**
 * `table.column` of every column a shard's store has: one written by an earlier soceval lacks the
 * columns added since (read-only, it cannot gain them), which the merge fills with NULL.
 */
const columnsOfShard = (store: Store, schema: string) => columnsOf(store, schema === "main" ? undefined : schema);

/**
 * The bytes of each shard's VECTOR_ROWS largest cases (alert and label), summed: a run of one shard
 * bounds DuckDB's memory by its own (io/hash.ts fileFacts, Store.tuneForBulkWrites), and a merge
 * commits every shard's rows at once. Two shards of 1,500 cases of 165 KB failed to commit under
 * twice one shard's bytes (435 MiB) and merged under 700 MiB.
 */
async function vectorBytesOf(store: Store, shards: Found[]): Promise<number> {
  let sum = 0;
  for (const s of shards) {
    const [r] = await store.query<{ n: number | null }>(
      `SELECT sum(n)::BIGINT AS n FROM (
         SELECT strlen(alert::VARCHAR) + coalesce(strlen(label::VARCHAR), 0) AS n
         FROM ${s.schema}.cases WHERE run_id = ? ORDER BY n DESC LIMIT ${VECTOR_ROWS})`,
      [s.run_id],
    );
    sum += Number(r?.n ?? 0);
  }
  return sum;
}

async function copyShards(store: Store, shards: Found[]): Promise<Omit<MergeOutcome, "unused">> {
  const runId = newRunId();
  const first = shards[0]!;
  const runCols = table("runs").columns.map(([c]) => c);
  // named columns: a shard written before a column was added has fewer
  const all = `(${shards
    .map(
      (s) => `SELECT started_at, finished_at, cases_total FROM ${s.schema}.runs WHERE run_id = ${sqlString(s.run_id)}`,
    )
    .join(" UNION ALL ")})`;
  const provenance = shards.map((s) => ({ shard: s.shard, run_id: s.run_id, file: s.file }));
  // each shard's tables and columns, read once: a shard written by an earlier soceval has fewer
  const columns = new Map<Found, Set<string>>();
  for (const s of shards) columns.set(s, await columnsOfShard(store, s.schema));
  const firstHas = columns.get(first)!;
  const shardConfigs = shards
    .map((s) =>
      columns.get(s)!.has("runs.replay_config")
        ? `SELECT replay_config FROM ${s.schema}.runs WHERE run_id = ${sqlString(s.run_id)}`
        : "SELECT NULL::JSON AS replay_config",
    )
    .join(" UNION ALL ");
  // the merged run spans its shards: first start, last finish, every case
  const pick = (c: string) => {
    if (c === "run_id") return "? AS run_id";
    if (c === "shard") return "NULL AS shard";
    if (c === "started_at") return `(SELECT min(started_at) FROM ${all}) AS started_at`;
    if (c === "finished_at") return `(SELECT max(finished_at) FROM ${all}) AS finished_at`;
    if (c === "cases_total") return `(SELECT sum(cases_total) FROM ${all})::INTEGER AS cases_total`;
    if (c === "merged_from") return "?::JSON AS merged_from";
    // the shards' faults and limit, when they all agree: the gate holds a baseline to them (a merged
    // run is never resumed); NULL when they differ or a shard predates replay_config
    if (c === "replay_config")
      return `(SELECT CASE WHEN count(DISTINCT replay_config::VARCHAR) = 1 AND count(replay_config) = count(*)
          THEN any_value(replay_config) END FROM (${shardConfigs})) AS replay_config`;
    return firstHas.has(`runs.${c}`) ? c : `NULL AS ${c}`;
  };
  // every shard's rows go in one transaction: under DuckDB's default buffer pool (80% of RAM) that
  // held 580–670 MB for 4 × 10,000 cases; bounded as a run's writes are, ~415 MB (bench/README.md)
  await store.tuneForBulkWrites(true, await vectorBytesOf(store, shards));
  await store.run("BEGIN TRANSACTION");
  try {
    await store.run(
      `INSERT INTO runs (${runCols.join(", ")})
       SELECT ${runCols.map(pick).join(", ")} FROM ${first.schema}.runs WHERE run_id = ?`,
      [runId, JSON.stringify(provenance), first.run_id],
    );
    for (const name of SHARD_TABLES) {
      const cols = table(name).columns.map(([c]) => c);
      // the agents are the same in every shard: take them once
      for (const s of name === "run_agents" ? [first] : shards) {
        const has = columns.get(s)!;
        // a shard stored by an earlier soceval may lack a table added since (replaced_model_calls)
        if (![...has].some((k) => k.startsWith(`${name}.`))) continue;
        const select = cols
          .map((c) => (c === "run_id" ? "? AS run_id" : has.has(`${name}.${c}`) ? c : `NULL AS ${c}`))
          .join(", ");
        await store.run(
          `INSERT INTO ${name} (${cols.join(", ")}) SELECT ${select} FROM ${s.schema}.${name} WHERE run_id = ?`,
          [runId, s.run_id],
        );
      }
    }
    const repeated = await repeatedKeys(store, runId);
    // the shards' own stores hold each case once (checked when each finished): overlap is what was passed
    if (repeated) {
      // shards slice the dataset by line, so a case id the dataset lists twice can land in two of them,
      // where no shard's own run sees it repeat: name the ids and how to find their lines
      const ids = await store.query<{ case_id: string }>(
        "SELECT case_id FROM cases WHERE run_id = ? GROUP BY case_id HAVING count(*) > 1 ORDER BY case_id LIMIT 5",
        [runId],
      );
      const [ds] = await store.query<{ dataset: string | null }>("SELECT dataset FROM runs WHERE run_id = ?", [runId]);
      const named = ids.length
        ? `; case ${ids.map((r) => JSON.stringify(r.case_id)).join(", ")}: a case id the dataset lists twice falls in two shards' slices, ` +
          `and \`soceval dataset validate ${shellWord(ds?.dataset ?? "<dataset>")}\` names its lines`
        : "";
      throw new InputError(
        `the shards overlap: a case is stored in more than one of ${shards.map((s) => s.file).join(", ")} ` +
          `(${repeated})${named}; nothing was merged`,
        first.file,
      );
    }
    await store.run("COMMIT");
  } catch (e) {
    await store.run("ROLLBACK").catch(() => {});
    throw e;
  } finally {
    await store.tuneForBulkWrites(false);
  }
  const [n] = await store.query<{ n: number }>("SELECT count(*) AS n FROM case_results WHERE run_id = ?", [runId]);
  const revisions = [...new Set(shards.map((s) => s.git_revision ?? "unknown"))];
  return {
    runId,
    suite: first.suite,
    shards: provenance,
    results: n?.n ?? 0,
    revisions: revisions.length > 1 ? revisions : [],
  };
}
