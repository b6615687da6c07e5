import { existsSync } from "node:fs";
import { availableParallelism } from "node:os";
import type { Command } from "commander";
import { resumeArgs } from "../analytics/resume-hint.js";
import { loadRunInfo } from "../analytics/run.js";
import { type AgentSummary, type ReplacedSpend, replacedSpend, runSummary } from "../analytics/summary.js";
import { sampleReach } from "../datasets/reach-sample.js";
import { runReachWarning } from "../datasets/reach-text.js";
import { InputError } from "../io/errors.js";
import { refuseInputs } from "../io/out-file.js";
import { refuseOtherFormat } from "../io/out-format.js";
import { printable } from "../io/printable.js";
import { shellWord } from "../io/shell.js";
import { type RunOutcome, refuseRunFlags, runSuite, selectAgents } from "../replay/runner.js";
import { parseShard, type Shard } from "../replay/shard.js";
import { ProviderUnreachable } from "../replay/unusable.js";
import { giveBackAsFound, storeAsFound } from "../store/as-found.js";
import { DamagedStore, DEFAULT_DB, Store, storeFlag } from "../store/db.js";
import { deleteRuns } from "../store/delete-runs.js";
import { deadRaiseLines } from "../workflow/dead-raises.js";
import { loadSuite } from "../workflow/load.js";
import { suiteInputs } from "../workflow/suite-inputs.js";
import { optionalCount } from "./count-flag.js";
import { action, EXIT } from "./exit.js";
import { openForWriting, removeIfLeftEmpty } from "./fresh-store.js";
import { outFile } from "./out-option.js";
import { progressReporter } from "./progress.js";
import { replayMissesLine } from "./replay-misses.js";
import { beforeStartLine, holdsNothing, RunSignals, StoppedBeforeStart } from "./run-signals.js";
import { finishWithoutReader } from "./stdout-reader.js";
import { runStates, stoppedRunLine } from "./stopped-run.js";
import { replacedText, summaryTable } from "./summary-table.js";

type RunFlags = {
  agent?: string[];
  db: string;
  concurrency?: string;
  epochs?: string;
  resume?: boolean | string;
  retryFailed?: boolean;
  shard?: string;
  record?: string;
  limit?: string;
  workers?: string;
  quiet?: boolean;
};

/**
 * Worker threads past the machine's cores replay nothing faster, and each holds its own copy of the
 * suite and its modules: `--workers 1000` (or `1e3`) on a 2-core runner took 14 GB and never
 * finished. A count written for a bigger machine still runs, on as many threads as this one has.
 */
function atMostOnePerCore(workers: number | undefined): number | undefined {
  const cores = availableParallelism();
  if (workers === undefined || workers <= cores) return workers;
  process.stderr.write(
    `soceval: --workers ${workers}: this machine has ${cores} core${cores === 1 ? "" : "s"}; replaying in ${cores} worker thread${cores === 1 ? "" : "s"}\n`,
  );
  return cores;
}

export function register(program: Command): void {
  program
    .command("run")
    .description("replay a suite's labeled cases through its agents in shadow mode and store every transcript")
    .argument("<suite>", "suite YAML, e.g. suites/phishing-triage/shadow.suite.yaml")
    .option("--agent <name...>", "agents to run (default: the suite's default_agents)")
    .option("--db <path>", "DuckDB store", DEFAULT_DB)
    .option("--concurrency <n>", "cases in flight at once (default: the suite's)")
    .option("--epochs <n>", "run each case n times (default: the suite's)")
    .option("--resume [run]", "finish an interrupted run without redoing or losing a case")
    .option(
      "--retry-failed",
      "with --resume: replay again the cases a provider failure cut short (not the agent's own limits)",
    )
    .option("--shard <i/n>", "replay only slice i of n (write each shard to its own --db)")
    .option("--record <file>", "append every model response to this replay recording", outFile)
    .option("--limit <n>", "replay only the first n cases")
    .option(
      "--workers <n>",
      'worker threads replaying the playbook agent (default: cores − 1, from 1 to 4, or the main thread for a replay under ~16 MB of cases or a --limit under 1,500; 0: the main thread, which holds less memory: README, "Memory")',
    )
    .option("--quiet", "no progress output")
    .action(
      action(async (suiteFile: string, flags: RunFlags) => {
        finishWithoutReader();
        // a bad count is a usage error: said alone, before the suite's loading and its warnings
        const counts = {
          concurrency: optionalCount("--concurrency", flags.concurrency),
          epochs: optionalCount("--epochs", flags.epochs),
          limit: optionalCount("--limit", flags.limit),
          workers: atMostOnePerCore(optionalCount("--workers", flags.workers, { min: 0 })),
        };
        const shard = flags.shard ? parseShard(flags.shard) : undefined;
        const signals = new RunSignals(
          // stored batches are whole (one transaction each), so leaving now loses nothing stored
          () => `soceval: stopped; finish it with: ${resumeCommand(process.argv.slice(2))}\n`,
        );
        try {
          return await replaySuite(suiteFile, flags, counts, shard, signals);
        } catch (e) {
          if (!(e instanceof StoppedBeforeStart)) throw e;
          process.stderr.write(beforeStartLine(e.signal));
          return EXIT.runtime;
        } finally {
          signals.dispose();
        }
      }),
    );
}

type Counts = { concurrency?: number; epochs?: number; limit?: number; workers?: number };

async function replaySuite(
  suiteFile: string,
  flags: RunFlags,
  counts: Counts,
  shard: Shard | undefined,
  signals: RunSignals,
): Promise<number> {
  const ls = loadSuite(suiteFile);
  // an unknown --agent or default_agents name, a flag those agents cannot take, or a model agent
  // that cannot start (its API key unset), is refused before the warnings below say "the run goes on"
  const chosen = selectAgents(ls, flags.agent);
  const models = chosen.filter((a) => a.provider !== "playbook" && a.provider !== "replay");
  if (models.length) {
    const { createProvider } = await import("../providers/index.js");
    for (const a of models) createProvider(a);
  }
  // appended to during the replay: the suite's dataset or workflow would be left holding recordings
  refuseInputs(suiteInputs(ls, { recordings: false }), [["--record", flags.record]]);
  // a new recordings file is JSONL whatever its name: rec.json would hold lines jq rejects. One
  // --record wrote already is appended to under its name, so a suite that names it keeps working
  if (flags.record && !existsSync(flags.record)) refuseOtherFormat("--record", flags.record, "JSONL", "--record");
  refuseRunFlags(chosen, { ...flags, workers: counts.workers });
  process.stderr.write(deadRaiseLines(ls.workflow, ls.workflowFile));
  signals.checkpoint();
  const sample = await sampleReach(ls.datasetFile, ls.workflow, undefined, ls.workflowFile);
  signals.checkpoint();
  const unreached = sample ? runReachWarning(sample, ls.datasetFile, ls.workflowFile) : { start: "", end: "" };
  process.stderr.write(unreached.start);
  const found = storeAsFound(flags.db);
  // a resume needs the store that holds the run: a mistyped --db must not create an empty one
  const { store, created } =
    flags.resume !== undefined
      ? { store: await Store.open(flags.db, { existing: true }), created: { file: false, folders: [] } }
      : await openForWriting(flags.db);
  signals.opened(store, created, flags.resume !== undefined);
  // a damaged block met before the run or half-way: no resume gets past it, so the command is undone,
  // not left as a run marked failed (or a log of changes beside the store) in a file to restore from a copy
  const undoOnDamage = async (e: unknown) =>
    e instanceof DamagedStore && (await giveBackAsFound(store, found))
      ? new DamagedStore(`${e.message}\nsoceval: nothing of this run was stored; ${store.path} is as it was`)
      : e;
  const before = await runStates(store).catch(async (e: unknown) => {
    throw await undoOnDamage(e);
  });
  try {
    signals.checkpoint();
  } catch (e) {
    if (!(await removeIfLeftEmpty(store, created).catch(() => false))) store.close();
    throw e;
  }
  const progress = flags.quiet ? null : progressReporter(ls.suite.name);
  let outcome: RunOutcome;
  try {
    outcome = await runSuite(store, ls, {
      agents: flags.agent,
      ...counts,
      resume: flags.resume,
      retryFailed: flags.retryFailed,
      shard,
      record: flags.record,
      signal: signals.replay(),
      onProgress: (p) => progress?.update(p),
    });
  } catch (e) {
    if (e instanceof DamagedStore) throw await undoOnDamage(e);
    // refused (an unknown --agent, an unset key, a bad flag): no empty store is left at --db
    const removed = await removeIfLeftEmpty(store, created).catch(() => false);
    // anything else keeps what the run stored: say so, and how to finish it (a refusal and a
    // model that cannot be used say what to do themselves)
    if (removed || e instanceof InputError || e instanceof ProviderUnreachable) throw e;
    const line = await stoppedRunLine(store, before, suiteFile).catch(() => "");
    throw line ? new Error(`${(e as Error).message}\nsoceval: ${line}`) : e;
  } finally {
    progress?.stop();
    signals.dispose();
  }
  // a new run that a signal stopped before its first case holds nothing: not left to list or resume
  if (outcome.status === "interrupted" && flags.resume === undefined && (await holdsNothing(store, outcome.runId))) {
    await deleteRuns(store, [outcome.runId]);
    if (!(await removeIfLeftEmpty(store, created))) store.close();
    throw new StoppedBeforeStart(signals.signal ?? "SIGINT");
  }
  printSummary(await runSummary(store, outcome.runId), await replacedSpend(store, outcome.runId), outcome, flags.db);
  // a long run scrolls the first warning away: the figures just printed are the ones it is about
  process.stderr.write(unreached.end);
  // on stdout too: a CI log that keeps only stdout must not read a stopped run as a whole one
  if (outcome.status === "interrupted") process.stdout.write(await interruptedLine(store, outcome, suiteFile));
  const allFailed = outcome.done > outcome.skipped && outcome.errors === outcome.done - outcome.skipped;
  // what went wrong, straight away: usually the same for every case (a server down, a bad key)
  const [first] = allFailed
    ? await store.query<{ error: string }>(
        "SELECT error FROM transcripts WHERE run_id = ? AND error IS NOT NULL ORDER BY case_id LIMIT 1",
        [outcome.runId],
      )
    : [];
  const retry =
    outcome.status === "interrupted"
      ? ""
      : (await replayMissesLine(store, outcome.runId, suiteFile)) + (await retryFailedHint(store, outcome, suiteFile));
  store.close();
  if (outcome.status === "interrupted") {
    process.stderr.write(`soceval: run ${outcome.runId} interrupted; continue it with --resume\n`);
    return EXIT.runtime;
  }
  if (allFailed) {
    const db = storeFlag(flags.db) ? ` ${storeFlag(flags.db)}` : "";
    process.stderr.write(
      // the error can quote the model (its refusal) or the server: escapes shown, not obeyed
      `soceval: every case failed${first ? `, the first with: ${printable(first.error)}` : ""}\n` +
        `soceval: see \`soceval findings --run ${outcome.runId} --kind agent_error${db}\`\n${retry}`,
    );
    return EXIT.runtime;
  }
  process.stderr.write(retry);
  return EXIT.ok;
}

/**
 * The investigations a provider failure cut short (retries spent, an outage, a long retry-after)
 * and the command that replays only those once the model answers; empty when there are none. A
 * replay agent's miss is left out: replaying it again finds the same recordings.
 */
async function retryFailedHint(store: Store, o: RunOutcome, suiteFile: string): Promise<string> {
  const rows = await store.query<{ agent: string; failed: number; n: number }>(
    `SELECT agent, count(*) FILTER (WHERE starts_with(error, 'provider:')
              AND NOT starts_with(error, 'provider: replay:'))::INTEGER AS failed, count(*)::INTEGER AS n
     FROM transcripts WHERE run_id = ? GROUP BY agent ORDER BY agent`,
    [o.runId],
  );
  const failed = rows.filter((r) => r.failed > 0);
  if (failed.length === 0) return "";
  const resume = await resumeArgs(store, o.runId, await loadRunInfo(store, o.runId), "--retry-failed");
  const which = failed.map((r) => `${r.failed} of ${r.n} investigations of agent ${r.agent}`).join(", ");
  return (
    `soceval: the provider failed ${which} (they count as failed answers); once it answers, ` +
    `replay only those: soceval run ${suiteFile} ${resume}\n`
  );
}

/**
 * The command that finishes a run quit before it knew its own id: the one that started it, which
 * is what --resume requires (a bare `--resume` is refused for the flags it leaves out).
 */
export function resumeCommand(args: string[]): string {
  const resumes = args.some((a) => a === "--resume" || a.startsWith("--resume="));
  return `soceval ${args.map(shellWord).join(" ")}${resumes ? "" : " --resume"}`;
}

/** The stopped run's state and the command that finishes it, with the flags a resume must repeat. */
async function interruptedLine(store: Store, o: RunOutcome, suiteFile: string): Promise<string> {
  const resume = await resumeArgs(store, o.runId, await loadRunInfo(store, o.runId));
  return (
    `run ${o.runId} INTERRUPTED: ${o.done} of ${o.total} investigations stored, the rest not replayed; ` +
    `its figures above are partial. Finish it: soceval run ${suiteFile} ${resume}\n`
  );
}

function printSummary(rows: AgentSummary[], replaced: ReplacedSpend[], o: RunOutcome, db: string): void {
  process.stdout.write(summaryTable(rows) + replacedText(replaced));
  process.stdout.write(
    `run ${o.runId}: ${o.done - o.skipped} replayed${o.retried ? ` (${o.retried} of them earlier provider failures, retried)` : ""}${o.skipped ? `, ${o.skipped} already stored` : ""}, ${o.errors} failed → ${db}\n`,
  );
  // each figure above leads to its cases: the table's rates are the report's
  const dbFlag = storeFlag(db) ? ` ${storeFlag(db)}` : "";
  process.stdout.write(
    `the cases behind a figure: soceval cases --run ${o.runId} --rate critical_miss_rate${dbFlag} (or verdict_agreement, hallucination_rate, policy_violation_rate, failed_rate); the report: soceval report --run ${o.runId}${dbFlag} --out report.html\n`,
  );
}
