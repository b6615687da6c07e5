import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { InputError } from "../io/errors.js";
import { type JsonValue, readJsonObjects } from "./json-values.js";

const dir = mkdtempSync(join(tmpdir(), "soceval-json-"));
let n = 0;
function file(text: string): string {
  const f = join(dir, `f${n++}.json`);
  writeFileSync(f, text);
  return f;
}

async function all(f: string): Promise<JsonValue[]> {
  const out: JsonValue[] = [];
  for await (const v of readJsonObjects(f)) out.push(v);
  return out;
}

describe("readJsonObjects", () => {
  it("reads JSONL with the line of each object", async () => {
    const got = await all(file('{"a":1}\n\n{"a":2}\n'));
    expect(got).toEqual([
      { line: 1, value: { a: 1 } },
      { line: 3, value: { a: 2 } },
    ]);
  });

  it("reads a top-level array of pretty-printed objects", async () => {
    const text = JSON.stringify(
      [
        { a: 1, s: "}{[" },
        { b: { c: [1, 2] }, q: 'say "}"' },
      ],
      null,
      2,
    );
    const got = await all(file(text));
    expect(got.map((g) => g.line)).toEqual([2, 6]);
    expect(got[1]!.value).toEqual({ b: { c: [1, 2] }, q: 'say "}"' });
  });

  it("reads a single object", async () => {
    expect(await all(file('  {"only": true}'))).toEqual([{ line: 1, value: { only: true } }]);
  });

  it("handles objects that straddle read chunks", async () => {
    const objs = Array.from({ length: 3000 }, (_, i) => ({ i, pad: '\\"}'.repeat(i % 40), s: "x".repeat(i % 300) }));
    const got = await all(file(objs.map((o) => JSON.stringify(o)).join("\n")));
    expect(got).toHaveLength(3000);
    expect(got[2999]).toEqual({ line: 3000, value: objs[2999] });
  });

  it("refuses an object that repeats a key, naming the line of the repeated key and its path", async () => {
    const f = file('{"a":1}\n{"finding_info":{"title":"x",\n"title":"y"}}\n');
    await expect(all(f)).rejects.toThrow(`${f}:3: finding_info.title: repeated key`);
    // a pretty-printed export: the object starts on line 2, its repeated key is on line 7
    const pretty = file(
      `[\n${JSON.stringify({ class_uid: 2004, finding_info: { uid: "f1", title: "x" } }, null, 2).replace('"title": "x"', '"title": "x",\n      "title": "y"')}\n]\n`,
    );
    await expect(all(pretty)).rejects.toThrow(`${pretty}:7: finding_info.title: repeated key`);
  });

  it("refuses an object nested too deeply for the key scan as bad input, naming its line", async () => {
    const f = file(`{"a":1}\n{"x":${"[".repeat(50_000)}${"]".repeat(50_000)}}\n`);
    await expect(all(f)).rejects.toThrow(`${f}:2: nested too deeply to check for repeated keys`);
    await expect(all(f)).rejects.toBeInstanceOf(InputError);
  });

  it("names the line of a malformed object", async () => {
    await expect(all(file('{"a":1}\n{"a":,}\n'))).rejects.toThrow(/f\d+\.json:2: malformed JSON/);
    // within a pretty-printed object, the line JSON.parse stopped on, not the line the object starts on
    await expect(all(file('[\n  {\n    "a": 1,\n    "b": 2,,\n    "c": 3\n  }\n]\n'))).rejects.toThrow(
      /f\d+\.json:4: malformed JSON/,
    );
  });

  it("rejects non-objects and unterminated input with a line", async () => {
    await expect(all(file('{"a":1}\n42\n'))).rejects.toThrow(/:2: malformed JSON: unexpected "4"/);
    await expect(all(file('[{"a":1},\n{"b":'))).rejects.toThrow(/:2: malformed JSON: the file ends inside an object/);
    await expect(all(file('[{"a":1}\n'))).rejects.toThrow(/malformed JSON: the top-level array is not closed/);
  });

  it("refuses a byte that is not UTF-8 with its line, instead of reading it as U+FFFD", async () => {
    // a pretty-printed array whose third line holds a Latin-1 é (0xE9)
    const f = join(dir, `f${n++}.json`);
    writeFileSync(
      f,
      Buffer.concat([
        Buffer.from('[\n  {"user": "ok"},\n  {"user": "jos'),
        Buffer.from([0xe9]),
        Buffer.from('"}\n]\n'),
      ]),
    );
    await expect(all(f)).rejects.toThrow(`${f}:3: not UTF-8 text (a byte that is not UTF-8 at column 16)`);
  });

  it("still names a file it cannot read", async () => {
    await expect(all(join(dir, "absent.json"))).rejects.toThrow(/absent\.json: cannot read \(ENOENT\)/);
  });
});
