import { InputError } from "./errors.js";

/** The formats soceval writes, by the name a user reads in a message. */
export type OutFormat = "HTML" | "Markdown" | "JSON" | "JSONL" | "Parquet" | "YAML" | "XML" | "CSV";

/** What a file's extension tells a reader (jq, a browser, DuckDB's read_*) it holds. */
const BY_EXTENSION: Record<string, OutFormat> = {
  html: "HTML",
  htm: "HTML",
  md: "Markdown",
  markdown: "Markdown",
  json: "JSON",
  jsonl: "JSONL",
  ndjson: "JSONL",
  parquet: "Parquet",
  yaml: "YAML",
  yml: "YAML",
  xml: "XML",
  csv: "CSV",
};

/**
 * Well-known formats soceval never writes, whose name a user may still give (`--out r.pdf` for a
 * report to mail): the file would hold Markdown or HTML that the PDF reader, Word or the image
 * viewer it opens in cannot read. Only names no one uses for text.
 */
export type ForeignFormat = "PDF" | "Word" | "Excel" | "PowerPoint" | "image" | "archive";

const FOREIGN: Record<string, ForeignFormat> = {
  pdf: "PDF",
  doc: "Word",
  docx: "Word",
  xls: "Excel",
  xlsx: "Excel",
  ppt: "PowerPoint",
  pptx: "PowerPoint",
  png: "image",
  jpg: "image",
  jpeg: "image",
  gif: "image",
  zip: "archive",
  gz: "archive",
};

/** The extension a message suggests for each format. */
const EXTENSION: Record<OutFormat, string> = {
  HTML: "html",
  Markdown: "md",
  JSON: "json",
  JSONL: "jsonl",
  Parquet: "parquet",
  YAML: "yaml",
  XML: "xml",
  CSV: "csv",
};

const extensionOf = (path: string) => path.match(/\.([^./\\]+)$/)?.[1]?.toLowerCase();

/**
 * The format `path`'s extension names, one soceval writes or a well-known one it does not (PDF);
 * undefined for no extension or one that names none (.txt, /dev/stdout).
 */
export function formatOfName(path: string): OutFormat | ForeignFormat | undefined {
  const ext = extensionOf(path);
  return ext === undefined ? undefined : (BY_EXTENSION[ext] ?? FOREIGN[ext]);
}

/**
 * Refuse (exit 2) an output file whose extension names another format than the one `by` writes
 * (`--format json` into r.html, JSONL into t.json that jq then rejects): whatever opens it by its
 * name fails, or reads the wrong thing. An extension that names no format (.txt) is the user's call.
 * `otherwise` ends the message with what else would do (", or drop --format").
 */
export function refuseOtherFormat(flag: string, path: string, writes: OutFormat, by: string, otherwise = ""): void {
  const says = formatOfName(path);
  if (says === undefined || says === writes) return;
  // the one a JSON reader trips on: say why a .json name cannot hold it
  const what = writes === "JSONL" ? "JSONL (one JSON object a line, not one JSON document)" : writes;
  const ext = extensionOf(path);
  // no "drop --format" here: the name alone picks no format soceval writes
  if (ext !== undefined && FOREIGN[ext])
    throw new InputError(
      `${flag} ${path}: .${ext} names ${/^[AEIOUaeiou]/.test(says) ? "an" : "a"} ${says}${says === "image" || says === "archive" ? "" : " file"}, which soceval does not write; ${by} writes ${what}: name it .${EXTENSION[writes]}`,
    );
  throw new InputError(
    `${flag} ${path}: the name says ${says}, but ${by} writes ${what}: name it .${EXTENSION[writes]}${otherwise}`,
  );
}
