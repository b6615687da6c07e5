import { zCritical, zQuantile } from "./normal.js";

/**
 * Minimum detectable difference between two agents' proportions on n paired cases, inverting
 * Connor's (1987) sample-size formula for McNemar's test:
 *   n = (z_{α/2}·√ψ + z_β·√(ψ − δ²))² / δ²
 * where ψ is the share of discordant cases. Null when no difference up to √ψ is detectable.
 */
export function minDetectableDifference(
  n: number,
  discordance: number,
  opts: { confidence?: number; power?: number } = {},
): number | null {
  if (!(n > 0) || !(discordance > 0)) return null;
  const za = zCritical(opts.confidence ?? 0.95);
  const zb = zQuantile(opts.power ?? 0.8);
  const needed = (d: number) =>
    (za * Math.sqrt(discordance) + zb * Math.sqrt(Math.max(0, discordance - d * d))) ** 2 / (d * d);
  let hi = Math.sqrt(discordance);
  if (needed(hi) > n) return null;
  let lo = 0;
  for (let i = 0; i < 100; i++) {
    const mid = (lo + hi) / 2;
    if (needed(mid) > n) lo = mid;
    else hi = mid;
  }
  return hi;
}
