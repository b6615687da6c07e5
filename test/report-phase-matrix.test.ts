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
