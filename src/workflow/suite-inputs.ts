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

/** The files of the suites the stored runs `runIds` were replayed from. */
export async function runSuiteInputs(store: Store, runIds: string[]): Promise<Input[]> {
  const read: Input[] = [];
  for (const id of runIds) {
    const [r] = await store.query<{ suite_path: string | null }>("SELECT suite_path FROM runs WHERE run_id = ?", [id]);
    read.push(...suiteFileInputs(r?.suite_path));
  }
  return read;
}
