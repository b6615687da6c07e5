import { readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { fileFacts } from "./hash.js";
import { readJsonl } from "./jsonl.js";
import { isBlankLine, MAX_LINE_BYTES, readLineBytes, readLines } from "./lines.js";

const collect = async (file: string) => {
  const out: string[] = [];
  for await (const l of readLines(file)) out.push(l);
  return out;
};

describe("readLines and fileFacts", () => {
  it("yields exactly the file's lines across chunk boundaries, multi-byte characters included", async () => {
    const file = join(tmpdir(), `soceval-lines-${process.pid}.txt`);
    // ~3 MB so lines and characters straddle the 1 MB read chunks
    const lines = Array.from({ length: 40000 }, (_, i) => `{"id":"c-${i}","t":"é€😀 ${"x".repeat(i % 97)}"}`);
    writeFileSync(file, `${lines.join("\r\n")}\n\n`);
    const got = await collect(file);
    expect(got.slice(0, -1)).toEqual(lines);
    expect(got[got.length - 1]).toBe("");
    const facts = await fileFacts(file);
    expect(facts.lines).toBe(40000);
    expect(facts.sha256).toMatch(/^[0-9a-f]{64}$/);
  });

  it("refuses bytes that are not UTF-8 with their line, and keeps a real U+FFFD", async () => {
    const file = join(tmpdir(), `soceval-lines-latin1-${process.pid}.txt`);
    // line 2 holds "é" as Latin-1 (0xE9): decoded, the id would silently become phish-\uFFFD002
    writeFileSync(
      file,
      Buffer.concat([
        Buffer.from('{"id":"a \uFFFD is fine"}\n{"id":"phish-', "utf8"),
        Buffer.from([0xe9]),
        Buffer.from('002"}\n', "utf8"),
      ]),
    );
    await expect(collect(file)).rejects.toThrow(/:2: not UTF-8 text \(a byte that is not UTF-8 at column 14\)/);
    writeFileSync(file, '{"id":"a \uFFFD is fine"}\n');
    expect(await collect(file)).toEqual(['{"id":"a \uFFFD is fine"}']);
  });

  it("refuses a line longer than one string can hold at its number, before reading the rest of it", async () => {
    const file = join(tmpdir(), `soceval-lines-long-${process.pid}.txt`);
    writeFileSync(file, `a\nb\n${"x".repeat(5 * 1048576)}\nc\n`);
    const read = async (max: number) => {
      const out: number[] = [];
      for await (const l of readLineBytes(file, max)) out.push(l.length);
      return out;
    };
    // the limit soceval runs with is a string's, the largest a line can be and still be decoded
    expect(MAX_LINE_BYTES).toBe(0x1fffffe8);
    expect(await read(MAX_LINE_BYTES)).toEqual([1, 1, 5 * 1048576, 1]);
    await expect(read(2 * 1048576)).rejects.toThrow(
      `${file}:3: a line longer than 2 MB, more than one JSON value soceval can read; one case, record or transcript per line`,
    );
  });

  it("keeps a last line without a newline", async () => {
    const file = join(tmpdir(), `soceval-lines-tail-${process.pid}.txt`);
    writeFileSync(file, "a\nb");
    expect(await collect(file)).toEqual(["a", "b"]);
    expect((await fileFacts(file)).lines).toBe(2);
    expect(readFileSync(file, "utf8")).toBe("a\nb");
  });

  it("splits correctly when a CR, LF or multi-byte character sits on the 1 MiB chunk edge", async () => {
    const file = join(tmpdir(), `soceval-lines-edge-${process.pid}.txt`);
    const a = "a".repeat((1 << 20) - 1);
    for (const [tail, want] of [
      ["\r\nx\r", [a, "x"]],
      ["\n\r\n", [a, ""]],
      ["€\nz", [`${a}€`, "z"]],
    ] as const) {
      writeFileSync(file, a + tail);
      expect(await collect(file)).toEqual(want);
    }
  });

  it("drops a UTF-8 byte-order mark at the start of the file, and only there", async () => {
    const file = join(tmpdir(), `soceval-lines-bom-${process.pid}.jsonl`);
    writeFileSync(file, '\uFEFF{"id":"a"}\r\n{"id":"\uFEFFb"}\n');
    expect(await collect(file)).toEqual(['{"id":"a"}', '{"id":"\uFEFFb"}']);
    const rows: unknown[] = [];
    for await (const r of readJsonl(file, z.object({ id: z.string() }))) rows.push(r);
    expect(rows).toEqual([
      { line: 1, value: { id: "a" } },
      { line: 2, value: { id: "\uFEFFb" } },
    ]);
    for (const [text, want] of [
      ["\uFEFF", []],
      ["\uFEFFx", ["x"]],
      ["\uFEFF\n", [""]],
      ["\uFEFF\r\ny", ["", "y"]],
    ] as const) {
      writeFileSync(file, text);
      expect(await collect(file)).toEqual(want);
    }
    // a BOM that ends the first 1 MiB chunk is text, not a mark
    const big = "a".repeat((1 << 20) - 3);
    writeFileSync(file, `${big}\uFEFF\nz`);
    expect(await collect(file)).toEqual([`${big}\uFEFF`, "z"]);
  });

  it("yields the same lines as bytes, and tells a blank line from its bytes as /\\S/ does from its text", async () => {
    const file = join(tmpdir(), `soceval-lines-bytes-${process.pid}.txt`);
    const lines = ["", " \t ", "\u3000", "\u00a0\u2003", "\u00a0x", "é", '{"id":"😀"}', "\v\f"];
    for (let i = 0; i < 30000; i++) lines.push(i % 5 === 0 ? " " : `{"id":"c-${i}","t":"€${"y".repeat(i % 89)}"}`);
    writeFileSync(file, `\uFEFF${lines.join("\r\n")}`);
    const text = await collect(file);
    const bytes: Buffer[] = [];
    for await (const b of readLineBytes(file)) bytes.push(Buffer.from(b));
    expect(bytes.map((b) => b.toString("utf8"))).toEqual(text);
    expect(text).toEqual(lines);
    expect(bytes.map((b) => isBlankLine(b))).toEqual(text.map((t) => !/\S/.test(t)));
    expect(bytes.slice(0, 8).map((b) => isBlankLine(b))).toEqual([true, true, true, true, false, false, false, true]);
  });
});
