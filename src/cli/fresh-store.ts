import { existsSync, readdirSync, rmdirSync, rmSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { Store } from "../store/db.js";

/** What a command that writes runs created when it opened its store: the file, and the folders Store.open made for it, outermost first. */
export type Created = { file: boolean; folders: string[] };

/** The folders above `path` that do not exist yet, the outermost first. */
function missingFolders(path: string): string[] {
  const out: string[] = [];
  for (let d = dirname(resolve(path)); !existsSync(d); d = dirname(d)) out.unshift(d);
  return out;
}

/**
 * A store for a command that writes runs (`run`, `score`), and what opening it created. DuckDB
 * makes the file (and Store.open its folder) before the suite, agents and keys are checked; a
 * refusal then would leave an empty store at --db (often a mistyped one, or `.soceval/` in a fresh
 * checkout) that later reads as "no runs stored yet".
 */
export async function openForWriting(path: string): Promise<{ store: Store; created: Created }> {
  const created = toBeCreated(path);
  return { store: await Store.open(path), created };
}

/** What opening a store for writing at `path` would create: known before the open, which a signal can cut short. */
export function toBeCreated(path: string): Created {
  const memory = path === ":memory:";
  return { file: !memory && !existsSync(path), folders: memory ? [] : missingFolders(path) };
}

/**
 * After a command failed: a store it created and stored no run in is closed and removed (file,
 * write-ahead log, and its folder when that was made for it and is empty now). A store that holds
 * any run, even a failed one `--resume` can finish, stays. Returns whether it was removed (closed).
 */
export async function removeIfLeftEmpty(store: Store, created: Created): Promise<boolean> {
  if (!created.file) return false;
  const [row] = await store.query<{ n: number }>("SELECT count(*)::INTEGER AS n FROM runs");
  if ((row?.n ?? 0) > 0) return false;
  store.close();
  for (const f of [store.path, `${store.path}.wal`]) rmSync(f, { force: true });
  // innermost first, each only while empty: nothing a user put there meanwhile goes
  for (const folder of [...created.folders].reverse()) {
    if (readdirSync(folder).length > 0) break;
    rmdirSync(folder);
  }
  return true;
}

/**
 * A store this command created moments ago, removed while the process quits holding it open (a
 * signal): the file, its write-ahead log and DuckDB's spill folder beside it, then the folders made
 * for it, innermost first, each only while empty. Nothing of a store the command found is touched.
 */
export function removeCreatedNow(path: string, created: Created): void {
  if (!created.file) return;
  try {
    for (const f of [path, `${path}.wal`]) rmSync(f, { force: true });
    removeSpillNow(path, false);
    for (const folder of [...created.folders].reverse()) {
      if (readdirSync(folder).length > 0) break;
      rmdirSync(folder);
    }
  } catch {
    // what could not go stays; the process is quitting either way
  }
}

/**
 * DuckDB's spill folder beside a store (`<db>.tmp`; a merge filled it with 51 MB): a process that quits
 * holding the store open (a signal) leaves it full, and no later command empties it. Removed then,
 * unless it was there before this command (`found`).
 */
export function removeSpillNow(path: string, found: boolean): void {
  if (found || path === ":memory:") return;
  try {
    rmSync(`${path}.tmp`, { recursive: true, force: true });
  } catch {
    // the process is quitting either way
  }
}
