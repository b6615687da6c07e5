import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { RuntimeFailure } from "../io/errors.js";
import { Store } from "./db.js";
import { encodeScored, type ScoredTranscript } from "./encode.js";
import { type RunMeta, RunWriter } from "./run-writer.js";

const meta = (run_id: string): RunMeta => ({
  run_id,
  suite: "s",
  suite_path: null,
  workflow: "w",
  workflow_version: "1",
  dataset: "d.jsonl",
  dataset_hash: "h",
  agents: [],
  git_revision: null,
  seed: 1,
  epochs: 1,
  shard: null,
  kind: "replay",
});

const scored = (caseId: string): ScoredTranscript =>
  ({
    case: { id: caseId, workflow: "w", tags: [], alert: {}, evidence: [], unavailable: [] },
    transcript: { case_id: caseId, agent: "a", epoch: 0, steps: [], output: null, error: null },
    result: { case_id: caseId, agent: "a", epoch: 0, workflow: "w" },
    findings: [],
  }) as unknown as ScoredTranscript;

describe("RunWriter", () => {
  it("refuses to finish a run that stored a (case, agent, epoch) twice, and marks it failed", async () => {
    const store = await Store.open(join(mkdtempSync(join(tmpdir(), "soceval-writer-")), "w.duckdb"));
    try {
      const w = await RunWriter.begin(store, meta("r-dup"), {});
      w.add(scored("c1"));
      await w.flush();
      // a resume bug would look like this: the same key arriving again in a later batch
      w.addEncoded(encodeScored(scored("c1"), "r-dup", {}));
      const err = await w.finish("finished", 1).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(RuntimeFailure);
      expect(String(err)).toMatch(/1 transcripts rows repeat/);
      const [run] = await store.query<{ status: string }>("SELECT status FROM runs WHERE run_id = 'r-dup'");
      expect(run!.status).toBe("failed");
    } finally {
      store.close();
    }
  });

  it("bounds DuckDB's memory while a run writes, and gives the defaults back when it ends", async () => {
    const store = await Store.open(join(mkdtempSync(join(tmpdir(), "soceval-writer-")), "w.duckdb"));
    const limit = async () => (await store.query<{ v: string }>("SELECT current_setting('memory_limit') AS v"))[0]!.v;
    try {
      const before = await limit();
      const w = await RunWriter.begin(store, meta("r-ok"), {});
      const [t] = await store.query<{ n: number }>("SELECT current_setting('threads')::INTEGER AS n");
      const mb = Math.max(128, 64 * t!.n); // 64 MB per DuckDB thread, at least 128
      expect(await limit()).toMatch(/ MiB$/);
      expect(Number.parseFloat(await limit())).toBeCloseTo((mb * 1e6) / 2 ** 20, 0);
      w.add(scored("c1"));
      w.add(scored("c2"));
      await w.finish("finished", 2);
      expect(await limit()).toBe(before);
      const [n] = await store.query<{ n: number }>("SELECT count(*) AS n FROM transcripts WHERE run_id = 'r-ok'");
      expect(n!.n).toBe(2);
    } finally {
      store.close();
    }
  });
});
