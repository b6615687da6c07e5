import { type BootstrapResult, poissonBootstrap, type UnitType } from "./bootstrap.js";
import { ruleOfThree } from "./rule-of-three.js";

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

/**
 * The lower end of κ when every pair is on the diagonal (κ = 1): no resample can disagree, so a
 * bootstrap would print [1, 1] on five cases. Agreement's own bound is the rule of three over the
 * units (1 − 3/units); κ at that agreement, chance agreement held at its observed value.
 */
export function perfectKappaLower(cells: ArrayLike<number>, k: number, units: number): number | null {
  let total = 0;
  const rows = new Float64Array(k);
  const cols = new Float64Array(k);
  for (let i = 0; i < k; i++)
    for (let j = 0; j < k; j++) {
      total += cells[i * k + j]!;
      rows[i]! += cells[i * k + j]!;
      cols[j]! += cells[i * k + j]!;
    }
  const bound = ruleOfThree(units);
  if (total === 0 || bound === null) return null;
  let expected = 0;
  for (let i = 0; i < k; i++) expected += (rows[i]! * cols[i]!) / (total * total);
  if (expected >= 1) return null;
  return Math.max(-1, 1 - bound / (1 - expected));
}

/**
 * κ where it measures something: null when the analyst's verdicts are all one (κ is then 0, or 0/0,
 * whatever the agent did) or when the agent gave no valid verdict at all, every answer in the
 * `noAnswer` column (κ "over the three verdicts" has no pair to count; verdict_agreement and the
 * failure rates already say what happened). Either printed as "0.000 (0.000–0.000)": a measurement,
 * with certainty, of nothing. An agent that gave one valid verdict throughout is measured: its κ of
 * 0 is what it is, no agreement beyond chance, and a criterion on it is not met rather than unmeasured.
 */
export function measuredKappa(cells: ArrayLike<number>, k: number, noAnswer: number): number | null {
  const analyst = new Set<number>();
  let answered = false;
  for (let i = 0; i < k; i++)
    for (let j = 0; j < k; j++)
      if (cells[i * k + j]! > 0) {
        analyst.add(i);
        if (j !== noAnswer) answered = true;
      }
  return analyst.size > 1 && answered ? cohenKappa(cells, k) : null;
}

/**
 * Bootstrap interval for kappa; each unit type carries its own k×k cell counts. A replicate that drew
 * one answer alone on a side counts at its κ of 0: dropping it would narrow a measured κ's interval
 * towards agreement, on the replicates that happened to draw both kinds.
 */
export function kappaInterval(types: UnitType[], k: number, seed: string): BootstrapResult | null {
  return poissonBootstrap(types, (sums) => cohenKappa(sums, k), seed);
}
