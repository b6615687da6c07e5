import { describe, expect, it } from "vitest";
import { LargestSum } from "./largest-sum.js";

describe("LargestSum: the sum of the n largest numbers offered", () => {
  it("keeps the n largest, in any order of arrival", () => {
    const xs = [5, 1, 9, 3, 7, 2, 8, 6, 4, 10, 0];
    for (const order of [xs, [...xs].reverse(), [...xs].sort((a, b) => a - b)]) {
      const s = new LargestSum(3);
      for (const x of order) s.offer(x);
      expect(s.sum).toBe(10 + 9 + 8);
    }
  });

  it("sums all of them while fewer than n came, and counts repeats", () => {
    const s = new LargestSum(4);
    for (const x of [2, 2, 2]) s.offer(x);
    expect(s.sum).toBe(6);
    s.offer(2);
    s.offer(1);
    expect(s.sum).toBe(8);
    s.offer(3);
    expect(s.sum).toBe(9);
  });

  it("matches sorting on many random numbers", () => {
    let seed = 7;
    const next = () => (seed = (seed * 48271) % 2147483647);
    const xs = Array.from({ length: 5000 }, () => next() % 100000);
    const s = new LargestSum(2048);
    for (const x of xs) s.offer(x);
    const top = [...xs].sort((a, b) => b - a).slice(0, 2048);
    expect(s.sum).toBe(top.reduce((a, b) => a + b, 0));
    expect(new LargestSum(0).sum).toBe(0);
  });
});
