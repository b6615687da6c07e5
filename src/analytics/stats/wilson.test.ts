import { describe, expect, it } from "vitest";
import { proportion } from "./proportion.js";
import { ruleOfThree } from "./rule-of-three.js";
import { wilson } from "./wilson.js";

describe("wilson", () => {
  // Newcombe (1998), Statistics in Medicine 17:857-872, Table I, method 3 (score interval).
  it.each([
    [81, 263, 0.2553, 0.3662],
    [15, 148, 0.0624, 0.1605],
    [0, 20, 0, 0.1611],
    [1, 29, 0.0061, 0.1718],
  ])("%i/%i matches Newcombe's published interval", (x, n, lo, hi) => {
    const ci = wilson(x, n)!;
    expect(ci.lower).toBeCloseTo(lo, 4);
    expect(ci.upper).toBeCloseTo(hi, 4);
  });

  it("is undefined without trials", () => {
    expect(wilson(0, 0)).toBeNull();
  });
});

describe("rule of three", () => {
  it("is 3/n and close to the exact one-sided bound 1 - 0.05^(1/n) for large n", () => {
    expect(ruleOfThree(300)).toBeCloseTo(0.01, 10);
    expect(ruleOfThree(1000)!).toBeCloseTo(1 - 0.05 ** (1 / 1000), 4);
    expect(ruleOfThree(2)).toBe(1);
    expect(ruleOfThree(0)).toBeNull();
  });
});

describe("proportion", () => {
  it("uses the rule of three when nothing was observed", () => {
    expect(proportion(0, 150)).toEqual({ value: 0, lower: 0, upper: 0.02, n: 150, x: 0, method: "rule_of_three" });
  });
  it("uses Wilson otherwise, and counts independent units when epochs repeat cases", () => {
    const rows = proportion(162, 526, 263); // two epochs of 263 cases
    expect(rows.value).toBeCloseTo(162 / 526, 10);
    expect(rows.method).toBe("wilson");
    const single = proportion(81, 263);
    expect(rows.upper! - rows.lower!).toBeCloseTo(single.upper! - single.lower!, 3);
  });
});
