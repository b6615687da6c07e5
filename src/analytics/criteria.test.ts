import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { InputError } from "../io/errors.js";
import { METRIC_KEYS } from "./catalogue.js";
import { evaluateCriterion, loadCriteria, phaseStatus } from "./criteria.js";
import { DEFAULT_CRITERIA } from "./default-criteria.js";
import type { Estimate } from "./report-schema.js";

const est = (value: number | null, lower: number | null = null, upper: number | null = null): Estimate => ({
  value,
  lower,
  upper,
  n: 100,
  method: "wilson",
});

describe("exit criteria", () => {
  const metrics = { verdict_agreement: est(0.9, 0.84, 0.94), critical_miss_rate: est(0, 0, 0.03), p95: est(5) };

  it("compares the named bound, not the point estimate", () => {
    const lower = evaluateCriterion(
      { metric: "verdict_agreement", op: ">=", threshold: 0.85, bound: "lower" },
      metrics,
    );
    expect(lower).toMatchObject({ status: "not met", compared: 0.84 });
    const point = evaluateCriterion(
      { metric: "verdict_agreement", op: ">=", threshold: 0.85, bound: "point" },
      metrics,
    );
    expect(point).toMatchObject({ status: "met", compared: 0.9 });
    const upper = evaluateCriterion(
      { metric: "critical_miss_rate", op: "<=", threshold: 0.05, bound: "upper" },
      metrics,
    );
    expect(upper.status).toBe("met");
  });

  it("says not measured when the metric has no data, and notes a missing interval", () => {
    const none = evaluateCriterion(
      { metric: "analyst_acceptance_rate", op: ">=", threshold: 0.8, bound: "lower" },
      metrics,
    );
    expect(none).toMatchObject({ status: "not measured", compared: null });
    const noInterval = evaluateCriterion({ metric: "p95", op: "<", threshold: 10, bound: "upper" }, metrics);
    expect(noInterval.status).toBe("met");
    expect(noInterval.note).toMatch(/point estimate/);
  });

  it("says why κ went unmeasured over investigations the run has, and no data where it has none", () => {
    const kappa = { metric: "verdict_kappa", op: ">=", threshold: 0.4, bound: "lower" } as const;
    const over = evaluateCriterion(kappa, { verdict_kappa: { ...est(null), n: 20, method: "bootstrap" } });
    expect(over).toMatchObject({ status: "not measured", compared: null });
    expect(over.note).toMatch(
      /^Cohen's κ is not measured over these 20 investigations: the agent gave no valid verdict/,
    );
    const empty = evaluateCriterion(kappa, { verdict_kappa: { ...est(null), n: 0, method: "bootstrap" } });
    expect(empty.note).toBe("no data for this metric in the run");
  });

  it("a phase is not met if any criterion fails, else not measured if any lacks data", () => {
    const r = (status: "met" | "not met" | "not measured") => ({ status }) as Parameters<typeof phaseStatus>[0][number];
    expect(phaseStatus([r("met"), r("met")])).toBe("met");
    expect(phaseStatus([r("met"), r("not measured")])).toBe("not measured");
    expect(phaseStatus([r("not measured"), r("not met")])).toBe("not met");
    expect(phaseStatus([])).toBe("not measured");
  });

  it("defaults cover every phase and name only known metrics", () => {
    for (const list of Object.values(DEFAULT_CRITERIA)) {
      expect(list.length).toBeGreaterThan(0);
      for (const c of list) expect(METRIC_KEYS.has(c.metric), c.metric).toBe(true);
    }
  });

  it("uses the suite's criteria where declared and rejects unknown metrics", () => {
    const dir = mkdtempSync(join(tmpdir(), "soceval-crit-"));
    const suite = join(dir, "s.suite.yaml");
    const head = "name: s\nworkflow: w.yaml\ndataset: d.jsonl\nagents: [a.yaml]\nexit_criteria:\n  shadow:\n";
    writeFileSync(suite, `${head}    - {metric: verdict_agreement, op: ">=", threshold: 0.9, bound: lower}\n`);
    const { phases, note } = loadCriteria(suite);
    expect(note).toBeNull();
    const shadow = phases.find((p) => p.phase === "shadow")!;
    expect(shadow).toMatchObject({ source: "suite", criteria: [{ metric: "verdict_agreement", threshold: 0.9 }] });
    expect(phases.find((p) => p.phase === "assisted")!.source).toBe("default");

    writeFileSync(suite, `${head}    - {metric: verdict_agreemnt, op: ">=", threshold: 0.9}\n`);
    expect(() => loadCriteria(suite)).toThrow(InputError);
    expect(() => loadCriteria(suite)).toThrow(/exit_criteria\.shadow\[0\]\.metric: unknown metric "verdict_agreemnt"/);
    expect(loadCriteria(join(dir, "gone.yaml")).note).toMatch(/not found/);
  });
});
