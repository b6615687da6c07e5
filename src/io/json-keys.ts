/**
 * Repeated keys in one JSON text. `JSON.parse` keeps the last of two equal keys without a word, so
 * `{"verdict": "true_positive", "verdict": "false_positive"}` silently becomes a false positive;
 * this finds such keys so the line can be refused instead.
 *
 * Meant for text `JSON.parse` has already accepted. jsonc-parser's visitor walks it (it also takes
 * comments and trailing commas, which JSON.parse has refused by then) and hands each key decoded, so
 * `"a"` and `"\u0061"` are the same key, as they are to JSON.parse.
 */

import { visit } from "jsonc-parser";
import { isStackOverflow } from "./errors.js";

/** A step of a path to a key: an object key or an array index. */
export type KeyPath = (string | number)[];

/**
 * The path of every repeated key, in the order they occur (empty when there is none), or TOO_DEEP
 * when the text nests deeper than the visitor, which recurses once per level, can walk.
 */
export function repeatedKeys(text: string): KeyPath[] | typeof TOO_DEEP {
  const found = repeatedKeysAt(text);
  return found === TOO_DEEP ? TOO_DEEP : found.map((k) => k.path);
}

/** A repeated key's path and the line (0-based, within the text) it is written on. */
export type RepeatedKey = { path: KeyPath; line: number };

/** As repeatedKeys, with the line of each: a pretty-printed export's object spans many lines. */
export function repeatedKeysAt(text: string): RepeatedKey[] | typeof TOO_DEEP {
  const found: RepeatedKey[] = [];
  const open: Set<string>[] = [];
  try {
    visit(text, {
      onObjectBegin: () => {
        open.push(new Set());
      },
      onObjectEnd: () => {
        open.pop();
      },
      onObjectProperty: (key, _offset, _length, line, _column, path) => {
        const keys = open[open.length - 1]!;
        if (keys.has(key)) found.push({ path: [...path(), key], line });
        else keys.add(key);
      },
    });
  } catch (e) {
    if (isStackOverflow(e)) return TOO_DEEP;
    throw e;
  }
  return found;
}

/** Why a text that JSON.parse took is still refused: its key scan recurses once per level. */
export const TOO_DEEP = "nested too deeply to check for repeated keys";

/**
 * `path: repeated key` for the first repeated key of a JSON text, or TOO_DEEP, with the line
 * (0-based, within the text) to name; undefined when the text has neither. For the importers,
 * which refuse a value rather than list every key.
 */
export function repeatedKeyProblem(text: string): { text: string; line: number } | undefined {
  const repeated = repeatedKeysAt(text);
  if (repeated === TOO_DEEP) return { text: TOO_DEEP, line: 0 };
  const first = repeated[0];
  return first ? { text: `${formatKeyPath(first.path)}: repeated key`, line: first.line } : undefined;
}

/**
 * A repeated key's path as a message names it: `label.verdict`, and `label[""]` or `raw["a.b"]`
 * for a key that a dotted path would hide (an empty key read as "(root)" or `label.`, a dotted key
 * read as two levels).
 */
export function formatKeyPath(path: KeyPath): string {
  let out = "";
  for (const k of path)
    if (typeof k === "number") out += `[${k}]`;
    else if (PLAIN_KEY.test(k)) out += out ? `.${k}` : k;
    else out += `[${JSON.stringify(k)}]`;
  return out;
}

const PLAIN_KEY = /^[^\s.[\]"\\]+$/;
