import { describe, expect, it } from "vitest";
import { Store } from "../store/db.js";
import { shownValue } from "../store/shown-values.js";
import { formatRows } from "./query.js";

describe("soceval query's output", () => {
  it("prints BIGINTs inside lists and structs, intervals and integers past 2^53 without crashing or losing digits", async () => {
    const store = await Store.open(":memory:");
    const rows = await store.query(
      "SELECT [1::BIGINT, 2] l, {'t': 9007199254740993::BIGINT} s, INTERVAL 3 DAY + INTERVAL 5 MINUTE i, 9007199254740993::BIGINT b",
    );
    store.close();
    expect(JSON.parse(formatRows(rows, "json"))).toEqual([
      { l: [1, 2], s: { t: "9007199254740993" }, i: "3 days 00:05:00", b: "9007199254740993" },
    ]);
    expect(formatRows(rows, "csv")).toBe(
      'l,s,i,b\n"[1,2]","{""t"":""9007199254740993""}",3 days 00:05:00,9007199254740993\n',
    );
    expect(formatRows(rows, "table")).toContain("9007199254740993");
  });

  it("prints dates, times, blobs and wide decimals as DuckDB writes them, not as JS turned them", async () => {
    const store = await Store.open(":memory:");
    const sql = `SELECT DATE '2026-01-02' d, [DATE '2026-03-04'] ld, TIME '10:11:12' t, TIMETZ '10:11:12+02' ttz,
      TIMESTAMP_NS '2026-01-01 10:00:00.123456789' tns, '\\x01\\xFF'::BLOB b, 12.50::DECIMAL(5,2) small,
      1.123456789012345678901234567890::DECIMAL(38,30) wide, TIMESTAMP '2026-01-01 10:00:00' ts, 9007199254740993::BIGINT big`;
    const rows = await store.query(sql, undefined, shownValue);
    const asJs = await store.query(sql);
    store.close();
    expect(JSON.parse(formatRows(rows, "json"))).toEqual([
      {
        d: "2026-01-02",
        ld: ["2026-03-04"],
        t: "10:11:12",
        ttz: "10:11:12+02",
        tns: "2026-01-01 10:00:00.123456789",
        b: "\\x01\\xFF",
        small: 12.5,
        wide: "1.123456789012345678901234567890",
        // unchanged: timestamps as ISO text in UTC, integers exact
        ts: "2026-01-01T10:00:00.000Z",
        big: "9007199254740993",
      },
    ]);
    // what the analytics read (Date, numbers) is not changed by it
    expect(asJs[0]!.d).toBeInstanceOf(Date);
    expect(formatRows(rows, "csv").split("\n")[1]).toBe(
      '2026-01-02,"[""2026-03-04""]",10:11:12,10:11:12+02,2026-01-01 10:00:00.123456789,\\x01\\xFF,12.5,1.123456789012345678901234567890,2026-01-01T10:00:00.000Z,9007199254740993',
    );
  });

  it("shows at most the first 200 rows as a table and says how many there are (cli-table3 takes minutes over thousands)", () => {
    const rows = Array.from({ length: 5000 }, (_, i) => ({ case_id: `c-${i}`, n: i }));
    const out = formatRows(rows, "table");
    expect(out).toContain("c-199 ");
    expect(out).not.toContain("c-200 ");
    expect(out).toMatch(/\(5000 rows; the first 200 shown: --format csv or json prints every one\)\n$/);
    expect(formatRows(rows.slice(0, 200), "table")).toMatch(/\(200 rows\)\n$/);
    expect(formatRows(rows, "csv").trim().split("\n")).toHaveLength(5001);
  });

  it("shows a control character in a table cell as an escape, so alert text cannot rewrite the terminal", () => {
    const rows = [{ title: "Invoice \u001b]0;pwned\u0007\u001b[2J overdue" }];
    const out = formatRows(rows, "table");
    expect(out).not.toContain("\u001b");
    expect(out).toContain("Invoice \\x1b]0;pwned\\x07\\x1b[2J overdue");
    // machine formats carry the text as it is (JSON escapes it itself)
    expect(JSON.parse(formatRows(rows, "json"))).toEqual(rows);
  });
});
