import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import { InputError } from "./errors.js";

/**
 * One pass over a file: its sha256 (identifies a dataset version across runs and baselines) and
 * its number of lines that hold more than white space (the progress total; a replay skips the
 * others), without holding the file in memory. Counting a line of spaces or a bare CR (a CRLF
 * file's blank line) let a dataset of nothing else pass as one with cases, replay none, and exit 0.
 */
export async function fileFacts(file: string): Promise<{ sha256: string; lines: number }> {
  const h = createHash("sha256");
  let lines = 0;
  let lineHasContent = false;
  try {
    for await (const chunk of createReadStream(file, { highWaterMark: 1 << 20 })) {
      const buf = chunk as Buffer;
      h.update(buf);
      let start = 0;
      for (let nl = buf.indexOf(10, start); nl !== -1; nl = buf.indexOf(10, start)) {
        if (lineHasContent || holdsContent(buf, start, nl)) lines++;
        lineHasContent = false;
        start = nl + 1;
      }
      if (!lineHasContent) lineHasContent = holdsContent(buf, start, buf.length);
    }
  } catch (e) {
    throw new InputError(`${file}: cannot read (${(e as NodeJS.ErrnoException).code ?? String(e)})`, file);
  }
  return { sha256: h.digest("hex"), lines: lineHasContent ? lines + 1 : lines };
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
