import type { Unit } from "../analytics/catalogue.js";
import { ALPHA } from "../analytics/compare-reading.js";
import type { Estimate } from "../analytics/report-schema.js";
import { reportText } from "../io/printable.js";
import { storeFlag } from "../store/db.js";

// shared with the terminal (soceval show): reports import them from here as before
export { BIDI_CONTROLS, visibleControls } from "../io/printable.js";

const DASH = "—";

/** `extra`: decimals beyond the unit's usual ones (formatApart adds them). */
export function formatValue(v: number | null | undefined, unit: Unit, extra = 0): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return DASH;
  switch (unit) {
    case "rate":
      return `${(v * 100).toFixed(1 + extra)}%`;
    case "kappa":
      return v.toFixed(3 + extra);
    case "usd":
      return v >= 1 ? `$${v.toFixed(2 + extra)}` : `$${v.toFixed(4 + extra)}`;
    case "ms":
      return v < 1000
        ? `${extra ? v.toFixed(extra) : Math.round(v)} ms`
        : v < 60000
          ? `${(v / 1000).toFixed(1 + extra)} s`
          : `${(v / 60000).toFixed(1 + extra)} min`;
    case "minutes":
      return `${v.toFixed(1 + extra)} min`;
    case "score":
      return v.toFixed(1 + extra);
    case "count":
    case "tokens":
      return (extra ? v : Math.round(v)).toLocaleString("en-US", { maximumFractionDigits: extra });
  }
}

/**
 * A criterion's compared value and its threshold, with as many decimals as it takes to print them
 * apart: a lower bound of 84.96% against "≥ 85%" is not met, and must not read "85.0%, needs ≥ 85.0%".
 * Equal values (and the usual decimals where they already differ) print as formatValue does.
 */
export function formatApart(v: number | null, t: number, unit: Unit): [string, string] {
  let extra = 0;
  const same = v === null || Math.abs(v - t) < 1e-12;
  while (!same && extra < 6 && formatValue(v, unit, extra) === formatValue(t, unit, extra)) extra++;
  return [formatValue(v, unit, extra), formatValue(t, unit, extra)];
}

export function formatInterval(e: Estimate | null | undefined, unit: Unit): string {
  if (!e || e.lower === null || e.upper === null) return "";
  return `${formatValue(e.lower, unit)} – ${formatValue(e.upper, unit)}`;
}

/**
 * How many of how many a proportion counts, "15/87", for an Estimate of method "wilson" or
 * "rule_of_three": its `x`, exact (value is rounded to 6 digits, so value × n is off by one past a
 * million); value × n for a document made before estimates carried x. "" for anything else (a
 * mean, a percentile, kappa) and for an unmeasured metric (n = 0): those print n alone, or nothing.
 */
export function formatCount(e: Estimate | null | undefined): string {
  if (!e || e.value === null || !(e.n > 0)) return "";
  if (e.method !== "wilson" && e.method !== "rule_of_three") return "";
  const x = e.x ?? Math.round(e.value * e.n);
  return `${x.toLocaleString("en-US")}/${e.n.toLocaleString("en-US")}`;
}

/** The 95% interval in a table cell's second line: "0.6–80.6%" for rates (as the charts write it). */
export function formatIntervalShort(e: Estimate | null | undefined, unit: Unit): string {
  if (!e || e.lower === null || e.upper === null) return "";
  if (unit !== "rate") return formatInterval(e, unit);
  return `${(e.lower * 100).toFixed(1)}–${formatValue(e.upper, "rate")}`;
}

/** A signed difference: rates in percentage points, other units as they are. */
export function formatDiff(v: number | null, unit: Unit): string {
  if (v === null || !Number.isFinite(v)) return DASH;
  const sign = v > 0 ? "+" : v < 0 ? "−" : "±";
  const abs = Math.abs(v);
  if (unit === "rate") {
    // an interval's end a hair from zero decides a reading: it must not print as zero ("−0.0 pts")
    let decimals = 1;
    while (decimals < 6 && abs > 0 && Number((abs * 100).toFixed(decimals)) === 0) decimals++;
    return `${sign}${(abs * 100).toFixed(decimals)} pts`;
  }
  return `${sign}${formatValue(abs, unit)}`;
}

export function formatP(p: number | null): string {
  if (p === null) return DASH;
  if (p < 0.001) return "< 0.001";
  // the reading holds p to "below 0.05": a p of 0.0497 must not print as 0.050 beside "worse"
  let decimals = 3;
  while (decimals < 6 && p !== ALPHA && p.toFixed(decimals) === ALPHA.toFixed(decimals)) decimals++;
  return p.toFixed(decimals);
}

/** Phase names as every report prints them. */
export const PHASE_LABEL: Record<string, string> = {
  readiness: "Readiness",
  shadow: "Shadow mode",
  assisted: "Assisted mode",
  controlled_automation: "Controlled automation",
  optimization: "Optimization",
};

export const OP_TEXT: Record<string, string> = { ">=": "≥", "<=": "≤", ">": ">", "<": "<", "==": "=" };

/** CSS class for a status; never derived from data text. */
export function statusClass(status: string): string {
  return status === "met" ? "met" : status === "not met" ? "not-met" : "not-measured";
}

/**
 * Markdown text (a table cell, a heading, a quote) that GitHub (CommonMark + GFM) displays as
 * written: no line breaks; `<`, `>` and `&` backslash-escaped like the Markdown punctuation that
 * could emphasise, strike, form a code span, a link, math or a table cell. `\<` starts no tag and
 * `\&` no entity (CommonMark backslash escapes), and unlike `&lt;` both stay legible in a
 * terminal or a plain-text CI log. The result is final: the `md` helper returns it unescaped, since
 * HTML-escaping it again would put entities behind the backslashes (`\&#x60;` shows literally).
 */
export function mdCell(s: unknown): string {
  return defang(reportText(String(s ?? "")))
    .replace(/[\r\n]+/g, " ")
    .replace(/([\\`*_[\]|~$!<>&])/g, "\\$1");
}

/**
 * GitHub turns `http://…`, `https://…` and `www.…` in Markdown text into live links, so a crafted
 * alert title would put a clickable link to its own page into a pull-request comment. They are
 * written the way SOC tickets write indicators: `hxxps://`, `www[.]`.
 */
export function defang(s: string): string {
  return s.replace(/\b(h)tt(ps?):\/\//gi, "$1xx$2://").replace(/\bwww\./gi, (w) => `${w.slice(0, 3)}[.]`);
}

/**
 * A Markdown code span for ids. Nothing inside a code span is read as HTML or markup, so the text is
 * not entity-escaped; only what could end the span (backticks), the line or the table cell (pipes) goes.
 */
export function mdCode(s: unknown): string {
  const text = reportText(String(s ?? ""))
    .replace(/[\r\n]+/g, " ")
    .replace(/`/g, "'")
    .replace(/\|/g, "\\|");
  return `\`${text}\``;
}

/**
 * A long field cut to `max` characters (code points, never half a surrogate pair) and how many it
 * left out; the templates add "… (N more characters; full text in `soceval export`)".
 */
export function clip(s: string, max: number): { text: string; more: number } {
  if (s.length <= max) return { text: s, more: 0 };
  const chars = Array.from(s);
  if (chars.length <= max) return { text: s, more: 0 };
  return { text: chars.slice(0, max).join(""), more: chars.length - max };
}

/** Caps of the worst-case drill-down, in characters. */
export const CLIP = { title: 300, text: 4000, cell: 1000, json: 10000 } as const;

/**
 * What follows `--run` in a printed command: the run id, and `--db <path>` when the store is not
 * the default one, so the command works as printed for a user of another store.
 */
export function runRef(runId: string, db?: string): string {
  const flag = storeFlag(db);
  return flag ? `${runId} ${flag}` : runId;
}
