import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { RuntimeFailure } from "../io/errors.js";
import { BULK_WRITE_CHECKPOINT_MB } from "./bulk-writes.js";
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

  it("forgets only provider failures for a retry: an agent's own limit stays its result", async () => {
    const store = await Store.open(":memory:");
    try {
      const w = await RunWriter.begin(store, meta("r-retry"), {});
      // each investigation paid for one model call
      const call = {
        type: "model_call",
        model: "m",
        tokens_in: 100,
        tokens_out: 10,
        latency_ms: 5,
        attempts: 3,
      } as const;
      const withError = (caseId: string, error: string | null) => {
        const s = scored(caseId);
        return { ...s, transcript: { ...s.transcript, error, steps: [{ ...call, cost_usd: 0.01 }] } };
      };
      w.add(withError("c1", "provider: openai-compatible: HTTP 500: overloaded"));
      w.add(withError("c2", "limit: no triage output within max_steps 8"));
      w.add(withError("c3", null));
      w.add(withError("c4", "interrupted"));
      await w.finish("finished", 4);
      expect(await RunWriter.forgetProviderFailures(store, "r-retry")).toBe(2);
      expect([...(await RunWriter.storedKeys(store, "r-retry"))].map((k) => k.split("\u0000")[0]).sort()).toEqual([
        "c2",
        "c3",
      ]);
      const [left] = await store.query<{ results: number; cases: number }>(
        "SELECT (SELECT count(*) FROM case_results) AS results, (SELECT count(*) FROM cases) AS cases",
      );
      expect(left).toEqual({ results: 2, cases: 4 }); // case rows stay: the retry adds none twice
      // what the forgotten investigations' model calls cost is kept, apart
      const calls = await store.query<{ t: string; case_id: string; cost: number }>(
        `SELECT 'now' AS t, case_id, cost_usd AS cost FROM model_calls
         UNION ALL SELECT 'replaced', case_id, cost_usd FROM replaced_model_calls WHERE replaced_at IS NOT NULL
         ORDER BY 1, 2`,
      );
      expect(calls).toEqual([
        { t: "now", case_id: "c2", cost: 0.01 },
        { t: "now", case_id: "c3", cost: 0.01 },
        { t: "replaced", case_id: "c1", cost: 0.01 },
        { t: "replaced", case_id: "c4", cost: 0.01 },
      ]);
    } finally {
      store.close();
    }
  });

  it("opens a store from before findings carried their step or runs their shards, adds the columns, and writes runs into it", async () => {
    const file = join(mkdtempSync(join(tmpdir(), "soceval-writer-")), "old.duckdb");
    const { DuckDBInstance } = await import("@duckdb/node-api");
    const old = await DuckDBInstance.create(file);
    const conn = await old.connect();
    await conn.run(
      `CREATE TABLE findings (run_id VARCHAR, case_id VARCHAR, agent VARCHAR, epoch INTEGER, seq INTEGER,
         scorer VARCHAR, kind VARCHAR, severity VARCHAR, detail VARCHAR, evidence_id VARCHAR, action VARCHAR)`,
    );
    await conn.run(
      `CREATE TABLE runs (run_id VARCHAR PRIMARY KEY, suite VARCHAR, suite_path VARCHAR, workflow VARCHAR,
         workflow_version VARCHAR, dataset VARCHAR, dataset_hash VARCHAR, agents VARCHAR[], agent_hashes JSON,
         git_revision VARCHAR, seed INTEGER, epochs INTEGER, shard VARCHAR, kind VARCHAR, started_at TIMESTAMP,
         finished_at TIMESTAMP, status VARCHAR, cases_total INTEGER)`,
    );
    conn.closeSync();
    old.closeSync();
    const store = await Store.open(file);
    try {
      const w = await RunWriter.begin(store, meta("r-old"), {});
      const s = scored("c1");
      w.add({
        ...s,
        findings: [{ scorer: "operations", kind: "tool_error", severity: "low", detail: "x timed out", step: 3 }],
      });
      await w.finish("finished", 1);
      const rows = await store.query<{ kind: string; step: number }>("SELECT kind, step FROM findings");
      expect(rows).toEqual([{ kind: "tool_error", step: 3 }]);
      const runs = await store.query("SELECT run_id, status, merged_from FROM runs");
      expect(runs).toEqual([{ run_id: "r-old", status: "finished", merged_from: null }]);
    } finally {
      store.close();
    }
  });

  it("bounds DuckDB's memory and its uncheckpointed WAL while a run writes, and gives both back when it ends", async () => {
    const store = await Store.open(join(mkdtempSync(join(tmpdir(), "soceval-writer-")), "w.duckdb"));
    const setting = async (name: string) =>
      (await store.query<{ v: string }>(`SELECT current_setting('${name}')::VARCHAR AS v`))[0]!.v;
    try {
      const before = await setting("memory_limit");
      const threshold = await setting("checkpoint_threshold");
      // a dataset whose 2,048 longest cases hold 100 MiB: twice that, above the 64 MiB floor
      const w = await RunWriter.begin(store, meta("r-ok"), {}, false, 100 * 2 ** 20);
      expect(await setting("memory_limit")).toBe("200.0 MiB");
      // every batch's commit checkpoints, so no committed batch waits in memory uncompressed
      expect(await setting("checkpoint_threshold")).toBe(`${BULK_WRITE_CHECKPOINT_MB}.0 MiB`);
      expect(threshold).not.toBe(`${BULK_WRITE_CHECKPOINT_MB}.0 MiB`);
      w.add(scored("c1"));
      w.add(scored("c2"));
      await w.finish("finished", 2);
      // the pool itself, not only the setting: DuckDB's RESET showed the default and kept the bound
      const [big] = await store.query<{ n: number }>(
        "SELECT strlen(string_agg(repeat('x', 1000), ','))::INTEGER AS n FROM range(250000)",
      );
      expect(big!.n).toBe(250_000 * 1001 - 1);
      expect(Number.parseFloat(await setting("memory_limit"))).toBeCloseTo(Number.parseFloat(before), 0);
      expect(await setting("checkpoint_threshold")).toBe(threshold);
      const [n] = await store.query<{ n: number }>("SELECT count(*) AS n FROM transcripts WHERE run_id = 'r-ok'");
      expect(n!.n).toBe(2);
    } finally {
      store.close();
    }
  });

  it("streams rows into an open batch: what arrives during a commit goes into the next one, and nothing is stored twice", async () => {
    const store = await Store.open(join(mkdtempSync(join(tmpdir(), "soceval-writer-")), "w.duckdb"));
    const count = async () =>
      (await store.query<{ n: number }>("SELECT count(*)::INTEGER AS n FROM transcripts WHERE run_id = 'r-stream'"))[0]!
        .n;
    try {
      const w = await RunWriter.begin(store, meta("r-stream"), {});
      for (const id of ["c1", "c2", "c3"]) w.add(scored(id));
      expect(w.pendingCount).toBe(3);
      const committing = w.flush();
      // the commit is in flight: these wait in memory, then open the next batch
      w.add(scored("c4"));
      w.add(scored("c5"));
      expect(w.waitingCount).toBe(2);
      await committing;
      expect(w.waitingCount).toBe(0);
      expect(w.pendingCount).toBe(2); // in the next batch, not yet committed
      expect(w.written).toBe(3);
      w.add(scored("c6"));
      await w.finish("finished", 6);
      const rows = await store.query<{ c: string }>(
        "SELECT string_agg(case_id, ',' ORDER BY case_id) AS c FROM transcripts WHERE run_id = 'r-stream'",
      );
      expect(rows[0]!.c).toBe("c1,c2,c3,c4,c5,c6");
      expect(await count()).toBe(6);
      expect(w.written).toBe(6);
    } finally {
      store.close();
    }
  });

  it("abandons the open batch whole: committed batches stay for --resume, the rest never lands", async () => {
    const store = await Store.open(join(mkdtempSync(join(tmpdir(), "soceval-writer-")), "w.duckdb"));
    try {
      const w = await RunWriter.begin(store, meta("r-keep"), {});
      w.add(scored("c1"));
      await w.flush();
      w.add(scored("c2")); // in the open batch when the run fails
      await w.abandon(false);
      const kept = await store.query<{ case_id: string }>("SELECT case_id FROM case_results WHERE run_id = 'r-keep'");
      expect(kept).toEqual([{ case_id: "c1" }]);
      const [run] = await store.query<{ status: string }>("SELECT status FROM runs WHERE run_id = 'r-keep'");
      expect(run!.status).toBe("failed");

      const fresh = await RunWriter.begin(store, meta("r-gone"), {});
      fresh.add(scored("c1"));
      await fresh.flush();
      fresh.add(scored("c2"));
      await fresh.abandon(true);
      const [left] = await store.query<{ n: number }>(
        "SELECT (SELECT count(*) FROM runs WHERE run_id = 'r-gone') + (SELECT count(*) FROM transcripts WHERE run_id = 'r-gone') AS n",
      );
      expect(left!.n).toBe(0);
    } finally {
      store.close();
    }
  });

  it("a row DuckDB refuses fails the run cleanly: earlier batches stay, marked failed, the bad batch is rolled back", async () => {
    const file = join(mkdtempSync(join(tmpdir(), "soceval-writer-")), "w.duckdb");
    let store = await Store.open(file);
    try {
      const w = await RunWriter.begin(store, meta("r-bad"), {});
      w.add(scored("c1"));
      const committing = w.flush();
      // arrives while the batch commits, so it goes into the next batch when that one opens
      const bad = scored("c2");
      w.add({ ...bad, started_at: "not a time" as never });
      // DuckDB refuses the time as the row goes into the next batch: that batch is rolled back whole
      const err = await committing.catch((e: unknown) => e);
      expect(String(err)).toMatch(/not a time/);
      await w.abandon(false);
      // what is on disk: read through a new connection, after this one is closed
      store.close();
      store = await Store.open(file, { readOnly: true });
      const [run] = await store.query<{ status: string; n: number }>(
        "SELECT status, (SELECT count(*)::INTEGER FROM transcripts WHERE run_id = 'r-bad') AS n FROM runs WHERE run_id = 'r-bad'",
      );
      expect(run).toEqual({ status: "failed", n: 1 });
    } finally {
      store.close();
    }
  });
});
