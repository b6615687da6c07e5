import { type BootstrapResult, poissonBootstrap, type UnitType } from "./bootstrap.js";

/**
 * Cohen's kappa from a k×k confusion matrix given row-major (rows: analyst, columns: agent).
 * Undefined (null) when there are no pairs or chance agreement is already perfect.
 */
export function cohenKappa(cells: ArrayLike<number>, k: number): number | null {
  let total = 0;
  let diag = 0;
  const rows = new Float64Array(k);
  const cols = new Float64Array(k);
  for (let i = 0; i < k; i++)
    for (let j = 0; j < k; j++) {
      const c = cells[i * k + j]!;
      total += c;
      rows[i]! += c;
      cols[j]! += c;
      if (i === j) diag += c;
    }
  if (total === 0) return null;
  let expected = 0;
  for (let i = 0; i < k; i++) expected += (rows[i]! * cols[i]!) / (total * total);
  if (expected >= 1) return null;
  return (diag / total - expected) / (1 - expected);
}

/** Bootstrap interval for kappa; each unit type carries its own k×k cell counts. */
export function kappaInterval(types: UnitType[], k: number, seed: string): BootstrapResult | null {
  return poissonBootstrap(types, (sums) => cohenKappa(sums, k), seed);
}
