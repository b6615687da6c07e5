import { describe, expect, it } from "vitest";
import { exactMcNemar } from "./mcnemar.js";

/** Independent reference: exact binomial tail with big integers. */
function exactTwoSided(b: number, c: number): number {
  const n = b + c;
  const k = Math.min(b, c);
  let choose = 1n;
  let tail = 0n;
  for (let i = 0; i <= k; i++) {
    tail += choose;
    choose = (choose * BigInt(n - i)) / BigInt(i + 1);
  }
  return Math.min(1, (2 * Number(tail)) / 2 ** n);
}

describe("exact McNemar", () => {
  it("1 vs 6 discordant pairs: p = 2 * (1 + 7) / 128 = 0.125", () => {
    expect(exactMcNemar(1, 6)).toBeCloseTo(0.125, 10);
    expect(exactMcNemar(6, 1)).toBeCloseTo(0.125, 10);
  });

  it.each([
    [5, 15],
    [0, 9],
    [12, 30],
    [40, 61],
    [200, 260],
  ])("%i vs %i matches the exact binomial tail", (b, c) => {
    const ref = exactTwoSided(b, c);
    expect(Math.abs(exactMcNemar(b, c) - ref)).toBeLessThan(1e-7 * ref);
  });

  it("gives p = 1 without discordant pairs or with a tie", () => {
    expect(exactMcNemar(0, 0)).toBe(1);
    expect(exactMcNemar(7, 7)).toBe(1);
  });
});
