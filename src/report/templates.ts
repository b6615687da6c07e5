import { readFileSync } from "node:fs";
import { join } from "node:path";
import Handlebars from "handlebars";
import { packageRoot } from "../io/package-root.js";
import { reportText } from "../io/printable.js";
import { mdCell, mdCode, PHASE_LABEL, statusClass } from "./format.js";

/** reports/ at the package root: templates, chart specs and the stylesheet. */
export function reportsDir(rel = ""): string {
  return join(packageRoot(), "reports", rel);
}

/**
 * One isolated handlebars environment with auto-escaping ON: alert text, agent output and
 * findings are attacker-controlled. Templates never use triple-stash; the only unescaped content
 * is what code wraps in `trusted()` — the generated SVG charts and the package's own stylesheet.
 */
const hb = Handlebars.create();
hb.registerHelper("statusClass", (s: string) => statusClass(String(s)));
hb.registerHelper("md", (s: unknown) => new hb.SafeString(mdCell(s)));
hb.registerHelper("mdcode", (s: unknown) => new hb.SafeString(mdCode(s)));
hb.registerHelper("eq", (a: unknown, b: unknown) => a === b);
hb.registerHelper("json", (v: unknown) => JSON.stringify(v, null, 2));
/**
 * A key, an id or a command (`high_severity_violation_rate`, `intel.file_reputation`, `phish-0247`)
 * that wraps only between its words and after a `_`, `.`, `:`, `/`, `|` or `@`, never inside a part
 * (not at a hyphen either): see breakable().
 */
hb.registerHelper("wbr", (s: unknown) => new hb.SafeString(breakable(String(s ?? ""))));
/** A phase's name as the reports print it ("Controlled automation", not `controlled_automation`). */
hb.registerHelper("phaseLabel", (s: unknown) => PHASE_LABEL[String(s)] ?? String(s));
/** The note after a clipped field; `n` is a count the view computed, never data text. */
hb.registerHelper("more", (n: unknown) =>
  typeof n === "number" && n > 0
    ? new hb.SafeString(
        `<span class="more">… (${n.toLocaleString("en-US")} more characters; full text in <code>soceval export</code>)</span>`,
      )
    : "",
);
hb.registerHelper("mdmore", (n: unknown) =>
  typeof n === "number" && n > 0
    ? new hb.SafeString(` … (${n.toLocaleString("en-US")} more characters; full text in \`soceval export\`)`)
    : "",
);

const compiled = new Map<string, HandlebarsTemplateDelegate>();

export function render(name: string, context: object): string {
  let t = compiled.get(name);
  if (!t) {
    // a checkout with git's core.autocrlf (Windows) has the templates with CRLF: the reports (a
    // pull-request comment among them) come out as on any other machine, with LF
    const text = readFileSync(reportsDir(name), "utf8").replace(/\r\n?/g, "\n");
    t = hb.compile(text, { strict: true, noEscape: false });
    compiled.set(name, t);
  }
  return t(visible(context));
}

/**
 * Every string the template can reach with control characters (escape sequences, bidi and
 * zero-width controls) made visible (see reportText): done once here, so no field of any report
 * (HTML or Markdown) can be missed.
 */
function visible(v: unknown): unknown {
  if (typeof v === "string") return reportText(v);
  if (v instanceof hb.SafeString) return new hb.SafeString(reportText(v.toString()));
  if (Array.isArray(v)) return v.map(visible);
  if (v !== null && typeof v === "object" && Object.getPrototypeOf(v) === Object.prototype)
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [reportText(k), visible(x)]));
  return v;
}

export type Trusted = Handlebars.SafeString;

/**
 * Escaped text whose parts never break inside (a part with a hyphen is a no-wrap span), and a line
 * may end only at a space or at a `<wbr>` after `_`, `.`, `:`, `/`, `|` or `@`. The escapes (`&lt;`, `&#x3D;`, …)
 * hold none of those characters, so splitting after escaping cannot cut one.
 */
export function breakable(s: string): string {
  return hb
    .escapeExpression(s)
    .split(/(\s+)/)
    .map((word) =>
      /^\s*$/.test(word)
        ? word
        : word
            .split(/(?<=[_.:/|@])/)
            // a part of letters, digits and _ . : / | @ has no break opportunity of its own; one with a
            // hyphen (or any other character a browser may break after) is held together
            .map((part) => (/^[\w.:/|@]*$/.test(part) ? part : `<span class="nw">${part}</span>`))
            .join("<wbr>"),
    )
    .join("");
}

/** Text for HTML outside a template, escaped as the templates escape it. */
export function escapeHtml(s: string): string {
  return hb.escapeExpression(reportText(s));
}

/** Mark generated, already-safe markup (chart SVG, the bundled CSS) for verbatim output. */
export function trusted(markup: string): Trusted {
  return new hb.SafeString(markup);
}

export function stylesheet(): Trusted {
  return trusted(readFileSync(reportsDir("style.css"), "utf8"));
}
