import { mkdtempSync, readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { soceval } from "./helpers/cli.js";

// Number() read `1e3` as 1000, `0x10` as 16 and `` as 0: a CI variable that expanded to one of those
// replayed a run of a size nobody wrote (`--limit 1e1` replayed 10 cases, `--workers ''` the main thread)
const POSITIVE = "a positive integer";
const WHOLE = "a whole number";

describe.concurrent("a count flag takes decimal digits only, on every command", () => {
  it.each([
    [["run", "s.yaml"], "--concurrency", "1e3", POSITIVE],
    [["run", "s.yaml"], "--epochs", "0x2", POSITIVE],
    [["run", "s.yaml"], "--limit", "1e1", POSITIVE],
    [["run", "s.yaml"], "--limit", " 5", POSITIVE],
    [["run", "s.yaml"], "--workers", "", WHOLE],
    [["run", "s.yaml"], "--workers", "0b1", WHOLE],
    [["gate", "s.yaml", "--baseline", "main"], "--concurrency", "2e0", POSITIVE],
    [["gate", "s.yaml", "--baseline", "main"], "--epochs", "+1", POSITIVE],
    [["show", "c-1"], "--epoch", "1e0", WHOLE],
    [["show", "c-1"], "--epoch", "", WHOLE],
    [["cases", "--run", "latest", "--rate", "verdict_agreement"], "--epoch", "0x0", WHOLE],
    [["dataset", "validate", "cases.jsonl"], "--max-errors", "1e1", WHOLE],
    [["dataset", "generate", "--out", "g"], "--seed", "0x10", WHOLE],
    [["dataset", "generate", "--out", "g"], "--count", "1.0", POSITIVE],
    [["dataset", "generate", "--out", "g"], "--count", "0", POSITIVE],
  ])(
    "soceval %j %s %j: exit 2, naming the flag and the value, nothing written",
    async (args, flag, value, expected) => {
      const cwd = mkdtempSync(join(tmpdir(), "soceval-count-"));
      const r = await soceval([...args, flag, value], cwd);
      expect(r.status, r.stderr).toBe(2);
      expect(r.stderr).toBe(`soceval: ${flag}: expected ${expected}, got "${value}"\n`);
      // no store (.soceval/) and no generated folder
      expect(readdirSync(cwd)).toEqual([]);
    },
  );

  it.each([
    [["run", "s.yaml"], "--epochs", "3000000000", "2147483647"],
    // the store held it as a BIGINT parameter: "runtime failure: bigint out of int64 range", exit 3
    [["cases", "--run", "latest", "--rate", "verdict_agreement"], "--epoch", "99999999999999999999", "2147483647"],
    [["dataset", "generate", "--out", "g"], "--seed", "99999999999999999999", "9007199254740991"],
  ])("soceval %j %s %s: past the range it is refused, naming the bound", async (args, flag, value, max) => {
    const cwd = mkdtempSync(join(tmpdir(), "soceval-count-"));
    const r = await soceval([...args, flag, value], cwd);
    expect(r.status, r.stderr).toBe(2);
    expect(r.stderr).toBe(`soceval: ${flag}: expected at most ${max}, got "${value}"\n`);
    expect(readdirSync(cwd)).toEqual([]);
  });

  it("run --shard past 32 bits is refused: its stored label would read as another slice", async () => {
    const cwd = mkdtempSync(join(tmpdir(), "soceval-count-"));
    const r = await soceval(["run", "s.yaml", "--shard", "1/99999999999"], cwd);
    expect(r.status).toBe(2);
    expect(r.stderr).toBe('soceval: --shard: expected n at most 2147483647, got "1/99999999999"\n');
  });
});
