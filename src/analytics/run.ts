import { InputError } from "../io/errors.js";
import type { Store } from "../store/db.js";
import { resolveRunId } from "../store/run-ref.js";

export { resolveRunId };

import type { RunInfo } from "./report-schema.js";

export async function loadRunInfo(store: Store, runId: string): Promise<RunInfo> {
  const rows = await store.query(
    `SELECT run_id, suite, suite_path, workflow, workflow_version, dataset, dataset_hash, git_revision, seed, epochs,
       kind, status, strftime(started_at, '%Y-%m-%dT%H:%M:%SZ') AS started_at,
       strftime(finished_at, '%Y-%m-%dT%H:%M:%SZ') AS finished_at, cases_total, coalesce(agents, []) AS agents
     FROM runs WHERE run_id = ?`,
    [runId],
  );
  const r = rows[0];
  if (!r) throw new InputError(`${store.path}: no run "${runId}"`);
  return {
    run_id: String(r.run_id),
    suite: str(r.suite),
    suite_path: str(r.suite_path),
    workflow: str(r.workflow),
    workflow_version: str(r.workflow_version),
    dataset: str(r.dataset),
    dataset_hash: str(r.dataset_hash),
    git_revision: str(r.git_revision),
    seed: r.seed === null ? null : Number(r.seed),
    epochs: r.epochs === null ? null : Number(r.epochs),
    kind: str(r.kind),
    status: str(r.status),
    started_at: str(r.started_at),
    finished_at: str(r.finished_at),
    cases_total: r.cases_total === null ? null : Number(r.cases_total),
    agents: (r.agents as unknown[]).map(String),
  };
}

function str(v: unknown): string | null {
  return v === null || v === undefined ? null : String(v);
}

/** Agents with stored results, in the run's declared order, then any others alphabetically. */
export async function runAgents(store: Store, run: RunInfo): Promise<string[]> {
  const rows = await store.query<{ agent: string }>(
    "SELECT DISTINCT agent FROM case_results WHERE run_id = ? ORDER BY agent",
    [run.run_id],
  );
  const stored = rows.map((r) => r.agent);
  return [...run.agents.filter((a) => stored.includes(a)), ...stored.filter((a) => !run.agents.includes(a))];
}

/** Does a table exist? Optional tables (readiness_results, analyst_reviews) come from other commands. */
export async function tableExists(store: Store, name: string): Promise<boolean> {
  const rows = await store.query("SELECT 1 FROM information_schema.tables WHERE table_name = ?", [name]);
  return rows.length > 0;
}

export async function columnsOf(store: Store, name: string): Promise<Map<string, string>> {
  const rows = await store.query<{ column_name: string; data_type: string }>(
    "SELECT column_name, data_type FROM information_schema.columns WHERE table_name = ?",
    [name],
  );
  return new Map(rows.map((r) => [r.column_name, r.data_type]));
}
