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

import { visit } from "jsonc-parser";
import { isStackOverflow } from "./errors.js";
import type { KeyPath } from "./json-keys.js";

/**
 * One such literal: its path, the line it is on (0-based, within the text), where it is in the
 * text (start inclusive, end exclusive) and its digits as written.
 */
export type LongInteger = { path: KeyPath; line: number; start: number; end: number; digits: string };

/**
 * Every unsafe integer literal of a JSON text, in order; empty when there is none. jsonc-parser's
 * visitor (which json-keys.ts walks for repeated keys) hands each literal's place in the text, so
 * its digits are read as written. A text nested too deeply for the visitor is refused by that key
 * check before anything reads it; here it has nothing more to say.
 */
export function longIntegers(text: string): LongInteger[] {
  // an unsafe integer has at least 16 digits: most texts have no such run and skip the walk, and
  // one whose runs are all inside words (a SHA-256's hex) has none where a JSON number can start
  if (!hasDigitRun(text, 16) || !NUMBER_START.test(text)) return [];
  const found: LongInteger[] = [];
  try {
    visit(text, {
      onLiteralValue: (value, offset, length, line, _column, path) => {
        if (typeof value !== "number" || length < 16) return;
        const digits = text.slice(offset, offset + length);
        if (INTEGER.test(digits) && !Number.isSafeInteger(Number(digits)))
          found.push({ path: path(), line, start: offset, end: offset + length, digits });
      },
    });
  } catch (e) {
    if (!isStackOverflow(e)) throw e;
  }
  return found;
}

/**
 * Whether `text` holds `n` digits in a row. Every line a replay reads passes here, so this probes
 * only every n-th character (any run of n digits covers one of them) and measures the run around a
 * digit it finds: a third of the time /\d{16}/ takes over 130 MB of cases.
 */
export function hasDigitRun(text: string, n: number): boolean {
  for (let i = n - 1; i < text.length; i += n) {
    if (!isDigit(text.charCodeAt(i))) continue;
    let start = i;
    while (start > 0 && isDigit(text.charCodeAt(start - 1))) start--;
    let end = i + 1;
    while (end < text.length && isDigit(text.charCodeAt(end))) end++;
    if (end - start >= n) return true;
    // the next run starts past this one's end: probe n-1 characters after it
    i = end - 1;
  }
  return false;
}

const isDigit = (c: number) => c >= 48 && c <= 57;
/** Sixteen digits where a JSON number can start: the text's start, or after `:`, `,` or `[`. */
const NUMBER_START = /(?:^|[:,[])\s*-?\d{16}/;
/** An integer literal: no fraction, no exponent. */
const INTEGER = /^-?\d+$/;

/**
 * `parsed` (JSON.parse of `text`), or, when the text holds unsafe integers, the text read again with
 * each of them as a string of its exact digits: an importer's case then holds the id the export
 * has, not a neighbour of it. `long`: what longIntegers found in `text`, when the caller has it.
 */
export function keepLongIntegers(text: string, parsed: unknown, long = longIntegers(text)): unknown {
  if (long.length === 0) return parsed;
  let quoted = "";
  let at = 0;
  for (const n of long) {
    quoted += `${text.slice(at, n.start)}"${n.digits}"`;
    at = n.end;
  }
  return JSON.parse(quoted + text.slice(at));
}

/**
 * Whether `value` is what keepLongIntegers makes of an unsafe integer literal: its exact digits as a
 * string. Where a number is expected (a tool's number input), such a string is that number.
 */
export function isLongIntegerText(value: string): boolean {
  return value.length >= 16 && INTEGER.test(value) && !Number.isSafeInteger(Number(value));
}
