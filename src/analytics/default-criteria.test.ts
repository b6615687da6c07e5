import { describe, expect, it } from "vitest";
import { DEFAULT_MATRIX, loadMatrix } from "../readiness/matrix.js";
import { DEFAULT_CRITERIA } from "./default-criteria.js";

describe("the default readiness criterion", () => {
  it("is the bundled matrix's own bar for starting in shadow, so score and report agree", () => {
    const shadow = loadMatrix(DEFAULT_MATRIX).phases.find((p) => p.phase === "shadow")!;
    const criterion = DEFAULT_CRITERIA.readiness.find((c) => c.metric === "readiness_score")!;
    expect(criterion).toMatchObject({ op: ">=", threshold: shadow.min_overall });
  });
});
