import { existsSync, mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { makeDirs } from "./make-dirs.js";

describe("makeDirs", () => {
  const made: string[] = [];
  afterEach(() => {
    for (const d of made.splice(0)) rmSync(d, { recursive: true, force: true });
  });
  const tmp = () => {
    const d = mkdtempSync(join(tmpdir(), "soceval-make-dirs-"));
    made.push(d);
    return d;
  };

  it("makes every missing level and returns the first it made, as mkdir -p", () => {
    const root = tmp();
    expect(makeDirs(join(root, "a", "b", "c"))).toBe(join(root, "a"));
    expect(statSync(join(root, "a", "b", "c")).isDirectory()).toBe(true);
    expect(makeDirs(join(root, "a", "b"))).toBeUndefined();
  });

  it.skipIf(!existsSync("/proc/self"))("fails, instead of spinning, where a parent refuses children (/proc)", () => {
    expect(() => makeDirs("/proc/soceval-no-such/deeper")).toThrow(/ENOENT.*\/proc\/soceval-no-such/);
    expect(existsSync("/proc/soceval-no-such")).toBe(false);
  });

  it("fails under a file", () => {
    const root = tmp();
    writeFileSync(join(root, "f"), "");
    expect(() => makeDirs(join(root, "f", "sub"))).toThrow(/ENOTDIR/);
  });
});
