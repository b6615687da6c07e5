import { createHash } from "node:crypto";
import { resolve } from "node:path";
import { z } from "zod";
import { phaseCriteria } from "../analytics/criteria.js";
import { CaseIds, crossCheckCase } from "../datasets/checks.js";
import { InputError } from "../io/errors.js";
import { gitRevision } from "../io/git.js";
import { fileFacts } from "../io/hash.js";
import { readJsonl } from "../io/jsonl.js";
import { lineEndingHashes } from "../io/line-ending-hash.js";
import { type AgentConfig, Case, MISSING_TRANSCRIPT, Step, Transcript, transcriptMissing } from "../schema/index.js";
import type { Store } from "../store/db.js";
import { newRunId } from "../store/run-id.js";
import { type RunMeta, RunWriter } from "../store/run-writer.js";
import { loadWorkflow } from "../workflow/load.js";
import { parseAnswerText } from "./answer-text.js";
import { scoreTranscript } from "./score.js";
import { swappedFiles } from "./swapped-files.js";

export type ImportOptions = {
  workflowFile: string;
  datasetFile: string;
  transcriptsFile: string;
  agent: string;
  tools?: AgentConfig["tools"];
  batchSize?: number;
  /** Ctrl-C: the import stops at its next line, and the run it began is removed (an import cannot be resumed) */
  signal?: AbortSignal;
};

/** An import a signal stopped: nothing of it is stored. */
export class ImportInterrupted extends Error {
  override name = "ImportInterrupted";
}

function stopIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new ImportInterrupted("score interrupted");
}

export type ImportOutcome = {
  runId: string;
  cases: number;
  scored: number;
  /** dataset cases no transcript answered: stored as failed cases */
  missing: string[];
  /** transcripts whose case is not in the dataset: reported, not stored */
  orphans: { case_id: string; line: number }[];
  /** transcripts of other agents in the same file, by agent: not scored in this run */
  others: Map<string, number>;
};

export { MISSING_TRANSCRIPT } from "../schema/transcript.js";

const AGENT_NAME = /^[A-Za-z0-9._-]+$/;

/**
 * Other platforms name their agent their own way (or not at all); --agent names it here. `steps` is
 * required: a transcript without it would be scored as an investigation that gathered nothing.
 */
const ImportedTranscript = Transcript.extend({ agent: z.string().optional(), steps: z.array(Step) });
type ImportedTranscript = z.infer<typeof ImportedTranscript>;

/**
 * An exported model answer may be JSON text (bare or fenced, as `soceval run` reads a final
 * message), or prose: JSON text is stored as the value it holds, as `run` stores it, prose as the
 * string it is (the store writes it as a JSON string); scoring reads both the same way.
 */
function storableOutput(o: unknown): unknown {
  if (typeof o !== "string") return o;
  const parsed = parseAnswerText(o);
  return parsed && typeof parsed.value !== "string" ? parsed.value : o;
}

/**
 * A tool call's scope is the workflow's, whatever the other platform wrote: `tool_calls.scope` must
 * say `respond` for every call of a respond tool, or a query counting attempted actions misses some.
 */
function withContractScope(steps: Step[], scopes: Map<string, "read" | "respond">): Step[] {
  return steps.map((s) => {
    if (s.type !== "tool_call") return s;
    const scope = scopes.get(s.tool);
    return scope && s.scope !== scope ? { ...s, scope } : s;
  });
}

/**
 * The transcripts of one agent, by case. A file that holds several agents' transcripts (a run's
 * export) gives the ones of `agent`; the others are counted, to be named. A file whose lines name
 * one agent (or none) is that agent's, whatever it calls itself: --agent names it in the store.
 */
async function readTranscripts(
  file: string,
  agent: string,
  signal?: AbortSignal,
): Promise<{ byCase: Map<string, { t: ImportedTranscript; line: number }[]>; others: Map<string, number> }> {
  const all: { t: ImportedTranscript; line: number }[] = [];
  const names = new Map<string, number>();
  // another platform's JSON: a repeated key ("verdict" twice) would silently keep the last value,
  // and `score` is the only command that reads these files before they are stored
  try {
    for await (const { value: t, line } of readJsonl(file, ImportedTranscript, { repeatedKeys: true })) {
      stopIfAborted(signal);
      all.push({ t, line });
      if (t.agent !== undefined) names.set(t.agent, (names.get(t.agent) ?? 0) + 1);
    }
  } catch (e) {
    if (e instanceof ImportInterrupted) throw e;
    throw await swappedFiles(e, file, Case, "a case of a dataset, not a transcript");
  }
  if (names.size > 1 && !names.has(agent))
    throw new InputError(
      `${file}: holds the transcripts of ${names.size} agents (${[...names.keys()].join(", ")}); --agent picks the one to score`,
      file,
    );
  const mine = names.size > 1 ? all.filter(({ t }) => t.agent === undefined || t.agent === agent) : all;
  const others = new Map(names.size > 1 ? [...names].filter(([name]) => name !== agent) : []);
  const byCase = new Map<string, { t: ImportedTranscript; line: number }[]>();
  for (const { t, line } of mine) {
    const list = byCase.get(t.case_id) ?? [];
    const twin = list.find((x) => x.t.epoch === t.epoch);
    if (twin)
      throw new InputError(
        `${file}:${line}: epoch: case ${t.case_id} epoch ${t.epoch} already appears on line ${twin.line}`,
        file,
        line,
      );
    list.push({ t, line });
    byCase.set(t.case_id, list);
  }
  return { byCase, others };
}

/**
 * How many epochs the file holds: one more than its highest. Every epoch below that must have a
 * transcript somewhere in the file: a gap is a numbering the scorer cannot honour (epochs counted
 * from 1 would fail every case's epoch 0; epoch 3000000000 would make billions of missing ones).
 */
function countEpochs(file: string, byCase: Map<string, { t: ImportedTranscript; line: number }[]>): number {
  const firstLine = new Map<number, number>();
  let top = { epoch: 0, line: 0 };
  for (const list of byCase.values())
    for (const { t, line } of list) {
      if (!firstLine.has(t.epoch)) firstLine.set(t.epoch, line);
      if (t.epoch > top.epoch) top = { epoch: t.epoch, line };
    }
  let gap = 0;
  while (firstLine.has(gap)) gap++;
  if (gap < top.epoch)
    throw new InputError(
      `${file}:${top.line}: epoch: epoch ${top.epoch}, but no transcript of the file has epoch ${gap}; ` +
        "epochs count from 0, one per replay of a case (an export that counts from 1?)",
      file,
      top.line,
    );
  return top.epoch + 1;
}

/**
 * `soceval score`: transcripts produced by any agent platform, scored against the dataset and
 * stored as a run of kind "imported" — the same tables and rows `soceval run` writes.
 */
export async function importTranscripts(store: Store, opts: ImportOptions): Promise<ImportOutcome> {
  if (!AGENT_NAME.test(opts.agent))
    throw new InputError(`--agent: "${opts.agent}": agent names are used in keys: letters, digits, . _ -`);
  const workflowFile = resolve(opts.workflowFile);
  const datasetFile = resolve(opts.datasetFile);
  const transcriptsFile = resolve(opts.transcriptsFile);
  const workflow = loadWorkflow(workflowFile);
  const tools = opts.tools ?? "all";
  if (tools !== "all")
    for (const t of tools)
      if (!workflow.tools.some((x) => x.name === t))
        throw new InputError(`--tools: "${t}" is not a tool of ${workflowFile}`);
  const { byCase, others } = await readTranscripts(opts.transcriptsFile, opts.agent, opts.signal);
  const dataset = await fileFacts(datasetFile);
  if (byCase.size === 0) throw new InputError(`${opts.transcriptsFile}: no transcripts`, opts.transcriptsFile);
  const epochs = countEpochs(opts.transcriptsFile, byCase);

  // the same export checked out with CRLF (Windows, git's core.autocrlf) is the same agent: the hash
  // of its LF form, which for an LF file is its bytes' as before
  const transcriptsHash = (await lineEndingHashes(transcriptsFile)).lf;
  const meta: RunMeta = {
    run_id: newRunId(),
    suite: `${workflow.id} (imported)`,
    suite_path: null,
    workflow: workflow.id,
    workflow_version: workflow.version,
    dataset: datasetFile,
    dataset_hash: dataset.sha256,
    agents: [
      {
        name: opts.agent,
        hash: createHash("sha256").update(`${opts.agent}\0${transcriptsHash}`).digest("hex").slice(0, 16),
        provider: "imported",
        model: "unknown",
        // rescore finds the workflow and the agent's scope here
        config: { provider: "imported", workflow_file: workflowFile, transcripts: transcriptsFile, tools },
      },
    ],
    git_revision: gitRevision(),
    seed: 0,
    epochs,
    shard: null,
    kind: "imported",
    exit_criteria: phaseCriteria(undefined),
  };
  const toolSources = Object.fromEntries(workflow.tools.map((t) => [t.name, t.source]));
  const scopes = new Map(workflow.tools.map((t) => [t.name, t.scope]));
  stopIfAborted(opts.signal);
  const writer = await RunWriter.begin(store, meta, toolSources, false, dataset.vectorBytes);
  const agent = { name: opts.agent, tools };
  const outcome: ImportOutcome = { runId: meta.run_id, cases: 0, scored: 0, missing: [], orphans: [], others };
  const caseIds = new CaseIds();
  try {
    for await (const { value: c, line } of readJsonl(datasetFile, Case)) {
      stopIfAborted(opts.signal);
      // what `run` refuses in a dataset beyond its schema (replay-case.ts): a case id twice would store
      // one investigation twice, a record id twice makes a citation ambiguous, and a required id no
      // record has is a miss on every transcript
      const problem = crossCheckCase(c)[0] ?? caseIds.duplicate(c.id, line);
      if (problem) throw new InputError(`${datasetFile}:${line}: ${problem}`, datasetFile, line);
      if (c.workflow !== workflow.id)
        throw new InputError(
          `${datasetFile}:${line}: workflow: case ${c.id} is for "${c.workflow}", not "${workflow.id}"`,
          datasetFile,
          line,
        );
      outcome.cases++;
      const list = byCase.get(c.id);
      byCase.delete(c.id);
      // every epoch the file has, for every case: an epoch a case lacks counts as failed, as a case
      // with no transcript at all does, rather than silently weighing the cases that have it more
      const transcripts: Transcript[] = [];
      for (let epoch = 0; epoch < epochs; epoch++) {
        const found = list?.find((x) => x.t.epoch === epoch)?.t;
        // a run's export holds the placeholder of a transcript its own import lacked: still missing
        const t = found && !transcriptMissing(found) ? found : undefined;
        if (t) {
          transcripts.push({ ...t, agent: opts.agent, steps: withContractScope(t.steps, scopes) });
          outcome.scored++;
        } else {
          transcripts.push({
            case_id: c.id,
            agent: opts.agent,
            epoch,
            steps: [],
            output: null,
            error: MISSING_TRANSCRIPT,
          });
          outcome.missing.push(epochs > 1 ? `${c.id} (epoch ${epoch})` : c.id);
        }
      }
      for (const t of transcripts) {
        const scored = scoreTranscript({ case: c, transcript: t, workflow, agent });
        writer.add({ case: c, transcript: { ...t, output: storableOutput(t.output) }, ...scored });
      }
      if (writer.pendingCount >= (opts.batchSize ?? 250)) await writer.flush();
    }
    for (const list of byCase.values())
      for (const { t, line } of list) outcome.orphans.push({ case_id: t.case_id, line });
    // transcripts of some other dataset: every case would be stored as failed, and mean nothing
    if (outcome.scored === 0) {
      const first = outcome.orphans[0]!;
      throw new InputError(
        `${opts.transcriptsFile}: no transcript names a case of ${opts.datasetFile} ` +
          `(line ${first.line} names "${first.case_id}"): is it the dataset they answer?`,
        opts.transcriptsFile,
        first.line,
      );
    }
  } catch (caught) {
    const e =
      caught instanceof ImportInterrupted
        ? caught
        : await swappedFiles(caught, datasetFile, ImportedTranscript, "a transcript, not a case of a dataset");
    // bad input removes the run whole, as \`soceval run\` does, and so does a signal: an import is not
    // resumed but scored again. Anything else keeps it, marked failed
    if (e instanceof InputError || e instanceof ImportInterrupted) await writer.abandon(true).catch(() => {});
    else await writer.finish("failed", outcome.cases).catch(() => {});
    throw e;
  }
  await writer.finish("finished", outcome.cases);
  return outcome;
}
