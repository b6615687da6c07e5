import { resumeArgs } from "../analytics/resume-hint.js";
import { loadRunInfo } from "../analytics/run.js";
import { shellWord } from "../io/shell.js";
import { type Store, storeFlag } from "../store/db.js";
import type { Side } from "./cases.js";

/**
 * What to do when the gate cannot judge (exit 3): the candidate's run is stored, so only the
 * investigations the provider failed need replaying, and that run can then be judged on its own.
 * `baseline`: the flags that name the baseline again (--baseline main, or --baseline-run <id>).
 */
export async function retryHint(store: Store, cand: Side, baseline: string): Promise<string> {
  const info = await loadRunInfo(store, cand.run_id);
  if (info.kind === "imported")
    return "Investigate the cases without an answer again on the platform the transcripts came from, then score the whole export again with `soceval score` and gate that run.";
  const resume = await resumeArgs(store, cand.run_id, info);
  const suite = info.suite_path ? shellWord(info.suite_path) : "<suite>";
  const db = storeFlag(store.path);
  return (
    "Nothing was judged. Once the provider answers again, replay only the failed investigations: " +
    `\`soceval run ${suite} ${resume} --retry-failed\`, ` +
    `then judge that run: \`soceval gate ${baseline} --candidate-run ${cand.run_id} --agent ${shellWord(cand.agent)}${db ? ` ${db}` : ""}\`.`
  );
}
