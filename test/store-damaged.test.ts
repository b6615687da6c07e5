import { spawnSync } from "node:child_process";
import {
  closeSync,
  copyFileSync,
  cpSync,
  existsSync,
  mkdtempSync,
  openSync,
  readFileSync,
  statSync,
  writeSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { Store } from "../src/store/db.js";
import { CLI, soceval } from "./helpers/cli.js";

const dir = mkdtempSync(join(tmpdir(), "soceval-damaged-"));
cpSync("test/fixtures/mini", dir, { recursive: true });
const shard = (i: number) => join(dir, `shard${i}.duckdb`);

// DuckDB's file: a 12 KB header, then blocks of 256 KB
const HEADER = 12_288;
const BLOCK = 262_144;

/** Whether `file` opens and lists its runs, yet fails to read every row of case_results. */
async function opensButFailsLater(file: string): Promise<boolean> {
  let store: Store;
  try {
    store = await Store.open(file, { readOnly: true });
  } catch {
    return false;
  }
  try {
    await store.query("SELECT * FROM runs");
    await store.query("SELECT * FROM case_results");
    return false;
  } catch {
    return true;
  } finally {
    store.close();
  }
}

/**
 * A copy of `file` with one block overwritten: a block that opening the store does not read, and
 * reading its results does, so the damage is found half-way through a command.
 */
async function damagedCopy(file: string): Promise<string> {
  const copy = file.replace(/\.duckdb$/, "-damaged.duckdb");
  const blocks = Math.floor((statSync(file).size - HEADER) / BLOCK);
  for (let b = 0; b < blocks; b++) {
    copyFileSync(file, copy);
    const fd = openSync(copy, "r+");
    writeSync(fd, Buffer.alloc(4096, 0xa5), 0, 4096, HEADER + b * BLOCK + 1024);
    closeSync(fd);
    if (await opensButFailsLater(copy)) return copy;
  }
  throw new Error(`no block of ${file} is read only by a query`);
}

beforeAll(async () => {
  for (const i of [1, 2]) {
    const r = await soceval(["run", "suite.yaml", "--shard", `${i}/2`, "--db", shard(i), "--quiet"], dir);
    expect(r.status, r.stderr).toBe(0);
  }
}, 60_000);

describe("a store whose damage a query finds, not the open", () => {
  it("is bad input naming the file, as a damaged file found at open is, not an unnamed runtime failure", async () => {
    const damaged = await damagedCopy(shard(1));
    const out = join(dir, "x.jsonl");
    const r = await soceval(
      ["export", "--run", "latest", "--table", "case_results", "--db", damaged, "--out", out],
      dir,
    );
    expect(r.status, r.stderr).toBe(2);
    expect(r.stderr).toMatch(/^soceval: \S+: a damaged DuckDB file \(IO Error: .+\); restore it from a copy\n$/);
    expect(r.stderr.startsWith(`soceval: ${damaged}: `)).toBe(true);
  });

  it("in a merge, names the store it writes and every shard it was reading", async () => {
    const damaged = await damagedCopy(shard(2));
    const merged = join(dir, "merged.duckdb");
    const r = await soceval(["runs", "merge", shard(1), damaged, "--db", merged], dir);
    expect(r.status, r.stderr).toBe(2);
    expect(r.stderr.startsWith(`soceval: one of ${merged}, ${shard(1)}, ${damaged}: a damaged DuckDB file (`)).toBe(
      true,
    );
  });
});

describe("a report over a store damaged in any one block", () => {
  it("exits 2 naming the damage, or 0 where no query reads that block: never a crash or a hang", () => {
    const file = shard(1);
    const blocks = Math.floor((statSync(file).size - HEADER) / BLOCK);
    const outcomes: string[] = [];
    for (let b = 0; b < blocks; b++) {
      const copy = join(dir, `report-damaged-${b}.duckdb`);
      copyFileSync(file, copy);
      const fd = openSync(copy, "r+");
      writeSync(fd, Buffer.alloc(4096, 0xa5), 0, 4096, HEADER + b * BLOCK + 1024);
      closeSync(fd);
      // the report's queries run at once: one that failed on the damage closed the store under the
      // others, and DuckDB then aborted, segfaulted or never exited
      const r = spawnSync(
        process.execPath,
        [CLI, "report", "--run", "latest", "--db", copy, "--out", join(dir, `report-${b}.html`)],
        { cwd: dir, encoding: "utf8", timeout: 60_000 },
      );
      outcomes.push(`block ${b}: exit ${r.status} ${r.signal ?? ""} ${r.stderr}`);
      expect([0, 2], outcomes.join("\n")).toContain(r.status);
      if (r.status === 2)
        expect(r.stderr).toMatch(/^soceval: \S+: (a damaged DuckDB file|cannot open the DuckDB store) \(IO Error: /);
    }
    expect(outcomes.filter((o) => o.includes("a damaged DuckDB file")).length, outcomes.join("\n")).toBeGreaterThan(0);
  }, 300_000);
});

describe("a run into a store damaged in any one block", () => {
  it("exits 2 and leaves the file as it found it (no run marked failed, no .wal), or stores the run whole", () => {
    const file = shard(1);
    const blocks = Math.floor((statSync(file).size - HEADER) / BLOCK);
    const outcomes: string[] = [];
    for (let b = 0; b < blocks; b++) {
      const copy = join(dir, `run-damaged-${b}.duckdb`);
      copyFileSync(file, copy);
      const fd = openSync(copy, "r+");
      writeSync(fd, Buffer.alloc(4096, 0xa5), 0, 4096, HEADER + b * BLOCK + 1024);
      closeSync(fd);
      const found = readFileSync(copy);
      const r = spawnSync(process.execPath, [CLI, "run", "suite.yaml", "--db", copy, "--quiet"], {
        cwd: dir,
        encoding: "utf8",
        timeout: 60_000,
      });
      outcomes.push(`block ${b}: exit ${r.status} ${r.signal ?? ""} ${r.stderr}`);
      expect([0, 2], outcomes.join("\n")).toContain(r.status);
      if (r.status !== 2) continue;
      // found half-way, the run's rows and its "failed" mark were left in a write-ahead log beside it
      expect(r.stderr).toMatch(/^soceval: \S+: (a damaged DuckDB file|cannot open the DuckDB store) \(/);
      expect(existsSync(`${copy}.wal`), outcomes.join("\n")).toBe(false);
      expect(readFileSync(copy).equals(found), `block ${b}: the file changed`).toBe(true);
    }
    const undone = outcomes.filter((o) => o.includes(`nothing of this run was stored; `));
    expect(undone.length, outcomes.join("\n")).toBeGreaterThan(0);
  }, 300_000);
});
