/**
 * bench/replay: N synthetic cases through every stage (stream, sandbox, playbook agent, scoring,
 * DuckDB) in a child process, reporting cases/s, wall time and peak RSS.
 * Targets (2 cores): 10,000 cases < 3 s, peak RSS < 250 MB, flat as N grows.
 */
import { execFileSync } from "node:child_process";
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync, writeSync } from "node:fs";
import { join, resolve } from "node:path";
import { RUN_MALLOC_ARENAS, RUN_NODE_FLAGS, setRunEnv } from "../bin/run-env.mjs";
import { generateDatasets } from "../src/datasets/generate.js";
import { SMALL_MEMORY } from "./small-memory.js";

export type ReplayBench = {
  n: number;
  workers: string;
  stored: boolean;
  wall_s: number;
  cases_per_s: number;
  peak_rss_mb: number;
  /** RSS once the modules are loaded and the store is open, before the run starts */
  start_rss_mb: number;
  /** how much RSS closing the store gave back: what DuckDB held at the end of the run */
  store_released_mb: number;
  /** transcripts rows the run left in the store: N when stored, 0 with --no-store */
  transcripts_stored: number;
  /** run as the README's small-memory recipe (bench/small-memory.ts) */
  small_memory: boolean;
};

/**
 * One row per (size, worker count); `workers` undefined: the runner's default. `noStore` runs every
 * stage but the DuckDB appends of per-case rows, to show what storing them costs. `smallMemory`
 * runs the child as the README's small-memory recipe (its worker count).
 */
export function benchReplay(
  sizes: number[],
  workflow = "phishing-triage",
  workerCounts: (number | undefined)[] = [undefined],
  noStore = false,
  smallMemory = false,
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
    if (!existsSync(join(dir, workflow, "cases.jsonl"))) writeCases(out, dir, workflow, n);
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
    return (smallMemory ? [SMALL_MEMORY.workers] : workerCounts).map((w) => {
      rmSync(db, { force: true });
      rmSync(`${db}.wal`, { force: true });
      const workers = w === undefined ? "default" : String(w);
      // Node's flags and the child's environment as `soceval run` has them (bin/soceval.js, bin/run-env.mjs)
      const args = [...RUN_NODE_FLAGS, ...[child, suite, db, workers, ...(noStore ? ["no-store"] : [])]];
      const env = { ...process.env };
      setRunEnv(["node", "soceval", "run"], env);
      env.MALLOC_ARENA_MAX ??= RUN_MALLOC_ARENAS; // as the script's sh line exports it

      const res = execFileSync(process.execPath, args, { encoding: "utf8", env });
      const r: ReplayBench = {
        ...JSON.parse(res.trim().split("\n").pop()!),
        workers,
        stored: !noStore,
        small_memory: smallMemory,
      };
      // a figure is only worth printing if the run did what it says: all N stored, or none
      const expected = noStore ? 0 : r.n;
      if (r.n !== n || r.transcripts_stored !== expected)
        throw new Error(
          `bench/replay: ${n} cases asked, ${r.n} replayed, ${r.transcripts_stored} transcripts stored (expected ${expected})` +
            (noStore ? ": --no-store no longer reaches the run writer (bench/replay-child.ts)" : ""),
        );
      return r;
    });
  });
}

/**
 * The generators hold a whole dataset in memory (they order cases by time), so the bench keeps
 * to 40,000 generated cases. Past that, they are written again under new case and incident ids
 * ("~2", "~3", …), line by line, so memory can be measured at any N.
 */
const GENERATED_MAX = 40_000;

function writeCases(out: string, dir: string, workflow: string, n: number): void {
  if (n <= GENERATED_MAX) {
    generateDatasets({ outDir: dir, workflows: [workflow], count: n });
    return;
  }
  const baseDir = join(out, `replay-${workflow}-${GENERATED_MAX}`);
  const baseFile = join(baseDir, workflow, "cases.jsonl");
  if (!existsSync(baseFile)) generateDatasets({ outDir: baseDir, workflows: [workflow], count: GENERATED_MAX });
  const base = readFileSync(baseFile);
  mkdirSync(join(dir, workflow), { recursive: true });
  const fd = openSync(join(dir, workflow, "cases.jsonl"), "w");
  try {
    let written = 0;
    for (let copy = 1; written < n; copy++) {
      for (let start = 0; start < base.length && written < n; ) {
        const end = base.indexOf(10, start);
        const line = base.toString("utf8", start, end === -1 ? base.length : end);
        start = end === -1 ? base.length : end + 1;
        if (!line.trim()) continue;
        const renamed =
          copy === 1
            ? line
            : line
                .replace(/^\{"id":"([^"]+)"/, `{"id":"$1~${copy}"`)
                .replace(/"incident_id":"([^"]+)"/, `"incident_id":"$1~${copy}"`);
        writeSync(fd, `${renamed}\n`);
        written++;
      }
    }
  } finally {
    closeSync(fd);
  }
}
