import { describe, expect, it } from "vitest";
import { Store } from "../store/db.js";
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
