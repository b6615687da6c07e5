import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { type KeyPath, repeatedKeyProblem, repeatedKeys } from "./json-keys.js";

/** A JSON value as written, an object as its entries in order, so two equal keys can be modelled. */
type Doc = null | boolean | number | string | Doc[] | { entries: [string, Doc][] };

// few key names, so objects often repeat one; quotes, backslashes and non-ASCII test the string scan
const keyName = fc.constantFrom("a", "b", "verdict", 'q"', "b\\", "\\", "é", "", "\u2028", "x y");
const text = fc.string({ unit: fc.constantFrom("a", '"', "\\", "{", "}", "[", "]", ",", ":", " ", "\n", "é") });

const { doc } = fc.letrec<{ doc: Doc }>((tie) => ({
  doc: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    fc.constant(null),
    fc.boolean(),
    fc.integer(),
    text,
    fc.array(tie("doc"), { maxLength: 4 }),
    fc.array(fc.tuple(keyName, tie("doc")), { maxLength: 5 }).map((entries) => ({ entries })),
  ),
}));

/** Every way JSON may spell a string: some characters as \u escapes. */
function spell(s: string, escapeAll: boolean): string {
  if (!escapeAll) return JSON.stringify(s);
  let out = '"';
  for (const ch of s) out += `\\u${ch.charCodeAt(0).toString(16).padStart(4, "0")}`;
  return `${out}"`;
}

function write(d: Doc, ws: string, escapeKeys: boolean): string {
  if (d === null || typeof d !== "object") return JSON.stringify(d);
  if (Array.isArray(d)) return `[${ws}${d.map((x) => write(x, ws, escapeKeys)).join(`${ws},${ws}`)}${ws}]`;
  const body = d.entries.map(
    ([k, v], i) => `${spell(k, escapeKeys && i % 2 === 1)}${ws}:${ws}${write(v, ws, escapeKeys)}`,
  );
  return `{${ws}${body.join(`${ws},${ws}`)}${ws}}`;
}

/** The repeated keys of a model, in document order. */
function expected(d: Doc, path: KeyPath = [], out: KeyPath[] = []): KeyPath[] {
  if (d === null || typeof d !== "object") return out;
  if (Array.isArray(d)) {
    d.forEach((x, i) => {
      expected(x, [...path, i], out);
    });
    return out;
  }
  const seen = new Set<string>();
  for (const [k, v] of d.entries) {
    if (seen.has(k)) out.push([...path, k]);
    seen.add(k);
    expected(v, [...path, k], out);
  }
  return out;
}

describe("repeatedKeys", () => {
  it("finds exactly the repeated keys of any JSON text, in order, whatever its spacing and escapes", () => {
    fc.assert(
      fc.property(doc, fc.constantFrom("", " ", "\n\t "), fc.boolean(), (d, ws, esc) => {
        const t = write(d, ws, esc);
        JSON.parse(t); // the text is JSON: what the scanner is given
        expect(repeatedKeys(t)).toEqual(expected(d));
      }),
      { numRuns: 2000 },
    );
  });

  it("finds none in what JSON.stringify writes", () => {
    fc.assert(
      fc.property(fc.jsonValue(), (v) => {
        expect(repeatedKeys(JSON.stringify(v))).toEqual([]);
      }),
    );
  });

  it("names the path of a repeated label verdict, and of one deep in evidence data", () => {
    expect(repeatedKeys('{"label": {"verdict": "true_positive", "verdict": "false_positive"}}')).toEqual([
      ["label", "verdict"],
    ]);
    expect(repeatedKeys('{"evidence":[{"id":"e1"},{"id":"e2","data":{"r":"x\\"","r":1}}],"id":"c","id":"c"}')).toEqual([
      ["evidence", 1, "data", "r"],
      ["id"],
    ]);
  });

  it("treats a key spelled with escapes as the same key", () => {
    expect(repeatedKeys('{"a":1,"\\u0061":2}')).toEqual([["a"]]);
  });

  it("tells a repeated key in an object of many keys", () => {
    const keys = Array.from({ length: 40 }, (_, i) => `"k${i}":${i}`);
    expect(repeatedKeys(`{${keys.join(",")},"k7":0}`)).toEqual([["k7"]]);
    expect(repeatedKeys(`{${keys.join(",")}}`)).toEqual([]);
  });
});

describe("repeatedKeyProblem names the key a dotted path would hide", () => {
  it("an empty key, a dotted key, a key with a space", () => {
    expect(repeatedKeyProblem('{"label":{"verdict":"x","verdict":"y"}}')?.text).toBe("label.verdict: repeated key");
    expect(repeatedKeyProblem('{"a":1,"":1,"":2}')?.text).toBe('[""]: repeated key');
    expect(repeatedKeyProblem('{"label":{"":1,"":2}}')?.text).toBe('label[""]: repeated key');
    expect(repeatedKeyProblem('{"raw":{"a.b":1,"a.b":2}}')?.text).toBe('raw["a.b"]: repeated key');
    expect(repeatedKeyProblem('{"e":[{"x y":1,"x y":2}]}')?.text).toBe('e[0]["x y"]: repeated key');
  });
});
