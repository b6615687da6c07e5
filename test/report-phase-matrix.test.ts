import { describe, expect, it } from "vitest";
import { buildReport } from "../src/analytics/report.js";
import { renderReport } from "../src/report/render.js";
import { Store } from "../src/store/db.js";
import { seedFixture } from "./fixtures/report/run.js";

describe("the phase table says why a phase is not measured", () => {
  it("names the criteria with no data, in Markdown and HTML, beside the ones not met", async () => {
    const store = await Store.open(":memory:");
    await seedFixture(store);
    const doc = await buildReport(store, "latest");
    store.close();
    // the fixture has no readiness score and no analyst reviews
    const md = await renderReport(doc, "md");
    const row = (label: string) => md.split("\n").find((l) => l.startsWith(`| ${label} |`))!;
    expect(row("Readiness")).toContain("**not measured** (no data: readiness\\_score, readiness\\_blockers) |");
    expect(row("Assisted mode")).toMatch(/\*\*not met\*\* \(.+\) \(no data: analyst\\_acceptance\\_rate\) \|/);
    expect(row("Shadow mode")).not.toContain("no data");
    const html = await renderReport(doc, "html");
    expect(html).toContain('<div class="small muted prose">no data: readiness_score, readiness_blockers</div>');
  });

  it("says under the Markdown phase table what would measure each criterion with no data, as the HTML does", async () => {
    const store = await Store.open(":memory:");
    await seedFixture(store);
    const doc = await buildReport(store, "latest");
    store.close();
    const md = await renderReport(doc, "md");
    const html = await renderReport(doc, "html");
    const reviews =
      "no analyst reviews of this run: shadow mode collects none; load analysts' verdicts on its recommendations into an analyst_reviews table (run_id, case_id, agent, accepted) in the store";
    expect(html).toContain(reviews.replace("'", "&#x27;"));
    const notes = md.split("\n").filter((l) => l.startsWith("- No data for "));
    // each note once, though every agent's Assisted phase lacks the reviews
    expect(notes).toEqual([
      expect.stringMatching(/^- No data for readiness\\_score, readiness\\_blockers: no readiness score for workflow /),
      `- No data for analyst\\_acceptance\\_rate: ${reviews.replaceAll("_", "\\_")}`,
    ]);
  });
});

describe("a criterion judged a hair's breadth from its threshold", () => {
  it("prints the compared value apart from the threshold, so a bound just below it never reads as meeting it", async () => {
    const store = await Store.open(":memory:");
    await seedFixture(store);
    // model-x agrees on 10 of 12: its Wilson lower bound is 55.197%, just under 55.2%
    const shadow = [
      {
        phase: "shadow",
        source: "suite",
        criteria: [{ metric: "verdict_agreement", op: ">=", threshold: 0.552, bound: "lower" }],
      },
    ];
    await store.run("UPDATE runs SET exit_criteria = ?", [JSON.stringify(shadow)]);
    const doc = await buildReport(store, "latest", { agents: ["model-x"] });
    store.close();
    const crit = doc.phases.find((p) => p.phase === "shadow")!.criteria[0]!;
    expect(crit).toMatchObject({ status: "not met", compared: 0.551969 });
    const md = await renderReport(doc, "md");
    expect(md).toContain("Verdict agreement 55.197% (lower bound of 83.3% = 10/12), needs ≥ 55.200%");
    expect(md).not.toContain("55.2%, needs ≥ 55.2%");
    const html = await renderReport(doc, "html");
    expect(html).toContain("≥ 55.200%");
    expect(html).toContain("55.197%");
  });
});
