import { readFileSync } from "node:fs";
import type { TopLevelSpec } from "vega-lite";
import { reportsDir } from "./templates.js";

const specs = new Map<string, TopLevelSpec>();

let loading: Promise<{ vega: typeof import("vega"); compile: typeof import("vega-lite").compile }> | null = null;

/**
 * Vega takes about a second to import and only HTML needs it: load it on first use, or start
 * early with `preloadCharts()` so the import overlaps the report's SQL (which runs in DuckDB threads).
 */
function loadVega() {
  loading ??= Promise.all([import("vega"), import("vega-lite")]).then(([vega, vl]) => ({ vega, compile: vl.compile }));
  return loading;
}

export function preloadCharts(): void {
  void loadVega();
}

function spec(name: string): TopLevelSpec {
  let s = specs.get(name);
  if (!s) {
    s = JSON.parse(readFileSync(reportsDir(`charts/${name}.vl.json`), "utf8")) as TopLevelSpec;
    specs.set(name, s);
  }
  return s;
}

/**
 * Compile a chart spec from reports/charts with the given rows as its data, and render it to an
 * SVG string headless (no DOM, no canvas, no network). Data text is escaped by vega's SVG writer;
 * the result is still checked before it is trusted into the page.
 */
export async function renderChart(name: string, values: object[], title?: string): Promise<string> {
  const base = spec(name);
  const full = { ...base, ...(title ? { title } : {}), data: { values } } as TopLevelSpec;
  const { vega, compile } = await loadVega();
  const view = new vega.View(vega.parse(compile(full).spec), { renderer: "none" });
  try {
    const svg = await view.toSVG();
    assertSafeSvg(svg);
    return svg;
  } finally {
    view.finalize();
  }
}

/** No script, no event handler attributes, no foreign content, no external references. */
export function assertSafeSvg(svg: string): void {
  if (!svg.startsWith("<svg")) throw new Error("chart did not render to SVG");
  for (const tag of svg.match(/<[^>]*>/g) ?? []) {
    if (/^<\/?(script|foreignObject|iframe|object|embed)\b/i.test(tag))
      throw new Error(`unsafe SVG element: ${tag.slice(0, 40)}`);
    for (const [, name, value] of tag.matchAll(/\s([\w:-]+)\s*=\s*"([^"]*)"/g)) {
      if (/^on/i.test(name!)) throw new Error(`unsafe SVG attribute ${name}`);
      if (/(^|:)href$|^src$/i.test(name!) && !value!.startsWith("#"))
        throw new Error("SVG references an external resource");
    }
    // attributes must all be double-quoted: an unquoted one is something we did not expect
    if (/\s[\w:-]+\s*=\s*[^"\s]/.test(tag.replace(/"[^"]*"/g, '""')))
      throw new Error("unexpected SVG attribute syntax");
  }
}
