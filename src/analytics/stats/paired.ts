import { type BootstrapResult, poissonBootstrap, type UnitType } from "./bootstrap.js";

/**
 * Per resampling unit (an incident, or a case without one): the sum of the first agent's per-case
 * values, the sum of the second's, and the number of paired cases. Units with identical totals
 * arrive grouped with a multiplicity.
 */
export type PairedUnit = { a: number; b: number; n: number; multiplicity: number };

export type PairedDifference = { diff: number; lower: number | null; upper: number | null; replicates: number };

/**
 * Difference in means (A − B) over paired cases with a cluster bootstrap interval: whole incidents
 * are resampled, so correlated alerts of one incident do not pass for independent evidence.
 */
export function pairedDifference(units: PairedUnit[], seed: string): PairedDifference | null {
  let sa = 0;
  let sb = 0;
  let n = 0;
  for (const u of units) {
    sa += u.a * u.multiplicity;
    sb += u.b * u.multiplicity;
    n += u.n * u.multiplicity;
  }
  if (n === 0) return null;
  const types: UnitType[] = units.map((u) => ({ values: [u.a, u.b, u.n], multiplicity: u.multiplicity }));
  const ci: BootstrapResult | null = poissonBootstrap(types, (s) => (s[2]! > 0 ? (s[0]! - s[1]!) / s[2]! : null), seed);
  return { diff: (sa - sb) / n, lower: ci?.lower ?? null, upper: ci?.upper ?? null, replicates: ci?.replicates ?? 0 };
}
