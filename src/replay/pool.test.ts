import { describe, expect, it } from "vitest";
import { chunkOf } from "./pool.js";

describe("replay chunks", () => {
  it("hold ~32 investigations whatever the agents and epochs, and never less than one case", () => {
    const chunk = (agents: number, epochs: number) =>
      chunkOf({ agents: Array.from({ length: agents }, (_, i) => `a${i}`), epochs });
    expect(chunk(1, 1)).toBe(32);
    expect(chunk(2, 4)).toBe(4);
    expect(chunk(1, 5)).toBe(6);
    expect(chunk(1, 2000)).toBe(1);
    expect(chunk(3, 1e9)).toBe(1);
  });
});
