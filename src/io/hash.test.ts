import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { fileFacts, VECTOR_ROWS } from "./hash.js";

const dir = mkdtempSync(join(tmpdir(), "soceval-facts-"));
const linesOf = async (name: string, text: string) => {
  writeFileSync(join(dir, name), text);
  return (await fileFacts(join(dir, name))).lines;
};

describe("fileFacts' line count (the progress total, and whether a dataset holds any case)", () => {
  it("counts the lines a replay reads, whatever ends them", async () => {
    expect(await linesOf("lf.jsonl", '{"a":1}\n{"a":2}\n')).toBe(2);
    expect(await linesOf("crlf.jsonl", '{"a":1}\r\n{"a":2}\r\n')).toBe(2);
    expect(await linesOf("no-end.jsonl", '{"a":1}\n  {"a":2}')).toBe(2);
  });

  it("leaves out lines of white space only, as the replay skips them", async () => {
    expect(await linesOf("blank.jsonl", "\n  \n\t\n")).toBe(0);
    expect(await linesOf("crlf-blank.jsonl", "\r\n\r\n \r\n")).toBe(0);
    expect(await linesOf("trailing.jsonl", '{"a":1}\r\n\r\n   ')).toBe(1);
  });

  it("reads a line across the file's 1 MB chunks as one", async () => {
    const long = `${" ".repeat((1 << 20) - 3)}{"a":1}\n${" ".repeat(1 << 20)}\n`;
    expect(await linesOf("long.jsonl", long)).toBe(1);
  });
});

describe("fileFacts' vectorBytes (what the store's memory bound leaves room for)", () => {
  const factsOf = async (name: string, text: string) => {
    writeFileSync(join(dir, name), text);
    return fileFacts(join(dir, name));
  };

  it("is the bytes of the longest lines, their end of line left out, across chunks and without a last newline", async () => {
    const line = (n: number) => `{"a":"${"x".repeat(n - 8)}"}`;
    const f = await factsOf("sizes.jsonl", `${line(100)}\n${line(3_000_000)}\r\n\n${line(50)}`);
    expect(f.lines).toBe(3);
    // the CR of a CRLF stays in its line's bytes: it is what the reader holds too
    expect(f.vectorBytes).toBe(100 + 3_000_001 + 50);
  });

  it("counts only the VECTOR_ROWS longest lines", async () => {
    const lines = Array.from({ length: VECTOR_ROWS + 10 }, (_, i) => `{"i":${String(i).padStart(6, "0")}}`);
    lines.push(`{"i":"${"y".repeat(1000)}"}`);
    const f = await factsOf("many.jsonl", `${lines.join("\n")}\n`);
    expect(f.lines).toBe(VECTOR_ROWS + 11);
    expect(f.vectorBytes).toBe((VECTOR_ROWS - 1) * 12 + 1008);
  });
});
