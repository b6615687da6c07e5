import { once } from "node:events";
import {
  createWriteStream,
  existsSync,
  openSync,
  renameSync,
  rmdirSync,
  rmSync,
  statSync,
  type WriteStream,
} from "node:fs";
import { basename, dirname, join, resolve } from "node:path";
import { InputError, ReaderGone, RuntimeFailure } from "../io/errors.js";
import { makeDirs } from "../io/make-dirs.js";
import { checkNotInput, checkOutFile, outTarget } from "../io/out-file.js";
import { refuseOtherFormat } from "../io/out-format.js";
import type { Case } from "../schema/index.js";
import { CaseIds, checkCase } from "./checks.js";

export type Origin = { file: string; line: number };

/** Writers whose temp file exists: neither committed nor aborted yet. */
const pending = new Set<CaseWriter>();

/**
 * Synchronously delete the temp file of every import in progress, for a process about to exit
 * (Ctrl-C): no hidden `.<out>.<pid>.<time>.tmp` is left beside the output. Returns their targets.
 */
export function discardPendingImports(): string[] {
  const targets: string[] = [];
  for (const w of pending) {
    w.discard();
    targets.push(w.target);
  }
  return targets;
}

/**
 * Writes imported cases to a JSONL file atomically: lines go to a temp file beside the target, and
 * only `commit()` renames it into place, so a failed import never leaves a half-written dataset.
 * Every case is checked like `dataset validate` would before it is written.
 */
export class CaseWriter {
  private readonly tmp: string;
  /** where the cases go: the file a symlink names (the link stays), or the target itself */
  private readonly file: string;
  /** false for a pipe or a device (/dev/stdout): written in place, never renamed over nor deleted */
  private readonly regular: boolean;
  private readonly out: WriteStream;
  /** the first folder this import created for --out, if any: a failed import removes what it made */
  private readonly createdDir: string | undefined;
  private readonly ids = new CaseIds();
  private failed: unknown = null;
  count = 0;
  unlabeled = 0;

  /** `inputs`: the files the import reads, which the output must not replace. */
  constructor(
    readonly target: string,
    inputs: string[] = [],
  ) {
    // refused before the import reads a line: the rename at the end would fail on a folder
    if (existsSync(target) && statSync(target).isDirectory())
      throw new InputError(`--out ${target}: is a directory; name the cases file to write`, target);
    // the rename at the end would replace the user's export (or mapping) with the cases made from it
    checkNotInput(
      "--out",
      target,
      inputs.map((file) => ({ what: "the input", file })),
    );
    // a dataset is JSONL wherever it goes: cases.json would hold lines jq and JSON readers reject
    refuseOtherFormat("--out", target, "JSONL", "the import");
    // a path under a file (cases.jsonl/x.jsonl) is the user's mistake, not a runtime failure
    checkOutFile("--out", target);
    // a temp file renamed over a symlink would replace the link, and over /dev/stdout the device
    const where = outTarget(target);
    this.file = where.file;
    this.regular = where.regular;
    try {
      this.createdDir = makeDirs(dirname(this.file));
    } catch (e) {
      throw cannotWrite(target, e);
    }
    this.tmp = this.regular
      ? join(dirname(this.file), `.${basename(this.file)}.${process.pid}.${Date.now()}.tmp`)
      : this.file;
    // opened here, not in the background: once the constructor returns the file exists, so
    // discard() never races an open still in flight that would create it after the delete
    let fd: number;
    try {
      fd = openSync(this.tmp, "w");
    } catch (e) {
      throw cannotWrite(target, e);
    }
    this.out = createWriteStream(this.tmp, { fd, encoding: "utf8" });
    pending.add(this);
    this.out.on("error", (e: NodeJS.ErrnoException) => {
      // a pipe whose reader left (`--out /dev/stdout | head`): the reader's choice, not a failed write
      this.failed =
        !this.regular && e.code === "EPIPE"
          ? new ReaderGone(`--out ${target}: the reader stopped reading`)
          : cannotWrite(target, e);
    });
  }

  /** Check and append one case; `origin` is where it came from, for the error message. */
  async write(candidate: unknown, origin: Origin): Promise<Case> {
    const { value, problems } = checkCase(candidate);
    const dup = value ? this.ids.duplicate(value.id, origin.line) : undefined;
    if (dup) problems.push(dup);
    if (!value || problems.length)
      throw new InputError(`${origin.file}:${origin.line}: ${problems[0]}`, origin.file, origin.line);
    if (this.failed) throw this.failed;
    this.count++;
    if (!value.label) this.unlabeled++;
    // a write error rejects the wait; this.failed says what it means (a reader gone, a full disk)
    if (!this.out.write(`${JSON.stringify(value)}\n`)) await once(this.out, "drain").catch(() => undefined);
    if (this.failed) throw this.failed;
    return value;
  }

  async commit(): Promise<void> {
    this.out.end();
    await once(this.out, "finish").catch(() => undefined);
    if (this.failed) throw this.failed;
    if (this.regular) renameSync(this.tmp, this.file);
    pending.delete(this);
  }

  /** Drop the temp file; the target (if it existed) is untouched. */
  async abort(): Promise<void> {
    if (!this.out.closed) {
      this.out.destroy();
      await once(this.out, "close").catch(() => undefined);
    }
    if (this.regular) rmSync(this.tmp, { force: true });
    pending.delete(this);
    this.removeCreatedDirs();
  }

  /** abort() for a process about to exit: synchronous, so it is done before process.exit(). */
  discard(): void {
    this.out.destroy();
    if (this.regular) rmSync(this.tmp, { force: true });
    pending.delete(this);
    this.removeCreatedDirs();
  }

  /** The folders made for --out, innermost first, while they are empty (rmdir refuses otherwise). */
  private removeCreatedDirs(): void {
    if (this.createdDir)
      for (let d = dirname(this.file); d.startsWith(resolve(this.createdDir)); d = dirname(d))
        try {
          rmdirSync(d);
        } catch {
          break;
        }
  }
}

/**
 * A --out that cannot be written. No room (a full disk, a quota, a size limit) or a failing device
 * is a condition of the moment, exit 3 as every other command's full-disk write; a path that
 * cannot be written at all (no permission, a read-only disk) is the user's to change, exit 2.
 */
function cannotWrite(target: string, e: unknown): Error {
  const code = (e as NodeJS.ErrnoException).code;
  const text = `${target}: cannot write (${code ?? (e as Error).message ?? e})`;
  return code && ["ENOSPC", "EDQUOT", "EFBIG", "EIO"].includes(code)
    ? new RuntimeFailure(text)
    : new InputError(text, target);
}

export type WriteOptions = {
  /** the files the import reads; --out may not name one of them */
  inputs: string[];
  /** the error when the input held nothing to import: an empty dataset is not one (validate and stats refuse it) */
  empty: () => InputError;
};

/** Run an import into a CaseWriter, committing on success and cleaning up on any failure. */
export async function writeCases(
  target: string,
  opts: WriteOptions,
  produce: (w: CaseWriter) => Promise<void>,
): Promise<CaseWriter> {
  const w = new CaseWriter(target, opts.inputs);
  try {
    await produce(w);
    if (w.count === 0) throw opts.empty();
    await w.commit();
    return w;
  } catch (e) {
    await w.abort();
    throw e;
  }
}
