import { cpSync, existsSync, mkdtempSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { query, soceval } from "./helpers/cli.js";
import { type Interrupted, interruptWhen } from "./helpers/interrupt.js";

/**
 * `soceval score` stopped by Ctrl-C or a cancelled CI job (SIGTERM) ended silently with exit 130 and
 * left the store it had created, or a half-imported run that `runs list` showed as stopped. An import
 * is not resumed but scored again, so a signal removes what it stored.
 */
const dir = mkdtempSync(join(tmpdir(), "soceval-score-interrupt-"));
cpSync("test/fixtures/mini", dir, { recursive: true });
const transcripts = join(dir, "transcripts.jsonl");
const scoreArgs = [
  ...["score", "--workflow", "workflow.yaml", "--dataset", "cases.jsonl", "--transcripts", transcripts],
  ...["--agent", "vendor-x"],
];

beforeAll(async () => {
  // 12,000 investigations: stored in batches of 250, so a signal lands with some committed
  const replayed = join(dir, "replayed.duckdb");
  const run = await soceval(["run", "suite.yaml", "--epochs", "300", "--db", replayed, "--quiet"], dir);
  expect(run.status, run.stderr).toBe(0);
  const exported = await soceval(["export", "--run", "latest", "--out", transcripts, "--db", replayed], dir);
  expect(exported.status, exported.stderr).toBe(0);
}, 120_000);

/** Start `score` into `db`; SIGINT once its write-ahead log holds more than `walBytes` of committed batches. */
function interruptScore(db: string, walBytes: number): Promise<Interrupted> {
  const wal = `${db}.wal`;
  return interruptWhen([...scoreArgs, "--db", db], dir, () => existsSync(wal) && statSync(wal).size > walBytes);
}

const LINE = "soceval: score interrupted (SIGINT); nothing was stored, score the transcripts again\n";

describe("score, interrupted half-way", () => {
  it("into a new --db: exit 3, one line, and the store it created is gone", async () => {
    const db = join(dir, "new", "s.duckdb");
    const r = await interruptScore(db, 300_000);
    expect(r.sent).toBe(true);
    expect(r.code, r.stderr).toBe(3);
    expect(r.stderr).toBe(LINE);
    expect(existsSync(join(dir, "new"))).toBe(false);
  }, 60_000);

  it("into a store that holds a run: that run stays, and no part of the import", async () => {
    const db = join(dir, "kept.duckdb");
    const first = await soceval(["run", "suite.yaml", "--db", db, "--quiet"], dir);
    expect(first.status, first.stderr).toBe(0);
    const before = await query(db, "SELECT run_id, status FROM runs");
    const r = await interruptScore(db, 300_000);
    expect(r.sent).toBe(true);
    expect(r.code, r.stderr).toBe(3);
    expect(r.stderr).toBe(LINE);
    expect(await query(db, "SELECT run_id, status FROM runs")).toEqual(before);
    expect(await query(db, "SELECT count(*)::INTEGER AS n FROM case_results WHERE agent = 'vendor-x'")).toEqual([
      { n: 0 },
    ]);
  }, 60_000);
});
