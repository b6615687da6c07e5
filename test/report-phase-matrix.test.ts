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
});
