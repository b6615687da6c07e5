import { InputError } from "../io/errors.js";
import type { Store } from "./db.js";

/**
 * ORDER BY for newest run first: by start time, except that a merged run (`runs merge`) counts from
 * when it was made. Its started_at stays its first shard's start (when its results began), which
 * would rank it below the shards themselves in a store that holds them. Nothing stores when a row
 * was made, but a merged run was made after all its shards finished (finished_at is the last of
 * theirs) and its run id begins with the second it was made (run-id.ts); the later of the two.
 * A store from before runs.merged_from holds no merged run.
 */
export async function newestFirst(store: Store, alias = ""): Promise<string> {
  return newestFirstBy(await madeAt(store, alias), alias);
}

/** The same order, from a madeAt expression already in hand. */
export function newestFirstBy(made: string, alias = ""): string {
  return `${made} DESC NULLS LAST, ${alias ? `${alias}.` : ""}run_id DESC`;
}

/** SQL for when a run was made: its start, or for a merged run the merge (its shards started earlier). */
export async function madeAt(store: Store, alias = ""): Promise<string> {
  const a = alias ? `${alias}.` : "";
  const [merged] = await store.query<{ n: number }>(
    "SELECT count(*)::INTEGER AS n FROM information_schema.columns WHERE table_name = 'runs' AND column_name = 'merged_from'",
  );
  return merged?.n
    ? `CASE WHEN ${a}merged_from IS NULL THEN ${a}started_at
         ELSE greatest(${a}started_at, ${a}finished_at, try_strptime(left(${a}run_id, 15), '%Y%m%d-%H%M%S')) END`
    : `${a}started_at`;
}

/** `latest` (the newest run: newestFirst) or an exact run id → the stored run id. */
export async function resolveRunId(store: Store, ref: string): Promise<string> {
  if (ref === "latest") {
    const rows = await store.query<{ run_id: string }>(
      `SELECT run_id FROM runs ORDER BY ${await newestFirst(store)} LIMIT 1`,
    );
    if (rows.length === 0)
      throw new InputError(`${store.path}: no runs stored yet (run \`soceval run <suite>\` first)`);
    return rows[0]!.run_id;
  }
  const rows = await store.query<{ run_id: string }>("SELECT run_id FROM runs WHERE run_id = ?", [ref]);
  if (rows.length === 0) {
    const near = await store.query<{ run_id: string }>(
      "SELECT run_id FROM runs WHERE starts_with(run_id, ?) ORDER BY run_id LIMIT 2",
      [ref],
    );
    if (near.length === 1) return near[0]!.run_id;
    // every command takes run ids under its own flag (--run, --runs, --baseline-run, `runs delete <run>`),
    // so the message names none; the hint names this store, not the default one
    const what = near.length > 1 ? `"${ref}" names more than one run` : `no run "${ref}"`;
    throw new InputError(`${store.path}: ${what} (see \`soceval runs list --db ${store.path}\`)`);
  }
  return ref;
}
