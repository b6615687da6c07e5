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
