import { readFileSync } from "node:fs";
import type { TopLevelSpec } from "vega-lite";
import { formatValue } from "./format.js";
import { escapeHtml, reportsDir } from "./templates.js";

const specs = new Map<string, TopLevelSpec>();

let loading: Promise<{ vega: typeof import("vega"); compile: typeof import("vega-lite").compile }> | null = null;

/**
 * Vega takes about a second to import and only HTML needs it: load it on first use, or start
 * early with `preloadCharts()` so the import overlaps the report's SQL (which runs in DuckDB threads).
 */
function loadVega() {
  loading ??= Promise.all([import("vega"), import("vega-lite")]).then(([vega, vl]) => {
    // headless there is no canvas to measure text with, and vega's fallback (0.8 em a character)
    // reserves twice the room a label takes: estimate from character widths instead
    const metrics = (vega as unknown as { textMetrics: { width: (item: TextItem, text: unknown) => number } })
      .textMetrics;
    metrics.width = (item, text) => textWidth(item, String(text ?? ""));
    return { vega, compile: vl.compile };
  });
  return loading;
}

type TextItem = { fontSize?: number; fontWeight?: string | number; limit?: number };

/**
 * A text's width in px, from per-character widths close to DejaVu Sans (the widest common
 * sans-serif, so a label never overruns the room it is given). A label limit still truncates.
 */
export function textWidth(item: TextItem, text: string): number {
  const size = item.fontSize ?? 11;
  let em = 0;
  for (const c of text.trim()) {
    if (/[ijl]/.test(c)) em += 0.28;
    else if (/[ .,:;'|!]/.test(c)) em += 0.33;
    else if (/[tfr\-()[\]]/.test(c)) em += 0.42;
    else if (/[mw]/.test(c)) em += 0.98;
    else if (/[MW%@]/.test(c)) em += 1.0;
    else if (/[A-Z]/.test(c)) em += 0.76;
    else em += 0.64;
  }
  const bold = item.fontWeight === "bold" || Number(item.fontWeight) >= 600 ? 1.08 : 1;
  return Math.ceil(em * size * bold);
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

type Row = Record<string, unknown>;

const num = (v: unknown): number | null => (typeof v === "number" && Number.isFinite(v) ? v : null);
const str = (v: unknown): string => (v === null || v === undefined ? "" : String(v));

/** "82.2% (95% CI 77.6–86.0%, n=320)": a rate as the report's tables print it, never a raw fraction. */
export function rateText(r: Row): string {
  const value = formatValue(num(r.value), "rate");
  const lower = num(r.lower);
  const upper = num(r.upper);
  const parts: string[] = [];
  if (lower !== null && upper !== null) parts.push(`95% CI ${(lower * 100).toFixed(1)}–${formatValue(upper, "rate")}`);
  const n = num(r.n);
  if (n !== null) parts.push(`n=${n.toLocaleString("en-US")}`);
  return parts.length ? `${value} (${parts.join(", ")})` : value;
}

/** One decimal, rounded down, as readiness/README.md documents: 59.97 shows 59.9, never 60. */
export function readinessScore(v: unknown): string {
  const x = num(v);
  return x === null ? "—" : (Math.floor(x * 10 + 1e-9) / 10).toFixed(1);
}

/**
 * Each chart's text alternative: `mark` is a mark's aria-label (the spec's `description` channel reads
 * the row's `desc`), `summary` the whole chart's, on the <svg>. Both read like the tables; an extra
 * field a chart labels with (the readiness score) is formatted here too.
 */
const TEXT: Record<
  string,
  {
    mark: (r: Row) => string;
    summary: string;
    extra?: (r: Row) => Row;
    adjust?: (s: TopLevelSpec, rows: Row[]) => TopLevelSpec;
  }
> = {
  intervals: {
    mark: (r) => `${str(r.metric)} ${rateText(r)}, ${str(r.agent)}`,
    summary: "Key rates with 95% intervals",
  },
  "trap-tags": {
    mark: (r) => `Verdict agreement on ${str(r.tag)} ${rateText(r)}, ${str(r.agent)}`,
    summary: "Verdict agreement by trap tag, with 95% intervals",
  },
  violations: {
    mark: (r) => `${str(r.kind)}, ${str(r.severity)} severity: ${formatValue(num(r.findings), "count")} findings`,
    summary: "Policy-violation findings by kind and severity",
  },
  "quality-cost": {
    mark: (r) =>
      `${str(r.agent)}: verdict agreement ${rateText(r)}, cost per investigation ${formatValue(num(r.cost), "usd")}`,
    summary: "Verdict agreement against cost per investigation",
    adjust: freeAgents,
  },
  "../readiness/ranking": {
    mark: (r) => `${str(r.candidate)}: overall readiness ${readinessScore(r.overall)} of 100, ${str(r.status)}`,
    summary: "Overall readiness by candidate",
    extra: (r) => ({ label: readinessScore(r.overall) }),
  },
};

/** Every agent free: an empty cost scale would print one tick, "$0", in the middle; show $0 to $0.01. */
function freeAgents(s: TopLevelSpec, rows: Row[]): TopLevelSpec {
  if (rows.some((r) => (num(r.cost) ?? 0) > 0)) return s;
  const enc = (s as { encoding: { x: { scale?: object } } }).encoding;
  return { ...s, encoding: { ...enc, x: { ...enc.x, scale: { ...enc.x.scale, domain: [0, 0.01] } } } } as TopLevelSpec;
}

/** A legend for one agent says nothing the page does not: drop it. */
function withoutLoneLegend(s: TopLevelSpec, values: Row[]): TopLevelSpec {
  const enc = (s as { encoding?: { color?: { field?: string; legend?: unknown } } }).encoding;
  const field = enc?.color?.field;
  if (!enc?.color || field !== "agent" || new Set(values.map((v) => v.agent)).size > 1) return s;
  return { ...s, encoding: { ...enc, color: { ...enc.color, legend: null } } } as TopLevelSpec;
}

/**
 * Compile a chart spec from reports/charts with the given rows as its data, and render it to an
 * SVG string headless (no DOM, no canvas, no network). Data text is escaped by vega's SVG writer;
 * the result is still checked before it is trusted into the page. The <svg> is an image with a
 * label that reads every mark as the tables do; each mark carries its own line of it.
 */
export async function renderChart(name: string, values: object[], title?: string): Promise<string> {
  const text = TEXT[name];
  const rows = (values as Row[]).map((r) => (text ? { ...r, ...text.extra?.(r), desc: text.mark(r) } : r));
  const shaped = withoutLoneLegend(spec(name), rows);
  const base = text?.adjust ? text.adjust(shaped, rows) : shaped;
  const full = { ...base, ...(title ? { title } : {}), data: { values: rows } } as TopLevelSpec;
  const { vega, compile } = await loadVega();
  const view = new vega.View(vega.parse(compile(full).spec), { renderer: "none" });
  try {
    const svg = labelled(
      await view.toSVG(),
      text ? `${title ?? text.summary}: ${rows.map((r) => r.desc).join("; ")}.` : (title ?? ""),
    );
    assertSafeSvg(svg);
    return svg;
  } finally {
    view.finalize();
  }
}

/** role="img" and the chart's text alternative on the root <svg> (vega's writer emits neither). */
function labelled(svg: string, label: string): string {
  if (!svg.startsWith("<svg ") || !label) return svg;
  return `<svg role="img" aria-label="${escapeHtml(label)}" ${svg.slice(5)}`;
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
