import type { CompareDoc } from "../analytics/compare-schema.js";
import type { ReportDoc } from "../analytics/report-schema.js";
import type { OutFormat } from "../io/out-format.js";
import { reportText } from "../io/printable.js";
import { compareView } from "./compare-view.js";
import { reportView } from "./report-view.js";
import { escapeHtml, render } from "./templates.js";

export const FORMATS = ["html", "md", "json"] as const;
export type Format = (typeof FORMATS)[number];

/** What each format is called in a message. */
export const FORMAT_NAME: Record<Format, OutFormat> = { html: "HTML", md: "Markdown", json: "JSON" };

/** The exit-criteria report in one format; HTML and Markdown come from the same view of the same data. */
/** `db`: the store the report was read from; its printed commands name it unless it is the default. */
export async function renderReport(doc: ReportDoc, format: Format, db?: string): Promise<string> {
  if (format === "json") return `${JSON.stringify(doc, null, 2)}\n`;
  const view = await reportView(doc, format === "html", db);
  const text = render(format === "html" ? "report.html.hbs" : "report.md.hbs", view);
  const warnings = doc.run.warnings;
  if (warnings.length === 0) return text;
  // a run that did not finish, or whose provider failed: its tables are real but partial or mixed
  // with outages, and the report says so first
  if (format === "md") return `${warnings.map((w) => `> **Warning: ${mdWarning(w)}**\n\n`).join("")}${text}`;
  const banner = warnings
    .map(
      (w) =>
        '<p class="incomplete" role="alert" style="border:2px solid #b45309;background:#fef3c7;padding:.6em 1em">' +
        `<strong>Warning: ${escapeHtml(w)}</strong></p>\n`,
    )
    .join("");
  const body = text.indexOf("<body>");
  return body === -1 ? banner + text : `${text.slice(0, body + 6)}\n${banner}${text.slice(body + 6)}`;
}

/** The warning inside Markdown bold: outside its `code` spans, characters Markdown would act on are escaped. */
function mdWarning(s: string): string {
  return reportText(s)
    .split(/(`[^`]*`)/)
    .map((part) => (part.startsWith("`") ? part : part.replace(/[*_<>[\]\\]/g, (c) => `\\${c}`)))
    .join("");
}

export async function renderComparison(doc: CompareDoc, format: Format, db?: string): Promise<string> {
  if (format === "json") return `${JSON.stringify(doc, null, 2)}\n`;
  const view = await compareView(doc, format === "html", db);
  return render(format === "html" ? "compare.html.hbs" : "compare.md.hbs", view);
}

/** --format, else the --out file's extension, else Markdown (readable in a terminal). */
export function pickFormat(format: string | undefined, out: string | undefined): Format | null {
  // a file named with any other extension is not guessed at: r.pdf must not quietly hold Markdown
  const f = format ?? out?.match(/\.([^./\\]+)$/)?.[1]?.toLowerCase() ?? "md";
  const norm = f === "htm" ? "html" : f === "markdown" ? "md" : f;
  return (FORMATS as readonly string[]).includes(norm) ? (norm as Format) : null;
}
