import { InputError } from "../io/errors.js";
import { INT32_MAX } from "../schema/suite.js";

type Range = { min?: number; max?: number };

/**
 * A count flag's value (`--limit 50`, `--workers 0`, `--epoch 2`): decimal digits only, from `min` to `max`.
 * JavaScript's Number() would also take `1e3`, `0x10`, `0b11`, ` 5` and `` (as 0): a CI variable
 * expanded into one of those ran a replay of a size nobody wrote down, so they are refused, naming the flag.
 * The default ceiling is the store's 32 bits: a larger epoch count would be stored wrapped.
 */
export function countFlag(flag: string, value: string, { min = 1, max = INT32_MAX }: Range = {}): number {
  const n = /^\d+$/.test(value) ? Number(value) : Number.NaN;
  if (!(n >= min))
    throw new InputError(`${flag}: expected ${min === 0 ? "a whole number" : "a positive integer"}, got "${value}"`);
  if (n > max) throw new InputError(`${flag}: expected at most ${max}, got "${value}"`);
  return n;
}

/** countFlag for a flag that may be absent. */
export function optionalCount(flag: string, value: string | undefined, range?: Range): number | undefined {
  return value === undefined ? undefined : countFlag(flag, value, range);
}

/** countFlag as a commander option parser: the value is refused while the command line is read. */
export function countParser(flag: string, range?: Range): (value: string) => number {
  return (value) => countFlag(flag, value, range);
}
