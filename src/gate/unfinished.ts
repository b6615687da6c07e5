import { resumeArgs } from "../analytics/resume-hint.js";
import { loadRunInfo } from "../analytics/run.js";
import { InputError } from "../io/errors.js";
import { shellWord } from "../io/shell.js";
import type { Store } from "../store/db.js";
import { statusForReader } from "../store/run-status.js";

/**
 * Refuses (exit 2) a run that did not finish as a baseline or a gate side: it holds part of the
 * cases, and the gate would pass or fail on what happened to be stored. Names the command that
 * finishes it, with the flags a resume must repeat: "--resume" alone left CI users guessing which
 * command takes it (the gate does not).
 */
export async function refuseUnfinished(store: Store, runId: string, what: string): Promise<void> {
  const info = await loadRunInfo(store, runId);
  if (info.status === "finished") return;
  let fix: string;
  if (info.kind === "imported") fix = "score the transcripts again with soceval score";
  else {
    const suite = info.suite_path ? shellWord(info.suite_path) : "<suite>";
    fix = `finish it: soceval run ${suite} ${await resumeArgs(store, runId, info)}`;
  }
  throw new InputError(`run ${runId} is ${statusForReader(info.status)}: ${what}; ${fix}`);
}
