import { describe, expect, it } from "vitest";
import { evaluateCriterion } from "./criteria.js";
import type { Estimate } from "./stats/proportion.js";

const est: Estimate = { value: 0.75, lower: 0.5, upper: 0.875, n: 40, x: 30, method: "wilson" };

describe("a criterion exactly at its threshold", () => {
  it.each([
    [">=", "lower", 0.5, "met"],
    [">", "lower", 0.5, "not met"],
    ["<=", "upper", 0.875, "met"],
    ["<", "upper", 0.875, "not met"],
    ["==", "point", 0.75, "met"],
  ] as const)("%s on the %s end at %s is %s", (op, bound, threshold, status) => {
    const r = evaluateCriterion({ metric: "verdict_agreement", op, threshold, bound }, { verdict_agreement: est });
    expect(r).toMatchObject({ status, compared: threshold });
  });
});
