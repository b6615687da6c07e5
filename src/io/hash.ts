import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import { InputError } from "./errors.js";

/**
 * One pass over a file: its sha256 (identifies a dataset version across runs and baselines) and
 * its number of non-empty lines (the progress total), without holding the file in memory.
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
        if (lineHasContent || nl > start) lines++;
        lineHasContent = false;
        start = nl + 1;
      }
      if (start < buf.length) lineHasContent = true;
    }
  } catch (e) {
    throw new InputError(`${file}: cannot read (${(e as NodeJS.ErrnoException).code ?? String(e)})`, file);
  }
  return { sha256: h.digest("hex"), lines: lineHasContent ? lines + 1 : lines };
}

export async function fileSha256(file: string): Promise<string> {
  return (await fileFacts(file)).sha256;
}
