import { zCritical } from "./normal.js";

export type Interval = { lower: number; upper: number };

/**
 * Wilson score interval for x successes in n trials. x may be fractional (a per-case mean over
 * epochs times the number of cases), which keeps the case — not the epoch — as the unit.
 */
export function wilson(x: number, n: number, confidence = 0.95): Interval | null {
  if (!(n > 0)) return null;
  const z = zCritical(confidence);
  const p = x / n;
  const z2 = z * z;
  const denom = 1 + z2 / n;
  const centre = (p + z2 / (2 * n)) / denom;
  const half = (z / denom) * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n));
  return { lower: Math.max(0, centre - half), upper: Math.min(1, centre + half) };
}
