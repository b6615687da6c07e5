import { describe, expect, it } from "vitest";
import { formatApart, formatDiff, formatP } from "./format.js";

describe("numbers printed beside the threshold they are judged against", () => {
  it("prints a McNemar p just below 0.05 apart from it, as the reading that calls it significant does", () => {
    expect(formatP(0.0497)).toBe("0.0497");
    expect(formatP(0.05)).toBe("0.050");
    expect(formatP(0.0503)).toBe("0.0503");
    expect(formatP(0.049)).toBe("0.049");
    expect(formatP(0.2)).toBe("0.200");
    expect(formatP(0.0004)).toBe("< 0.001");
  });

  it("prints a criterion's value and threshold with the decimals that tell them apart, in each unit", () => {
    expect(formatApart(0.8496, 0.85, "rate")).toEqual(["84.96%", "85.00%"]);
    expect(formatApart(0.85, 0.85, "rate")).toEqual(["85.0%", "85.0%"]);
    expect(formatApart(0.9, 0.85, "rate")).toEqual(["90.0%", "85.0%"]);
    expect(formatApart(0.25004, 0.25, "usd")).toEqual(["$0.25004", "$0.25000"]);
    expect(formatApart(300_000.4, 300_000, "ms")).toEqual(["5.00001 min", "5.00000 min"]);
    expect(formatApart(null, 0.85, "rate")).toEqual(["—", "85.0%"]);
  });

  it("never prints a non-zero end of a paired interval as zero, which a reading of better or worse excludes", () => {
    expect(formatDiff(-0.0004, "rate")).toBe("−0.04 pts");
    expect(formatDiff(0.000004, "rate")).toBe("+0.0004 pts");
    expect(formatDiff(0, "rate")).toBe("±0.0 pts");
    expect(formatDiff(-0.036, "rate")).toBe("−3.6 pts");
  });
});
