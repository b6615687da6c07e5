import { existsSync, mkdirSync, statSync, writeFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { InputError } from "./errors.js";

const isDir = (p: string) => existsSync(p) && statSync(p).isDirectory();

/** `path`, or the nearest folder above it that exists (what creating it would build on). */
function nearestExisting(path: string): string {
  let p = resolve(path);
  while (!existsSync(p)) p = dirname(p);
  return p;
}

/**
 * A file the user named for output (--out, --junit, --summary, --json) that cannot be one — a folder,
 * or a path under a file — is bad input (exit 2), refused before the work: a gate or a run must not
 * judge first and then fail as a runtime error (exit 3) on the write. A missing folder is fine: it
 * is created.
 */
export function checkOutFile(flag: string, path: string): void {
  if (isDir(path)) throw new InputError(`${flag} ${path}: is a directory; name a file`);
  const base = nearestExisting(dirname(path));
  if (!isDir(base)) throw new InputError(`${flag} ${path}: ${base} is a file, not a folder`);
}

/** An output folder (`start --out`), created if missing: refused when it, or a folder above it, is a file. */
export function checkOutDir(flag: string, path: string): void {
  const base = nearestExisting(path);
  if (isDir(base)) return;
  throw new InputError(
    base === resolve(path)
      ? `${flag} ${path}: is a file; name a folder`
      : `${flag} ${path}: ${base} is a file, not a folder`,
  );
}

/** Write an output file, creating its folder; checked as checkOutFile. */
export function writeOutFile(flag: string, path: string, text: string): void {
  checkOutFile(flag, path);
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, text);
}
