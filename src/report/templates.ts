import { readFileSync } from "node:fs";
import { join } from "node:path";
import Handlebars from "handlebars";
import { packageRoot } from "../io/package-root.js";
import { mdCell, mdCode, statusClass } from "./format.js";

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
hb.registerHelper("md", (s: unknown) => mdCell(s));
hb.registerHelper("mdcode", (s: unknown) => new hb.SafeString(mdCode(s)));
hb.registerHelper("eq", (a: unknown, b: unknown) => a === b);
hb.registerHelper("json", (v: unknown) => JSON.stringify(v, null, 2));

const compiled = new Map<string, HandlebarsTemplateDelegate>();

export function render(name: string, context: object): string {
  let t = compiled.get(name);
  if (!t) {
    t = hb.compile(readFileSync(reportsDir(name), "utf8"), { strict: true, noEscape: false });
    compiled.set(name, t);
  }
  return t(context);
}

export type Trusted = Handlebars.SafeString;

/** Text for HTML outside a template, escaped as the templates escape it. */
export function escapeHtml(s: string): string {
  return hb.escapeExpression(s);
}

/** Mark generated, already-safe markup (chart SVG, the bundled CSS) for verbatim output. */
export function trusted(markup: string): Trusted {
  return new hb.SafeString(markup);
}

export function stylesheet(): Trusted {
  return trusted(readFileSync(reportsDir("style.css"), "utf8"));
}
