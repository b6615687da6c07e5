import jStat from "jstat";
import { zCritical } from "./normal.js";
import { tangoInterval } from "./tango.js";

/**
 * Per resampling unit (an incident, or a case without one): the sum of the first agent's per-case
 * values, the sum of the second's, and the number of paired cases; for a rate also the sums of the
 * per-case differences in each direction (`up`: first above second). Units with identical totals
 * arrive grouped with a multiplicity.
 */
export type PairedUnit = { a: number; b: number; n: number; up?: number; down?: number; multiplicity: number };

/** `effective`: for a rate, the cases divided by the incidents' design effect, what the interval counts. */
export type PairedDifference = { diff: number; lower: number | null; upper: number | null; effective?: number };

type Totals = { diff: number; n: number; units: number; clusterVariance: number | null };

/**
 * The mean difference over cases and its cluster-robust variance (the linearised ratio estimator
 * over units, with the G/(G−1) small-sample factor): with one case per unit it is s²/n of the
 * per-case differences, so correlated alerts of one incident are not counted as independent.
 */
function totals(units: PairedUnit[]): Totals | null {
  let sd = 0;
  let n = 0;
  let g = 0;
  for (const u of units) {
    sd += (u.a - u.b) * u.multiplicity;
    n += u.n * u.multiplicity;
    g += u.multiplicity;
  }
  if (n === 0) return null;
  const diff = sd / n;
  if (g < 2) return { diff, n, units: g, clusterVariance: null };
  let ss = 0;
  for (const u of units) ss += u.multiplicity * (u.a - u.b - diff * u.n) ** 2;
  return { diff, n, units: g, clusterVariance: (g / (g - 1)) * (ss / (n * n)) };
}

/**
 * Difference of two paired rates (A − B) with Tango's (1998) score interval, which keeps its
 * coverage on a handful of cases and is not [0, 0] when no case is discordant (a percentile
 * bootstrap is both too narrow there and certain of "no change" on 10 identical cases).
 * Incidents: the counts are divided by the design effect, the cluster-robust variance over the
 * variance the same counts would have as independent cases (Rao & Scott 1992), never below 1.
 * A case averaged over epochs counts its share in each direction; treating those shares as whole
 * discordant pairs only widens the interval.
 */
export function pairedRateDifference(units: PairedUnit[], confidence = 0.95): PairedDifference | null {
  const t = totals(units);
  if (!t) return null;
  let up = 0;
  let down = 0;
  for (const u of units) {
    up += (u.up ?? Math.max(0, u.a - u.b)) * u.multiplicity;
    down += (u.down ?? Math.max(0, u.b - u.a)) * u.multiplicity;
  }
  // one incident holding every case is one observation, however many alerts it raised
  let deff = t.units < 2 ? t.n : 1;
  const independent = t.n > 1 ? ((t.n / (t.n - 1)) * (up + down - t.n * t.diff * t.diff)) / (t.n * t.n) : 0;
  if (t.clusterVariance !== null && independent > 0) deff = Math.max(1, t.clusterVariance / independent);
  // every case the same (none discordant, or all one way): nothing shows how alike an incident's
  // alerts are, so each incident counts once, as it would if they always were
  else if (t.units >= 2) deff = t.n / t.units;
  deff = Math.min(deff, t.n);
  const ci = tangoInterval(up / deff, down / deff, t.n / deff, zCritical(confidence));
  // epoch shares (thirds) do not add up exactly: two sides with the same rate gave a difference of
  // 1e-18, printed "+0.000000 pts"; a real one is at least 1/(cases × epochs), far above this
  const diff = Math.abs(t.diff) < 1e-12 ? 0 : t.diff;
  return { diff, lower: ci.lower, upper: ci.upper, effective: t.n / deff };
}

/**
 * Difference of two paired means (cost, time) with a t interval on the cluster-robust variance and
 * units − 1 degrees of freedom: with one case per unit, the paired t interval. Fewer than two units
 * give no interval.
 */
export function pairedMeanDifference(units: PairedUnit[], confidence = 0.95): PairedDifference | null {
  const t = totals(units);
  if (!t) return null;
  if (t.clusterVariance === null) return { diff: t.diff, lower: null, upper: null };
  const half = jStat.studentt.inv(1 - (1 - confidence) / 2, t.units - 1) * Math.sqrt(t.clusterVariance);
  return { diff: t.diff, lower: t.diff - half, upper: t.diff + half };
}

/**
 * Paired cases with no change that a margin on a rate needs: Tango's interval over n concordant
 * pairs reaches z²/(n + z²), which is within the margin m from n ≥ z²(1 − m)/m (189 for 0.02).
 */
export function pairsToShowMargin(margin: number, confidence = 0.95): number {
  const z2 = zCritical(confidence) ** 2;
  return Math.ceil((z2 * (1 - margin)) / margin - 1e-9);
}
