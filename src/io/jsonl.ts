import type { z } from "zod";
import { safeParseFast } from "../schema/fast-parse.js";
import { InputError, mainIssue } from "./errors.js";
import { formatKeyPath, repeatedKeys, TOO_DEEP } from "./json-keys.js";
import { keepLongIntegers, type LongInteger, longIntegers } from "./json-numbers.js";
import { readLines } from "./lines.js";

/**
 * `object`: for a line that is not JSON, whether it at least starts like a JSON object (a typo, not
 * another format). `errors`: every problem of the line when there are several (repeated keys), the
 * first of them being `error`.
 */
export type LineResult<T> =
  | { line: number; value: T }
  | { line: number; error: string; object?: boolean; errors?: string[] };

/**
 * `repeatedKeys`: refuse a line in which an object repeats a key, which JSON.parse would silently
 * resolve to the last value. The scan costs more than the parse (bench/README.md), so the dataset
 * commands ask for it and `run` does not.
 */
export type JsonlOptions = { repeatedKeys?: boolean };

/**
 * Stream a JSONL file line by line, validating each against `schema`. Yields errors as values so
 * `dataset validate` can report them all; `readJsonl` below throws on the first.
 */
export async function* scanJsonl<S extends z.ZodType>(
  file: string,
  schema: S,
  options: JsonlOptions = {},
): AsyncGenerator<LineResult<z.infer<S>>> {
  let line = 0;
  for await (const text of readLines(file)) {
    line++;
    const r = parseJsonLine(file, line, text, schema, options);
    if (r) yield r;
  }
}

/** One JSONL line checked against `schema`; null for a blank line. */
export function parseJsonLine<S extends z.ZodType>(
  file: string,
  line: number,
  text: string,
  schema: S,
  options: JsonlOptions = {},
): LineResult<z.infer<S>> | null {
  if (!/\S/.test(text)) return null;
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    // invisible in the message JSON.parse gives ("Unexpected token '﻿'"): the start of a second file
    // that `cat a.jsonl b.jsonl` joined on, saved with a byte-order mark
    const bom = text.charCodeAt(0) === 0xfeff;
    const object = text.trimStart().startsWith("{");
    // a suite's `dataset:` or score's --dataset naming the export itself rather than its import
    const csv =
      line === 1 && !object && /\.(csv|tsv)$/i.test(file)
        ? "; this is a CSV file, and soceval reads JSONL (one JSON object a line): `soceval dataset import csv` makes cases of an export"
        : "";
    return {
      line,
      error: bom
        ? `${file}:${line}: malformed JSON: the line starts with a byte-order mark (U+FEFF), as a file joined onto another does; delete it`
        : `${file}:${line}: malformed JSON: ${(e as Error).message}${csv}`,
      object,
    };
  }
  if (options.repeatedKeys) {
    const repeated = repeatedKeys(text);
    // a line JSON.parse took can still be too deep for the key scan
    if (repeated === TOO_DEEP) return { line, error: `${file}:${line}: ${TOO_DEEP}` };
    if (repeated.length) {
      const errors = repeated.map((path) => `${file}:${line}: ${formatKeyPath(path)}: repeated key`);
      return { line, error: errors[0]!, errors };
    }
  }
  // zod's own parse on anything the fast path cannot vouch for: its refusals and messages are zod's.
  // The parsed line is ours alone, so what is already exactly zod's answer is kept, not copied.
  // The line is checked as written first: a 64-bit id where text belongs ("case_id": 1234…) is
  // refused as a number, as 42 is there.
  const asWritten = safeParseFast(schema, json, { reportInput: true }, { reuse: true });
  if (!asWritten.success) return { line, error: `${file}:${line}: ${mainIssue(asWritten.error.issues, schema).text}` };
  const long = longIntegers(text);
  if (long.length === 0) return { line, value: asWritten.data };
  const { parsed } = keepTakenLongIntegers(schema, text, json, long);
  if (parsed.success) return { line, value: parsed.data };
  return { line, error: `${file}:${line}: ${mainIssue(parsed.error.issues, schema).text}` };
}

/**
 * `json` (JSON.parse of `text`) with the integers beyond 2^53 − 1 that `long` lists kept as strings
 * of their digits wherever `schema` takes any value (an EventRecordID in evidence data, a tool call's
 * input), as the importers write them, not rounded to a neighbour; where it wants a number
 * (latency_ms, analyst_minutes) the number as JSON.parse reads it. With the schema's answer for it.
 */
export function keepTakenLongIntegers<S extends z.ZodType>(
  schema: S,
  text: string,
  json: unknown,
  long: LongInteger[],
): { value: unknown; parsed: z.ZodSafeParseResult<z.output<S>> } {
  let keep = long;
  for (;;) {
    const value = keepLongIntegers(text, json, keep);
    const parsed = safeParseFast(schema, value, { reportInput: true }, { reuse: true });
    if (parsed.success || keep.length === 0) return { value, parsed };
    const numbers = new Set(parsed.error.issues.map((i) => formatKeyPath(i.path.filter((k) => typeof k !== "symbol"))));
    const rest = keep.filter((n) => !numbers.has(formatKeyPath(n.path)));
    if (rest.length === keep.length) return { value, parsed };
    keep = rest;
  }
}

/** Stream valid records; the first bad line throws an InputError naming file, line and field. */
export async function* readJsonl<S extends z.ZodType>(
  file: string,
  schema: S,
  options: JsonlOptions = {},
): AsyncGenerator<{ line: number; value: z.infer<S> }> {
  for await (const r of scanJsonl(file, schema, options)) {
    if ("error" in r) throw new InputError(r.error, file, r.line);
    yield r;
  }
}
