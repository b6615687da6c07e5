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
});
