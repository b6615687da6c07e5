import { describe, expect, it } from "vitest";
import type { ReportReadiness } from "../analytics/report-schema.js";
import { blockersText, readinessMismatch, readinessUnmeasured } from "./readiness-note.js";

const seen = (workflow: string | null, stored: string[], blockers: ReportReadiness["blockers"] = []) => ({
  workflow,
  candidate: null,
  scored_at: null,
  blockers,
  stored_workflows: stored,
});
const SCORE_IT = "score its answers into the same store with `soceval readiness score <answers.yaml>`";

describe("the readiness phase's notes", () => {
  it("names each blocking gate by id and, where stored, the matrix's title", () => {
    const r = seen(
      "phishing-triage",
      ["phishing-triage"],
      [
        { gate: "no_reviewer", title: "Nobody assigned to review agent recommendations" },
        // a score stored before soceval kept the titles
        { gate: "no_escalation_criteria", title: null },
      ],
    );
    expect(blockersText(r)).toBe(
      'no_reviewer "Nobody assigned to review agent recommendations", no_escalation_criteria',
    );
    expect(blockersText(seen("phishing-triage", []))).toBe("");
  });

  it("names the workflow looked for, and the ids scored instead with the close one pointed at", () => {
    expect(readinessUnmeasured(seen("phishing-triage", []))).toBe(
      `no readiness score for workflow phishing-triage in the store: ${SCORE_IT}`,
    );
    // the command names the report's own store when it is not the default one
    expect(readinessUnmeasured(seen("phishing-triage", []), "/tmp/ci store.duckdb")).toBe(
      "no readiness score for workflow phishing-triage in the store: score its answers into the same store with " +
        "`soceval readiness score <answers.yaml> --db '/tmp/ci store.duckdb'`",
    );
    // a typo within the edit distance `nearest` allows, among unrelated ids
    expect(readinessUnmeasured(seen("phishing-triage", ["endpoint-investigation", "phishing-traige"]))).toBe(
      "no readiness score for workflow phishing-triage in the store, only for workflows endpoint-investigation, phishing-traige " +
        `(if the answers scored as phishing-traige are this workflow's, set \`workflow: phishing-triage\` in them): ${SCORE_IT}`,
    );
    // a shortened id is too far for an edit distance, but one holds the other
    expect(readinessUnmeasured(seen("phishing-triage", ["phishing"]))).toContain(
      "only for workflow phishing (if the answers scored as phishing are this workflow's",
    );
    expect(readinessUnmeasured(seen("phishing-triage", ["endpoint-investigation"]))).toBe(
      `no readiness score for workflow phishing-triage in the store, only for workflow endpoint-investigation: ${SCORE_IT}`,
    );
    const many = Array.from({ length: 11 }, (_, i) => `workflow-${i + 10}`);
    expect(readinessUnmeasured(seen("phishing-triage", many))).toContain(
      "only for workflows workflow-10, workflow-11, workflow-12, workflow-13, workflow-14, workflow-15, workflow-16, workflow-17 and 3 more: ",
    );
    expect(readinessUnmeasured(seen(null, ["phishing"]))).toBe(
      "no readiness score applies: the run names no workflow to look one up by",
    );
  });

  it("says in the phase table only that the scores are under other ids, and nothing when the workflow's own is there", () => {
    expect(readinessMismatch(seen("phishing-triage", ["phishing"]))).toBe(
      "the store's readiness scores are for workflow phishing, not phishing-triage",
    );
    expect(readinessMismatch(seen("phishing-triage", []))).toBe("");
    // its own score is stored but lacks a value (a hand-made table without blockers): not an id mismatch
    const own = seen("phishing-triage", ["endpoint-investigation", "phishing-triage"]);
    expect(readinessMismatch(own)).toBe("");
    expect(readinessUnmeasured(own)).toBe(
      `the readiness score stored for workflow phishing-triage does not record this: ${SCORE_IT} again`,
    );
  });
});
