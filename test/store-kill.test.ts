import { type ChildProcess, spawn } from "node:child_process";
import { copyFileSync, existsSync, mkdtempSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { RUN_TABLES } from "../src/store/tables.js";
import { CLI, query, soceval } from "./helpers/cli.js";

// a real run of a bundled suite, big enough (2,560 investigations) that scoring or re-scoring it
// commits several times before it ends, so a kill can land half-way
const SUITE = resolve("suites/phishing-triage/shadow.suite.yaml");
const WORKFLOW = resolve("suites/phishing-triage/workflow.yaml");
const DATASET = resolve("datasets/phishing-triage/cases.jsonl");
const dir = mkdtempSync(join(tmpdir(), "soceval-store-kill-"));
const replayed = join(dir, "replayed.duckdb");
const transcripts = join(dir, "transcripts.jsonl");

beforeAll(async () => {
  const run = await soceval(["run", SUITE, "--epochs", "8", "--db", replayed, "--quiet"], dir);
  expect(run.status, run.stderr).toBe(0);
  const exported = await soceval(["export", "--run", "latest", "--out", transcripts, "--db", replayed], dir);
  expect(exported.status, exported.stderr).toBe(0);
}, 120_000);

/**
 * Start a command and SIGKILL it once its store's write-ahead log passes `walBytes`: it has
 * committed that much and is still going. Resolves with whether the kill landed before it ended.
 */
function killOnceWritten(args: string[], db: string, walBytes: number): Promise<boolean> {
  const child: ChildProcess = spawn(process.execPath, [CLI, ...args, "--db", db], {
    cwd: dir,
    stdio: ["ignore", "ignore", "pipe"],
  });
  return new Promise((done) => {
    let killed = false;
    const poll = setInterval(() => {
      if (existsSync(`${db}.wal`) && statSync(`${db}.wal`).size > walBytes) {
        killed = child.kill("SIGKILL");
        clearInterval(poll);
      }
    }, 10);
    child.once("exit", () => {
      clearInterval(poll);
      done(killed);
    });
  });
}

const scoreArgs = ["score", "--workflow", WORKFLOW, "--dataset", DATASET, "--transcripts", transcripts];

describe("a command killed with SIGKILL part-way leaves a store that tells the truth", () => {
  it("score: the stopped import is named as one to score again, with the command, not sent to `run --resume`", async () => {
    const db = join(dir, "score.duckdb");
    // two batches of 250 scored investigations are about 2 MB of log; the file holds ten
    expect(await killOnceWritten([...scoreArgs, "--agent", "vendor-x"], db, 2_000_000)).toBe(true);
    const [stopped] = await query<{ run_id: string; status: string; n: number }>(
      db,
      "SELECT run_id, status, (SELECT count(*) FROM case_results c WHERE c.run_id = r.run_id)::INTEGER AS n FROM runs r",
    );
    expect(stopped!.status).toBe("running");
    expect(stopped!.n).toBeGreaterThan(0);
    expect(stopped!.n).toBeLessThan(2560);

    const list = await soceval(["runs", "list", "--db", db], dir);
    expect(list.status, list.stderr).toBe(0);
    expect(list.stdout).toContain("stopped*");
    expect(list.stdout).toContain("an import (`soceval score`) cannot be resumed: score its transcripts again");
    expect(list.stdout).not.toContain("soceval run <suite> --resume");
    const again = `soceval score --workflow ${WORKFLOW} --dataset ${DATASET} --transcripts ${transcripts} --agent vendor-x --db ${db}`;
    expect(list.stdout).toContain(`  ${again}   (then: soceval runs delete ${stopped!.run_id} --db ${db})`);

    // what it says to do works: the import scored whole, the stopped one gone
    const rescored = await soceval([...scoreArgs, "--agent", "vendor-x", "--db", db], dir);
    expect(rescored.status, rescored.stderr).toBe(0);
    expect((await soceval(["runs", "delete", stopped!.run_id, "--db", db], dir)).status).toBe(0);
    const after = await query<{ status: string; n: number }>(
      db,
      "SELECT status, (SELECT count(*) FROM case_results c WHERE c.run_id = r.run_id)::INTEGER AS n FROM runs r",
    );
    expect(after).toEqual([{ status: "finished", n: 2560 }]);
  }, 120_000);

  it("rescore: the run keeps its results whole, and no row is left under a run the store does not hold", async () => {
    const db = join(dir, "rescore.duckdb");
    copyFileSync(replayed, db);
    const rows = async () =>
      query<{ t: string; run_id: string; n: number }>(
        db,
        `SELECT 'case_results' AS t, run_id, count(*)::INTEGER AS n FROM case_results GROUP BY run_id
         UNION ALL SELECT 'findings', run_id, count(*)::INTEGER FROM findings GROUP BY run_id ORDER BY 1, 2`,
      );
    const before = await rows();
    const [run] = await query<{ run_id: string }>(db, "SELECT run_id FROM runs");
    expect(before.map((r) => r.run_id)).toEqual([run!.run_id, run!.run_id]);
    // killed once it has written anything: while it scores, or while it swaps the new rows in
    await killOnceWritten(["rescore", "--run", "latest"], db, 50_000);
    // the same scorers score the same transcripts alike: whether the swap landed or not, the same rows
    expect(await rows()).toEqual(before);
    // and the store takes the next rescore as usual
    const r = await soceval(["rescore", "--run", "latest", "--db", db], dir);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain("nothing changed");
    expect(await rows()).toEqual(before);
  }, 120_000);

  /** Rows per table of each run the store holds, and the runs' states: what a kill must leave whole or not at all. */
  const perRun = (db: string) =>
    query<{ run_id: string; status: string; rows: string }>(
      db,
      `SELECT run_id, status, concat_ws(' ', ${RUN_TABLES.filter((t) => t !== "runs" && t !== "run_agents")
        .map((t) => `(SELECT count(*) FROM ${t} x WHERE x.run_id = r.run_id)`)
        .join(", ")}) AS rows FROM runs r ORDER BY run_id`,
    );

  it("runs merge and runs delete: the run is there whole, or not at all", async () => {
    for (const i of [1, 2]) {
      const r = await soceval(
        ["run", SUITE, "--epochs", "8", "--shard", `${i}/2`, "--db", join(dir, `s${i}.duckdb`), "--quiet"],
        dir,
      );
      expect(r.status, r.stderr).toBe(0);
    }
    const whole = (await perRun(replayed))[0]!.rows;
    const merged = join(dir, "merged.duckdb");
    copyFileSync(replayed, merged);
    // a merge commits once, at its end: killed while it writes that commit
    await killOnceWritten(["runs", "merge", join(dir, "s1.duckdb"), join(dir, "s2.duckdb")], merged, 10_000);
    const afterMerge = await perRun(merged);
    expect(afterMerge[0]).toMatchObject({ status: "finished", rows: whole });
    // the merged run, if it landed, holds what the unsharded run does
    for (const r of afterMerge.slice(1)) expect(r).toMatchObject({ status: "finished", rows: whole });

    const deleted = join(dir, "deleted.duckdb");
    copyFileSync(replayed, deleted);
    await killOnceWritten(["runs", "delete", "latest"], deleted, 1_000);
    const afterDelete = await perRun(deleted);
    expect(afterDelete.length === 0 || afterDelete[0]!.rows === whole, JSON.stringify(afterDelete)).toBe(true);
    const rest = await query<{ n: number }>(
      deleted,
      `SELECT (${RUN_TABLES.map((t) => `(SELECT count(*) FROM ${t})`).join(" + ")})::INTEGER AS n`,
    );
    if (afterDelete.length === 0) expect(rest[0]!.n).toBe(0);
  }, 120_000);
});
