import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { assertSafeSvg, renderChart } from "../src/report/charts.js";
import { dumpDom, findChromium } from "./fixtures/report/chromium.js";
import { wellFormedError } from "./fixtures/report/xml.js";

const HOSTILE = "trap:<b>\"x\" onload='y' & z";

const CHARTS: [string, object[]][] = [
  [
    "intervals",
    [
      { agent: "playbook", metric: "Verdict agreement", value: 0.8, lower: 0.7, upper: 0.88 },
      { agent: HOSTILE, metric: "Critical miss rate", value: 0, lower: 0, upper: 0.03 },
    ],
  ],
  ["trap-tags", [{ agent: "playbook", tag: HOSTILE, value: 0.5, lower: 0.2, upper: 0.8 }]],
  [
    "violations",
    [
      { kind: "fail_open", severity: "high", findings: 3 },
      { kind: HOSTILE, severity: "low", findings: 1 },
    ],
  ],
  [
    "quality-cost",
    [
      { agent: "playbook", cost: 0, value: 0.7, lower: 0.6, upper: 0.8 },
      { agent: HOSTILE, cost: 0.02, value: 0.85, lower: 0.78, upper: 0.9 },
    ],
  ],
];

describe("charts", () => {
  const rendered: [string, string][] = [];

  it.each(CHARTS)("%s renders to well-formed, safe SVG with data text escaped", async (name, values) => {
    const svg = await renderChart(name, values);
    rendered.push([name, svg]);
    expect(svg.startsWith("<svg")).toBe(true);
    expect(wellFormedError(svg)).toBeNull();
    expect(() => assertSafeSvg(svg)).not.toThrow();
    expect(svg).not.toContain("<b>");
    expect(svg).toMatch(/<(path|line|rect|circle|text)\b/);
  });

  it("the checker itself rejects broken XML and unsafe SVG", () => {
    expect(wellFormedError("<svg><g></svg>")).toMatch(/closes/);
    expect(wellFormedError('<svg a="1" a="2"/>')).toMatch(/duplicate/);
    expect(wellFormedError("<svg>a & b</svg>")).toMatch(/entity/);
    expect(() => assertSafeSvg('<svg><g onload="x"></g></svg>')).toThrow();
    expect(() => assertSafeSvg("<svg><script>1</script></svg>")).toThrow();
    expect(() => assertSafeSvg('<svg><image href="http://x/y.png"/></svg>')).toThrow();
  });

  const chromium = findChromium();
  it.skipIf(!chromium)("Chromium's XML parser accepts every chart", () => {
    const dir = mkdtempSync(join(tmpdir(), "soceval-svg-"));
    // one XHTML document holding every chart: parsed as XML, any error shows as <parsererror>
    const body = rendered.map(([, svg]) => svg).join("\n");
    const file = join(dir, "charts.xhtml");
    writeFileSync(file, `<html xmlns="http://www.w3.org/1999/xhtml"><body>${body}</body></html>`);
    const dom = dumpDom(chromium!, file);
    expect(dom).not.toContain("parsererror");
    expect(dom.match(/<svg\b/g)?.length).toBe(CHARTS.length);
  });
});
