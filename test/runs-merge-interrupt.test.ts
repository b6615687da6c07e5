import { cpSync, existsSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { query, soceval } from "./helpers/cli.js";
import { holds, type Interrupted, interruptWhen } from "./helpers/interrupt.js";

/**
 * `runs merge` stopped by Ctrl-C or a cancelled CI job (SIGTERM) ended silently with exit 130, and left
 * the new --db it had created: a file `report` then read as "no runs", or as "not a soceval store", and
 * a full DuckDB spill folder (`<db>.tmp`) that no later command empties.
 */
const dir = mkdtempSync(join(tmpdir(), "soceval-merge-interrupt-"));
cpSync("test/fixtures/mini", dir, { recursive: true });
const shards = [1, 2].map((i) => join(dir, `shard${i}.duckdb`));

beforeAll(async () => {
  // 12,000 results a shard: the merge takes long enough for a signal to land half-way
  for (const [i, db] of shards.entries()) {
    const r = await soceval(
      ["run", "suite.yaml", "--shard", `${i + 1}/2`, "--epochs", "600", "--db", db, "--quiet"],
      dir,
    );
    expect(r.status, r.stderr).toBe(0);
  }
}, 120_000);

/** Start `runs merge` into `db`; send `signal` once the merge holds the store open. */
function interruptMerge(db: string, signal: NodeJS.Signals): Promise<Interrupted> {
  return interruptWhen(["runs", "merge", ...shards, "--db", db], dir, (pid) => holds(pid, db), signal);
}

describe("runs merge, interrupted", () => {
  it("into a new --db: one line, exit 3, and neither the store nor its folder is left", async () => {
    const db = join(dir, "merged", "m.duckdb");
    const r = await interruptMerge(db, "SIGINT");
    expect(r.sent).toBe(true);
    expect(r.code, r.stderr).toBe(3);
    expect(r.stderr).toBe(
      `\nsoceval: runs merge interrupted (SIGINT); nothing was merged; the new store ${db} was removed\n`,
    );
    expect(existsSync(join(dir, "merged"))).toBe(false);
    // and the merge, run again, is whole
    const again = await soceval(["runs", "merge", ...shards, "--db", db], dir);
    expect(again.status, again.stderr).toBe(0);
  }, 60_000);

  it("into a store that holds a run: that run stays, alone, and no spill folder is left beside it", async () => {
    const db = join(dir, "kept.duckdb");
    const first = await soceval(["run", "suite.yaml", "--db", db, "--quiet"], dir);
    expect(first.status, first.stderr).toBe(0);
    const before = await query(db, "SELECT run_id, status FROM runs");
    const r = await interruptMerge(db, "SIGTERM");
    expect(r.sent).toBe(true);
    expect(r.code, r.stderr).toBe(3);
    expect(r.stderr).toBe("\nsoceval: runs merge interrupted (SIGTERM); nothing was merged\n");
    expect(await query(db, "SELECT run_id, status FROM runs")).toEqual(before);
    expect(existsSync(`${db}.tmp`)).toBe(false);
  }, 60_000);
});
