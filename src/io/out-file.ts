import {
  accessSync,
  closeSync,
  constants,
  existsSync,
  lstatSync,
  openSync,
  readlinkSync,
  readSync,
  realpathSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { dirname, resolve } from "node:path";
import { InputError, ReaderGone, RuntimeFailure } from "./errors.js";
import { makeDirs } from "./make-dirs.js";

const isDir = (p: string) => existsSync(p) && statSync(p).isDirectory();

/**
 * Whether `path` is a DuckDB database file (its magic "DUCK" at byte 8, through any link); null when
 * it is not a file or cannot be read, so cannot be told. No output of soceval is one, so an --out
 * naming one is the store mistyped (`export --out .soceval/soceval.duckdb`): replacing it would lose
 * every run.
 */
export function duckDbFile(path: string): boolean | null {
  let fd: number | undefined;
  try {
    if (!statSync(path).isFile()) return null;
    fd = openSync(path, "r");
    const head = Buffer.alloc(12);
    return readSync(fd, head, 0, 12, 0) === 12 && head.toString("latin1", 8, 12) === "DUCK";
  } catch {
    return null;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

const isDuckDb = (path: string) => duckDbFile(path) === true;

/** `path`, or the nearest folder above it that exists (what creating it would build on). */
function nearestExisting(path: string): string {
  let p = resolve(path);
  while (!existsSync(p)) p = dirname(p);
  return p;
}

/** A file the command reads, and what it is to the user ("the suite's dataset"). */
export type Input = { what: string; file: string };

/**
 * The inputs of the command running in this process: every output checked or written after they are
 * named is refused when it is one, so a write that comes later (a gate's "not judged" note after the
 * refusal itself) cannot replace one either.
 */
const inputs: Input[] = [];

/** The same file: by path, or through a link or a second path to it (same device and inode). */
function sameFile(a: string, b: string): boolean {
  if (resolve(a) === resolve(b)) return true;
  try {
    const [sa, sb] = [statSync(a), statSync(b)];
    return sa.dev === sb.dev && sa.ino === sb.ino;
  } catch {
    return false;
  }
}

/**
 * Name the files this command reads, and refuse (exit 2) any of `outputs` that is one of them,
 * before any work: writing there would replace the user's suite, dataset or export with the output.
 */
export function refuseInputs(read: Input[], outputs: [flag: string, path: string | undefined][]): void {
  inputs.push(...read);
  for (const [flag, path] of outputs) if (path) checkNotInput(flag, path, read);
}

/** Refuse `path` when it is one of `read` (or of the inputs named by refuseInputs). */
export function checkNotInput(flag: string, path: string, read: Input[] = inputs): void {
  const hit = read.find((i) => sameFile(path, i.file));
  if (hit)
    throw new InputError(
      `${flag} ${path}: is ${hit.what} (${hit.file}); writing there would destroy it: name another file`,
      path,
    );
}

/**
 * A file the user named for output (--out, --junit, --summary, --json) that cannot be one — a folder,
 * or a path under a file — is bad input (exit 2), refused before the work: a gate or a run must not
 * judge first and then fail as a runtime error (exit 3) on the write. A missing folder is fine: it
 * is created.
 */
export function checkOutFile(flag: string, path: string): void {
  if (isDir(path)) throw new InputError(`${flag} ${path}: is a directory; name a file`);
  checkNotInput(flag, path);
  if (isDuckDb(path))
    throw new InputError(
      `${flag} ${path}: is a DuckDB database (a soceval store?); writing there would replace it: name another file`,
    );
  const base = nearestExisting(dirname(path));
  if (!isDir(base)) throw new InputError(`${flag} ${path}: ${base} is a file, not a folder`);
}

/**
 * As checkOutFile, and the folder the file is renamed into (or the device written in place) must take
 * a write: a read-only checkout is refused before the work, not found out when its output is due. A
 * permission check, so nothing is written to find out.
 */
export function checkOutWritable(flag: string, path: string): void {
  checkOutFile(flag, path);
  const { file, regular } = outTarget(path);
  const where = regular ? nearestExisting(dirname(file)) : file;
  try {
    accessSync(where, constants.W_OK);
  } catch (e) {
    throw new InputError(`${flag} ${path}: cannot write in ${where} (${(e as NodeJS.ErrnoException).code ?? e})`);
  }
}

/**
 * An output folder (`start --out`, `dataset generate --out`), created if missing: refused when it, or a
 * folder above it, is a file, or when the nearest folder that exists takes no write (a read-only
 * checkout): `start` replayed a whole suite into the store first, then failed on its report (exit 3).
 */
export function checkOutDir(flag: string, path: string): void {
  const base = nearestExisting(path);
  if (!isDir(base))
    throw new InputError(
      base === resolve(path)
        ? `${flag} ${path}: is a file; name a folder`
        : `${flag} ${path}: ${base} is a file, not a folder`,
    );
  try {
    accessSync(base, constants.W_OK);
  } catch (e) {
    throw new InputError(`${flag} ${path}: cannot write in ${base} (${(e as NodeJS.ErrnoException).code ?? e})`);
  }
}

/**
 * Where output for `path` really goes. A symlink is followed, so the file it names gets the output
 * and the link stays; a device or a pipe (/dev/stdout, a FIFO) is written in place, since a temporary
 * file renamed over it would replace it. Anything else is written beside the target and renamed, so
 * a failed write never leaves half a file, nor destroys the file that was there.
 */
export function outTarget(path: string): { file: string; regular: boolean } {
  const file = resolve(path);
  let target: ReturnType<typeof statSync>;
  try {
    target = statSync(file); // through any links
  } catch {
    // nothing there yet, or a link to a file not made yet: the file it names is written
    try {
      if (lstatSync(file).isSymbolicLink()) return { file: resolve(dirname(file), readlinkSync(file)), regular: true };
    } catch {}
    return { file, regular: true };
  }
  // a pipe or a device (/dev/stdout on a pipe has no real path to resolve): in place, by the name given
  if (!target.isFile()) return { file, regular: false };
  return { file: realpathSync(file), regular: true };
}

type Target = { path: string; file: string; regular: boolean; tmp: string };

function prepare(flag: string, path: string): Target {
  checkOutFile(flag, path);
  const { file, regular } = outTarget(path);
  return { path, file, regular, tmp: regular ? `${file}.partial` : file };
}

function finish(t: Target): void {
  if (t.regular) renameSync(t.tmp, t.file);
}

/** A failed write names the file the user gave and leaves nothing behind (exit 3). */
function failed(flag: string, t: Target, e: unknown): never {
  if (t.regular) rmSync(t.tmp, { force: true });
  // what was to be written could not be read (a damaged store): the input's fault, not the write's
  if (e instanceof InputError) throw e;
  // a pipe whose reader went away (node's EPIPE, DuckDB's "Broken pipe"): nothing failed on our side
  else if ((e as NodeJS.ErrnoException).code === "EPIPE" || /\b(EPIPE|Broken pipe)\b/i.test((e as Error).message))
    throw new ReaderGone(`${flag} ${t.path}: the reader stopped reading`);
  throw new RuntimeFailure(`${flag} ${t.path}: could not write it: ${(e as Error).message}`);
}

/** Write an output file through `write`, which gets the path to write to (and whether it is a regular file); as writeOutFile. */
export async function writeOutFileWith(
  flag: string,
  path: string,
  write: (file: string, regular: boolean) => void | Promise<void>,
): Promise<{ regular: boolean }> {
  const t = prepare(flag, path);
  try {
    makeDirs(dirname(t.file));
    await write(t.tmp, t.regular);
    finish(t);
  } catch (e) {
    failed(flag, t, e);
  }
  return { regular: t.regular };
}

/** Write an output file, creating its folder; checked as checkOutFile, written as outTarget says. */
export function writeOutFile(flag: string, path: string, text: string): void {
  const t = prepare(flag, path);
  try {
    makeDirs(dirname(t.file));
    writeFileSync(t.tmp, text);
    finish(t);
  } catch (e) {
    failed(flag, t, e);
  }
}
