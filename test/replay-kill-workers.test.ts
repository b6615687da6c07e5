import { spawn } from "node:child_process";
import { copyFileSync, existsSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { generateDatasets } from "../src/datasets/generate.js";
import { CLI, query, soceval } from "./helpers/cli.js";

const CASES = 6000;

describe("a playbook run in worker threads, killed", () => {
  it("with SIGKILL after its first commits, then --resume: every case stored exactly once", async () => {
    const dir = mkdtempSync(join(tmpdir(), "soceval-kill-workers-"));
    // synthetic cases, enough for a run of several batches (a batch is 2,500 cases or 2 s)
    generateDatasets({ outDir: dir, workflows: ["phishing-triage"], count: CASES });
    const wf = join(process.cwd(), "suites/phishing-triage");
    writeFileSync(
      join(dir, "kill.suite.yaml"),
      [
        "name: kill-workers",
        `workflow: ${join(wf, "workflow.yaml")}`,
        `dataset: ${join(dir, "phishing-triage/cases.jsonl")}`,
        `agents: [${join(wf, "agents/playbook.yaml")}]`,
        "seed: 11",
      ].join("\n"),
    );
    const db = join(dir, "kill.duckdb");
    const child = spawn(process.execPath, [CLI, "run", "kill.suite.yaml", "--db", db, "--workers", "1"], {
      cwd: dir,
      stdio: ["ignore", "pipe", "pipe"],
    });
    // progress lines come every 10% when stderr is not a terminal; by 80% the first batch is committed
    await new Promise<void>((resolve, reject) => {
      let err = "";
      child.stderr!.on("data", (d: Buffer) => {
        err += d.toString();
        if (/\((8|9)\d%\)/.test(err)) resolve();
      });
      child.on("exit", () => reject(new Error(`run ended before it could be killed: ${err}`)));
    });
    child.kill("SIGKILL");
    await new Promise((r) => child.once("exit", r));

    // what the killed run left: whole batches only, and not the whole run
    copyFileSync(db, join(dir, "snapshot.duckdb"));
    if (existsSync(`${db}.wal`)) copyFileSync(`${db}.wal`, join(dir, "snapshot.duckdb.wal"));
    const [left] = await query<{ n: number; results: number; status: string }>(
      join(dir, "snapshot.duckdb"),
      `SELECT count(*)::INTEGER n, (SELECT count(*)::INTEGER FROM case_results) results,
              (SELECT any_value(status) FROM runs) status FROM transcripts`,
    );
    expect(left!.n).toBeGreaterThan(0);
    expect(left!.n).toBeLessThan(CASES);
    expect(left!.results).toBe(left!.n); // no half-stored case: each transcript has its result
    expect(left!.status).toBe("running");

    const resumed = await soceval(["run", "kill.suite.yaml", "--db", db, "--resume"], dir);
    expect(resumed.status, resumed.stderr).toBe(0);
    expect(resumed.stdout).toMatch(/already stored/);
    const [all] = await query<{ n: number; d: number; results: number; runs: number; status: string }>(
      db,
      `SELECT count(*)::INTEGER n, count(DISTINCT case_id)::INTEGER d,
              (SELECT count(*)::INTEGER FROM case_results) results, (SELECT count(*)::INTEGER FROM runs) runs,
              (SELECT any_value(status) FROM runs) status FROM transcripts`,
    );
    expect(all).toEqual({ n: CASES, d: CASES, results: CASES, runs: 1, status: "finished" });
  }, 120_000);
});
