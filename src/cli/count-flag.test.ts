import { describe, expect, it } from "vitest";
import { InputError } from "../io/errors.js";
import { countFlag, optionalCount } from "./count-flag.js";

describe("countFlag", () => {
  it("reads decimal digits, leading zeros included, within the range", () => {
    expect(countFlag("--limit", "50")).toBe(50);
    expect(countFlag("--limit", "010")).toBe(10);
    expect(countFlag("--workers", "0", { min: 0 })).toBe(0);
    expect(countFlag("--epochs", "2147483647")).toBe(2147483647);
    expect(optionalCount("--limit", undefined)).toBeUndefined();
  });

  it.each(["1e3", "0x10", "0b11", "0o7", "1.0", "1.5", "-1", "+1", " 5", "5 ", "", "Infinity", "１"])(
    "refuses %j as bad input",
    (v) => {
      expect(() => countFlag("--limit", v)).toThrow(InputError);
      expect(() => countFlag("--limit", v)).toThrow(`--limit: expected a positive integer, got "${v}"`);
    },
  );

  it("refuses below the minimum and above the maximum", () => {
    expect(() => countFlag("--limit", "0")).toThrow('--limit: expected a positive integer, got "0"');
    expect(() => countFlag("--epochs", "2147483648")).toThrow(
      '--epochs: expected at most 2147483647, got "2147483648"',
    );
    expect(() => countFlag("--seed", "11", { min: 0, max: 10 })).toThrow('--seed: expected at most 10, got "11"');
  });
});
