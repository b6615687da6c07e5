import { existsSync } from "node:fs";
import { type ReplaySetup, runSetup, setupDifferences } from "../analytics/replay-setup.js";
import { loadRunInfo, resolveRunId } from "../analytics/run.js";
import { InputError } from "../io/errors.js";
import { fileSha256 } from "../io/hash.js";
import { lineEndingHashes, sameCasesForms } from "../io/line-ending-hash.js";
import { EPOCH_MISS, MISSED_FILE_PATTERN, recordEpochs } from "../providers/replay.js";
import { DEFAULT_GATE } from "../schema/gate-defaults.js";
import type { GateRules } from "../schema/index.js";
import { type Store, sqlString } from "../store/db.js";
import { type LoadedSuite, loadSuite } from "../workflow/load.js";
import type { BaselineRow } from "./baseline.js";
import type { Side } from "./cases.js";
import { refuseUnfinished } from "./unfinished.js";

/** Which baseline agent a candidate is judged against: same name, or the baseline's only agent. */
export function pickBaselineAgent(rows: BaselineRow[], candidate: string, explicit?: string): BaselineRow {
  const want = explicit ?? (rows.some((r) => r.agent === candidate) ? candidate : undefined);
  if (want) {
    const r = rows.find((x) => x.agent === want);
    if (!r)
      throw new InputError(
        `--baseline-agent: baseline ${rows[0]!.name} has no agent "${want}" (has ${rows.map((x) => x.agent).join(", ")})`,
      );
    return r;
  }
  if (rows.length === 1) return rows[0]!;
  throw new InputError(
    `baseline ${rows[0]!.name} has agents ${rows.map((x) => x.agent).join(", ")}: name the one to compare with --baseline-agent`,
  );
}

/** Where a run's (or a suite's) answers come from: right and wrong are judged against these labels. */
export type Origin = { suite: string | null; workflow: string | null; dataset: string | null; hash: string | null };

const short = (h: string | null) => (h ? `sha256 ${h.slice(0, 12)}…` : "no dataset hash");
const describe = (o: Origin) =>
  `suite ${o.suite ?? "?"} (workflow ${o.workflow ?? "?"}, dataset ${o.dataset ?? "?"}, ${short(o.hash)})`;

/**
 * Why a baseline and a candidate cannot be compared, or null when they can: each side is judged
 * against its own labels, so only the same dataset version makes "right → wrong" mean anything.
 * Names the real cause: another workflow or suite, or another version of the same dataset.
 */
export function originMismatch(baseName: string, base: Origin, candName: string, cand: Origin): string | null {
  if (base.hash === cand.hash) return null;
  const other = (what: string) =>
    `${baseName} is from another ${what}: ${describe(base)}, but ${candName} is ${describe(cand)}; ` +
    "gate against a baseline made by the same suite";
  if (base.workflow && cand.workflow && base.workflow !== cand.workflow) return other("workflow");
  if (base.suite && cand.suite && base.suite !== cand.suite && base.dataset !== cand.dataset) return other("suite");
  if (base.dataset && cand.dataset && base.dataset !== cand.dataset)
    return (
      `${baseName} was made on another dataset: ${describe(base)}, but ${candName} is ${describe(cand)}; ` +
      "compare runs made on the same dataset version"
    );
  return (
    `${baseName} was made on another version of ${cand.dataset ?? "the dataset"} ` +
    `(${short(base.hash)} for the baseline, ${short(cand.hash)} for ${candName}): each side is judged against its own analyst ` +
    "labels, so compare runs made on the same dataset version"
  );
}

/** The setup a suite replays its candidate under (`soceval gate <suite>`). */
export function suiteSetup(ls: LoadedSuite, epochs: number | undefined): ReplaySetup {
  return {
    seed: ls.suite.seed,
    epochs: epochs ?? ls.suite.epochs,
    faults: ls.suite.faults,
    limit: ls.suite.limit ?? null,
    shard: null,
  };
}

/**
 * Why a baseline made under another setup cannot judge a candidate, or null: the same agent fails
 * other tool calls under other faults or another seed, and other epochs or a part of the cases
 * change what counts as a regression, so the gate would report the setup, not the agent.
 */
function setupMismatch(baseName: string, b: ReplaySetup, candName: string, c: ReplaySetup): string | null {
  const diffs = setupDifferences(b, candName, c);
  if (diffs.length === 0) return null;
  return (
    `${baseName} was made under another setup than ${candName}: ${diffs.join("; ")}. ` +
    "The gate would measure the setup, not the agent: bless a baseline from a run made the way the candidate is"
  );
}

/** Refuses (exit 2) a baseline run made under another setup than the candidate's; `where` names the suite. */
export async function checkSameSetup(
  store: Store,
  baseName: string,
  baseRunId: string,
  candName: string,
  cand: ReplaySetup,
  where?: string,
): Promise<void> {
  const why = setupMismatch(baseName, await runSetup(store, baseRunId), candName, cand);
  if (why) throw new InputError(where ? `${why} (${where})` : why);
}

/** A stored run's origin. */
export async function runOrigin(store: Store, runId: string): Promise<Origin> {
  const info = await loadRunInfo(store, runId);
  return { suite: info.suite, workflow: info.workflow, dataset: info.dataset, hash: info.dataset_hash };
}

/**
 * A baseline (named, or a stored run when `row` is null) is only comparable on the dataset version it
 * was made on, by the workflow and suite it came from.
 */
export async function checkSameDataset(
  store: Store,
  row: BaselineRow | null,
  runId: string,
  ls: LoadedSuite,
): Promise<void> {
  const base = await runOrigin(store, runId);
  const cand: Origin = {
    suite: ls.suite.name,
    workflow: ls.workflow.id,
    dataset: ls.datasetFile,
    hash: await fileSha256(ls.datasetFile),
  };
  const why = row
    ? await datasetMismatch(`baseline "${row.name}"`, { ...base, hash: row.dataset_hash }, ls.file, cand)
    : await datasetMismatch(`baseline run ${runId}`, base, ls.file, cand);
  if (why) throw new InputError(`${why} (re-bless the baseline from a run of this suite on its current dataset)`);
}

/** Whether `file`, a side's dataset when it is on this machine, holds the cases of both hashes up to line endings. */
async function sameCasesAs(file: string | null, hash: string | null, other: string | null): Promise<boolean> {
  if (!file || !hash || !other || !existsSync(file)) return false;
  try {
    // one read of the file gives every form it takes (as is, LF or CRLF, with a byte-order mark or without)
    const forms = sameCasesForms(await lineEndingHashes(file));
    return forms.has(hash) && forms.has(other);
  } catch {
    return false;
  }
}

/**
 * originMismatch, where the same cases checked out with other line endings (CRLF on a Windows
 * checkout with git's core.autocrlf, LF in CI) are the same dataset version: every case and label
 * is the same. Told from whichever side's dataset file is on this machine.
 */
export async function datasetMismatch(
  baseName: string,
  base: Origin,
  candName: string,
  cand: Origin,
): Promise<string | null> {
  const why = originMismatch(baseName, base, candName, cand);
  if (!why) return null;
  if (
    (await sameCasesAs(cand.dataset, cand.hash, base.hash)) ||
    (await sameCasesAs(base.dataset, base.hash, cand.hash))
  )
    return null;
  return why;
}

/** Two stored runs are only comparable on the same dataset version. */
export async function checkSameRuns(store: Store, base: Side, cand: Side): Promise<void> {
  const why = await datasetMismatch(
    `baseline run ${base.run_id}`,
    await runOrigin(store, base.run_id),
    `candidate run ${cand.run_id}`,
    await runOrigin(store, cand.run_id),
  );
  if (why) throw new InputError(why);
}

/** Gate rules for stored runs: the candidate run's suite file if it still exists, else defaults. */
export async function rulesForRun(
  store: Store,
  runId: string,
): Promise<{ rules: GateRules; where: string; datasetHash: string | null; note: string | null }> {
  const info = await loadRunInfo(store, runId);
  if (info.suite_path && existsSync(info.suite_path)) {
    const ls = loadSuite(info.suite_path);
    return { rules: ls.suite.gate ?? DEFAULT_GATE, where: info.suite_path, datasetHash: info.dataset_hash, note: null };
  }
  // the defaults may be looser than the suite's own rules: a verdict must say it was not judged by those
  const note = info.suite_path
    ? `Judged by soceval's default gate rules: the candidate run's suite file ${info.suite_path} is not there, ` +
      "so its gate block could not be read (put the suite back at that path to judge by its rules)."
    : "Judged by soceval's default gate rules: the candidate run records no suite file to read a gate block from.";
  return { rules: DEFAULT_GATE, where: "default gate rules", datasetHash: info.dataset_hash, note };
}

/**
 * One side of the gate from a stored run: the agent named by `flag` (--agent for the candidate,
 * --baseline-agent for the baseline), else `same` (the candidate's name, for the baseline, as a
 * named baseline picks it) where the run holds it, else the run's only agent.
 */
export async function storedSide(
  store: Store,
  runRef: string,
  agent: string | undefined,
  { flag, same }: { flag: "--agent" | "--baseline-agent"; same?: string },
): Promise<Side> {
  const runId = await resolveRunId(store, runRef);
  await refuseUnfinished(store, runId, "the gate judges finished runs only");
  const info = await loadRunInfo(store, runId);
  const agents = info.agents;
  if (agent) {
    if (!agents.includes(agent))
      throw new InputError(`${flag}: run ${runId} has no agent "${agent}" (has ${agents.join(", ")})`);
    return { run_id: runId, agent };
  }
  if (same && agents.includes(same)) return { run_id: runId, agent: same };
  if (agents.length !== 1)
    throw new InputError(`run ${runId} has agents ${agents.join(", ")}: name the one to compare with ${flag}`);
  return { run_id: runId, agent: agents[0]! };
}

/** The replay provider's error for a request its recordings do not hold (providers/replay.ts). */
const REPLAY_MISS = "provider: replay: no recorded response%";

/**
 * Refuses (exit 2) a side whose replay agent met requests its recordings do not hold. A miss is
 * neither the agent's answer nor an outage a rerun fixes: the agent's requests changed since they
 * were recorded (its prompt template, tools, model or params). Judged, those cases would read as
 * regressions (a few) or as "the provider failed" (most); both mislead. Names the cases and the fix.
 */
export async function refuseReplayMisses(
  store: Store,
  side: Side,
  role: "candidate" | "baseline",
  suite: string | null,
): Promise<void> {
  const rows = await store.query<{
    case_id: string;
    file: string | null;
    total: number;
    epochs: number;
    epoch_miss: boolean;
  }>(
    `SELECT case_id, regexp_extract(error, ${sqlString(MISSED_FILE_PATTERN)}, 1) AS file,
            (SELECT count(*) FROM transcripts a WHERE a.run_id = t.run_id AND a.agent = t.agent)::INTEGER AS total,
            (SELECT epochs FROM runs r WHERE r.run_id = t.run_id) AS epochs,
            starts_with(error, ${sqlString(EPOCH_MISS)}) AS epoch_miss
     FROM transcripts t WHERE run_id = ? AND agent = ? AND error LIKE ? ORDER BY case_id, epoch`,
    [side.run_id, side.agent, REPLAY_MISS],
  );
  if (rows.length === 0) return;
  const ids = [...new Set(rows.map((r) => r.case_id))];
  const file = rows[0]!.file || "the agent's recordings file";
  const shown = ids.slice(0, 5).join(", ") + (ids.length > 5 ? ` and ${ids.length - 5} more` : "");
  throw new InputError(
    `gate: ${rows.length} of ${rows[0]!.total} investigations of the ${role} ${side.agent} (run ${side.run_id}) ` +
      `found no recorded response in ${file} (${shown}): its requests are not the recorded ones (the prompt ` +
      `template, tools, model, temperature or max_tokens changed since they were recorded${rows.some((r) => r.epoch_miss) ? ", or an epoch was never recorded" : ""}), ` +
      `so the gate cannot judge them. Record them with the live agent (soceval run ${suite ?? "<suite>"} --agent <live agent>` +
      `${recordEpochs(rows[0]!.epochs)} --record ${file}), commit the recordings and run the gate again`,
  );
}
