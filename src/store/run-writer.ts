import type { Case, CaseResult, Finding, Transcript } from "../schema/index.js";
import type { Row, Store } from "./db.js";
import { RUN_TABLES } from "./tables.js";

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
};

export type ScoredTranscript = {
  case: Case;
  transcript: Transcript;
  result: Omit<CaseResult, "run_id">;
  findings: Finding[];
  started_at?: Date;
  wall_ms?: number;
};

/**
 * Writes one run: the `runs` row first (status running), then batches of scored transcripts, each
 * batch in one transaction across every table, so a killed run never holds half a case.
 */
export class RunWriter {
  private pending: ScoredTranscript[] = [];
  private casesSeen = new Set<string>();
  written = 0;

  private constructor(
    private readonly store: Store,
    readonly runId: string,
    private readonly toolSources: Record<string, string>,
  ) {}

  /** Start a new run, or reopen an existing one for --resume (its stored cases are kept). */
  static async begin(
    store: Store,
    meta: RunMeta,
    toolSources: Record<string, string>,
    resume = false,
  ): Promise<RunWriter> {
    const w = new RunWriter(store, meta.run_id, toolSources);
    if (resume) {
      const rows = await store.query<{ case_id: string }>("SELECT case_id FROM cases WHERE run_id = ?", [meta.run_id]);
      for (const r of rows) w.casesSeen.add(r.case_id);
      await store.run("UPDATE runs SET status = 'running', finished_at = NULL WHERE run_id = ?", [meta.run_id]);
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
    return w;
  }

  /** Keys already stored, for resume: `${case_id}\u0000${agent}\u0000${epoch}`. */
  static async storedKeys(store: Store, runId: string): Promise<Set<string>> {
    const rows = await store.query<{ k: string }>(
      "SELECT case_id || chr(0) || agent || chr(0) || epoch::VARCHAR AS k FROM transcripts WHERE run_id = ?",
      [runId],
    );
    return new Set(rows.map((r) => r.k));
  }

  add(item: ScoredTranscript): void {
    this.pending.push(item);
  }

  get pendingCount(): number {
    return this.pending.length;
  }

  async flush(): Promise<void> {
    if (this.pending.length === 0) return;
    const items = this.pending;
    this.pending = [];
    const run_id = this.runId;
    const batch: Record<string, Row[]> = {
      cases: [],
      transcripts: [],
      tool_calls: [],
      model_calls: [],
      findings: [],
      case_results: [],
    };
    for (const it of items) {
      const c = it.case;
      const t = it.transcript;
      const key = { run_id, case_id: t.case_id, agent: t.agent, epoch: t.epoch };
      if (!this.casesSeen.has(c.id)) {
        this.casesSeen.add(c.id);
        batch.cases!.push({
          run_id,
          case_id: c.id,
          workflow: c.workflow,
          incident_id: c.incident_id ?? null,
          tags: c.tags,
          alert: c.alert,
          label: c.label ?? null,
          unavailable: c.unavailable,
          evidence_sources: [...new Set(c.evidence.map((e) => e.source))],
        });
      }
      batch.transcripts!.push({
        ...key,
        output: t.output === null || t.output === undefined ? null : t.output,
        error: t.error,
        steps: t.steps,
        started_at: it.started_at ?? null,
        wall_ms: it.wall_ms ?? null,
      });
      let tseq = 0;
      let mseq = 0;
      for (const s of t.steps) {
        if (s.type === "tool_call")
          batch.tool_calls!.push({ ...key, seq: tseq++, ...s, source: this.toolSources[s.tool] ?? null });
        else batch.model_calls!.push({ ...key, seq: mseq++, ...s });
      }
      it.findings.forEach((f, i) => {
        batch.findings!.push({ ...key, seq: i, ...f });
      });
      batch.case_results!.push({ ...it.result, run_id });
    }
    await this.store.appendBatch(batch);
    this.written += items.length;
  }

  /**
   * The run cannot go on (bad input found half-way). A fresh run is removed whole, so no partial
   * result is ever read as a finished one; a resumed run keeps its earlier work, marked failed.
   */
  async abandon(fresh: boolean): Promise<void> {
    this.pending = [];
    if (!fresh) {
      await this.store.run("UPDATE runs SET status = 'failed', finished_at = now()::TIMESTAMP WHERE run_id = ?", [
        this.runId,
      ]);
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

  async finish(status: "finished" | "interrupted" | "failed", casesTotal: number): Promise<void> {
    await this.flush();
    await this.store.run(
      "UPDATE runs SET status = ?, finished_at = now()::TIMESTAMP, cases_total = ? WHERE run_id = ?",
      [status, casesTotal, this.runId],
    );
  }
}
