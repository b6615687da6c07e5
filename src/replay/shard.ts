import { InputError } from "../io/errors.js";
import { INT32_MAX } from "../schema/suite.js";

export type Shard = { index: number; count: number };

/**
 * `--shard 2/4`: the second of four disjoint slices of the dataset (by line order). Decimal digits only, as
 * every count flag (cli/count-flag.ts); past 32 bits the stored label would read as another slice (1e+21).
 */
export function parseShard(s: string): Shard {
  const m = /^(\d+)\/(\d+)$/.exec(s.trim());
  const index = m ? Number(m[1]) : Number.NaN;
  const count = m ? Number(m[2]) : Number.NaN;
  if (!m || count < 1 || index < 1 || index > count)
    throw new InputError(`--shard: expected i/n with 1 ≤ i ≤ n, got "${s}"`);
  if (count > INT32_MAX) throw new InputError(`--shard: expected n at most ${INT32_MAX}, got "${s}"`);
  return { index, count };
}
