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
