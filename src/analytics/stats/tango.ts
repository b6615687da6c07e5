/**
 * Tango's (1998) score interval for the difference of two paired proportions, δ = p10 − p01, from
 * x pairs where only the first is positive, y where only the second is, of n pairs. The interval is
 * every δ whose score statistic |T(δ)| ≤ z; T is decreasing in δ, so each end is found by bisection.
 * Counts may be fractional (a design-effect–scaled or epoch-averaged count).
 */
export function tangoInterval(x: number, y: number, n: number, z: number): { lower: number; upper: number } {
  const estimate = (x - y) / n;
  const lower = estimate <= -1 ? -1 : solve((d) => score(x, y, n, d) - z, -1, estimate);
  const upper = estimate >= 1 ? 1 : solve((d) => score(x, y, n, d) + z, estimate, 1);
  return { lower, upper };
}

/**
 * T(δ) = (x − y − nδ) / √(n(2q + δ − δ²)), with q the restricted maximum-likelihood estimate of p01
 * under p10 = p01 + δ: the root of 2n q² + (−x − y + (2n − x + y)δ) q − yδ(1 − δ) = 0.
 */
export function score(x: number, y: number, n: number, d: number): number {
  const a = 2 * n;
  const b = -x - y + (2 * n - x + y) * d;
  const c = -y * d * (1 - d);
  const q = (Math.sqrt(Math.max(0, b * b - 4 * a * c)) - b) / (2 * a);
  const num = x - y - n * d;
  const variance = n * (2 * q + d - d * d);
  if (variance <= 0) return num === 0 ? 0 : num > 0 ? Number.POSITIVE_INFINITY : Number.NEGATIVE_INFINITY;
  return num / Math.sqrt(variance);
}

/** The root of a decreasing f on [lo, hi]; an end itself when f keeps one sign there. */
function solve(f: (d: number) => number, lo: number, hi: number): number {
  if (f(lo) <= 0) return lo;
  if (f(hi) >= 0) return hi;
  for (let i = 0; i < 60; i++) {
    const mid = (lo + hi) / 2;
    if (f(mid) > 0) lo = mid;
    else hi = mid;
  }
  return (lo + hi) / 2;
}
