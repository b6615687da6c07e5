import { createHash } from "node:crypto";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { lineEndingHashes, sameUpToLineEndings } from "./line-ending-hash.js";

const dir = mkdtempSync(join(tmpdir(), "soceval-eol-"));
const sha = (s: string) => createHash("sha256").update(s).digest("hex");
const file = (name: string, text: string) => {
  const f = join(dir, name);
  writeFileSync(f, text);
  return f;
};

describe("a file's hash with LF and with CRLF line endings", () => {
  const lf = '{"id":"a"}\n{"id":"b"}\n\n{"id":"c"}';
  const crlf = lf.replace(/\n/g, "\r\n");

  it("is the hash of the LF bytes and of the CRLF bytes, whichever the file holds", async () => {
    for (const text of [lf, crlf, '{"id":"a"}\r\n{"id":"b"}\n\n{"id":"c"}'])
      expect(await lineEndingHashes(file("f.jsonl", text))).toEqual({
        bytes: sha(text),
        lf: sha(lf),
        crlf: sha(crlf),
        bomLf: sha(`\uFEFF${lf}`),
        bomCrlf: sha(`\uFEFF${crlf}`),
      });
  });

  it("leaves out a leading byte-order mark, as every reader of the file does", async () => {
    expect(await lineEndingHashes(file("bom.jsonl", `\uFEFF${crlf}`))).toMatchObject({ lf: sha(lf), crlf: sha(crlf) });
    expect(await sameUpToLineEndings(file("bom.jsonl", `\uFEFF${crlf}`), sha(lf))).toBe(true);
  });

  it("keeps a CR that ends no line, also one that ends the file", async () => {
    const text = "a\rb\r\nc\r";
    expect(await lineEndingHashes(file("cr.txt", text))).toMatchObject({
      bytes: sha(text),
      lf: sha("a\rb\nc\r"),
      crlf: sha("a\rb\r\nc\r"),
    });
  });

  it("reads a CRLF split between two read chunks (1 MiB) as one line ending", async () => {
    const line = `${"x".repeat(99)}\n`;
    const lfText = line.repeat(20_000);
    // the first CRLF whose CR is the last byte of the first chunk
    const crlfText = `${"y".repeat((1 << 20) - 1)}\r\n${lfText.replace(/\n/g, "\r\n")}`;
    const h = await lineEndingHashes(file("big.jsonl", crlfText));
    expect(h.lf).toBe(sha(`${"y".repeat((1 << 20) - 1)}\n${lfText}`));
    expect(h.crlf).toBe(sha(crlfText));
    expect(h.bytes).toBe(sha(crlfText));
  });

  it("holds the same bytes up to line endings, or not", async () => {
    for (const text of [lf, crlf])
      for (const hash of [sha(lf), sha(crlf)])
        expect(await sameUpToLineEndings(file("s.jsonl", text), hash)).toBe(true);
    expect(await sameUpToLineEndings(file("s.jsonl", `${crlf}\r\n`), sha(lf))).toBe(false);
  });

  it("knows an LF file for the copy Notepad saved of it (CRLF and a byte-order mark), and the other way round", async () => {
    expect(await sameUpToLineEndings(file("n.jsonl", lf), sha(`\uFEFF${crlf}`))).toBe(true);
    expect(await sameUpToLineEndings(file("n.jsonl", lf), sha(`\uFEFF${lf}`))).toBe(true);
    expect(await sameUpToLineEndings(file("n.jsonl", `\uFEFF${crlf}`), sha(lf))).toBe(true);
    expect(await sameUpToLineEndings(file("n.jsonl", lf), sha(`\uFEFF\uFEFF${lf}`))).toBe(false);
  });
});
