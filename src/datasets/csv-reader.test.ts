import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { type CsvRow, detectDelimiter, readCsv } from "./csv-reader.js";

const dir = mkdtempSync(join(tmpdir(), "soceval-csv-"));
let n = 0;
function file(text: string): string {
  const f = join(dir, `f${n++}.csv`);
  writeFileSync(f, text);
  return f;
}

async function all(f: string, opts = {}): Promise<CsvRow[]> {
  const rows: CsvRow[] = [];
  for await (const r of readCsv(f, opts)) rows.push(r);
  return rows;
}

describe("readCsv", () => {
  it("gives each row the line it starts on, across quoted newlines, blank lines, CRLF and a BOM", async () => {
    const f = file('\ufeffid,note\r\n1,"two\r\nlines"\r\n\r\n2,plain\r\n3,"say ""hi"""\r\n');
    const rows = await all(f);
    expect(rows.map((r) => r.line)).toEqual([2, 5, 6]);
    expect(rows[0]!.row).toEqual({ id: "1", note: "two\r\nlines" });
    expect(rows[2]!.row.note).toBe('say "hi"');
  });

  it("detects ❖, semicolon and tab delimiters from the header", () => {
    expect(detectDelimiter(file("a\u2756b\u2756c\n1\u27562\u27563\n"))).toBe("\u2756");
    expect(detectDelimiter(file('a;b;"c,d"\n'))).toBe(";");
    expect(detectDelimiter(file("a\tb\n"))).toBe("\t");
    expect(detectDelimiter(file("a,b\n"))).toBe(",");
  });

  it("detects the delimiter of a header that blank lines (and a BOM) come before", async () => {
    expect(detectDelimiter(file("\ufeff\r\n\r\na;b;c\r\n1;2;3\r\n"))).toBe(";");
    expect(detectDelimiter(file("\n\na\u2756b\n"))).toBe("\u2756");
    const rows = await all(file("\n\nid\tnote\n1\ta,b\n"));
    expect(rows).toEqual([{ line: 4, row: { id: "1", note: "a,b" } }]);
  });

  it("honours an explicit delimiter and quote character", async () => {
    const rows = await all(file("id;msg\n1;'a;b'\n"), { delimiter: ";", quote: "'" });
    expect(rows[0]!.row).toEqual({ id: "1", msg: "a;b" });
  });

  it("keeps exact line numbers over a file far larger than one read chunk", async () => {
    const lines = ["id,body"];
    const expected: number[] = [];
    let line = 2;
    for (let i = 0; i < 20000; i++) {
      expected.push(line);
      const body = i % 7 === 0 ? `"first\nsecond ${"x".repeat(i % 50)}"` : `"${"y".repeat(i % 90)},z"`;
      lines.push(`${i},${body}`);
      line += i % 7 === 0 ? 2 : 1;
    }
    const rows = await all(file(`${lines.join("\n")}\n`));
    expect(rows).toHaveLength(20000);
    expect(rows.map((r) => r.line)).toEqual(expected);
    expect(rows[19999]!.row.id).toBe("19999");
  });

  it("names the line of a row with the wrong number of fields", async () => {
    await expect(all(file('a,b\n1,2\n"x\ny",2,3\n'))).rejects.toThrow(
      /f\d+\.csv:3: csv: 3 fields where the header has 2/,
    );
  });

  it("names the first missing column of a short (truncated) row", async () => {
    await expect(all(file("a,b,c\n1,2,3\n4,5\n"))).rejects.toThrow(
      /f\d+\.csv:3: c: missing; the row ends after column b \(2 of 3 fields/,
    );
  });

  it("names the line and the column of an unterminated quote", async () => {
    await expect(all(file('a,b\n1,2\n3,"open\n'))).rejects.toThrow(/:3: b: quoted field never closed/);
  });

  it("names the column of a stray quote inside a quoted field", async () => {
    await expect(all(file('id,note,x\n1,"say "hi" now",3\n'))).rejects.toThrow(
      /f\d+\.csv:2: note: Trailing quote on quoted field is malformed \(a quote inside a quoted field must be doubled: ""\)$/,
    );
  });

  it("rejects duplicate header columns and empty files", async () => {
    await expect(all(file("a,b,a\n1,2,3\n"))).rejects.toThrow(/:1: header: duplicate column "a"/);
    await expect(all(file(""))).rejects.toThrow(/:1: header: the file is empty/);
  });

  it("skips a line of only spaces or of empty cells (a spreadsheet's trailing rows), keeping the others' lines", async () => {
    const rows = await all(file("id,note\n1,x\n   \n,\n2,y\n,,,\n \n"));
    expect(rows.map((r) => [r.line, r.row.id])).toEqual([
      [2, "1"],
      [5, "2"],
    ]);
  });

  it("takes a spreadsheet's empty unnamed columns (a,b,,) while they stay empty, and names the one that holds a value", async () => {
    const rows = await all(file("id,note,,\r\n1,x,,\r\n2,y, ,\r\n"));
    expect(rows.map((r) => r.row)).toEqual([
      { id: "1", note: "x" },
      { id: "2", note: "y" },
    ]);
    await expect(all(file("id,note,,\n1,x,,\n2,y,,stray\n"))).rejects.toThrow(
      /f\d+\.csv:3: column 4 has no name in the header but holds "stray": name it in the header, or remove it$/,
    );
  });

  it("refuses a byte that is not UTF-8 with its line, instead of reading it as U+FFFD", async () => {
    // a Latin-1 export: José's é is the single byte 0xE9, on line 4 (the quoted cell spans 2 and 3)
    const f = join(dir, `f${n++}.csv`);
    writeFileSync(
      f,
      Buffer.concat([Buffer.from('id,host\n1,"two\nlines"\n2,WS-Jos'), Buffer.from([0xe9]), Buffer.from("\n")]),
    );
    await expect(all(f)).rejects.toThrow(`${f}:4: not UTF-8 text (a byte that is not UTF-8 at column 9)`);
  });

  it("reads a character cut between two read chunks whole, and a real U+FFFD as itself", async () => {
    // 64 KiB is a read chunk: the 3-byte ❖ straddles the first boundary
    const pad = "x".repeat(65536 - "id,v\n1,".length - 1);
    const rows = await all(file(`id,v\n1,${pad}\u2756\n2,\ufffd\n`));
    expect(rows[0]!.row.v).toBe(`${pad}\u2756`);
    expect(rows[1]!.row.v).toBe("\ufffd");
  });

  it("reports a missing file as bad input", async () => {
    await expect(all(join(dir, "nope.csv"))).rejects.toThrow(/nope\.csv: cannot read \(ENOENT\)/);
  });
});
