import { describe, expect, it } from "vitest";
import { isoTime } from "./iso-clock.js";

const expected = (ms: number) => {
  try {
    return new Date(ms).toISOString();
  } catch (e) {
    return `throws ${(e as Error).name}`;
  }
};
const actual = (ms: number) => {
  try {
    return isoTime(ms);
  } catch (e) {
    return `throws ${(e as Error).name}`;
  }
};

describe("isoTime", () => {
  it("formats exactly as toISOString, day after day and within a day", () => {
    let seed = 42;
    const rand = () => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    let t = Date.parse("2025-01-06T07:01:34Z");
    for (let i = 0; i < 20_000; i++) {
      // mostly small steps (a case's tool calls), sometimes a jump to another day or era
      t = rand() < 0.05 ? (rand() - 0.5) * 2 * 8.64e15 : t + Math.floor(rand() * 40_000);
      expect(actual(t)).toBe(expected(t));
    }
  });

  it.each([
    0,
    -0,
    -1,
    1,
    0.5,
    -0.5,
    999.9,
    -999.9,
    86_399_999,
    86_400_000,
    -86_400_000,
    -86_400_001,
    253402300799999,
    253402300800000,
    -62198755200000,
    -62198755200001,
    8.64e15,
    -8.64e15,
    8.64e15 + 1,
    -8.64e15 - 1,
    1e300,
    Number.NaN,
    Number.POSITIVE_INFINITY,
    Number.NEGATIVE_INFINITY,
    1736146894000.7,
  ])("%s as toISOString has it (invalid times throw the same)", (ms) => {
    // twice: the second call takes the cached day
    expect(actual(ms)).toBe(expected(ms));
    expect(actual(ms)).toBe(expected(ms));
    expect(actual(ms + 1)).toBe(expected(ms + 1));
  });
});
