import { describe, expect, it } from "vitest";
import { pairedDifference } from "./paired.js";
import { poisson } from "./poisson.js";
import { seededRng } from "./rng.js";

describe("poisson sampler", () => {
  it.each([0.7, 3, 25, 5000])("mean and variance of Poisson(%d) match", (lambda) => {
    const rng = seededRng(`p${lambda}`);
    const draws = Array.from({ length: 20000 }, () => poisson(lambda, rng));
    const m = draws.reduce((s, x) => s + x, 0) / draws.length;
    const v = draws.reduce((s, x) => s + (x - m) ** 2, 0) / (draws.length - 1);
    expect(Math.abs(m - lambda)).toBeLessThan(4 * Math.sqrt(lambda / draws.length));
    expect(v / lambda).toBeGreaterThan(0.95);
    expect(v / lambda).toBeLessThan(1.05);
  });
});

describe("paired bootstrap difference", () => {
  // 400 cases: 300 both right, 40 only A right, 20 only B right, 40 both wrong.
  const independent = [
    { a: 1, b: 1, n: 1, multiplicity: 300 },
    { a: 1, b: 0, n: 1, multiplicity: 40 },
    { a: 0, b: 1, n: 1, multiplicity: 20 },
    { a: 0, b: 0, n: 1, multiplicity: 40 },
  ];

  it("matches the large-sample paired interval when cases are independent", () => {
    const d = pairedDifference(independent, "s1")!;
    expect(d.diff).toBeCloseTo(0.05, 12);
    // Wald SE of a paired difference: sqrt((b + c) - (b - c)^2 / n) / n
    const se = Math.sqrt(60 - 400 / 400) / 400;
    const width = d.upper! - d.lower!;
    expect(width / (2 * 1.96 * se)).toBeGreaterThan(0.85);
    expect(width / (2 * 1.96 * se)).toBeLessThan(1.15);
    expect(pairedDifference(independent, "s1")).toEqual(d);
  });

  it("widens when whole incidents are resampled", () => {
    // the same 400 cases as 40 incidents of 10 identical alerts
    const clustered = independent.map((u) => ({ a: u.a * 10, b: u.b * 10, n: 10, multiplicity: u.multiplicity / 10 }));
    const flat = pairedDifference(independent, "s2")!;
    const inc = pairedDifference(clustered, "s2")!;
    expect(inc.diff).toBeCloseTo(flat.diff, 12);
    expect((inc.upper! - inc.lower!) / (flat.upper! - flat.lower!)).toBeGreaterThan(2.5);
  });

  it("is undefined without paired cases", () => {
    expect(pairedDifference([], "s")).toBeNull();
  });
});
