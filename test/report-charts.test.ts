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

  it("every chart is an image whose text alternative reads like the tables", async () => {
    const svg = await renderChart("intervals", [
      { agent: "playbook", metric: "Verdict agreement", value: 0.821875, lower: 0.77621, upper: 0.859904, n: 320 },
    ]);
    const line = "Verdict agreement 82.2% (95% CI 77.6–86.0%, n=320), playbook";
    expect(svg).toMatch(/^<svg role="img" aria-label="Key rates with 95% intervals: Verdict agreement 82\.2% /);
    // the mark carries the estimate, not the interval's lower bound, and no raw fraction
    expect(svg).toContain(`aria-label="${line}"`);
    for (const [name, values] of CHARTS) {
      const s = await renderChart(name, values);
      expect(s, name).toMatch(/^<svg role="img" aria-label="[^"]{20,}"/);
      const labels = s.match(/aria-label="[^"]*"/g) ?? [];
      expect(
        labels.filter((l) => /\d\.\d{5,}|: 0\.\d/.test(l)),
        name,
      ).toEqual([]);
    }
  });

  it("labels are whole and formatted: no truncation, money on the cost axis, readiness rounded down", async () => {
    const long = "trap:exonerating_evidence_with_a_long_name";
    const trap = await renderChart("trap-tags", [{ agent: "playbook", tag: long, value: 0.5, lower: 0.2, upper: 0.8 }]);
    expect(trap).toContain(`>${long}</text>`);
    expect(trap).not.toContain("…");
    // the interval is drawn dark over the pale bar, so the part inside the bar shows
    expect(trap).toMatch(/aria-roledescription="bar"/);
    expect(trap).toContain('stroke="#1d2430"');
    const cost = await renderChart("quality-cost", [
      { agent: "a", cost: 0.0042, value: 0.7, lower: 0.6, upper: 0.8 },
      { agent: "b", cost: 0.01, value: 0.8, lower: 0.7, upper: 0.9 },
    ]);
    expect(cost).toMatch(/>\$0\.01<\/text>/);
    expect(cost).not.toMatch(/>0\.0\d+<\/text>/);
    const ranking = await renderChart("../readiness/ranking", [
      { candidate: "1. Identity / suspicious login triage with a long name", overall: 59.97, status: "not ready" },
      { candidate: "2. Phishing", overall: 81.8, status: "ready" },
    ]);
    // readiness/README.md: one decimal, rounded down; 59.97 shows 59.9 and does not reach 60
    expect(ranking).toContain(">59.9</text>");
    expect(ranking).toContain(">81.8</text>");
    expect(ranking).toContain(">1. Identity / suspicious login triage with a long name</text>");
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
