import { mkdtempSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { InputError } from "../io/errors.js";
import { Store } from "./db.js";

describe("a zero-byte --db (what mktemp makes)", () => {
  it("is no store to read, and a new one to write", async () => {
    const f = join(mkdtempSync(join(tmpdir(), "soceval-empty-")), "s.duckdb");
    writeFileSync(f, "");
    await expect(Store.open(f, { readOnly: true })).rejects.toThrow(`${f}: an empty file, not a soceval store`);
    expect(statSync(f).size).toBe(0);
    const s = await Store.open(f);
    const [r] = await s.query<{ n: number }>("SELECT count(*)::INTEGER AS n FROM runs");
    s.close();
    expect(r?.n).toBe(0);
    expect(statSync(f).size).toBeGreaterThan(0);
  });
});

describe("a --db whose folder cannot be made", () => {
  it("under a file is bad input naming the file in the way, and nothing is made", async () => {
    const dir = mkdtempSync(join(tmpdir(), "soceval-under-file-"));
    const file = join(dir, "old.duckdb");
    writeFileSync(file, "not a folder");
    for (const path of [join(file, "s.duckdb"), join(file, "more", "s.duckdb")]) {
      const opened = Store.open(path);
      await expect(opened).rejects.toBeInstanceOf(InputError);
      await expect(Store.open(path)).rejects.toThrow(`${path}: ${file} is a file, not a folder`);
    }
    expect(readFileSync(file, "utf8")).toBe("not a folder");
  });
});
