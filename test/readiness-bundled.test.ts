import { existsSync, readdirSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { loadAnswerFiles } from "../src/readiness/load.js";
import { loadMatrix } from "../src/readiness/matrix.js";
import { loadTelemetry } from "../src/readiness/telemetry.js";
import { loadWorkflow } from "../src/workflow/load.js";

/** The bundled readiness data must stay consistent with the bundled suites as either changes. */
describe("bundled readiness data", () => {
  const matrix = loadMatrix();
  const telemetry = loadTelemetry();
  const suites = readdirSync("suites").filter((d) => existsSync(`suites/${d}/workflow.yaml`));
  const answerFiles = readdirSync("readiness/answers")
    .filter((f) => f.endsWith(".yaml"))
    .map((f) => `readiness/answers/${f}`);

  it("the matrix has the five readiness areas plus suitability, with hard gates", () => {
    expect(matrix.areas.map((a) => a.id)).toEqual([
      "workflow_scope",
      "evidence_sources",
      "decision_rules",
      "action_boundary",
      "review_capacity",
      "suitability",
    ]);
    expect(matrix.gates.map((g) => g.when.question)).toEqual(
      expect.arrayContaining(["decisions_escalation_documented", "actions_forbidden_list"]),
    );
  });

  it("the telemetry matrix lists every source a bundled workflow's tools declare, and marks one unreachable", () => {
    for (const s of suites) {
      const wf = loadWorkflow(`suites/${s}/workflow.yaml`);
      for (const t of wf.tools)
        expect(telemetry.bySource.has(t.source), `${s}: ${t.name} reads ${t.source}`).toBe(true);
    }
    expect(telemetry.objects.some((o) => o.api === "none" && o.status === "unavailable")).toBe(true);
  });

  it("at least six synthetic candidates, one per bundled suite among them, all valid", async () => {
    const sets = await loadAnswerFiles(answerFiles, matrix);
    expect(sets.length).toBeGreaterThanOrEqual(6);
    expect(sets.every((s) => s.synthetic === true)).toBe(true);
    const workflows = new Set(sets.map((s) => s.workflow));
    for (const s of suites) expect(workflows.has(s), `answers for suites/${s}`).toBe(true);
  });
});
