import { readFileSync } from "node:fs";
import { type Document, LineCounter, parseDocument, visit } from "yaml";
import type { z } from "zod";
import { formatPath, InputError, mainIssue } from "./errors.js";
import { utf8OrRefuse } from "./utf8-text.js";

/** A YAML file's text; bytes that are not UTF-8 are refused, not read as U+FFFD in a const or a map value. */
function readText(file: string): string {
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch (e) {
    throw new InputError(`${file}: cannot read (${(e as NodeJS.ErrnoException).code ?? String(e)})`, file);
  }
  return utf8OrRefuse(file, bytes);
}

/**
 * Parse and validate a YAML file. Errors name the file, the line and the field:
 * `suites/x/workflow.yaml:14: tools[2].timeout_ms: expected number`.
 */
export function loadYaml<S extends z.ZodType>(file: string, schema: S): z.infer<S> {
  const text = readText(file);
  const lineCounter = new LineCounter();
  // merge keys (`<<: *defaults`) are YAML 1.1, which most SOC tooling still writes
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, merge: true });
  // a warning is an error here: an unknown tag (`!vault x`) would otherwise be read as a plain
  // value, and a config must mean what it says or be refused
  const problem = doc.errors[0] ?? doc.warnings[0];
  if (problem) {
    const line = lineCounter.linePos(problem.pos[0]).line;
    const kind = doc.errors.length > 0 ? "YAML syntax" : "YAML";
    throw new InputError(`${file}:${line}: ${kind}: ${oneLine(problem.message)}`, file, line);
  }
  // every soceval YAML file is a mapping: an empty one (or only comments) is named as such, not as
  // "expected object, received null"
  if (doc.contents === null) throw new InputError(`${file}:1: the file is empty (no YAML content)`, file, 1);
  const parsed = schema.safeParse(toJS(doc, file, lineCounter), { reportInput: true });
  if (parsed.success) return parsed.data;
  const { path, text: msg } = mainIssue(parsed.error.issues, schema);
  const line = lineOf(doc, lineCounter, path);
  throw new InputError(`${file}:${line}: ${msg}`, file, line);
}

function oneLine(message: string): string {
  // the yaml library suggests its own API for several documents; a user needs to hear what is wrong
  if (/parseAllDocuments/.test(message)) return "the file holds more than one YAML document (a second ---)";
  // `!!int abc`: the standard tag is supported, the value is what does not fit it
  const std = message.match(/^Unresolved tag: tag:yaml\.org,2002:(\w+)/);
  if (std) return `the value is not a valid !!${std[1]}`;
  return message.split("\n")[0]!;
}

/**
 * The document as plain data. Aliases are resolved here, so an alias to an anchor that is not set
 * before it, or one that expands too far (an "alias bomb"), is bad input at the alias's line.
 */
function toJS(doc: Document, file: string, lc: LineCounter): unknown {
  try {
    return doc.toJS();
  } catch (e) {
    // the first alias with no anchor to resolve to; failing that (an alias bomb), the first alias
    let unresolved: number | undefined;
    let first: number | undefined;
    visit(doc, {
      Alias(_, node) {
        if (!node.range) return;
        first ??= node.range[0];
        if (unresolved === undefined && node.resolve(doc) === undefined) unresolved = node.range[0];
      },
    });
    const at = unresolved ?? first;
    const line = at === undefined ? 1 : lc.linePos(at).line;
    throw new InputError(`${file}:${line}: YAML: ${oneLine((e as Error).message)}`, file, line);
  }
}

/** The line of the deepest node on `path` that exists (a missing field points at its parent). */
function lineOf(doc: ReturnType<typeof parseDocument>, lc: LineCounter, path: (string | number)[]): number {
  for (let n = path.length; n >= 0; n--) {
    const node = doc.getIn(path.slice(0, n), true) as { range?: [number, number, number] } | undefined;
    if (node && typeof node === "object" && node.range) return lc.linePos(node.range[0]).line;
    if (n > 0 && n === path.length) {
      // unknown keys: the key node itself is a Pair's key; find it by scanning the parent map
      const parent = doc.getIn(path.slice(0, n - 1), true) as {
        items?: { key?: { value?: unknown; range?: number[] } }[];
      };
      // a key written as a number (`42:`) is a number in the document and a string in the path
      const pair = parent?.items?.find((it) => String(it.key?.value) === String(path[n - 1]));
      if (pair?.key?.range) return lc.linePos(pair.key.range[0]!).line;
    }
  }
  return 1;
}

/**
 * A problem zod cannot see (a name that must refer to something declared elsewhere), reported
 * like a schema error: file, line and field. The file has parsed once already; reading it again
 * only happens on the way to exit 2.
 */
export function fieldError(file: string, path: (string | number)[], message: string): InputError {
  const lineCounter = new LineCounter();
  const doc = parseDocument(readText(file), { lineCounter, prettyErrors: false, merge: true });
  const line = lineOf(doc, lineCounter, path);
  return new InputError(`${file}:${line}: ${formatPath(path)}: ${message}`, file, line);
}
