import jStat from "jstat";
import type { Estimate } from "../report-schema.js";
import { ruleOfThree } from "./rule-of-three.js";
import { wilson } from "./wilson.js";

export type { Estimate };

/**
 * A proportion with its 95% interval. `units` is what the interval counts as independent (cases,
 * not case×epoch rows); `n` is reported as observed. Zero (or all) observed → rule of three.
 */
export function proportion(x: number, n: number, units = n): Estimate {
  if (!(n > 0)) return { value: null, lower: null, upper: null, n: 0, method: "wilson" };
  const value = x / n;
  if (x === 0) return { value, lower: 0, upper: ruleOfThree(units), n, x, method: "rule_of_three" };
  if (x === n) return { value, lower: 1 - (ruleOfThree(units) ?? 1), upper: 1, n, x, method: "rule_of_three" };
  const ci = wilson(value * units, units)!;
  return { value, lower: ci.lower, upper: ci.upper, n, x, method: "wilson" };
}

/**
 * Mean with a 95% t interval (Student's t on units − 1 degrees of freedom: 1.96 would be ~40% too
 * narrow on five cases), optionally clipped to [min, max]. A share that sits at the same value in
 * every case has no spread to measure: it gets a proportion's interval over the cases (the rule of
 * three at 0 or 1), not a zero-width one that would claim certainty from three cases, and would
 * make every case at 5/6 look surer than every case at 1.
 */
export function mean(
  avg: number | null,
  sd: number | null,
  n: number,
  clip: [number, number] = [Number.NEGATIVE_INFINITY, Number.POSITIVE_INFINITY],
  units = n,
): Estimate {
  if (!(n > 0) || avg === null) return { value: null, lower: null, upper: null, n: 0, method: "normal" };
  if (units < 2 || sd === null) return { value: avg, lower: null, upper: null, n, method: "normal" };
  if (sd === 0 && clip[0] === 0 && clip[1] === 1) return proportion(avg * n, n, units);
  // `units`: the independent observations behind the n values (cases, when epochs repeat them)
  const half = (jStat.studentt.inv(0.975, units - 1) * sd) / Math.sqrt(units);
  return {
    value: avg,
    lower: Math.max(clip[0], avg - half),
    upper: Math.min(clip[1], avg + half),
    n,
    method: "normal",
  };
}

export function point(value: number | null, n: number): Estimate {
  return { value: n > 0 ? value : null, lower: null, upper: null, n, method: "point" };
}
