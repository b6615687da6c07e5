import { resumeArgs, scoreAgainCommand } from "../analytics/resume-hint.js";
import { loadRunInfo } from "../analytics/run.js";
import { shellWord } from "../io/shell.js";
import { Store, storeFlag } from "../store/db.js";
import { markRunFailed, repeatedKeys } from "../store/run-writer.js";

/** Each stored run's state, by run id: what `run` compares after a failure to find the run it stopped. */
export async function runStates(store: Store): Promise<Map<string, string>> {
  const rows = await store.query<{ run_id: string; state: string }>(
    "SELECT run_id, status || ' ' || coalesce(finished_at::VARCHAR, '') AS state FROM runs",
  );
  return new Map(rows.map((r) => [r.run_id, r.state]));
}

/**
 * A replay stopped by a failure of the moment (the disk filled, a worker died) keeps what it
 * stored, marked failed, and `--resume` (given its suite file) finishes it; an import, which cannot
 * be resumed, is to be removed and scored again. Without this line the user saw only DuckDB's error
 * and never learnt either. The run is the one this command made or changed (it holds the store's
 * lock, so no other process did); "" when there is none (it failed before the run began).
 */
export async function stoppedRunLine(store: Store, before: Map<string, string>, suiteFile?: string): Promise<string> {
  try {
    return await lineOf(store, before, suiteFile);
  } catch (e) {
    if (!invalidated(e)) throw e;
  }
  // DuckDB gives up a store whose checkpoint could not write (the disk filled at a batch's commit):
  // every statement after it fails, so the run could not be marked. What it committed before is in
  // the file: opened again, the run is marked failed as any other stopped run (if the disk lets
  // that small write through; a run left "running" reads as stopped and resumes the same way)
  store.close();
  const again = await Store.open(store.path, { existing: true });
  try {
    const runId = await changedRun(again, before);
    if (runId) await markRunFailed(again, runId).catch(() => {});
    return await lineOf(again, before, suiteFile);
  } finally {
    again.close();
  }
}

/** DuckDB's answer to every statement once a fatal error (a checkpoint that failed) invalidated the store. */
function invalidated(e: unknown): boolean {
  return e instanceof Error && /^FATAL Error|database has been invalidated/.test(e.message);
}

/** The run this command made or changed: its state differs from `before`. */
async function changedRun(store: Store, before: Map<string, string>): Promise<string | undefined> {
  const after = await runStates(store);
  return [...after].find(([id, state]) => before.get(id) !== state)?.[0];
}

async function lineOf(store: Store, before: Map<string, string>, suiteFile?: string): Promise<string> {
  const runId = await changedRun(store, before);
  if (!runId) return "";
  const info = await loadRunInfo(store, runId);
  if (info.status !== "failed" && info.status !== "running") return "";
  const [row] = await store.query<{ n: number }>("SELECT count(*)::INTEGER AS n FROM transcripts WHERE run_id = ?", [
    runId,
  ]);
  const n = row?.n ?? 0;
  const stored = `the ${n} investigation${n === 1 ? "" : "s"} it stored`;
  if (info.kind === "imported") {
    // an import has no --resume: what it stored is part of a file, to be scored again whole
    const again = await scoreAgainCommand(store, runId);
    const db = storeFlag(store.path);
    return (
      `run ${runId} stopped with ${stored}; an import cannot be resumed. Once the cause is fixed, remove it ` +
      `(soceval runs delete ${runId}${db ? ` ${db}` : ""}) and score the transcripts again${again ? `: ${again}` : ""}`
    );
  }
  // a run that stored a case twice is not mended by finishing it
  if (info.kind !== "replay" || !suiteFile || (await repeatedKeys(store, runId))) return "";
  return (
    `run ${runId} stopped; ${stored} ${n === 1 ? "is" : "are"} kept. ` +
    `Once the cause is fixed, finish it: soceval run ${shellWord(suiteFile)} ${await resumeArgs(store, runId, info)}`
  );
}
