/**
 * When none of n cases showed the event, 3/n is an approximate one-sided 95% upper bound on its
 * rate (Hanley & Lippman-Hand, 1983); -ln(0.05) ≈ 2.996 is the exact constant behind it.
 */
export function ruleOfThree(n: number): number | null {
  if (!(n > 0)) return null;
  return Math.min(1, 3 / n);
}
