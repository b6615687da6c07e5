import { createReadStream } from "node:fs";
import { InputError } from "../io/errors.js";

export type Shard = { index: number; count: number };

/** `--shard 2/4`: the second of four disjoint slices of the dataset (by line order). */
export function parseShard(s: string): Shard {
  const m = /^(\d+)\/(\d+)$/.exec(s.trim());
  const index = m ? Number(m[1]) : Number.NaN;
  const count = m ? Number(m[2]) : Number.NaN;
  if (!m || count < 1 || index < 1 || index > count)
    throw new InputError(`--shard: expected i/n with 1 ≤ i ≤ n, got "${s}"`);
  return { index, count };
}

/** Non-empty lines, for the progress total; streams so the file never sits in memory. */
export async function countLines(file: string): Promise<number> {
  let n = 0;
  let lastWasNewline = true;
  for await (const chunk of createReadStream(file)) {
    const buf = chunk as Buffer;
    for (let i = 0; i < buf.length; i++) {
      if (buf[i] === 10) {
        if (!lastWasNewline) n++;
        lastWasNewline = true;
      } else lastWasNewline = false;
    }
  }
  return lastWasNewline ? n : n + 1;
}
