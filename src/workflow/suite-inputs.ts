import { dirname, resolve } from "node:path";
import type { Input } from "../io/out-file.js";
import type { Store } from "../store/db.js";
import { type LoadedSuite, loadSuite } from "./load.js";

/**
 * Every file a loaded suite reads, for refusing an output that would replace one. `recordings: false`
 * leaves out the replay agents' recordings, which `run --record` appends to by design.
 */
export function suiteInputs(ls: LoadedSuite, { recordings = true } = {}): Input[] {
  const read: Input[] = [
    { what: "the suite", file: ls.file },
    { what: "the suite's workflow", file: ls.workflowFile },
    { what: "the suite's dataset", file: ls.datasetFile },
  ];
  for (const a of ls.agents) {
    const at = (p: string) => resolve(dirname(a.file), p);
    read.push({ what: `agent ${a.name}'s file`, file: a.file });
    if (a.prompt) read.push({ what: `agent ${a.name}'s prompt`, file: at(a.prompt) });
    if (recordings && a.recordings) read.push({ what: `agent ${a.name}'s recordings`, file: at(a.recordings) });
  }
  return read;
}

/**
 * The files of a suite file (a stored run's `runs.suite_path`, or a gate's suite before it loads), as
 * far as it loads: one that does not (changed since the run, or with a mistake the command will report)
 * still counts as read, though its other files are not known.
 */
export function suiteFileInputs(suitePath: string | null | undefined): Input[] {
  if (!suitePath) return [];
  try {
    return suiteInputs(loadSuite(suitePath));
  } catch {
    return [{ what: "the suite", file: suitePath }];
  }
}

/**
 * The files the stored runs `runIds` were made from: their suite's (a replay), or the workflow,
 * dataset and transcripts `score` read (an imported run, which has no suite).
 */
export async function runInputs(store: Store, runIds: string[]): Promise<Input[]> {
  const read: Input[] = [];
  for (const id of runIds) {
    const [r] = await store.query<{ suite_path: string | null; dataset: string | null }>(
      "SELECT suite_path, dataset FROM runs WHERE run_id = ?",
      [id],
    );
    read.push(...suiteFileInputs(r?.suite_path));
    if (r?.dataset) read.push({ what: `run ${id}'s dataset`, file: r.dataset });
    const agents = await store.query<{ workflow: string | null; transcripts: string | null }>(
      `SELECT json_extract_string(config, '$.workflow_file') AS workflow, json_extract_string(config, '$.transcripts') AS transcripts
       FROM run_agents WHERE run_id = ?`,
      [id],
    );
    for (const a of agents) {
      if (a.workflow) read.push({ what: `run ${id}'s workflow`, file: a.workflow });
      if (a.transcripts) read.push({ what: `run ${id}'s transcripts`, file: a.transcripts });
    }
  }
  return read;
}
