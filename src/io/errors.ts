import type { z } from "zod";
import { nearest } from "./nearest.js";
import { fieldsAt } from "./schema-keys.js";

/** Bad input: the CLI prints `message` on one line and exits 2. */
export class InputError extends Error {
  constructor(
    message: string,
    readonly file?: string,
    readonly line?: number,
  ) {
    super(message);
    this.name = "InputError";
  }
}

/** The run itself failed (infrastructure, not the user's files): exit 3. */
export class RuntimeFailure extends Error {
  override name = "RuntimeFailure";
}

/**
 * The reader of a pipe the output went to stopped reading (`--out /dev/stdout | head`): the reader's
 * choice, not a failed write, so the CLI exits 0 without a word, as it does when stdout's reader leaves.
 */
export class ReaderGone extends Error {
  override name = "ReaderGone";
}

/** `a.b[2].c` from a zod issue path. */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = "";
  for (const p of path) out += typeof p === "number" ? `[${p}]` : out ? `.${String(p)}` : String(p);
  return out || "(root)";
}

/**
 * A required field that is not there at all. zod says "expected string, received undefined" for
 * some types and "Invalid option: expected one of …" for enums, which reads as a wrong value; with
 * `reportInput` (jsonl.ts, yaml.ts, checks.ts) the issue carries the input and tells them apart.
 */
function isMissing(issue: z.core.$ZodIssue): boolean {
  if (issue.code === "unrecognized_keys" || issue.code === "custom") return false;
  if ("input" in issue) return issue.input === undefined;
  return issue.code === "invalid_type" && issue.message.endsWith("received undefined");
}

/** The first issue of a zod error, phrased as `field: message`, naming unknown keys (and, given the schema, the field a typo meant). */
export function describeIssue(
  issue: z.core.$ZodIssue,
  schema?: z.core.$ZodType,
): { path: (string | number)[]; text: string } {
  const path = issue.path.filter((p): p is string | number => typeof p !== "symbol");
  // zod's own wording only: a schema's message for a missing value ("missing answer") stands
  if (isMissing(issue) && path.length > 0 && /^Invalid (input|option)/.test(issue.message))
    return { path, text: `${formatPath(path)}: required field missing` };
  if (issue.code === "unrecognized_keys") {
    const keys = issue.keys;
    const known = schema ? fieldsAt(schema, path) : [];
    const near = keys.length === 1 ? nearest(keys[0]!, known) : null;
    return {
      path: [...path, keys[0] as string],
      text: `${formatPath([...path, keys[0] as string])}: unknown field${keys.length > 1 ? "s" : ""} ${keys.map((k) => `"${k}"`).join(", ")}${near ? ` (did you mean "${near}"?)` : ""}`,
    };
  }
  // YAML 1.2 reads yes/no/on/off as text, where YAML 1.1 (and many SOC tools' files) meant a boolean
  if (
    issue.code === "invalid_type" &&
    issue.expected === "boolean" &&
    "input" in issue &&
    typeof issue.input === "string" &&
    /^(yes|no|on|off|y|n)$/i.test(issue.input)
  )
    return { path, text: `${formatPath(path)}: ${issue.message} ("${issue.input}": write true or false)` };
  // "Invalid option: expected one of …" never shows what the file said: a typo ("severe") is found faster when it does
  if (issue.code === "invalid_value" && "input" in issue && issue.input !== undefined)
    return { path, text: `${formatPath(path)}: ${issue.message} (got ${shownValue(issue.input)})` };
  return { path, text: `${formatPath(path)}: ${issue.message}` };
}

/** A value as an error quotes it: JSON, cut short so a huge cell cannot flood the message. */
function shownValue(v: unknown): string {
  const text = JSON.stringify(v) ?? String(v);
  return text.length > 80 ? `${text.slice(0, 77)}…` : text;
}

/**
 * The issue to report from a zod error. An unknown field comes first, ahead of the required field
 * it was probably meant to be ("nme:" for "name:"), and names that field too: reporting only
 * "name: expected string" never shows the user the typo.
 */
export function mainIssue(
  issues: readonly z.core.$ZodIssue[],
  schema?: z.core.$ZodType,
): { path: (string | number)[]; text: string } {
  const unknown = issues.find((i) => i.code === "unrecognized_keys");
  if (!unknown) return describeIssue(issues[0]!, schema);
  const main = describeIssue(unknown, schema);
  const parent = formatPath(unknown.path);
  const missing = issues.find(
    (i) =>
      i !== unknown &&
      isMissing(i) &&
      i.path.length === unknown.path.length + 1 &&
      formatPath(i.path.slice(0, -1)) === parent,
  );
  if (!missing) return main;
  const field = missing.path[missing.path.length - 1];
  const guess = ` (did you mean "${String(field)}"?)`;
  // the guess is the required field that is missing: say both at once
  if (main.text.endsWith(guess))
    main.text = `${main.text.slice(0, -guess.length)} (did you mean "${String(field)}"? It is required and missing)`;
  else if (!main.text.endsWith("?)")) main.text += ` (and required ${formatPath(missing.path)} is missing: a typo?)`;
  return main;
}

/**
 * V8's stack overflow. `JSON.parse` takes JSON nested to any depth, but what walks the parsed value
 * recursively (`JSON.stringify`, a key scan) overflows on it: the input's fault, refused as such.
 */
export function isStackOverflow(e: unknown): e is RangeError {
  return e instanceof RangeError && /call stack/i.test(e.message);
}
