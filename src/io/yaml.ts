import { readFileSync } from "node:fs";
import { LineCounter, parseDocument } from "yaml";
import type { z } from "zod";
import { formatPath, InputError, mainIssue } from "./errors.js";

function readText(file: string): string {
  try {
    return readFileSync(file, "utf8");
  } catch (e) {
    throw new InputError(`${file}: cannot read (${(e as NodeJS.ErrnoException).code ?? String(e)})`, file);
  }
}

/**
 * Parse and validate a YAML file. Errors name the file, the line and the field:
 * `suites/x/workflow.yaml:14: tools[2].timeout_ms: expected number`.
 */
export function loadYaml<S extends z.ZodType>(file: string, schema: S): z.infer<S> {
  const text = readText(file);
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false });
  if (doc.errors.length > 0) {
    const err = doc.errors[0]!;
    const line = lineCounter.linePos(err.pos[0]).line;
    throw new InputError(`${file}:${line}: YAML syntax: ${err.message.split("\n")[0]}`, file, line);
  }
  // every soceval YAML file is a mapping: an empty one (or only comments) is named as such, not as
  // "expected object, received null"
  if (doc.contents === null) throw new InputError(`${file}:1: the file is empty (no YAML content)`, file, 1);
  const parsed = schema.safeParse(doc.toJS(), { reportInput: true });
  if (parsed.success) return parsed.data;
  const { path, text: msg } = mainIssue(parsed.error.issues);
  const line = lineOf(doc, lineCounter, path);
  throw new InputError(`${file}:${line}: ${msg}`, file, line);
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
      const pair = parent?.items?.find((it) => it.key?.value === path[n - 1]);
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
  const doc = parseDocument(readText(file), { lineCounter, prettyErrors: false });
  const line = lineOf(doc, lineCounter, path);
  return new InputError(`${file}:${line}: ${formatPath(path)}: ${message}`, file, line);
}
