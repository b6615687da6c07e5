import { describe, expect, it } from "vitest";
import { estimatesFrom } from "./metric-sql.js";
import { mean, proportion } from "./stats/proportion.js";

describe("estimates over repeated epochs", () => {
  // 100 cases × 3 identical epochs: 300 rows, but only 100 independent observations
  const row = (epochs: number) => ({
    rows__n: 100 * epochs,
    epochs__n: epochs,
    context_recall__x: 180 * epochs,
    context_recall__n: 200 * epochs,
    audit_completeness__mean: 0.8,
    audit_completeness__sd: 0.2,
    audit_completeness__n: 100 * epochs,
  });

  it("gives item ratios and means the interval of the cases, not of the copies", () => {
    const once = estimatesFrom(row(1), ["context_recall", "audit_completeness"]);
    const thrice = estimatesFrom(row(3), ["context_recall", "audit_completeness"]);
    for (const key of ["context_recall", "audit_completeness"]) {
      expect(thrice[key]!.value).toBeCloseTo(once[key]!.value!, 9);
      expect(thrice[key]!.lower).toBeCloseTo(once[key]!.lower!, 9);
      expect(thrice[key]!.upper).toBeCloseTo(once[key]!.upper!, 9);
    }
    // n still reports what was counted
    expect(thrice.context_recall!.n).toBe(600);
    // and the copies would have narrowed it
    expect(proportion(540, 600).lower!).toBeGreaterThan(once.context_recall!.lower!);
    expect(mean(0.8, 0.2, 300).lower!).toBeGreaterThan(once.audit_completeness!.lower!);
  });
});

describe("the interval of a mean", () => {
  it("uses Student's t on few cases: five values of sd 1 around 10 are 10 ± 2.776/√5, not ± 1.96/√5", () => {
    const e = mean(10, 1, 5);
    expect(e.lower).toBeCloseTo(10 - 2.776445 / Math.sqrt(5), 5);
    expect(e.upper).toBeCloseTo(10 + 2.776445 / Math.sqrt(5), 5);
    // hundreds of cases: the normal value it replaced, within a percent
    const big = mean(10, 1, 400);
    expect((big.upper! - 10) / (1.959964 / 20)).toBeCloseTo(1, 2);
  });

  it("does not print certainty for a share complete in every case: 100% of 5 is 1 − 3/5 to 1, as a rate's", () => {
    const full = mean(1, 0, 5, [0, 1]);
    expect(full).toMatchObject({ value: 1, lower: 0.4, upper: 1, method: "rule_of_three" });
    expect(mean(0, 0, 30, [0, 1])).toMatchObject({ value: 0, lower: 0, upper: 0.1, method: "rule_of_three" });
    // counted in cases, not in case×epoch rows
    expect(mean(1, 0, 15, [0, 1], 5)).toMatchObject({ lower: 0.4, upper: 1 });
    // an unbounded mean with no spread (a free agent's cost) is what was measured
    expect(mean(0, 0, 5, [0, Number.POSITIVE_INFINITY])).toMatchObject({ lower: 0, upper: 0, method: "normal" });
  });
});
