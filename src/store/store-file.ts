import { existsSync, readdirSync, rmdirSync, statSync, unlinkSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { InputError, RuntimeFailure } from "../io/errors.js";
import { makeDirs } from "../io/make-dirs.js";

/*
 * The store's file on disk, before DuckDB has it: its folder made, what a failed first open left
 * removed, and an open that failed said as bad input (exit 2) or a condition of the moment (exit 3).
 */

/**
 * Opening (or attaching) a store failed. Another process holding the file (a run in progress, a
 * DuckDB shell) is a condition of the moment, exit 3; anything else is bad input, exit 2.
 */
export function storeOpenError(
  path: string,
  e: unknown,
  what: string,
  advice = "wait for it to finish, or pass another --db",
): Error {
  const message = (e as Error).message.split("\n")[0]!;
  const holder = message.match(/Conflicting lock is held in .* \(PID (\d+)\)/);
  if (holder) return new RuntimeFailure(`${path}: in use by another process (PID ${holder[1]}); ${advice}`);
  // no room to write it is a condition of the moment too, as a full disk is for any write (exit 3)
  if (/No space left on device|Disk quota exceeded|File too large/i.test(message))
    return new RuntimeFailure(`${path}: ${what}: no room to write it (${message})`);
  // the log DuckDB replays on open is not of this file: a store restored from a copy (what a damaged
  // one is told to do) beside the old file's leftover .wal. DuckDB's words name no way out
  if (/Failure while replaying WAL file/.test(message))
    return new InputError(
      `${path}: ${what} (${message}); if ${path} was restored from a copy or replaced, ${path}.wal is the old file's ` +
        "unfinished log: move it aside and try again",
      path,
    );
  return new InputError(`${path}: ${what} (${message})`, path);
}

/** A zero-byte file at the store's path: what an interrupted first open leaves, not a store. */
export function emptyFile(path: string): boolean {
  try {
    const st = statSync(path);
    return st.isFile() && st.size === 0;
  } catch {
    return false;
  }
}

/**
 * The folder a new store goes in, made when missing. A path under a file, or a folder that cannot
 * be made (a read-only disk), is a --db that cannot be a store: bad input naming it, not node's
 * bare `EEXIST: file already exists, mkdir` as a runtime failure.
 */
export function makeFolder(path: string): string[] {
  const made: string[] = [];
  let base = dirname(resolve(path));
  for (; !existsSync(base); base = dirname(base)) made.unshift(base);
  if (!statSync(base).isDirectory()) throw new InputError(`${path}: ${base} is a file, not a folder`, path);
  try {
    makeDirs(dirname(path));
  } catch (e) {
    throw new InputError(`${path}: cannot make its folder (${(e as Error).message})`, path);
  }
  return made;
}

/** What DuckDB left of a new store it could not start (a file cut short, a log), and the folders made for it. */
export function removeUnstarted(path: string, folders: string[]): void {
  try {
    for (const f of [path, `${path}.wal`]) if (existsSync(f) && statSync(f).isFile()) unlinkSync(f);
    for (const folder of [...folders].reverse()) {
      if (readdirSync(folder).length > 0) break;
      rmdirSync(folder);
    }
  } catch {
    // what could not be removed stays; the error being reported is the one that matters
  }
}
