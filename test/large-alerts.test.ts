import { cpSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { bulkWriteMemoryMb, sizeMb } from "../src/store/bulk-writes.js";
import { query, soceval } from "./helpers/cli.js";

/**
 * Alerts as big as a phishing report's attachment text: 200 cases of ~700 KB (140 MB), more than
 * the fixed 128 MB buffer pool runs wrote under, which failed them at the first commit ("failed to
 * pin block", exit 3, nothing stored). SYNTHETIC: the mini fixture's cases, padded.
 */
const dir = mkdtempSync(join(tmpdir(), "soceval-large-alerts-"));
cpSync("test/fixtures/mini", dir, { recursive: true });
const base = readFileSync("test/fixtures/mini/cases.jsonl", "utf8").trim().split("\n");
let seed = 11;
const letters = "abcdefghijklmnopqrstuvwxyz ";
// text DuckDB cannot compress away: what a real attachment or mail body is to it
const noise = (n: number) => {
  const out = Buffer.alloc(n);
  for (let i = 0; i < n; i++) {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    out[i] = letters.charCodeAt(seed % letters.length);
  }
  return out.toString("latin1");
};
const lines = Array.from({ length: 200 }, (_, i) => {
  const c = JSON.parse(base[i % base.length]!);
  c.id = `${c.id}-big-${i}`;
  c.alert.raw = { attachment_text: noise(700_000) };
  return JSON.stringify(c);
});
writeFileSync(join(dir, "big.jsonl"), `${lines.join("\n")}\n`);
writeFileSync(
  join(dir, "big.suite.yaml"),
  readFileSync(join(dir, "suite.yaml"), "utf8").replace("dataset: cases.jsonl", "dataset: big.jsonl"),
);

describe("a run of large alerts (its DuckDB memory bound sized by the dataset)", () => {
  it("is stored whole, and its shards merge", async () => {
    const run = await soceval(["run", "big.suite.yaml", "--db", "big.duckdb", "--quiet"], dir);
    expect(run.status, run.stderr).toBe(0);
    const [stored] = await query<{ n: number; bytes: number }>(
      join(dir, "big.duckdb"),
      "SELECT count(*)::INTEGER AS n, min(strlen(alert::VARCHAR))::INTEGER AS bytes FROM cases",
    );
    expect(stored).toEqual({ n: 200, bytes: expect.any(Number) });
    expect(stored!.bytes).toBeGreaterThan(700_000);

    for (const k of [1, 2]) {
      const shard = await soceval(
        ["run", "big.suite.yaml", "--shard", `${k}/2`, "--db", `s${k}.duckdb`, "--quiet"],
        dir,
      );
      expect(shard.status, shard.stderr).toBe(0);
    }
    const merged = await soceval(["runs", "merge", "s1.duckdb", "s2.duckdb", "--db", "merged.duckdb"], dir);
    expect(merged.status, merged.stderr).toBe(0);
    const [m] = await query<{ n: number }>(join(dir, "merged.duckdb"), "SELECT count(*)::INTEGER AS n FROM cases");
    expect(m!.n).toBe(200);
  }, 120_000);

  it("is twice the dataset's 2,048 longest cases, at least 64 MB, and read from DuckDB's own notation", () => {
    expect(bulkWriteMemoryMb(0)).toBe(64);
    expect(bulkWriteMemoryMb(31 * 2 ** 20)).toBe(64);
    expect(bulkWriteMemoryMb(140 * 2 ** 20)).toBe(280);
    expect(sizeMb("18.8 GiB")).toBeCloseTo(18.8 * 1024);
    expect(sizeMb("61.0 MiB")).toBe(61);
    expect(sizeMb("488.2 KiB")).toBeCloseTo(488.2 / 1024);
    expect(sizeMb("1.5 GB")).toBeCloseTo(1.5e9 / 2 ** 20);
    expect(sizeMb("unlimited")).toBe(Number.POSITIVE_INFINITY);
  });
});
