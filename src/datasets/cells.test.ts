import { describe, expect, it } from "vitest";
import { cellValue } from "./cells.js";

const origin = { file: "export.csv", line: 7 };
const minutes = (cell: string) => cellValue({ column: "minutes", type: "number" }, { minutes: cell }, origin);

describe("a number cell", () => {
  it("reads decimal notation, signs, fractions and exponents", () => {
    expect(minutes(" 42 ")).toBe(42);
    expect(minutes("-1.5")).toBe(-1.5);
    expect(minutes(".5")).toBe(0.5);
    expect(minutes("1e3")).toBe(1000);
  });

  it("refuses what Number() would read as another base, naming the file, line and column", () => {
    for (const cell of ["0x1F", "0b11", "0o17"])
      expect(() => minutes(cell)).toThrow(`export.csv:7: minutes: "${cell}" is not a number`);
    expect(() => minutes("Infinity")).toThrow("is not a number");
    expect(() => minutes("1,5")).toThrow("is not a number");
  });

  it("keeps an integer past 2^53 − 1 as its exact digits, which Number() would round to a neighbour", () => {
    expect(minutes("12345678901234567890")).toBe("12345678901234567890");
    expect(minutes(" -9007199254740993 ")).toBe("-9007199254740993");
    expect(minutes("+9007199254740992")).toBe("9007199254740992");
    expect(minutes("9007199254740991")).toBe(9007199254740991);
    // an exponent or a fraction is an approximate quantity by its writer's choice
    expect(minutes("1e20")).toBe(1e20);
    expect(minutes("12345678901234567890.5")).toBe(Number("12345678901234567890.5"));
  });
});

describe("a JSON cell", () => {
  it("keeps an integer JSON.parse would round as a string of its digits; digits in strings stay as written", () => {
    const cell =
      '{"EventRecordID": 12345678901234567890, "note": "id \\"12345678901234567890\\"", "n": [-99999999999999999, 7]}';
    expect(cellValue({ column: "data", type: "json" }, { data: cell }, origin)).toEqual({
      EventRecordID: "12345678901234567890",
      note: 'id "12345678901234567890"',
      n: ["-99999999999999999", 7],
    });
  });
});
