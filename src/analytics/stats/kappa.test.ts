import { describe, expect, it } from "vitest";
import { cohenKappa, kappaInterval, measuredKappa, perfectKappaLower } from "./kappa.js";

describe("cohen's kappa", () => {
  it("matches the textbook 2x2 example (20, 5 / 10, 15) -> 0.4", () => {
    expect(cohenKappa([20, 5, 10, 15], 2)).toBeCloseTo(0.4, 12);
  });

  it("matches a hand-computed 3x3 table", () => {
    // po = 79/100; row totals 30, 40, 30; column totals 30, 38, 32;
    // pe = (900 + 1520 + 960) / 10000 = 0.338; kappa = (0.79 - 0.338) / 0.662
    expect(cohenKappa([25, 3, 2, 4, 30, 6, 1, 5, 24], 3)).toBeCloseTo(0.452 / 0.662, 12);
  });

  it("bounds a perfect kappa below by agreement's rule of three at the observed chance agreement", () => {
    // 5 and 7 on the diagonal: pe = (25 + 49) / 144; agreement ≥ 1 − 3/12 = 0.75
    const pe = 74 / 144;
    expect(perfectKappaLower([5, 0, 0, 7], 2, 12)).toBeCloseTo(1 - 0.25 / (1 - pe), 12);
    // counted in units: 12 alerts of 4 incidents bound it as 4 observations would
    expect(perfectKappaLower([5, 0, 0, 7], 2, 4)).toBeCloseTo(1 - 0.75 / (1 - pe), 12);
    expect(perfectKappaLower([5, 0, 0, 7], 2, 2)).toBe(-1);
    expect(perfectKappaLower([9, 0, 0, 0], 2, 9)).toBeNull();
  });

  it("is 1 for perfect agreement and undefined when chance agreement is perfect", () => {
    expect(cohenKappa([5, 0, 0, 7], 2)).toBe(1);
    expect(cohenKappa([9, 0, 0, 0], 2)).toBeNull();
    expect(cohenKappa([0, 0, 0, 0], 2)).toBeNull();
  });

  it("is not measured where the analyst gave one verdict throughout or the agent no valid verdict at all", () => {
    // kappaCells' layout: analyst rows tp, bp, fp and an empty fourth; agent columns tp, bp, fp, no output
    const table = (rows: number[][]) => [...rows.flat(), 0, 0, 0, 0];
    const noVerdict = table([
      [0, 0, 0, 5],
      [0, 0, 0, 12],
      [0, 0, 0, 3],
    ]);
    expect(cohenKappa(noVerdict, 4)).toBe(0);
    expect(measuredKappa(noVerdict, 4, 3)).toBeNull();
    const alwaysBenign = table([
      [0, 5, 0, 0],
      [0, 12, 0, 0],
      [0, 3, 0, 0],
    ]);
    // one valid verdict throughout is a measurement: no agreement beyond chance
    expect(cohenKappa(alwaysBenign, 4)).toBe(0);
    expect(measuredKappa(alwaysBenign, 4, 3)).toBe(0);
    // every analyst verdict benign: 19 of 20 agreed, and κ would still be 0
    const oneLabel = table([
      [0, 0, 0, 0],
      [1, 19, 0, 0],
      [0, 0, 0, 0],
    ]);
    expect(cohenKappa(oneLabel, 4)).toBe(0);
    expect(measuredKappa(oneLabel, 4, 3)).toBeNull();
    const some = table([
      [3, 1, 0, 1],
      [1, 10, 0, 1],
      [0, 1, 2, 0],
    ]);
    expect(measuredKappa(some, 4, 3)).toBe(cohenKappa(some, 4));
  });

  it("gets a seeded bootstrap interval close to the large-sample standard error", () => {
    const cells = [25, 3, 2, 4, 30, 6, 1, 5, 24].map((c) => c * 10);
    // one type per cell: each case is its own resampling unit
    const types = cells.map((m, i) => {
      const values = new Array(9).fill(0);
      values[i] = 1;
      return { values, multiplicity: m };
    });
    const ci = kappaInterval(types, 3, "seed-a")!;
    const again = kappaInterval(types, 3, "seed-a")!;
    expect(again).toEqual(ci);
    const k = 0.452 / 0.662;
    expect(ci.lower).toBeLessThan(k);
    expect(ci.upper).toBeGreaterThan(k);
    // Cohen (1960): SE ≈ sqrt(po(1-po) / (n (1-pe)^2))
    const se = Math.sqrt((0.79 * 0.21) / (1000 * 0.662 ** 2));
    expect((ci.upper - ci.lower) / (2 * 1.96 * se)).toBeGreaterThan(0.8);
    expect((ci.upper - ci.lower) / (2 * 1.96 * se)).toBeLessThan(1.25);
  });
});
