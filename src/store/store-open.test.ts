import { mkdtempSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
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
