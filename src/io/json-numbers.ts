/**
 * Integers that `JSON.parse` cannot keep. A JavaScript number holds integers exactly only up to
 * Number.MAX_SAFE_INTEGER (2^53 − 1, 9007199254740991); beyond it `"EventRecordID":
 * 12345678901234567890`, a 64-bit id as Windows and SIEM exports write it, reads as
 * 12345678901234567000, and two neighbouring ids read as the same number. A reviver cannot help
 * (on Node 20 it sees the rounded number, not the source text), so this scans the text itself.
 *
 * What counts: an integer literal (no fraction, no exponent) whose magnitude exceeds
 * MAX_SAFE_INTEGER. A literal with a fraction or an exponent (`1.5`, `1e20`) is not counted: its
 * writer chose a notation that means an approximate quantity, not an id, and every JSON reader
 * gives the nearest double for it.
 */

import type { KeyPath } from "./json-keys.js";

/**
 * One such literal: its path, the line it is on (0-based, within the text), where it is in the
 * text (start inclusive, end exclusive) and its digits as written.
 */
export type LongInteger = { path: KeyPath; line: number; start: number; end: number; digits: string };

/** Every unsafe integer literal of a JSON text, in order; empty when there is none. */
export function longIntegers(text: string): LongInteger[] {
  // an unsafe integer has at least 16 digits: most texts have no such run and skip the walk
  if (!SIXTEEN_DIGITS.test(text)) return [];
  const found: LongInteger[] = [];
  // one frame per open object or array: the key or index its current value is under
  const stack: { object: boolean; key: string | number; keyNext: boolean }[] = [];
  let line = 0;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (ch === '"') {
      const end = stringEnd(text, i);
      const top = stack[stack.length - 1];
      if (top?.object && top.keyNext) top.key = decodeKey(text.slice(i, end + 1));
      i = end;
    } else if (ch === "\n") line++;
    else if (ch === "{") stack.push({ object: true, key: "", keyNext: true });
    else if (ch === "[") stack.push({ object: false, key: 0, keyNext: false });
    else if (ch === "}" || ch === "]") stack.pop();
    else if (ch === ":") {
      const top = stack[stack.length - 1];
      if (top) top.keyNext = false;
    } else if (ch === ",") {
      const top = stack[stack.length - 1];
      if (top?.object) top.keyNext = true;
      else if (top) top.key = (top.key as number) + 1;
    } else if (ch === "-" || (ch >= "0" && ch <= "9")) {
      NUMBER.lastIndex = i;
      const m = NUMBER.exec(text);
      if (!m) continue;
      const literal = m[0];
      if (!m[1] && !m[2] && literal.replace("-", "").length >= 16 && !Number.isSafeInteger(Number(literal)))
        found.push({ path: stack.map((f) => f.key), line, start: i, end: i + literal.length, digits: literal });
      i += literal.length - 1;
    }
  }
  return found;
}

const SIXTEEN_DIGITS = /\d{16}/;
/** A JSON number; group 1 its fraction, group 2 its exponent. */
const NUMBER = /-?\d+(\.\d+)?([eE][+-]?\d+)?/y;

/** The index of the quote that closes the string opening at `open`: a quote after an even run of backslashes. */
function stringEnd(text: string, open: number): number {
  let from = open + 1;
  for (;;) {
    const q = text.indexOf('"', from);
    if (q === -1) return text.length;
    let backslashes = 0;
    for (let b = q - 1; text[b] === "\\"; b--) backslashes++;
    if (backslashes % 2 === 0) return q;
    from = q + 1;
  }
}

/** A key as JSON.parse reads it (`"\u0061"` is `a`), so the path names the key the data has. */
function decodeKey(quoted: string): string {
  if (!quoted.includes("\\")) return quoted.slice(1, -1);
  try {
    return JSON.parse(quoted) as string;
  } catch {
    return quoted.slice(1, -1);
  }
}

/**
 * `parsed` (JSON.parse of `text`), or, when the text holds unsafe integers, the text read again with
 * each of them as a string of its exact digits: an importer's case then holds the id the export
 * has, not a neighbour of it.
 */
export function keepLongIntegers(text: string, parsed: unknown): unknown {
  const long = longIntegers(text);
  if (long.length === 0) return parsed;
  let quoted = "";
  let at = 0;
  for (const n of long) {
    quoted += `${text.slice(at, n.start)}"${n.digits}"`;
    at = n.end;
  }
  return JSON.parse(quoted + text.slice(at));
}
