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

/** The format `path`'s extension names; undefined for no extension or one that names none (.txt, /dev/stdout). */
export function formatOfName(path: string): OutFormat | undefined {
  const ext = path.match(/\.([^./\\]+)$/)?.[1]?.toLowerCase();
  return ext === undefined ? undefined : BY_EXTENSION[ext];
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
  throw new InputError(
    `${flag} ${path}: the name says ${says}, but ${by} writes ${what}: name it .${EXTENSION[writes]}${otherwise}`,
  );
}
