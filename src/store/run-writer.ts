import { RuntimeFailure } from "../io/errors.js";
import type { OpenTransaction, Store } from "./db.js";
import {
  CASE_TABLES,
  type CaseTable,
  type EncodedRow,
  type EncodedTranscript,
  encode,
  encodeScored,
  type ScoredTranscript,
} from "./encode.js";
import { type FramedTranscript, FrameReader } from "./row-frame.js";
import { RUN_TABLES, TABLES, table } from "./tables.js";

export type { ScoredTranscript } from "./encode.js";

export type RunMeta = {
  run_id: string;
  suite: string;
  suite_path: string | null;
  workflow: string;
  workflow_version: string;
  dataset: string;
  dataset_hash: string;
  agents: { name: string; hash: string; provider: string; model: string; config: unknown }[];
  git_revision: string | null;
  seed: number;
  epochs: number;
  shard: string | null;
  kind: "replay" | "imported";
  /** the rest of what a resume must match: the suite's fault injection and the case limit */
  replay_config?: ReplayConfig;
  /** the exit criteria per phase in force when the run was made (analytics/criteria.ts) */
  exit_criteria?: unknown;
  /** the gate rules in force (the suite's, or the defaults) */
  gate_rules?: unknown;
};

export type ReplayConfig = {
  faults: unknown[];
  limit: number | null;
  /** "per_epoch": each epoch drew its own faults (tools/faults.ts); absent in runs made before that */
  fault_draws?: "per_epoch";
};

type Batch = Record<CaseTable, EncodedRow[]>;

function emptyBatch(): Batch {
  return { cases: [], transcripts: [], tool_calls: [], model_calls: [], findings: [], case_results: [] };
}

/**
 * Writes one run: the `runs` row first (status running), then batches of scored transcripts, each
 * batch in one transaction across every table, so a killed run never holds half a case. A batch's
 * rows go into DuckDB as they arrive (an open transaction); only those that arrive while a batch
 * commits wait here, in `pending`.
 */
export class RunWriter {
  private pending = emptyBatch();
  /** what replay workers handed over while a commit was in flight: kept as their bytes */
  private waitingFramed: { t: FramedTranscript; frame: Uint8Array; withCase: boolean }[] = [];
  private open: OpenTransaction | null = null;
  private openCount = 0;
  private casesSeen = new Set<string>();
  /** the model calls of investigations a Ctrl-C cut short, written with the run's end */
  private interruptedCalls: EncodedRow[] = [];
  written = 0;

  private constructor(
    private readonly store: Store,
    readonly runId: string,
    private readonly toolSources: Record<string, string>,
  ) {}

  /**
   * Start a new run, or reopen an existing one for --resume (its stored cases are kept).
   * `vectorBytes`: the bytes of the dataset's 2,048 longest cases (io/hash.ts), which DuckDB's
   * memory bound must leave room for (Store.tuneForBulkWrites).
   */
  static async begin(
    store: Store,
    meta: RunMeta,
    toolSources: Record<string, string>,
    resume = false,
    vectorBytes = 0,
  ): Promise<RunWriter> {
    const w = new RunWriter(store, meta.run_id, toolSources);
    await store.tuneForBulkWrites(true, vectorBytes);
    if (resume) {
      const rows = await store.query<{ case_id: string }>("SELECT case_id FROM cases WHERE run_id = ?", [meta.run_id]);
      for (const r of rows) w.casesSeen.add(r.case_id);
      // the files it goes on from: a retry may find the checkout at another path (resume.ts)
      await store.run(
        "UPDATE runs SET status = 'running', finished_at = NULL, suite_path = ?, dataset = ? WHERE run_id = ?",
        [meta.suite_path, meta.dataset, meta.run_id],
      );
      await w.reopen();
      return w;
    }
    await store.appendBatch({
      runs: [
        {
          ...meta,
          agents: meta.agents.map((a) => a.name),
          agent_hashes: Object.fromEntries(meta.agents.map((a) => [a.name, a.hash])),
          started_at: new Date(),
          status: "running",
        },
      ],
      run_agents: meta.agents.map((a) => ({
        run_id: meta.run_id,
        agent: a.name,
        agent_hash: a.hash,
        provider: a.provider,
        model: a.model,
        config: a.config,
      })),
    });
    await w.reopen();
    return w;
  }

  /**
   * Forget the investigations of a run that a provider failure cut short (or an interrupt), so a
   * resume replays them again: every row of those (case, agent, epoch) keys goes, in one
   * transaction, and the case rows stay. An agent's own limits (steps, tokens, cost, time) are
   * its result and stay too: retrying them until they pass would flatter it. Their model calls
   * move to `replaced_model_calls`, so what they cost still counts. Returns how many.
   */
  static async forgetProviderFailures(store: Store, runId: string): Promise<number> {
    const failed = "starts_with(f.error, 'provider:') OR f.error = 'interrupted'";
    const [n] = await store.query<{ n: number }>(
      `SELECT count(*) AS n FROM transcripts f WHERE f.run_id = ? AND (${failed})`,
      [runId],
    );
    if (!n || n.n === 0) return 0;
    await store.run("BEGIN TRANSACTION");
    try {
      const forgotten = `EXISTS (SELECT 1 FROM transcripts f WHERE f.run_id = t.run_id
             AND f.case_id = t.case_id AND f.agent = t.agent AND f.epoch = t.epoch AND (${failed}))`;
      const cols = table("model_calls")
        .columns.map(([c]) => c)
        .join(", ");
      await store.run(
        `INSERT INTO replaced_model_calls (${cols}, replaced_at)
         SELECT ${cols}, current_timestamp FROM model_calls t WHERE t.run_id = ? AND ${forgotten}`,
        [runId],
      );
      // transcripts last: the others find their keys through it; the case rows stay
      const tables = [...CASE_TABLES.filter((t) => t !== "cases" && t !== "transcripts"), "transcripts"];
      for (const t of tables) await store.run(`DELETE FROM ${t} t WHERE t.run_id = ? AND ${forgotten}`, [runId]);
      await store.run("COMMIT");
    } catch (e) {
      await store.run("ROLLBACK").catch(() => {});
      throw e;
    }
    return n.n;
  }

  /** Keys already stored, for resume: `${case_id}\u0000${agent}\u0000${epoch}`. */
  static async storedKeys(store: Store, runId: string): Promise<Set<string>> {
    const rows = await store.query<{ k: string }>(
      "SELECT case_id || chr(0) || agent || chr(0) || epoch::VARCHAR AS k FROM transcripts WHERE run_id = ?",
      [runId],
    );
    return new Set(rows.map((r) => r.k));
  }

  /**
   * Turn one scored transcript into its rows at once, so the case's evidence (most of its memory)
   * is released while the batch waits for its commit.
   */
  add(item: ScoredTranscript): void {
    this.addEncoded(encodeScored(item, this.runId, this.toolSources, !this.casesSeen.has(item.case.id)));
  }

  /**
   * An investigation a Ctrl-C cut short: it is no result (no transcript, so `--resume` replays it),
   * but the model calls it had made were paid for, so they go where `--retry-failed` puts the calls
   * of the investigations it replays, and the run's cost keeps them.
   */
  addInterrupted(item: ScoredTranscript): void {
    const { case_id, agent, epoch } = item.transcript;
    const replaced_at = new Date();
    let seq = 0;
    item.transcript.steps.forEach((s, step) => {
      if (s.type === "model_call")
        this.interruptedCalls.push(
          encode("replaced_model_calls", {
            ...s,
            run_id: this.runId,
            case_id,
            agent,
            epoch,
            seq: seq++,
            step,
            replaced_at,
          }),
        );
    });
  }

  /** Rows encoded in this thread (model agents, and the playbook with --workers 0); the case's own row is kept once per run. */
  addEncoded(e: EncodedTranscript): void {
    const open = this.open;
    for (const t of CASE_TABLES) {
      if (t === "cases") {
        if (this.casesSeen.has(e.case_id)) continue;
        this.casesSeen.add(e.case_id);
      }
      if (open) for (const r of e.rows[t]) open.append(t, r);
      else for (const r of e.rows[t]) this.pending[t].push(r);
    }
    if (open) this.openCount++;
  }

  /**
   * One investigation's rows as a replay worker wrote them (row-frame.ts), in `frame` from `t.at`;
   * the case's own row is kept once per run.
   */
  addFramed(t: FramedTranscript, frame: Uint8Array): void {
    const withCase = !this.casesSeen.has(t.case_id);
    this.casesSeen.add(t.case_id);
    if (this.open) {
      appendFramed(this.open, t, frame, withCase);
      this.openCount++;
    } else this.waitingFramed.push({ t, frame, withCase });
  }

  /** Investigations added and not yet committed. */
  get pendingCount(): number {
    return this.openCount + this.waitingCount;
  }

  /** Investigations waiting in JS because a commit is in flight. */
  get waitingCount(): number {
    return this.pending.transcripts.length + this.waitingFramed.length;
  }

  /** Commit what was added; `reopen` (while the run goes on) starts the next batch at once. */
  async flush(reopen = true): Promise<void> {
    if (this.pendingCount === 0) return;
    const open = this.open;
    const n = this.openCount;
    this.open = null;
    this.openCount = 0;
    if (open) {
      await open.commit();
      this.written += n;
    }
    if (reopen) await this.reopen();
    else if (this.waitingCount > 0) {
      await this.reopen();
      await this.flush(false);
    }
  }

  /** A new batch; the rows that arrived while none was open go in first, in their order. */
  private async reopen(): Promise<void> {
    const open = await this.store.openTransaction(CASE_TABLES);
    const waiting = this.pending;
    const framed = this.waitingFramed;
    this.pending = emptyBatch();
    this.waitingFramed = [];
    // open before the rows go in: a row the appender refuses leaves a batch that abandon() rolls back
    this.open = open;
    this.openCount = waiting.transcripts.length + framed.length;
    for (const t of CASE_TABLES) for (const r of waiting[t]) open.append(t, r);
    for (const w of framed) appendFramed(open, w.t, w.frame, w.withCase);
  }

  /**
   * The run cannot go on. `remove` (bad input found half-way in a fresh run): the run is deleted
   * whole, so no partial result is ever read as a finished one. Otherwise its stored work stays,
   * marked failed, for --resume.
   */
  async abandon(remove: boolean): Promise<void> {
    this.pending = emptyBatch();
    this.waitingFramed = [];
    const open = this.open;
    this.open = null;
    this.openCount = 0;
    await open?.rollback();
    await this.store.tuneForBulkWrites(false);
    if (!remove) {
      await this.markFailed();
      return;
    }
    await this.store.run("BEGIN TRANSACTION");
    try {
      for (const t of RUN_TABLES) await this.store.run(`DELETE FROM ${t} WHERE run_id = ?`, [this.runId]);
      await this.store.run("COMMIT");
    } catch (e) {
      await this.store.run("ROLLBACK");
      throw e;
    }
  }

  private async markFailed(): Promise<void> {
    await markRunFailed(this.store, this.runId);
  }

  async finish(status: "finished" | "interrupted" | "failed", casesTotal: number): Promise<void> {
    try {
      await this.flush(false);
      const open = this.open;
      this.open = null;
      await open?.rollback(); // an empty batch: nothing to commit
      if (this.interruptedCalls.length > 0) {
        await this.store.appendBatch({ replaced_model_calls: this.interruptedCalls });
        this.interruptedCalls = [];
      }
      const repeated = await repeatedKeys(this.store, this.runId);
      if (repeated) {
        await this.markFailed();
        throw new RuntimeFailure(`run ${this.runId} stored a case twice (${repeated}); it is marked failed`);
      }
      await this.store.run(
        "UPDATE runs SET status = ?, finished_at = now()::TIMESTAMP, cases_total = ? WHERE run_id = ?",
        [status, casesTotal, this.runId],
      );
    } finally {
      // a finish that failed (the disk filled) still gives DuckDB its memory back, for the command's
      // own queries after it (which run stopped, and how to finish it)
      await this.store.tuneForBulkWrites(false).catch(() => {});
    }
  }
}

/** A run that stopped without finishing, marked so (`runs list` says how to finish it); a finished one stays. */
export async function markRunFailed(store: Store, runId: string): Promise<void> {
  await store.run(
    "UPDATE runs SET status = 'failed', finished_at = now()::TIMESTAMP WHERE run_id = ? AND status = 'running'",
    [runId],
  );
}

const CASE_COLUMNS = table("cases").columns.length;

/** One investigation's rows from a worker's frame; a `cases` row already stored is read past. */
function appendFramed(open: OpenTransaction, t: FramedTranscript, frame: Uint8Array, withCase: boolean): void {
  const r = new FrameReader(frame, t.at);
  for (let k = 0; k < CASE_TABLES.length; k++) {
    const name = CASE_TABLES[k]!;
    for (let n = t.counts[k]!; n > 0; n--)
      if (name === "cases" && !withCase) for (let c = 0; c < CASE_COLUMNS; c++) r.skip();
      else open.appendFrom(name, r);
  }
}

/** The per-case keys a run must hold once each (tables.ts `unique`); null when they do. */
export async function repeatedKeys(store: Store, runId: string): Promise<string | null> {
  for (const t of TABLES) {
    if (!t.unique) continue;
    const cols = t.unique.join(", ");
    const [r] = await store.query<{ n: number }>(
      `SELECT count(*) - count(DISTINCT (${cols})) AS n FROM ${t.name} WHERE run_id = ?`,
      [runId],
    );
    if (r && r.n > 0) return `${r.n} ${t.name} rows repeat (${cols})`;
  }
  return null;
}
