import { parseJsonLine } from "../io/jsonl.js";
import { readLines } from "../io/lines.js";
import { Case, type Workflow } from "../schema/index.js";
import { type EvidenceReach, ReachCounter } from "./reach.js";
import { workflowDataChecks } from "./workflow-data.js";

/** Enough cases to see an import's shape, few enough (~25 ms of 13 KB cases) not to delay a run's start. */
export const REACH_SAMPLE = 200;

/**
 * The reach of the first `n` cases of a dataset, read apart from the replay so its hot path is
 * untouched, and, given the workflow's file, what those cases show wrong in it (workflow-data.ts),
 * as warning lines at its lines. A line that does not parse is skipped and an unreadable file ends the sample: the
 * replay refuses those itself, with their line, and a warning must not pre-empt that message.
 */
export async function sampleReach(
  file: string,
  wf: Workflow,
  n = REACH_SAMPLE,
  workflowFile?: string,
): Promise<{ reach: EvidenceReach; whole: boolean; workflow: string[] } | null> {
  const counter = new ReachCounter(wf);
  const checks = workflowFile === undefined ? [] : workflowDataChecks(wf);
  let taken = 0;
  let whole = true;
  try {
    for await (const text of readLines(file)) {
      // read as the replay reads a line (io/jsonl.ts), a 64-bit id in evidence data a string of its digits
      const r = parseJsonLine(file, 0, text, Case);
      // a blank line, or one that is not JSON: not a case
      if (!r || ("error" in r && r.object !== undefined)) continue;
      if (!("error" in r)) {
        counter.add(r.value);
        for (const c of checks) c.add(r.value);
      }
      if (++taken >= n) {
        whole = false;
        break;
      }
    }
  } catch {
    // the replay reports it
  }
  const reach = counter.result();
  if (reach.cases === 0) return null;
  const label = whole ? file : `the first ${reach.cases} cases of ${file}`;
  const workflow = workflowFile === undefined ? [] : checks.flatMap((c) => c.warnings(workflowFile, label, whole));
  return { reach, whole, workflow };
}
