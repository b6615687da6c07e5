import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildReport } from "../src/analytics/report.js";
import type { ReportDoc } from "../src/analytics/report-schema.js";
import { renderReport } from "../src/report/render.js";
import { Store } from "../src/store/db.js";
import { seedFixture } from "./fixtures/report/run.js";

/**
 * A rate rounds to "0.0%" with one hallucination in 3,000 investigations: the HTML's Quality table
 * printed n alone beside it, so it read as none, while the Markdown and the criteria tables print
 * "1/3,000". Every proportion there now shows its x/n.
 */
describe("the HTML's Quality and violation-rate tables show each proportion's x/n", () => {
  let store: Store;
  let doc: ReportDoc;
  beforeAll(async () => {
    store = await Store.open(":memory:");
    await seedFixture(store);
    doc = await buildReport(store, "latest");
  });
  afterAll(() => store.close());

  /** The cells of the row whose header is `label`, in the first table after `heading` of agent `i`. */
  const rowCells = (html: string, i: number, heading: string, label: string) => {
    const page = html.replace(/<wbr>/g, "");
    const section = page.slice(page.indexOf(`id="agent-${i}"`));
    const table = section.slice(section.indexOf(heading));
    const at = table.indexOf(`${label}</`);
    expect(at, label).toBeGreaterThan(-1);
    const row = table.slice(at, table.indexOf("</tr>", at));
    return [...row.matchAll(/<td[^>]*>([^<]*)<\/td>/g)].map((m) => m[1]);
  };

  it("prints 1/3,000 beside a rate that rounds to 0.0%, as the Markdown does", async () => {
    const mx = doc.agents["model-x"]!;
    const rare = { value: 1 / 3000, lower: 0.000059, upper: 0.001887, n: 3000, x: 1, method: "wilson" as const };
    const edited = {
      ...doc,
      agents: {
        ...doc.agents,
        "model-x": {
          ...mx,
          metrics: { ...mx.metrics, hallucination_rate: rare, "violation_rate.data_exposure": rare },
        },
      },
    };
    const i = Object.keys(doc.agents).indexOf("model-x");
    const html = await renderReport(edited, "html");
    expect(rowCells(html, i, "<h3>Quality</h3>", "Hallucination rate")).toEqual([
      "0.0%",
      "0.0% – 0.2%",
      "1/3,000",
      "wilson",
    ]);
    expect(rowCells(html, i, "Violation rate by kind", "violation_rate.data_exposure")).toContain("1/3,000");
    expect(await renderReport(edited, "md")).toContain("1/3,000");
  });

  it("gives every measured proportion of the Quality table its x/n, and kappa its n", async () => {
    const html = await renderReport(doc, "html");
    Object.values(doc.agents).forEach((a, i) => {
      const agreement = a.metrics.verdict_agreement!;
      expect(rowCells(html, i, "<h3>Quality</h3>", "Verdict agreement")[2]).toBe(`${agreement.x}/${agreement.n}`);
      expect(rowCells(html, i, "<h3>Quality</h3>", "Verdict kappa")[2]).toBe(String(a.metrics.verdict_kappa!.n));
    });
  });

  it("says in the glossary that minutes saved count only the benign cases closed correctly", async () => {
    const html = (await renderReport(doc, "html")).replace(/<wbr>/g, "");
    const at = html.indexOf("minutes_saved_per_case</code>");
    expect(at).toBeGreaterThan(-1);
    const entry = html.slice(at, html.indexOf("</dd>", at));
    expect(entry).toContain("closed correctly saves its minutes, every other case saves none");
  });
});

describe("the Markdown report's table", () => {
  it("has a row for each scorer family a lead judges by, missed context included, with the JSON's x/n", async () => {
    const store = await Store.open(":memory:");
    try {
      await seedFixture(store);
      const doc = await buildReport(store, "latest");
      const md = await renderReport(doc, "md");
      const row = md.split("\n").find((l) => l.startsWith("| Missed context rate |"));
      expect(row).toBeDefined();
      const cells = Object.values(doc.agents).map((a) => {
        const e = a.metrics.missed_context_rate!;
        return `${e.x}/${e.n}`;
      });
      for (const c of cells) expect(row).toContain(c);
      for (const label of ["Verdict agreement", "Hallucination rate", "Policy violation rate"])
        expect(md).toContain(`| ${label} |`);
    } finally {
      store.close();
    }
  });
});
