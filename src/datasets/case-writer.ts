import { once } from "node:events";
import { createWriteStream, existsSync, mkdirSync, renameSync, rmSync, statSync, type WriteStream } from "node:fs";
import { basename, dirname, join } from "node:path";
import { InputError } from "../io/errors.js";
import type { Case } from "../schema/index.js";
import { CaseIds, checkCase } from "./checks.js";

export type Origin = { file: string; line: number };

/**
 * Writes imported cases to a JSONL file atomically: lines go to a temp file beside the target, and
 * only `commit()` renames it into place, so a failed import never leaves a half-written dataset.
 * Every case is checked like `dataset validate` would before it is written.
 */
export class CaseWriter {
  private readonly tmp: string;
  private readonly out: WriteStream;
  private readonly ids = new CaseIds();
  private failed: unknown = null;
  count = 0;
  unlabeled = 0;

  constructor(readonly target: string) {
    // refused before the import reads a line: the rename at the end would fail on a folder
    if (existsSync(target) && statSync(target).isDirectory())
      throw new InputError(`--out ${target}: is a directory; name the cases file to write`, target);
    mkdirSync(dirname(target) || ".", { recursive: true });
    this.tmp = join(dirname(target), `.${basename(target)}.${process.pid}.${Date.now()}.tmp`);
    this.out = createWriteStream(this.tmp, { encoding: "utf8" });
    this.out.on("error", (e: NodeJS.ErrnoException) => {
      this.failed = new InputError(`${target}: cannot write (${e.code ?? e.message})`, target);
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
    if (!this.out.write(`${JSON.stringify(value)}\n`)) await once(this.out, "drain");
    return value;
  }

  async commit(): Promise<void> {
    this.out.end();
    await once(this.out, "finish");
    if (this.failed) throw this.failed;
    renameSync(this.tmp, this.target);
  }

  /** Drop the temp file; the target (if it existed) is untouched. */
  async abort(): Promise<void> {
    if (!this.out.closed) {
      this.out.destroy();
      await once(this.out, "close").catch(() => undefined);
    }
    rmSync(this.tmp, { force: true });
  }
}

/** Run an import into a CaseWriter, committing on success and cleaning up on any failure. */
export async function writeCases(target: string, produce: (w: CaseWriter) => Promise<void>): Promise<CaseWriter> {
  const w = new CaseWriter(target);
  try {
    await produce(w);
    await w.commit();
    return w;
  } catch (e) {
    await w.abort();
    throw e;
  }
}
