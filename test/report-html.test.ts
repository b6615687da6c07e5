import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildComparison, resolveSides } from "../src/analytics/compare.js";
import { buildReport } from "../src/analytics/report.js";
import type { ReportDoc } from "../src/analytics/report-schema.js";
import { renderComparison, renderReport } from "../src/report/render.js";
import { breakable } from "../src/report/templates.js";
import { Store } from "../src/store/db.js";
import { findChromium, findGhostscript, measureLayout, printedText } from "./fixtures/report/chromium.js";
import { seedFixture } from "./fixtures/report/run.js";

/** The HTML reports' presentation: table semantics, layout at desktop and phone widths, and print. */
describe("HTML report presentation", () => {
  let store: Store;
  let dir: string;
  let doc: ReportDoc;
  let reportHtml: string;
  let compareHtml: string;
  beforeAll(async () => {
    store = await Store.open(":memory:");
    await seedFixture(store);
    dir = mkdtempSync(join(tmpdir(), "soceval-html-"));
    doc = await buildReport(store, "latest");
    reportHtml = await renderReport(doc, "html");
    compareHtml = await renderComparison(await buildComparison(store, await resolveSides(store, ["latest"])), "html");
    writeFileSync(join(dir, "report.html"), reportHtml);
    writeFileSync(join(dir, "compare.html"), compareHtml);
  });
  afterAll(() => store.close());

  it("every header cell says what it heads, and no two columns of a table share a header", () => {
    for (const html of [reportHtml, compareHtml]) {
      const th = html.match(/<th\b[^>]*>/g) ?? [];
      expect(th.length).toBeGreaterThan(20);
      expect(th.filter((t) => !/\sscope="(col|row)"/.test(t))).toEqual([]);
      for (const head of html.match(/<thead>.*?<\/thead>/gs) ?? []) {
        const labels = [...head.matchAll(/<th\b[^>]*>(.*?)<\/th>/gs)].map((m) => m[1]!.replace(/<[^>]*>/g, ""));
        expect(new Set(labels).size, labels.join(" | ")).toBe(labels.length);
      }
    }
    expect(reportHtml).toContain("Cases unavailable");
    expect(reportHtml).toContain("Calls unavailable");
  });

  it("compare lists agents as columns and metrics as rows, each value with its interval and what it is over (x/n)", () => {
    const agents = compareHtml.match(/<table class="agents">.*?<\/table>/s)?.[0] ?? "";
    const head = agents.match(/<thead>.*?<\/thead>/s)?.[0] ?? "";
    expect(head.match(/<th\b/g)?.length).toBe(3); // Metric, playbook, model-x
    const agreement = agents.split("</tr>").find((row) => row.includes("Verdict")) ?? "";
    expect(agreement.match(/<td class="num">/g)?.length).toBe(2);
    expect(agreement).toMatch(
      /66\.7% <span class="small muted">\(39\.1% – 86\.2%\)<\/span> <span class="small muted">8\/12<\/span>/,
    );
  });

  it("keys and ids break only after _ . : / | @, never inside a part; the text stays escaped", () => {
    expect(breakable("violation_rate.fail_open")).toBe("violation_<wbr>rate.<wbr>fail_<wbr>open");
    expect(breakable("phish-0247")).toBe('<span class="nw">phish-0247</span>');
    expect(breakable("agent@20261128-222139-a818")).toBe('agent@<wbr><span class="nw">20261128-222139-a818</span>');
    expect(breakable('<b a="x">_y')).toBe(
      '<span class="nw">&lt;b</span> <span class="nw">a&#x3D;&quot;x&quot;&gt;_</span><wbr>y',
    );
    // the text a reader copies is the key itself
    expect(reportHtml.replace(/<\/?(span|wbr)\b[^>]*>/g, "")).toContain("<code>violation_rate.missing_rollback</code>");
  });

  it("an index of runs says that phases are judged independently, with the reports' phase names", async () => {
    const { render, stylesheet } = await import("../src/report/templates.js");
    const html = render("index.html.hbs", {
      css: stylesheet(),
      rows: [],
      phaseNames: ["readiness", "controlled_automation"],
      agentsLabel: "playbook",
      generated: "2025-01-01 00:00",
      db: ".soceval/soceval.duckdb",
    });
    expect(html).toContain('<meta http-equiv="Content-Security-Policy" content="default-src \'none\';');
    expect(html).toContain('<th scope="col">Controlled automation</th>');
    expect(html).toMatch(/judged on its own exit criteria, independently of the others/);
  });

  const chromium = findChromium();
  it.skipIf(!chromium)("Chromium lays the pages out with every column on screen and no word broken", () => {
    for (const name of ["report.html", "compare.html"]) {
      const wide = measureLayout(chromium!, join(dir, name), 1280);
      expect(wide, `${name} at 1280 px`).toEqual({ pageOverflow: 0, scrolling: [], broken: [], spilling: [] });
      // a phone: wide tables scroll inside their own box, the page itself never sideways
      const narrow = measureLayout(chromium!, join(dir, name), 500);
      expect(narrow.pageOverflow, `${name} at 500 px`).toBe(0);
    }
  });

  const gs = findGhostscript();
  it.skipIf(!chromium || !gs)("print shows every collapsed section with its summary", () => {
    const text = printedText(chromium!, gs!, join(dir, "report.html")).replace(/\s+/g, " ");
    // every phase's criteria table is printed, under its summary, though only failed phases are open on screen
    expect(reportHtml).toMatch(/<details >\s*<summary><span class="badge not-measured">/);
    expect(text.match(/\(default criteria\)/g)?.length).toBe(doc.phases.length);
    expect(text.match(/Criterion Metric Value/g)?.length).toBe(doc.phases.length);
    expect(text).toContain("no readiness hard gate fails");
    expect(text).toContain("Violation rate by kind, with intervals");
    const cases = Object.values(doc.agents).reduce((n, a) => n + a.worst_cases.length, 0);
    expect(text.match(/Alert as stored/g)?.length).toBe(cases);
    expect(text.match(/"severity": "/g)?.length).toBe(cases);
    const compare = printedText(chromium!, gs!, join(dir, "compare.html")).replace(/\s+/g, " ");
    // every column of both compare tables is on paper, the last one (the reading's badge) too
    for (const col of ["Reading", "Detectable", "Time to triage p95", "Tokens per investigation", "(10) worse"])
      expect(compare).toContain(col);
  });
  if (!chromium) it("Chromium checks skipped: install Debian's chromium (apt-get install -y chromium)", () => {});
});
