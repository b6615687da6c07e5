import type { z } from "zod";

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

/** The first issue of a zod error, phrased as `field: message`, naming unknown keys. */
export function describeIssue(issue: z.core.$ZodIssue): { path: (string | number)[]; text: string } {
  const path = issue.path.filter((p): p is string | number => typeof p !== "symbol");
  // zod's own wording only: a schema's message for a missing value ("missing answer") stands
  if (isMissing(issue) && path.length > 0 && /^Invalid (input|option)/.test(issue.message))
    return { path, text: `${formatPath(path)}: required field missing` };
  if (issue.code === "unrecognized_keys") {
    const keys = issue.keys;
    return {
      path: [...path, keys[0] as string],
      text: `${formatPath([...path, keys[0] as string])}: unknown field${keys.length > 1 ? "s" : ""} ${keys.map((k) => `"${k}"`).join(", ")}`,
    };
  }
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
export function mainIssue(issues: readonly z.core.$ZodIssue[]): { path: (string | number)[]; text: string } {
  const unknown = issues.find((i) => i.code === "unrecognized_keys");
  if (!unknown) return describeIssue(issues[0]!);
  const main = describeIssue(unknown);
  const parent = formatPath(unknown.path);
  const missing = issues.find(
    (i) =>
      i !== unknown &&
      isMissing(i) &&
      i.path.length === unknown.path.length + 1 &&
      formatPath(i.path.slice(0, -1)) === parent,
  );
  if (missing) main.text += ` (and required ${formatPath(missing.path)} is missing: a typo?)`;
  return main;
}

/**
 * V8's stack overflow. `JSON.parse` takes JSON nested to any depth, but what walks the parsed value
 * recursively (`JSON.stringify`, a key scan) overflows on it: the input's fault, refused as such.
 */
export function isStackOverflow(e: unknown): e is RangeError {
  return e instanceof RangeError && /call stack/i.test(e.message);
}
