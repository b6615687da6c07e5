import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildReport } from "../src/analytics/report.js";
import type { ReportDoc } from "../src/analytics/report-schema.js";
import { ReportDoc as ReportDocSchema } from "../src/analytics/report-schema.js";
import { renderReport } from "../src/report/render.js";
import { Store } from "../src/store/db.js";
import { FIXTURE_RUN, seedFixture } from "./fixtures/report/run.js";

const EPOCHS = 3;

/**
 * The fixture run as `soceval run --epochs 3` stores it: every (case, agent) row of every table
 * repeated per epoch, then model-x's c01 made right in its last epoch (bad in 2 of 3).
 */
async function seedEpochs(store: Store): Promise<void> {
  await seedFixture(store);
  for (const table of ["case_results", "findings", "tool_calls", "model_calls", "transcripts"])
    for (let e = 1; e < EPOCHS; e++)
      await store.run(
        `INSERT INTO ${table} SELECT * REPLACE (${e} AS epoch) FROM ${table} WHERE run_id = '${FIXTURE_RUN}' AND epoch = 0`,
      );
  await store.run(
    `UPDATE runs SET epochs = ${EPOCHS} WHERE run_id = '${FIXTURE_RUN}';
     UPDATE case_results SET critical_miss = false, escalate = true, agree = true, verdict = label_verdict,
       hallucinated = false, hallucination_count = 0, policy_violations = 0, high_severity_violations = 0,
       failed = false, missed_context = false
     WHERE run_id = '${FIXTURE_RUN}' AND agent = 'model-x' AND case_id = 'c01' AND epoch = 2;
     DELETE FROM findings WHERE run_id = '${FIXTURE_RUN}' AND agent = 'model-x' AND case_id = 'c01' AND epoch = 2`,
  );
}

describe("report of a run with several epochs counts cases, not case×epoch rows", () => {
  let store: Store;
  let single: ReportDoc;
  let doc: ReportDoc;
  beforeAll(async () => {
    store = await Store.open(":memory:");
    const one = await Store.open(":memory:");
    await seedFixture(one);
    single = await buildReport(one, "latest");
    one.close();
    await seedEpochs(store);
    doc = await buildReport(store, "latest");
  });
  afterAll(() => store.close());

  it("counts an alert's analyst minutes saved once, however many epochs replayed it; its cost every time", () => {
    for (const agent of Object.keys(doc.agents)) {
      const one = single.agents[agent]!.metrics;
      const three = doc.agents[agent]!.metrics;
      expect(one.analyst_minutes_saved!.value, agent).toBeGreaterThan(0);
      expect(three.analyst_minutes_saved, agent).toMatchObject({
        value: one.analyst_minutes_saved!.value,
        n: one.analyst_minutes_saved!.n,
      });
      // money and tokens were spent by every epoch
      expect(three.cost_usd_total!.value, agent).toBeCloseTo(one.cost_usd_total!.value! * EPOCHS, 9);
      expect(three.cost_usd_total!.n, agent).toBe(one.cost_usd_total!.n * EPOCHS);
    }
  });

  it("is valid against the report schema", () => {
    expect(() => ReportDocSchema.parse(doc)).not.toThrow();
  });

  it("violations[].cases counts distinct cases; findings counts every epoch's findings", () => {
    for (const agent of Object.keys(doc.agents)) {
      const one = single.agents[agent]!.violations;
      const three = doc.agents[agent]!.violations;
      expect(three.length).toBeGreaterThan(0);
      for (const v of three) {
        const s = one.find((x) => x.kind === v.kind && x.severity === v.severity)!;
        expect(v.cases, `${agent} ${v.kind}`).toBe(s.cases);
        expect(v.findings, `${agent} ${v.kind}`).toBe(s.findings * EPOCHS - (agent === "model-x" ? dropped(v) : 0));
      }
    }
    const failOpen = doc.agents.playbook!.violations.find((v) => v.kind === "fail_open")!;
    expect(failOpen).toMatchObject({ findings: 3, cases: 1 });
  });

  function dropped(v: { kind: string; severity: string }): number {
    // c01's findings of epoch 2 were deleted
    return single.agents["model-x"]!.worst_cases.find((w) => w.case_id === "c01")!.findings.filter(
      (f) => f.kind === v.kind && (f.severity ?? "unknown") === v.severity,
    ).length;
  }

  it("evidence_sources[].cases_queried counts distinct cases, comparable with cases_with_evidence; failure_rate's interval one epoch's calls", () => {
    for (const agent of Object.keys(doc.agents))
      for (const s of doc.agents[agent]!.evidence_sources) {
        const one = single.agents[agent]!.evidence_sources.find((x) => x.source === s.source)!;
        expect(s.cases_queried, s.source).toBe(one.cases_queried);
        expect(s.cases_queried).toBeLessThanOrEqual(12);
        expect(s.calls).toBe(one.calls * EPOCHS);
        // the same calls asked again: a failure rate's interval is one epoch's, not three times narrower
        expect(s.failure_rate.lower, s.source).toBeCloseTo(one.failure_rate.lower!, 9);
        expect(s.failure_rate.upper, s.source).toBeCloseTo(one.failure_rate.upper!, 9);
      }
  });

  it("lists each worst case once, by its worst epoch, with how many of its epochs went wrong", () => {
    for (const agent of Object.keys(doc.agents)) {
      const ids = doc.agents[agent]!.worst_cases.map((w) => w.case_id);
      expect(new Set(ids).size, agent).toBe(ids.length);
      expect(ids).toEqual(single.agents[agent]!.worst_cases.map((w) => w.case_id));
    }
    const c01 = doc.agents["model-x"]!.worst_cases.find((w) => w.case_id === "c01")!;
    expect(c01).toMatchObject({ epoch: 0, epochs_bad: 2, epochs_run: 3 });
    expect(c01.reasons[0]).toBe("critical miss");
    const c06 = doc.agents["model-x"]!.worst_cases.find((w) => w.case_id === "c06")!;
    expect(c06).toMatchObject({ epochs_bad: 3, epochs_run: 3 });
    expect(single.agents["model-x"]!.worst_cases[0]).toMatchObject({ epochs_bad: 1, epochs_run: 1 });
  });

  it("says how many epochs went wrong in HTML and Markdown", async () => {
    const html = await renderReport(doc, "html");
    const md = await renderReport(doc, "md");
    expect(html).toContain("2 of 3 epochs");
    expect(md).toContain("2 of 3 epochs");
    expect(html.match(/<article class="case" id="/g)!.length).toBe(
      doc.agents.playbook!.worst_cases.length + doc.agents["model-x"]!.worst_cases.length,
    );
    const single1 = await renderReport(single, "md");
    expect(single1).not.toMatch(/of 1 epoch/);
  });

  it("says next to the intervals that they count cases, so x/n alone does not reproduce them", async () => {
    const md = await renderReport(doc, "md");
    const html = await renderReport(doc, "html");
    for (const text of [md, html]) {
      expect(text).toContain("with several epochs an interval counts cases, not case×epoch rows");
      expect(text).toContain("none or all were observed");
    }
    expect(html).toContain("Findings in trap-tagged cases, by kind");
  });
});
