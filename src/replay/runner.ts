import { statSync } from "node:fs";
import { availableParallelism } from "node:os";
import { resolve } from "node:path";
import { phaseCriteria } from "../analytics/criteria.js";
import { CaseIds } from "../datasets/checks.js";
import { InputError, isStackOverflow } from "../io/errors.js";
import { changedSince, fileVersion } from "../io/file-version.js";
import { gitRevision } from "../io/git.js";
import { fileFacts } from "../io/hash.js";
import { isBlankLine, readLineBytes, readLines } from "../io/lines.js";
import { fieldError } from "../io/yaml.js";
import { effectiveBaseUrl } from "../providers/base-url.js";
import { DEFAULT_GATE } from "../schema/gate-defaults.js";
import { investigationFailed } from "../schema/index.js";
import type { Store } from "../store/db.js";
import { newRunId } from "../store/run-id.js";
import { type RunMeta, RunWriter, type ScoredTranscript } from "../store/run-writer.js";
import type { LoadedAgent, LoadedSuite } from "../workflow/load.js";
import { ReplayPool } from "./pool.js";
import { RateLimiter } from "./rate-limit.js";
import { type AgentDriver, agentOfKey, caseOfLine, INTERRUPTED, replayCase, storedKey } from "./replay-case.js";
import { findResumable } from "./resume.js";
import type { Shard } from "./shard.js";
import { tooDeepMessage } from "./too-deep.js";
import { ProviderUnreachable, type RecordingsMissed, unusableStop } from "./unusable.js";
import type { CaseOutcome } from "./worker.js";

export type RunOptions = {
  agents?: string[];
  concurrency?: number;
  epochs?: number;
  resume?: boolean | string;
  /** with `resume`: replay again the cases whose provider failed (RunWriter.forgetProviderFailures) */
  retryFailed?: boolean;
  shard?: Shard;
  record?: string;
  limit?: number;
  batchSize?: number;
  /** also commit a partial batch after this long, so a slow provider's work is never long at risk */
  flushEveryMs?: number;
  signal?: AbortSignal;
  /** worker threads for the playbook agent (default: cores − 1, 1 to 4, when every agent is the playbook; 0 = main thread) */
  workers?: number;
  onProgress?: (p: Progress) => void;
};

export type Progress = { done: number; total: number; errors: number; skipped: number };
export type RunOutcome = {
  runId: string;
  status: "finished" | "interrupted";
  done: number;
  errors: number;
  skipped: number;
  total: number;
  /** provider failures forgotten by `retryFailed`, replayed again in this run */
  retried: number;
};

export function selectAgents(ls: LoadedSuite, names?: string[]): LoadedAgent[] {
  const fromFlag = Boolean(names?.length);
  const wanted = fromFlag ? names! : (ls.suite.default_agents ?? [ls.agents[0]!.name]);
  // named at the flag, or at the suite's default_agents line
  const refuse = (i: number, msg: string) =>
    fromFlag ? new InputError(`--agent: ${msg}`) : fieldError(ls.file, ["default_agents", i], msg);
  const twice = wanted.findIndex((n, i) => wanted.indexOf(n) !== i);
  if (twice >= 0) throw refuse(twice, `"${wanted[twice]}" named twice`);
  return wanted.map((n, i) => {
    const a = ls.agents.find((x) => x.name === n);
    if (!a) throw refuse(i, `no agent named "${n}" in ${ls.file} (it has: ${ls.agents.map((x) => x.name).join(", ")})`);
    return a;
  });
}

/**
 * Flags that cannot go with the chosen agents: checked by `soceval run` before its warnings (which
 * end "the run goes on") and again by runSuite for any other caller.
 */
export function refuseRunFlags(
  agents: LoadedAgent[],
  opts: Pick<RunOptions, "workers" | "record" | "retryFailed" | "resume">,
): void {
  if (opts.workers !== undefined && opts.workers > 0 && agents.some((a) => a.provider !== "playbook"))
    throw new InputError(
      "--workers: worker threads replay the playbook agent only; model agents run in the main thread",
    );
  if (opts.record && agents.every((a) => a.provider === "playbook"))
    throw new InputError(`--record: the playbook agent calls no model, so there is nothing to record`);
  if (opts.retryFailed && !opts.resume)
    throw new InputError("--retry-failed: only with --resume, to replay a stored run's provider failures again");
}

/**
 * Replay the suite's cases through the chosen agents in shadow mode. Cases stream from disk; work is
 * bounded by the concurrency limit; results land in batches, one transaction each, so a killed run
 * resumes from exactly what was stored.
 */
export async function runSuite(store: Store, ls: LoadedSuite, opts: RunOptions = {}): Promise<RunOutcome> {
  const agents = selectAgents(ls, opts.agents);
  const epochs = opts.epochs ?? ls.suite.epochs;
  const workers =
    opts.workers ??
    (agents.every((a) => a.provider === "playbook")
      ? defaultWorkers(ls, opts.limit ?? ls.suite.limit, agents.length * epochs)
      : 0);
  refuseRunFlags(agents, { ...opts, workers });
  const toolSources = Object.fromEntries(ls.workflow.tools.map((t) => [t.name, t.source]));
  // the workers load their modules while the dataset is hashed and the run is opened
  const pool =
    workers > 0 ? new ReplayPool({ suite: ls, agents: agents.map((a) => a.name), epochs, toolSources }, workers) : null;
  try {
    return await replay(store, ls, opts, agents, epochs, toolSources, pool);
  } finally {
    await pool?.close();
  }
}

/**
 * The playbook agent is pure computation: it replays in worker threads, off the thread that writes.
 * One core stays with the reader/writer, and beyond four workers the single writer is the limit.
 * A small replay stays on the main thread: a worker takes ~0.13 s to start, more than it saves on
 * a few thousand cases (a 320-case bundled suite: 0.95 s on the main thread, 1.05 s with a worker).
 * The work is judged by the dataset's size (parsing it is most of the work) or by --limit.
 */
export function defaultWorkers(
  ls: Pick<LoadedSuite, "datasetFile">,
  limit: number | undefined,
  perCase: number,
): number {
  let bytes = 0;
  try {
    bytes = statSync(ls.datasetFile).size;
  } catch {
    return 0; // the run reports the missing file itself
  }
  const small = bytes * perCase < SMALL_REPLAY_BYTES || (limit !== undefined && limit * perCase < SMALL_REPLAY_CASES);
  // a worker answers a case with all its investigations at once: with --epochs 200000 one answer
  // held 2.4 GB, where the main thread, which stores them as they come, peaked at 0.5 GB
  return small || perCase > MAX_WORKER_CASE_INVESTIGATIONS ? 0 : Math.max(1, Math.min(4, availableParallelism() - 1));
}

/** Below these (dataset bytes × agents × epochs, or --limit × agents × epochs) a replay stays on the main thread. */
const SMALL_REPLAY_BYTES = 16 * 1024 * 1024;
const SMALL_REPLAY_CASES = 1500;
/** Above this many investigations a case (agents × epochs), a replay stays on the main thread. */
const MAX_WORKER_CASE_INVESTIGATIONS = 10_000;

async function replay(
  store: Store,
  ls: LoadedSuite,
  opts: RunOptions,
  agents: LoadedAgent[],
  epochs: number,
  toolSources: Record<string, string>,
  pool: ReplayPool | null,
): Promise<RunOutcome> {
  const concurrency = opts.concurrency ?? ls.suite.concurrency;
  const limit = opts.limit ?? ls.suite.limit;
  // a batch is a few thousand cases or two seconds of work, whichever comes first: each commit has
  // a fixed cost (bench/README.md), and a crash loses at most the batch in flight, which a resume replays
  const batchSize = opts.batchSize ?? 2500;
  const flushEveryMs = opts.flushEveryMs ?? 2000;
  let lastFlush = Date.now();
  let flushing: Promise<void> | null = null;
  let flushError: unknown = null;
  const datasetVersion = fileVersion(ls.datasetFile);
  const { sha256: datasetHash, lines: datasetLines, vectorBytes } = await fileFacts(ls.datasetFile);
  const shardLabel = opts.shard ? `${opts.shard.index}/${opts.shard.count}` : null;
  const meta: RunMeta = {
    run_id: "",
    suite: ls.suite.name,
    suite_path: resolve(ls.file),
    workflow: ls.workflow.id,
    workflow_version: ls.workflow.version,
    dataset: ls.datasetFile,
    dataset_hash: datasetHash,
    agents: agents.map((a) => ({
      name: a.name,
      hash: a.hash,
      provider: a.provider,
      model: a.model,
      // the address actually used: OPENAI_BASE_URL / ANTHROPIC_BASE_URL override the agent file
      config: { ...a, base_url: effectiveBaseUrl(a), promptText: undefined },
    })),
    git_revision: gitRevision(),
    seed: ls.suite.seed,
    epochs,
    shard: shardLabel,
    kind: "replay",
    replay_config: { faults: ls.suite.faults, limit: limit ?? null, fault_draws: "per_epoch" },
    exit_criteria: phaseCriteria(ls.suite.exit_criteria),
    gate_rules: ls.suite.gate ?? DEFAULT_GATE,
  };

  if (datasetLines === 0) throw new InputError(`${ls.datasetFile}: no cases to replay`, ls.datasetFile);
  // providers first: an agent that cannot run (its API key unset) is refused before a run exists
  const drivers = new Map<string, AgentDriver>();
  // the SDKs load only when a model agent runs: the playbook baseline never needs them
  const createProvider = agents.some((a) => a.provider !== "playbook")
    ? (await import("../providers/index.js")).createProvider
    : null;
  for (const a of agents)
    if (a.provider !== "playbook" && createProvider)
      drivers.set(a.name, {
        provider: createProvider(a, { record: opts.record }),
        limiter: new RateLimiter({ requestsPerMinute: a.limits.requests_per_minute, concurrency }),
      });

  const resumeId = opts.resume ? await findResumable(store, meta, opts.resume, opts.retryFailed === true) : null;
  meta.run_id = resumeId ?? newRunId();
  const retried = resumeId && opts.retryFailed ? await RunWriter.forgetProviderFailures(store, resumeId) : 0;
  const writer = await RunWriter.begin(store, meta, toolSources, resumeId !== null, vectorBytes);
  const stored = resumeId ? await RunWriter.storedKeys(store, resumeId) : new Set<string>();

  let lines = datasetLines;
  if (opts.shard) lines = Math.ceil(lines / opts.shard.count);
  if (limit) lines = Math.min(lines, limit);
  const progress: Progress = { done: 0, total: lines * agents.length * epochs, errors: 0, skipped: 0 };
  const inflight = new Set<Promise<void>>();
  let caseError: unknown = null;
  let index = -1;
  let taken = 0;
  let interrupted = false;
  // Fail fast when a model cannot be reached at all. If the first cases an agent replays all fail to
  // connect, the server is not started or base_url is wrong, and every case would only be retried,
  // stored as a failure, and skipped by --resume. A run with fewer cases than that (a smoke test
  // with --limit 1) stops once all of them failed.
  const failFastAfter = new Map(
    agents.map((a) => {
      let left = lines * epochs;
      for (const k of stored) if (agentOfKey(k) === a.name) left--;
      return [a.name, Math.max(1, Math.min(Math.max(3, concurrency), left))];
    }),
  );
  const answered = new Set<string>();
  const unreachable = new Map<string, number>();
  // set once an agent's first cases all found its model unusable: the run stops dispatching and throws it
  let stop: ProviderUnreachable | RecordingsMissed | null = null;
  const watchReach = (item: ScoredTranscript) => {
    const agent = item.transcript.agent;
    if (!drivers.has(agent) || answered.has(agent)) return;
    if (!item.unusable) {
      answered.add(agent);
      return;
    }
    const n = (unreachable.get(agent) ?? 0) + 1;
    unreachable.set(agent, n);
    if (n >= failFastAfter.get(agent)!)
      stop ??= unusableStop(item.unusable, agent, n, item.transcript.error, resumeId, ls.file);
  };

  /** Commit a batch when one is full (or has waited long), overlapping the commit with the next replays. */
  const maybeFlush = async () => {
    if (flushError) throw flushError;
    if (flushing) {
      // what arrives during a commit waits in memory, up to a batch: a commit that checkpoints takes
      // ~0.4 s, and a tighter bound would leave the worker idle for it (bench/README.md)
      if (writer.waitingCount >= batchSize) await flushing;
      return;
    }
    if (writer.pendingCount >= batchSize || (writer.pendingCount > 0 && Date.now() - lastFlush > flushEveryMs)) {
      // one flush at a time; the commit (and its fsync) overlaps the next replays
      lastFlush = Date.now();
      flushing = writer
        .flush()
        .catch((e: unknown) => {
          flushError = e;
        })
        .finally(() => {
          flushing = null;
        });
    }
  };

  // a case id twice in the dataset would be stored twice under one key: refused where it repeats
  const caseIds = new CaseIds();
  const refuseRepeated = (id: string, line: number) => {
    const repeated = caseIds.duplicate(id, line);
    if (repeated) throw new InputError(`${ls.datasetFile}:${line}: ${repeated}`, ls.datasetFile, line);
  };
  /** A replay worker's outcome for one case, in dataset order. */
  const takeOutcome = (o: CaseOutcome, frame: Uint8Array) => {
    if ("inputError" in o) throw new InputError(o.inputError, ls.datasetFile, o.line);
    refuseRepeated(o.case_id, o.line);
    progress.skipped += o.skipped;
    progress.done += o.skipped;
    for (const t of o.transcripts) {
      if (t.failed) progress.errors++;
      writer.addFramed(t, frame);
      progress.done++;
    }
    opts.onProgress?.(progress);
  };

  try {
    pool?.start({ runId: meta.run_id, stored: [...stored] }, takeOutcome);
    let line = 0;
    // the workers take lines as bytes, and decode them: this thread never holds the cases as text
    const source = pool ? readLineBytes(ls.datasetFile) : readLines(ls.datasetFile);
    outer: for await (const text of source) {
      line++;
      if (typeof text === "string" ? !/\S/.test(text) : isBlankLine(text)) continue;
      index++;
      if (opts.shard && index % opts.shard.count !== opts.shard.index - 1) continue;
      if (limit && taken >= limit) break;
      if (opts.signal?.aborted) {
        interrupted = true;
        break;
      }
      taken++;
      if (pool) {
        await pool.submit(line, text as Buffer);
        await maybeFlush();
        continue;
      }
      const checked = caseOfLine(ls, line, text as string)!;
      if ("error" in checked) throw new InputError(checked.error, ls.datasetFile, line);
      const c = checked.case;
      refuseRepeated(c.id, line);
      for (const agent of agents) {
        for (let epoch = 0; epoch < epochs; epoch++) {
          if (opts.signal?.aborted || stop) {
            interrupted = true;
            break outer;
          }
          if (stored.has(storedKey(c.id, agent.name, epoch))) {
            progress.skipped++;
            progress.done++;
            continue;
          }
          while (inflight.size >= concurrency) await Promise.race(inflight);
          // a Ctrl-C (or an unreachable model) while waiting for a slot: start nothing new
          if (opts.signal?.aborted || stop) {
            interrupted = true;
            break outer;
          }
          // the signal stops dispatch, and a model agent's waits (rate limit, backoff, the request):
          // what it cut short is no result, and keeps only its model calls (RunWriter.addInterrupted)
          const at = line;
          const p = replayCase(c, ls, agent, epoch, drivers.get(agent.name) ?? null, opts.signal)
            .then((item) => {
              if (item.transcript.error === INTERRUPTED) {
                interrupted = true;
                writer.addInterrupted(item);
                return;
              }
              if (investigationFailed(item.transcript)) progress.errors++;
              watchReach(item);
              writer.add(item);
              progress.done++;
              opts.onProgress?.(progress);
            })
            // kept, not left to reject unawaited: an unhandled rejection would kill the process
            // before the run is removed or marked
            .catch((e: unknown) => {
              caseError ??= isStackOverflow(e)
                ? new InputError(tooDeepMessage(ls.datasetFile, at, c), ls.datasetFile, at)
                : e;
            })
            .finally(() => inflight.delete(p));
          inflight.add(p);
          if (caseError) throw caseError;
          await maybeFlush();
        }
      }
    }
    await pool?.drain();
    await Promise.all(inflight);
    if (!interrupted) {
      const changed = changedSince(ls.datasetFile, datasetVersion, "the run");
      if (changed) throw changed;
    }
    if (caseError) throw caseError;
    if (flushing) await flushing;
    if (flushError) throw flushError;
    if (stop) throw stop;
  } catch (e) {
    // bad input half-way (a malformed case line): a fresh run is removed, never read as a result.
    // Anything else (a replay worker died, the disk filled): what is stored stays, marked failed,
    // and --resume can finish it.
    await Promise.allSettled(inflight);
    if (flushing) await flushing;
    // a line cut short by a rewrite in place reads as malformed: the change is what to report
    const cause = e instanceof InputError ? (changedSince(ls.datasetFile, datasetVersion, "the run") ?? e) : e;
    await writer.abandon(resumeId === null && (cause instanceof InputError || cause instanceof ProviderUnreachable));
    throw cause;
  }
  // the workers' memory goes before the run's last commit and checkpoint
  await pool?.close();
  // a Ctrl-C after every case was handed out, that cut no investigation short, stops nothing: the
  // cases in flight finished and are stored, so the run is whole
  const status = interrupted ? "interrupted" : "finished";
  try {
    await writer.finish(status, taken);
  } catch (e) {
    // the last batch could not be committed (the disk filled): what is stored stays, marked failed
    await writer.abandon(false).catch(() => {});
    throw e;
  }
  return {
    runId: meta.run_id,
    status,
    done: progress.done,
    errors: progress.errors,
    skipped: progress.skipped,
    total: progress.total,
    retried,
  };
}
