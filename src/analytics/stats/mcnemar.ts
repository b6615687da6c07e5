import jStat from "jstat";

/**
 * Exact (binomial) McNemar test on the discordant pairs: b = right only for the first agent,
 * c = right only for the second. Two-sided p = 2·P(X ≤ min(b, c)), X ~ Binomial(b + c, 1/2), capped at 1.
 */
export function exactMcNemar(b: number, c: number): number {
  const n = b + c;
  const k = Math.min(b, c);
  if (n === 0 || k === n / 2) return 1;
  // P(X <= k) for Binomial(n, 1/2) through the regularised incomplete beta: I_{1/2}(n - k, k + 1).
  const tail = jStat.ibeta(0.5, n - k, k + 1);
  return Math.min(1, 2 * tail);
}
