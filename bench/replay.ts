/**
 * bench/replay: N synthetic cases through every stage (stream, sandbox, playbook agent, scoring,
 * DuckDB) in a child process, reporting cases/s, wall time and peak RSS.
 * Targets (2 cores): 10,000 cases < 3 s, peak RSS < 250 MB, flat as N grows.
 */
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { generateDatasets } from "../src/datasets/generate.js";

export type ReplayBench = { n: number; workers: string; wall_s: number; cases_per_s: number; peak_rss_mb: number };

/** One row per (size, worker count); `workers` undefined: the runner's default. */
export function benchReplay(
  sizes: number[],
  workflow = "phishing-triage",
  workerCounts: (number | undefined)[] = [undefined],
): ReplayBench[] {
  const out = resolve("bench/out");
  mkdirSync(out, { recursive: true });
  // compiled like dist/ (scripts/build.mjs), so the child runs what `soceval run` runs, without tsx
  execFileSync(
    process.execPath,
    [
      "scripts/build.mjs",
      ...["--entry", "bench/replay-child.ts", "--name", "replay-child", "--outdir", join(out, "replay-child")],
    ],
    { stdio: "pipe" },
  );
  const child = join(out, "replay-child", "replay-child.mjs");
  return sizes.flatMap((n) => {
    const dir = join(out, `replay-${workflow}-${n}`);
    if (!existsSync(join(dir, workflow, "cases.jsonl")))
      generateDatasets({ outDir: dir, workflows: [workflow], count: n });
    const suite = join(dir, "bench.suite.yaml");
    const wfDir = resolve("suites", workflow);
    writeFileSync(
      suite,
      [
        `name: bench-${n}`,
        `workflow: ${join(wfDir, "workflow.yaml")}`,
        `dataset: ${join(dir, workflow, "cases.jsonl")}`,
        `agents: [${join(wfDir, "agents/playbook.yaml")}]`,
        "concurrency: 8",
        "seed: 1",
        "faults: []",
      ].join("\n"),
    );
    const db = join(dir, "bench.duckdb");
    return workerCounts.map((w) => {
      rmSync(db, { force: true });
      rmSync(`${db}.wal`, { force: true });
      const args = [child, suite, db, ...(w === undefined ? [] : [String(w)])];
      const res = execFileSync(process.execPath, args, { encoding: "utf8" });
      return { ...JSON.parse(res.trim().split("\n").pop()!), workers: w === undefined ? "default" : String(w) };
    });
  });
}
