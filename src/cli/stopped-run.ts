import { resumeArgs } from "../analytics/resume-hint.js";
import { loadRunInfo } from "../analytics/run.js";
import { shellWord } from "../io/shell.js";
import type { Store } from "../store/db.js";
import { repeatedKeys } from "../store/run-writer.js";

/** Each stored run's state, by run id: what `run` compares after a failure to find the run it stopped. */
export async function runStates(store: Store): Promise<Map<string, string>> {
  const rows = await store.query<{ run_id: string; state: string }>(
    "SELECT run_id, status || ' ' || coalesce(finished_at::VARCHAR, '') AS state FROM runs",
  );
  return new Map(rows.map((r) => [r.run_id, r.state]));
}

/**
 * A replay stopped by a failure of the moment (the disk filled, a worker died) keeps what it
 * stored, marked failed, and `--resume` finishes it; without this line the user saw only DuckDB's
 * error and never learnt that. The run is the one this command made or changed (it holds the
 * store's lock, so no other process did); "" when there is none (it failed before the run began).
 */
export async function stoppedRunLine(store: Store, before: Map<string, string>, suiteFile: string): Promise<string> {
  const after = await runStates(store);
  const runId = [...after].find(([id, state]) => before.get(id) !== state)?.[0];
  if (!runId) return "";
  const info = await loadRunInfo(store, runId);
  if (info.kind !== "replay" || (info.status !== "failed" && info.status !== "running")) return "";
  // a run that stored a case twice is not mended by finishing it
  if (await repeatedKeys(store, runId)) return "";
  const [row] = await store.query<{ n: number }>("SELECT count(*)::INTEGER AS n FROM transcripts WHERE run_id = ?", [
    runId,
  ]);
  const n = row?.n ?? 0;
  return (
    `run ${runId} stopped; the ${n} investigation${n === 1 ? "" : "s"} it stored ${n === 1 ? "is" : "are"} kept. ` +
    `Once the cause is fixed, finish it: soceval run ${shellWord(suiteFile)} ${await resumeArgs(store, runId, info)}`
  );
}
