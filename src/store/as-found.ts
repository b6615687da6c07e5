import { closeSync, existsSync, openSync, readSync, rmSync, statSync } from "node:fs";
import type { Store } from "./db.js";

/** DuckDB's headers: the file's own, then two database headers, the newer naming the committed blocks. */
const HEADERS = 12_288;

/** A store file as a command found it, before opening it; null for no file (the command creates one). */
export type FoundStore = { size: number; headers: Buffer; wal: boolean } | null;

export function storeAsFound(path: string): FoundStore {
  if (path === ":memory:" || !existsSync(path)) return null;
  const headers = Buffer.alloc(HEADERS);
  const fd = openSync(path, "r");
  try {
    readSync(fd, headers, 0, HEADERS, 0);
  } finally {
    closeSync(fd);
  }
  return { size: statSync(path).size, headers, wal: existsSync(`${path}.wal`) };
}

/**
 * Give a store back as it was found, once a command failed on its damage: DuckDB writes a transaction to
 * the write-ahead log first and into the file only at a checkpoint, which a damaged file does not get
 * past. While the file's size and headers are what they were, every change since is in the log, which
 * did not exist before: removing it undoes the command (a run marked failed, rows that no resume could
 * finish on that file). Otherwise, or while DuckDB still holds the file, nothing is touched. Whether it
 * was given back.
 */
export async function giveBackAsFound(store: Store, found: FoundStore): Promise<boolean> {
  if (!found || found.wal) return false;
  // closing checkpoints the log into the file by default: the very change to undo
  const kept = await store.run("PRAGMA disable_checkpoint_on_shutdown").then(
    () => true,
    () => false,
  );
  if (!kept) return false;
  store.close();
  if (!store.closed) return false;
  const now = storeAsFound(store.path);
  if (!now || now.size !== found.size || !now.headers.equals(found.headers)) return false;
  rmSync(`${store.path}.wal`, { force: true });
  return true;
}
