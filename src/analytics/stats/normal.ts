import jStat from "jstat";

/** Two-sided critical value, e.g. 1.959964 for 95%. */
export function zCritical(confidence = 0.95): number {
  return jStat.normal.inv(1 - (1 - confidence) / 2, 0, 1);
}

/** One-sided quantile of the standard normal, e.g. 0.8416 for power 0.8. */
export function zQuantile(p: number): number {
  return jStat.normal.inv(p, 0, 1);
}
