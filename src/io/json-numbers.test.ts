import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { hasDigitRun, keepLongIntegers, longIntegers } from "./json-numbers.js";

const paths = (text: string) => longIntegers(text).map((n) => [n.path, n.digits]);

describe("longIntegers", () => {
  it("finds a 64-bit id JSON.parse rounds, with its path, line and place in the text", () => {
    const text = '{"evidence":[{"id":"e1","data":{"EventRecordID": 12345678901234567890}}]}';
    expect(longIntegers(text)).toEqual([
      {
        path: ["evidence", 0, "data", "EventRecordID"],
        line: 0,
        start: text.indexOf("1234"),
        end: text.indexOf("}"),
        digits: "12345678901234567890",
      },
    ]);
    // what the scan is for: JSON.parse reads another id
    expect(String(JSON.parse(text).evidence[0].data.EventRecordID)).toBe("12345678901234567000");
  });

  it("draws the line at Number.MAX_SAFE_INTEGER, on both signs", () => {
    expect(paths("[9007199254740991, -9007199254740991, 1000000000000000]")).toEqual([]);
    expect(paths("[9007199254740991, 9007199254740992, -9007199254740992]")).toEqual([
      [[1], "9007199254740992"],
      [[2], "-9007199254740992"],
    ]);
    // 2^53 + 1 is not even a double: it reads as 2^53
    expect(paths('{"a": -9007199254740993}')).toEqual([[["a"], "-9007199254740993"]]);
  });

  it("leaves digits inside strings alone, whatever their escaped quotes and backslashes", () => {
    expect(paths('{"a":"12345678901234567890","b\\"": "x\\"12345678901234567890\\\\"}')).toEqual([]);
    // an escaped backslash closes the string: the number after it is a number
    expect(paths('{"k\\\\":12345678901234567890,"v":"\\\\\\"99999999999999999999"}')).toEqual([
      [["k\\"], "12345678901234567890"],
    ]);
    // a key spelt with a \u escape is named as JSON.parse reads it
    expect(paths('{"\\u0061":[1,2,{"b":[0,99999999999999999]}]}')).toEqual([[["a", 2, "b", 1], "99999999999999999"]]);
  });

  it("finds one wherever a JSON number can start, and skips digit runs inside words without a walk", () => {
    expect(paths("12345678901234567890")).toEqual([[[], "12345678901234567890"]]);
    expect(paths('{"a":\n\t[\n  1,\r\n  -12345678901234567890 ]}')).toEqual([[["a", 1], "-12345678901234567890"]]);
    // a SHA-256 holds sixteen digits in a row, where no number starts
    expect(paths('{"sha256":"87ef234284709c5a4e4cde0dc71e2a989514170521838899d6c24"}')).toEqual([]);
  });

  it("does not count floats or exponents: their writer chose an approximate notation", () => {
    expect(paths("[1e20, 12345678901234567890e0, 1.2345678901234567890, 12345678901234567890.5, -1E+30]")).toEqual([]);
  });

  it("counts lines within a pretty-printed text", () => {
    const found = longIntegers(
      JSON.stringify({ a: "x\ny", b: { c: 1 } }, null, 2).replace("1", "12345678901234567890"),
    );
    expect(found.map((n) => [n.path, n.line])).toEqual([[["b", "c"], 3]]);
  });

  it("on any document, finds exactly the unsafe integer literals, and none of the same digits in a string", () => {
    const big = fc.bigInt({ min: -(10n ** 22n), max: 10n ** 22n }).map((n) => ({ raw: n.toString() }));
    const leaf = fc.oneof(fc.integer(), fc.double({ noNaN: true, noDefaultInfinity: true }), fc.string(), big);
    const doc = fc.record({ j: fc.jsonValue(), leaves: fc.array(leaf, { maxLength: 6 }) });
    fc.assert(
      fc.property(doc, ({ j, leaves }) => {
        const parts = leaves.map((l) => (typeof l === "object" ? l.raw : JSON.stringify(l)));
        const list = `[${parts.join(",")}]`;
        // the same literals once as a string ("k") and once as numbers ("l"), after arbitrary JSON ("j")
        const text = `{"j":${JSON.stringify(j)},"k":${JSON.stringify(list)},"l":${list}}`;
        const expected = [...unsafeIn(j, ["j"])];
        parts.forEach((raw, i) => {
          if (/^-?\d+$/.test(raw) && !Number.isSafeInteger(Number(raw))) expected.push([["l", i], raw]);
        });
        expect(paths(text)).toEqual(expected);
      }),
    );
  });
});

/** The oracle: what JSON.stringify writes as an integer literal beyond the safe range, walking the value. */
function* unsafeIn(v: unknown, path: (string | number)[]): Generator<[(string | number)[], string]> {
  if (typeof v === "number") {
    const raw = JSON.stringify(v);
    if (/^-?\d+$/.test(raw) && !Number.isSafeInteger(v)) yield [path, raw];
  } else if (Array.isArray(v)) for (const [i, x] of v.entries()) yield* unsafeIn(x, [...path, i]);
  else if (v && typeof v === "object") for (const [k, x] of Object.entries(v)) yield* unsafeIn(x, [...path, k]);
}

describe("keepLongIntegers", () => {
  it("keeps such a literal as a string of its exact digits and the rest as JSON.parse reads it", () => {
    const text = '{"n":-12345678901234567890,"s":"12345678901234567890","f":1e20,"small":42}';
    expect(keepLongIntegers(text, JSON.parse(text))).toEqual({
      n: "-12345678901234567890",
      s: "12345678901234567890",
      f: 1e20,
      small: 42,
    });
  });

  it("returns the parsed value itself when nothing is rounded", () => {
    const parsed = { a: 1 };
    expect(keepLongIntegers('{"a":1}', parsed)).toBe(parsed);
  });
});

describe("hasDigitRun", () => {
  it("finds n digits in a row wherever they stand, as /\\d{n}/ does", () => {
    const d16 = "1234567890123456";
    for (const text of [
      d16,
      `x${d16}`,
      `${d16}x`,
      `"a":${d16},`,
      "123456789012345", // 15
      "123456789012345x123456789012345",
      `${"x".repeat(17)}${d16}`,
      `${"9".repeat(15)}x${"9".repeat(15)}x${d16.slice(1)}7`,
      "",
    ])
      expect([text, hasDigitRun(text, 16)]).toEqual([text, /\d{16}/.test(text)]);
  });

  it("agrees with /\\d{n}/ on any text of digits and other characters", () => {
    const text = fc.array(fc.constantFrom(..."0123456789x"), { maxLength: 80 }).map((cs) => cs.join(""));
    fc.assert(
      fc.property(text, fc.constantFrom(2, 4, 16), (t, n) => hasDigitRun(t, n) === new RegExp(`\\d{${n}}`).test(t)),
      { numRuns: 5000 },
    );
  });
});
