import { describe, expect, it } from "vitest";
import { pairedMeanDifference, pairedRateDifference, pairsToShowMargin } from "./paired.js";
import { poisson } from "./poisson.js";
import { seededRng } from "./rng.js";
import { score } from "./tango.js";

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

describe("paired rate difference (Tango's score interval)", () => {
  const cells = (both: number, aOnly: number, bOnly: number, neither: number) =>
    [
      { a: 1, b: 1, n: 1, multiplicity: both },
      { a: 1, b: 0, n: 1, multiplicity: aOnly },
      { a: 0, b: 1, n: 1, multiplicity: bOnly },
      { a: 0, b: 0, n: 1, multiplicity: neither },
    ].filter((u) => u.multiplicity > 0);

  it("is exactly zero where epoch shares cancel, not a float's remainder that prints as +0.000000 pts", () => {
    // as DuckDB averages three epochs: one case 3/3 against 2/3, another 1/3 against 2/3
    const d = pairedRateDifference([
      { a: 1, b: 2 / 3, n: 1, multiplicity: 1 },
      { a: 1 / 3, b: 2 / 3, n: 1, multiplicity: 1 },
    ])!;
    // compare prints a zero as "±0.0 pts", and anything else with a sign
    expect(d.diff).toBe(0);
  });

  it("is not [0, 0] when no case is discordant: 10 identical cases cannot rule out a drop", () => {
    const d = pairedRateDifference(cells(10, 0, 0, 0))!;
    expect(d.diff).toBe(0);
    // closed form with no discordant pair: ±z²/(n + z²)
    const z2 = 1.959964 ** 2;
    expect(d.lower).toBeCloseTo(-z2 / (10 + z2), 6);
    expect(d.upper).toBeCloseTo(z2 / (10 + z2), 6);
  });

  it("shows a margin on unchanged cases from the counts README's CI gate section gives (189 for 0.02, 73 for 0.05, 35 for 0.1)", () => {
    for (const [margin, needed] of [
      [0.02, 189],
      [0.05, 73],
      [0.1, 35],
    ] as const) {
      expect(pairsToShowMargin(margin)).toBe(needed);
      expect(pairedRateDifference(cells(needed, 0, 0, 0))!.lower!).toBeGreaterThanOrEqual(-margin);
      expect(pairedRateDifference(cells(needed - 1, 0, 0, 0))!.lower!).toBeLessThan(-margin);
    }
  });

  it("keeps its 95% coverage on 5, 10 and 20 paired cases where a percentile bootstrap falls to 55–93%", () => {
    // a candidate truly 10 points worse: 75% both right, 5% only it, 15% only the baseline
    const p = [0.75, 0.05, 0.15, 0.05];
    const rng = seededRng("coverage");
    for (const n of [5, 10, 20]) {
      let above = 0;
      let covered = 0;
      const sims = 2000;
      for (let s = 0; s < sims; s++) {
        const c = [0, 0, 0, 0];
        for (let i = 0; i < n; i++) {
          const u = rng();
          c[u < p[0]! ? 0 : u < p[0]! + p[1]! ? 1 : u < p[0]! + p[1]! + p[2]! ? 2 : 3]!++;
        }
        const d = pairedRateDifference(cells(c[0]!, c[1]!, c[2]!, c[3]!))!;
        if (d.lower! > -0.1 + 1e-12) above++;
        else if (d.upper! >= -0.1 - 1e-12) covered++;
      }
      // the gate's false pass: the lower end above the true drop, at most 2.5% by design
      expect(above / sims).toBeLessThan(0.035);
      expect(covered / sims).toBeGreaterThan(0.93);
    }
  });

  it("agrees with the score statistic's definition: T is zero at the estimate and ±z at the ends", () => {
    const d = pairedRateDifference(cells(30, 9, 3, 8))!;
    expect(d.diff).toBeCloseTo(0.12, 12);
    expect(score(9, 3, 50, d.lower!)).toBeCloseTo(1.959964, 4);
    expect(score(9, 3, 50, d.upper!)).toBeCloseTo(-1.959964, 4);
    expect(d.lower!).toBeLessThan(0.12);
    expect(d.upper!).toBeGreaterThan(0.12);
  });

  it("uses the restricted maximum-likelihood p01 in the score statistic", () => {
    // brute force: maximise the multinomial likelihood over p01 with p10 = p01 + δ
    const [x, y, n, delta] = [7, 2, 30, -0.05];
    let best = Number.NEGATIVE_INFINITY;
    let q = 0;
    for (let i = 1; i < 200000; i++) {
      const p01 = i / 200000;
      const p10 = p01 + delta;
      const rest = 1 - p10 - p01;
      if (p10 <= 0 || rest <= 0) continue;
      const ll = x * Math.log(p10) + y * Math.log(p01) + (n - x - y) * Math.log(rest);
      if (ll > best) [best, q] = [ll, p01];
    }
    const expected = (x - y - n * delta) / Math.sqrt(n * (2 * q + delta - delta * delta));
    expect(score(x, y, n, delta)).toBeCloseTo(expected, 3);
  });

  it("widens when whole incidents are resampled, and never narrows below independent cases", () => {
    const independent = cells(300, 40, 20, 40);
    // the same 400 cases as 40 incidents of 10 identical alerts
    const clustered = independent.map((u) => ({ a: u.a * 10, b: u.b * 10, n: 10, multiplicity: u.multiplicity / 10 }));
    const flat = pairedRateDifference(independent)!;
    const inc = pairedRateDifference(clustered)!;
    expect(inc.diff).toBeCloseTo(flat.diff, 12);
    expect((inc.upper! - inc.lower!) / (flat.upper! - flat.lower!)).toBeGreaterThan(2.5);
    // incidents whose alerts disagree with each other more than chance: the design effect stays 1
    const mixed = [
      { a: 1, b: 0, n: 2, up: 1, down: 0, multiplicity: 30 },
      { a: 1, b: 1, n: 2, up: 1, down: 1, multiplicity: 30 },
      { a: 2, b: 2, n: 2, up: 0, down: 0, multiplicity: 140 },
    ];
    const asCases = pairedRateDifference([
      { a: 1, b: 0, n: 1, multiplicity: 60 },
      { a: 0, b: 1, n: 1, multiplicity: 30 },
      { a: 1, b: 1, n: 1, multiplicity: 280 },
      { a: 0, b: 0, n: 1, multiplicity: 30 },
    ])!;
    const m = pairedRateDifference(mixed)!;
    expect(m.lower).toBeCloseTo(asCases.lower!, 12);
    expect(m.upper).toBeCloseTo(asCases.upper!, 12);
  });

  it("counts each incident once when no spread shows how alike its alerts are", () => {
    // 12 alerts of 4 incidents, none discordant: 4 observations, not 12
    const quiet = pairedRateDifference([{ a: 3, b: 3, n: 3, up: 0, down: 0, multiplicity: 4 }])!;
    expect(quiet.lower).toBeCloseTo(pairedRateDifference(cells(4, 0, 0, 0))!.lower!, 9);
    // all of them better for the first agent: as sure as 4 lone cases, not as 12
    const oneWay = pairedRateDifference([{ a: 3, b: 0, n: 3, up: 3, down: 0, multiplicity: 4 }])!;
    expect(oneWay.lower).toBeCloseTo(pairedRateDifference(cells(0, 4, 0, 0))!.lower!, 9);
    expect(oneWay.lower!).toBeLessThan(pairedRateDifference(cells(0, 12, 0, 0))!.lower!);
  });

  it("treats one incident holding every case as one observation", () => {
    const d = pairedRateDifference([{ a: 8, b: 10, n: 10, multiplicity: 1 }])!;
    expect(d.diff).toBeCloseTo(-0.2, 12);
    expect(d.upper! - d.lower!).toBeGreaterThan(0.9);
  });

  it("is undefined without paired cases", () => {
    expect(pairedRateDifference([])).toBeNull();
  });
});

describe("paired mean difference (t interval)", () => {
  it("is the paired t interval on independent cases", () => {
    const diffs = [0.3, -0.1, 0.5, 0.2, 0.1];
    const d = pairedMeanDifference(diffs.map((x) => ({ a: 1 + x, b: 1, n: 1, multiplicity: 1 })))!;
    const mean = 0.2;
    const sd = Math.sqrt(diffs.reduce((s, x) => s + (x - mean) ** 2, 0) / 4);
    // t(0.975, 4) = 2.776445
    expect(d.diff).toBeCloseTo(mean, 12);
    expect(d.lower).toBeCloseTo(mean - (2.776445 * sd) / Math.sqrt(5), 5);
    expect(d.upper).toBeCloseTo(mean + (2.776445 * sd) / Math.sqrt(5), 5);
  });

  it("gives no interval from a single incident", () => {
    expect(pairedMeanDifference([{ a: 3, b: 1, n: 4, multiplicity: 1 }])).toEqual({
      diff: 0.5,
      lower: null,
      upper: null,
    });
  });
});
