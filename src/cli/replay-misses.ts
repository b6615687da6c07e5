import { EPOCH_MISS, MISSED_FILE_PATTERN, recordEpochs } from "../providers/replay.js";
import { type Store, sqlString } from "../store/db.js";

/**
 * The investigations of a run's replay agents that met a request their recordings do not hold, and
 * how to record them; empty when there are none. Otherwise they read as "N failed" alone, and a
 * rerun, unlike a provider failure's, finds the same recordings.
 */
export async function replayMissesLine(store: Store, runId: string, suiteFile: string): Promise<string> {
  const rows = await store.query<{
    agent: string;
    missed: number;
    total: number;
    file: string;
    cases: string[];
    epochs: number;
    epoch_missed: boolean;
  }>(
    `SELECT agent,
            count(*) FILTER (WHERE starts_with(error, 'provider: replay: no recorded response'))::INTEGER AS missed,
            (SELECT epochs FROM runs WHERE run_id = ?) AS epochs,
            bool_or(starts_with(error, ${sqlString(EPOCH_MISS)})) AS epoch_missed,
            count(*)::INTEGER AS total,
            max(regexp_extract(error, ${sqlString(MISSED_FILE_PATTERN)}, 1)) AS file,
            list(DISTINCT case_id ORDER BY case_id) FILTER (WHERE starts_with(error, 'provider: replay: no recorded response')) AS cases
     FROM transcripts WHERE run_id = ? GROUP BY agent HAVING missed > 0 ORDER BY agent`,
    [runId, runId],
  );
  return rows
    .map((r) => {
      const shown = r.cases.slice(0, 5).join(", ") + (r.cases.length > 5 ? ` and ${r.cases.length - 5} more` : "");
      return (
        `soceval: ${r.missed} of ${r.total} investigations of agent ${r.agent} found no recorded response in ` +
        `${r.file} (${shown}): their requests are not the recorded ones${r.epoch_missed ? ", or their epoch was never recorded" : ""}, ` +
        "and they count as failed. Record them with the live agent " +
        `(soceval run ${suiteFile} --agent <live agent>${recordEpochs(r.epochs)} --record ${r.file})\n`
      );
    })
    .join("");
}
