import type { Unit } from "../analytics/catalogue.js";
import type { Estimate } from "../analytics/report-schema.js";

const DASH = "—";

export function formatValue(v: number | null | undefined, unit: Unit): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return DASH;
  switch (unit) {
    case "rate":
      return `${(v * 100).toFixed(1)}%`;
    case "kappa":
      return v.toFixed(3);
    case "usd":
      return v >= 1 ? `$${v.toFixed(2)}` : `$${v.toFixed(4)}`;
    case "ms":
      return v < 1000
        ? `${Math.round(v)} ms`
        : v < 60000
          ? `${(v / 1000).toFixed(1)} s`
          : `${(v / 60000).toFixed(1)} min`;
    case "minutes":
      return `${v.toFixed(1)} min`;
    case "score":
      return v.toFixed(1);
    case "count":
    case "tokens":
      return Math.round(v).toLocaleString("en-US");
  }
}

export function formatInterval(e: Estimate | null | undefined, unit: Unit): string {
  if (!e || e.lower === null || e.upper === null) return "";
  return `${formatValue(e.lower, unit)} – ${formatValue(e.upper, unit)}`;
}

/** A signed difference: rates in percentage points, other units as they are. */
export function formatDiff(v: number | null, unit: Unit): string {
  if (v === null || !Number.isFinite(v)) return DASH;
  const sign = v > 0 ? "+" : v < 0 ? "−" : "±";
  const abs = Math.abs(v);
  if (unit === "rate") return `${sign}${(abs * 100).toFixed(1)} pts`;
  return `${sign}${formatValue(abs, unit)}`;
}

export function formatP(p: number | null): string {
  if (p === null) return DASH;
  return p < 0.001 ? "< 0.001" : p.toFixed(3);
}

export const OP_TEXT: Record<string, string> = { ">=": "≥", "<=": "≤", ">": ">", "<": "<", "==": "=" };

/** CSS class for a status; never derived from data text. */
export function statusClass(status: string): string {
  return status === "met" ? "met" : status === "not met" ? "not-met" : "not-measured";
}

/**
 * Markdown table cell: no line breaks, no pipes or markup that could restructure the table or
 * form a link. `<`, `>` and `&` are left to the HTML escaping that every template value gets.
 */
export function mdCell(s: unknown): string {
  return String(s ?? "")
    .replace(/[\r\n]+/g, " ")
    .replace(/([\\`*_[\]|])/g, "\\$1");
}

/**
 * A Markdown code span for ids. Nothing inside a code span is read as HTML or markup, so the text is
 * not entity-escaped; only what could end the span (backticks), the line or the table cell (pipes) goes.
 */
export function mdCode(s: unknown): string {
  const text = String(s ?? "")
    .replace(/[\r\n]+/g, " ")
    .replace(/`/g, "'")
    .replace(/\|/g, "\\|");
  return `\`${text}\``;
}
