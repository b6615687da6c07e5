import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import { InputError } from "./errors.js";
import { LargestSum } from "./largest-sum.js";

/** DuckDB's vector: it reads, writes and checkpoints a column this many rows at a time. */
export const VECTOR_ROWS = 2048;

/**
 * One pass over a file: its sha256 (identifies a dataset version across runs and baselines), its
 * number of lines that hold more than white space (the progress total; a replay skips the
 * others), and the bytes of its VECTOR_ROWS longest lines (the most one DuckDB vector of the
 * cases' alerts can hold: what the store's memory bound must leave room for, db.ts), without
 * holding the file in memory. Counting a line of spaces or a bare CR (a CRLF file's blank line)
 * let a dataset of nothing else pass as one with cases, replay none, and exit 0.
 */
export async function fileFacts(file: string): Promise<{ sha256: string; lines: number; vectorBytes: number }> {
  const h = createHash("sha256");
  const longest = new LargestSum(VECTOR_ROWS);
  let lines = 0;
  let lineHasContent = false;
  let read = 0; // bytes before the current chunk
  let lineStart = 0;
  try {
    for await (const chunk of createReadStream(file, { highWaterMark: 1 << 20 })) {
      const buf = chunk as Buffer;
      h.update(buf);
      let start = 0;
      for (let nl = buf.indexOf(10, start); nl !== -1; nl = buf.indexOf(10, start)) {
        if (lineHasContent || holdsContent(buf, start, nl)) {
          lines++;
          longest.offer(read + nl - lineStart);
        }
        lineHasContent = false;
        start = nl + 1;
        lineStart = read + start;
      }
      if (!lineHasContent) lineHasContent = holdsContent(buf, start, buf.length);
      read += buf.length;
    }
  } catch (e) {
    throw new InputError(`${file}: cannot read (${(e as NodeJS.ErrnoException).code ?? String(e)})`, file);
  }
  if (lineHasContent) {
    lines++;
    longest.offer(read - lineStart);
  }
  return { sha256: h.digest("hex"), lines, vectorBytes: longest.sum };
}

/** Whether bytes [start, end) hold anything but ASCII white space; a case line's first byte, `{`, ends the look. */
function holdsContent(buf: Buffer, start: number, end: number): boolean {
  for (let i = start; i < end; i++) {
    const c = buf[i]!;
    if (c !== 32 && (c < 9 || c > 13)) return true;
  }
  return false;
}

export async function fileSha256(file: string): Promise<string> {
  return (await fileFacts(file)).sha256;
}
