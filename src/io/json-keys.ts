/**
 * Repeated keys in one JSON text. `JSON.parse` keeps the last of two equal keys without a word, so
 * `{"verdict": "true_positive", "verdict": "false_positive"}` silently becomes a false positive;
 * this finds such keys so the line can be refused instead.
 *
 * It is meant for text `JSON.parse` has already accepted: it tracks only what it needs (strings,
 * object and array nesting, commas) and does not check the rest of the grammar. Keys are compared
 * as JSON.parse sees them, escapes decoded, so `"a"` and `"\u0061"` are the same key.
 */

import { formatPath } from "./errors.js";

/** A step of a path to a key: an object key or an array index. */
export type KeyPath = (string | number)[];

type Frame = {
  /** an object's keys so far; null for an array */
  keys: string[] | Set<string> | null;
  /** an object: the key whose value is being read; an array: the element's index */
  at: string | number;
  /** an object: the next string is a key */
  expectKey: boolean;
};

// a few keys are compared by scanning an array; past this many, a Set
const SMALL = 8;

/** The path of every repeated key, in the order they occur; empty when there is none. */
export function repeatedKeys(text: string): KeyPath[] {
  const found: KeyPath[] = [];
  const stack: Frame[] = [];
  const n = text.length;
  let i = 0;
  while (i < n) {
    const c = text.charCodeAt(i);
    if (c === 0x22 /* " */) {
      const end = stringEnd(text, i);
      const top = stack[stack.length - 1];
      if (top?.keys && top.expectKey) {
        const raw = text.slice(i + 1, end);
        const key = raw.includes("\\") ? (JSON.parse(text.slice(i, end + 1)) as string) : raw;
        if (remember(top, key)) found.push([...stack.slice(0, -1).map((f) => f.at), key]);
        top.at = key;
        top.expectKey = false;
      }
      i = end + 1;
      continue;
    }
    if (c === 0x7b /* { */) stack.push({ keys: [], at: "", expectKey: true });
    else if (c === 0x5b /* [ */) stack.push({ keys: null, at: 0, expectKey: false });
    else if (c === 0x7d /* } */ || c === 0x5d /* ] */) stack.pop();
    else if (c === 0x2c /* , */) {
      const top = stack[stack.length - 1];
      if (top?.keys) top.expectKey = true;
      else if (top) top.at = (top.at as number) + 1;
    }
    i++;
  }
  return found;
}

/** The first repeated key of a JSON text as a field path (`label.verdict`, `[0].type`), if any. */
export function firstRepeatedKey(text: string): string | undefined {
  const path = repeatedKeys(text)[0];
  return path ? formatPath(path) : undefined;
}

/** Index of the quote that closes the string opening at `start`. */
function stringEnd(text: string, start: number): number {
  let q = text.indexOf('"', start + 1);
  for (;;) {
    if (q === -1) return text.length;
    // escaped only by an odd run of backslashes before it
    let b = q - 1;
    while (text.charCodeAt(b) === 0x5c) b--;
    if ((q - 1 - b) % 2 === 0) return q;
    q = text.indexOf('"', q + 1);
  }
}

/** Adds `key` to the object's keys; true when it was there already. */
function remember(f: Frame, key: string): boolean {
  const keys = f.keys!;
  if (Array.isArray(keys)) {
    if (keys.includes(key)) return true;
    keys.push(key);
    if (keys.length > SMALL) f.keys = new Set(keys);
    return false;
  }
  if (keys.has(key)) return true;
  keys.add(key);
  return false;
}
