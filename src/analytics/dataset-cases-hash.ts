import { closeSync, openSync, readSync } from "node:fs";
import { fileSha256 } from "../io/hash.js";
import { lineEndingHashes, sameCasesForms } from "../io/line-ending-hash.js";

/**
 * Whether the file opens with a byte-order mark or its first MiB holds a CRLF: a file git checked
 * out with CRLF has one on its first line.
 */
function windowsWritten(file: string): boolean {
  const fd = openSync(file, "r");
  try {
    const buf = Buffer.alloc(1 << 20);
    const n = readSync(fd, buf, 0, buf.length, 0);
    const head = buf.subarray(0, n);
    return head.subarray(0, 3).equals(Buffer.from([0xef, 0xbb, 0xbf])) || head.includes("\r\n");
  } finally {
    closeSync(fd);
  }
}

/**
 * The hash that names a run's cases, for its bootstrap seeds and for telling whether two runs
 * replayed the same cases: the dataset's hash with LF line endings and no byte-order mark, so the
 * same cases checked out with CRLF (Windows, git's core.autocrlf) or saved by Notepad give the same
 * intervals on every machine, also after the file is saved back with LF. An LF file's is the stored
 * hash itself, so LF runs draw as they always did; when the run's file is gone or has changed
 * since, the stored hash is all there is.
 */
export async function datasetCasesHash(file: string | null, stored: string | null): Promise<string | null> {
  if (!file || !stored) return stored;
  try {
    // an LF file that is the run's own bytes: one read, no other form to work out
    if (!windowsWritten(file) && (await fileSha256(file)) === stored) return stored;
    const h = await lineEndingHashes(file);
    return sameCasesForms(h).has(stored) ? h.lf : stored;
  } catch {
    return stored;
  }
}
