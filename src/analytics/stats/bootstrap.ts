import { poisson } from "./poisson.js";
import { seededRng } from "./rng.js";

export const BOOTSTRAP_REPLICATES = 2000;

/**
 * Resampling units (incidents, or cases when there is no incident id) that share the same
 * per-unit totals are grouped by SQL into one "type" with a multiplicity, so a replicate costs one
 * draw per type, not per case: this is what keeps a million-case report fast.
 */
export type UnitType = { values: number[]; multiplicity: number };

export type BootstrapResult = { lower: number; upper: number; replicates: number };

/**
 * Poisson bootstrap (Hanley & MacGibbon 2006): every unit gets an independent Poisson(1) weight, so
 * a type with multiplicity m gets a Poisson(m) total weight. `stat` receives the weighted sum of
 * each value column and returns the statistic (null when undefined for that replicate, e.g. an
 * empty denominator; such replicates are dropped). Percentile interval, seeded.
 */
export function poissonBootstrap(
  types: UnitType[],
  stat: (sums: Float64Array) => number | null,
  seed: string,
  opts: { replicates?: number; confidence?: number } = {},
): BootstrapResult | null {
  if (types.length === 0) return null;
  const width = types[0]!.values.length;
  const rng = seededRng(seed);
  // Bound the work for very many distinct types: fewer replicates, still >= 200.
  const wanted = opts.replicates ?? BOOTSTRAP_REPLICATES;
  const replicates = Math.max(200, Math.min(wanted, Math.floor(4e7 / types.length)));
  const out: number[] = [];
  const sums = new Float64Array(width);
  for (let r = 0; r < replicates; r++) {
    sums.fill(0);
    for (const t of types) {
      const w = poisson(t.multiplicity, rng);
      if (w === 0) continue;
      for (let j = 0; j < width; j++) sums[j]! += w * t.values[j]!;
    }
    const s = stat(sums);
    if (s !== null && Number.isFinite(s)) out.push(s);
  }
  if (out.length < replicates / 2) return null;
  out.sort((x, y) => x - y);
  const alpha = 1 - (opts.confidence ?? 0.95);
  return { lower: quantile(out, alpha / 2), upper: quantile(out, 1 - alpha / 2), replicates: out.length };
}

/** Linear-interpolation quantile of sorted values (type 7, as R and numpy default). */
export function quantile(sorted: number[], p: number): number {
  const h = (sorted.length - 1) * p;
  const lo = Math.floor(h);
  const hi = Math.min(sorted.length - 1, lo + 1);
  return sorted[lo]! + (h - lo) * (sorted[hi]! - sorted[lo]!);
}
