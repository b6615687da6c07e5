import { describe, expect, it } from "vitest";
import { poissonBootstrap, quantile } from "./bootstrap.js";
import { pairedMeanDifference } from "./paired.js";
import { mean } from "./proportion.js";

describe("the percentile bootstrap's ends", () => {
  it("reads quantiles by linear interpolation between ranks 0..n−1 (type 7)", () => {
    expect(quantile([10, 20, 30, 40, 50], 0.5)).toBe(30);
    // rank 0.75 of 0..3
    expect(quantile([1, 2, 3, 4], 0.25)).toBeCloseTo(1.75, 12);
    expect(quantile([1, 2, 3, 4], 1)).toBe(4);
    expect(quantile([0, 10], 0.975)).toBeCloseTo(9.75, 12);
  });

  it("is a two-sided 95% interval: 300 of 1000 gives about 0.3 ± 1.96·√(0.3·0.7/1000)", () => {
    // one type of unit with the event, one without: the statistic is the weighted share
    const types = [
      { values: [1, 1], multiplicity: 300 },
      { values: [0, 1], multiplicity: 700 },
    ];
    const ci = poissonBootstrap(types, (s) => s[0]! / s[1]!, "edges")!;
    const se = Math.sqrt((0.3 * 0.7) / 1000);
    // a 90% interval would be 0.84 of this width, a 99% one 1.31
    const ratio = (ci.upper - ci.lower) / (2 * 1.959964 * se);
    expect(ratio).toBeGreaterThan(0.93);
    expect(ratio).toBeLessThan(1.07);
    expect((ci.lower + ci.upper) / 2).toBeCloseTo(0.3, 2);
  });
});

describe("paired mean difference over incidents", () => {
  it("has incidents − 1 degrees of freedom, not cases − 1", () => {
    // three incidents of two cases each; per incident the sums of the first and second agent's values
    const units = [
      { a: 2, b: 1, n: 2, multiplicity: 1 },
      { a: 1.5, b: 1.5, n: 2, multiplicity: 1 },
      { a: 3, b: 1, n: 2, multiplicity: 1 },
    ];
    const d = pairedMeanDifference(units)!;
    // diff 3/6; residuals per incident 1−1, 0−1, 2−1; variance G/(G−1)·Σr²/N² = 1.5·2/36
    const se = Math.sqrt((1.5 * 2) / 36);
    // t(0.975, 2) = 4.302653
    expect(d.diff).toBeCloseTo(0.5, 12);
    expect(d.lower).toBeCloseTo(0.5 - 4.302653 * se, 5);
    expect(d.upper).toBeCloseTo(0.5 + 4.302653 * se, 5);
  });
});

describe("a mean's interval within the metric's range", () => {
  it("never puts a cost below $0 or a share above 1", () => {
    // 5 cases averaging $0.10 with sd $1: the t interval's lower end, 0.1 − 2.776·1/√5, is negative
    expect(mean(0.1, 1, 5, [0, Number.POSITIVE_INFINITY])).toMatchObject({ lower: 0 });
    expect(mean(0.1, 1, 5, [0, Number.POSITIVE_INFINITY]).upper).toBeCloseTo(0.1 + 2.776445 / Math.sqrt(5), 5);
    expect(mean(0.9, 0.5, 5, [0, 1])).toMatchObject({ upper: 1 });
  });
});
