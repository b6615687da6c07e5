import { cpSync, mkdtempSync, truncateSync, writeFileSync } from "node:fs";
import { availableParallelism, tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { defaultWorkers } from "../src/replay/runner.js";
import { soceval } from "./helpers/cli.js";

const dir = mkdtempSync(join(tmpdir(), "soceval-workers-"));
const file = (name: string, bytes: number) => {
  const f = join(dir, name);
  writeFileSync(f, "");
  truncateSync(f, bytes); // sparse: only its size matters here
  return { datasetFile: f };
};
const threads = Math.max(1, Math.min(4, availableParallelism() - 1));

describe("default replay workers for the playbook agent", () => {
  it("keeps a small replay on the main thread, where a worker's start-up costs more than it saves", () => {
    expect(defaultWorkers(file("small.jsonl", 4_000_000), undefined, 1)).toBe(0);
    // a big dataset, but --limit makes the replay small
    expect(defaultWorkers(file("big.jsonl", 100_000_000), 50, 1)).toBe(0);
    expect(defaultWorkers({ datasetFile: join(dir, "missing.jsonl") }, undefined, 1)).toBe(0);
  });

  it("uses worker threads once the work is large: by dataset size, agents and epochs", () => {
    expect(defaultWorkers(file("big2.jsonl", 100_000_000), undefined, 1)).toBe(threads);
    expect(defaultWorkers(file("big3.jsonl", 100_000_000), 5000, 1)).toBe(threads);
    // 4 MB of cases replayed in 5 epochs is 20 MB of work
    expect(defaultWorkers(file("small2.jsonl", 4_000_000), undefined, 5)).toBe(threads);
  });

  it("keeps a case of more than 10,000 investigations on the main thread: a worker answers with all of them at once", () => {
    expect(defaultWorkers(file("big4.jsonl", 100_000_000), undefined, 10_000)).toBe(threads);
    expect(defaultWorkers(file("big5.jsonl", 100_000_000), undefined, 10_001)).toBe(0);
    expect(defaultWorkers(file("big6.jsonl", 100_000_000), 1, 200_000)).toBe(0);
  });
});

describe("--workers above the machine's cores", () => {
  it("replays on one thread per core, and says so: 1000 threads took 14 GB on 2 cores and never finished", async () => {
    const suiteDir = mkdtempSync(join(tmpdir(), "soceval-many-workers-"));
    cpSync("test/fixtures/mini", suiteDir, { recursive: true });
    const cores = availableParallelism();
    const r = await soceval(
      ["run", "suite.yaml", "--workers", String(cores + 3), "--db", "s.duckdb", "--quiet"],
      suiteDir,
    );
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toContain(
      `soceval: --workers ${cores + 3}: this machine has ${cores} core${cores === 1 ? "" : "s"}; replaying in ${cores} worker thread${cores === 1 ? "" : "s"}\n`,
    );
    const same = await soceval(
      ["run", "suite.yaml", "--workers", String(cores), "--db", "s.duckdb", "--quiet"],
      suiteDir,
    );
    expect(same.status, same.stderr).toBe(0);
    expect(same.stderr).not.toContain("--workers");
  }, 60_000);
});
