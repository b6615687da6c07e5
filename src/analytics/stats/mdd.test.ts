import { describe, expect, it } from "vitest";
import { minDetectableDifference } from "./mdd.js";

describe("minimum detectable difference", () => {
  it("inverts Connor's sample size: delta 0.1 at 20% discordance needs 154.6 pairs", () => {
    // n = (1.959964 * sqrt(0.2) + 0.841621 * sqrt(0.2 - 0.01))^2 / 0.01
    const n = (1.959964 * Math.sqrt(0.2) + 0.841621 * Math.sqrt(0.19)) ** 2 / 0.01;
    expect(n).toBeCloseTo(154.6, 1);
    expect(minDetectableDifference(n, 0.2)).toBeCloseTo(0.1, 5);
  });

  it("shrinks with more cases and is undefined when nothing is detectable", () => {
    expect(minDetectableDifference(1000, 0.2)!).toBeLessThan(minDetectableDifference(100, 0.2)!);
    expect(minDetectableDifference(2, 0.2)).toBeNull();
    expect(minDetectableDifference(100, 0)).toBeNull();
  });
});
