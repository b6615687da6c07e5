import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { buildReport } from "../src/analytics/report.js";
import { renderReport } from "../src/report/render.js";
import { Store } from "../src/store/db.js";
import { CASES, FIXTURE_RUN, seedFixture } from "./fixtures/report/run.js";

const REACH =
  /cases with evidence that an agent called a tool on .* hold none in a source any tool call of this run queried/;

let store: Store | null = null;
afterEach(() => {
  store?.close();
  store = null;
});

/** The fixture run (a phishing replay whose tools read email.headers and url.reputation) in a store file of its own. */
async function fixture(): Promise<Store> {
  store = await Store.open(join(mkdtempSync(join(tmpdir(), "soceval-report-reach-")), "s.duckdb"));
  await seedFixture(store);
  return store;
}

/** Give `n` of the fixture's cases evidence only in a source named after the SIEM it was exported from. */
async function importedSources(s: Store, n: number): Promise<string[]> {
  const ids = CASES.slice(0, n).map((c) => c.id);
  await s.run(
    `UPDATE cases SET evidence_sources = ['sentinel.entity.host', 'sentinel.extended_properties']
     WHERE run_id = ? AND list_contains(CAST(json(?) AS VARCHAR[]), case_id)`,
    [FIXTURE_RUN, JSON.stringify(ids)],
  );
  return ids;
}

describe("the report says when the cases' evidence was out of the tools' reach", () => {
  it("a run whose tools queried the cases' sources: no warning", async () => {
    const doc = await buildReport(await fixture(), FIXTURE_RUN);
    expect(doc.run.warnings).toEqual([]);
  });

  it("a quarter or more of the investigated cases hold evidence no tool call queried: the report leads with it", async () => {
    const s = await fixture();
    await importedSources(s, 3);
    const doc = await buildReport(s, FIXTURE_RUN);
    const [only, ...rest] = doc.run.warnings;
    expect(rest).toEqual([]);
    expect(only).toBe(
      `3 of the ${CASES.length} cases with evidence that an agent called a tool on (25.0%) hold none in a source any ` +
        "tool call of this run queried, so their verdicts were reached on the alert alone (never queried: " +
        "sentinel.entity.host in 3 cases, sentinel.extended_properties in 3 cases). If no tool of the workflow reads " +
        "those sources, these figures do not measure an investigation; soceval dataset validate test/fixtures/report " +
        "(synthetic) --workflow <the suite's workflow.yaml> says which",
    );
    // a banner in every format, in plain text
    expect(only).not.toContain("`");
    expect(await renderReport(doc, "md")).toMatch(/^> \*\*Warning: 3 of the 12 cases with evidence/);
  });

  it("below a quarter, no warning: some unread context is common, and dataset validate --workflow lists it", async () => {
    const s = await fixture();
    await importedSources(s, 2);
    expect((await buildReport(s, FIXTURE_RUN)).run.warnings).toEqual([]);
  });

  it("cases no agent called a tool on (a provider down) say nothing of the tools' reach", async () => {
    const s = await fixture();
    const ids = await importedSources(s, 6);
    await s.run(
      "UPDATE case_results SET tool_calls = 0 WHERE run_id = ? AND list_contains(CAST(json(?) AS VARCHAR[]), case_id)",
      [FIXTURE_RUN, JSON.stringify(ids.slice(0, 4))],
    );
    // 2 of the 8 cases still investigated with tools hold only unqueried sources: exactly a quarter
    const doc = await buildReport(s, FIXTURE_RUN);
    expect(doc.run.warnings.filter((w) => REACH.test(w))).toEqual([
      expect.stringMatching(/^2 of the 8 cases with evidence that an agent called a tool on \(25\.0%\)/),
    ]);
    await s.run(
      "UPDATE case_results SET tool_calls = 0 WHERE run_id = ? AND list_contains(CAST(json(?) AS VARCHAR[]), case_id)",
      [FIXTURE_RUN, JSON.stringify(ids)],
    );
    expect((await buildReport(s, FIXTURE_RUN)).run.warnings.filter((w) => REACH.test(w))).toEqual([]);
  });

  it("a run imported with soceval score is left out: its platform's tools need not map to sources", async () => {
    const s = await fixture();
    await importedSources(s, 6);
    await s.run("UPDATE runs SET kind = 'imported' WHERE run_id = ?", [FIXTURE_RUN]);
    expect((await buildReport(s, FIXTURE_RUN)).run.warnings.filter((w) => REACH.test(w))).toEqual([]);
  });
});
