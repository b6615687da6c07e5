import type { Command } from "commander";
import { runSetup } from "../analytics/replay-setup.js";
import { resumeArgs } from "../analytics/resume-hint.js";
import { loadRunInfo } from "../analytics/run.js";
import { sampleReach } from "../datasets/reach-sample.js";
import { runReachWarning } from "../datasets/reach-text.js";
import { findBaseline } from "../gate/baseline.js";
import type { Side } from "../gate/cases.js";
import { evaluateGate } from "../gate/evaluate.js";
import { notJudgedJUnit, toJUnit } from "../gate/junit.js";
import {
  checkSameDataset,
  checkSameRuns,
  checkSameSetup,
  datasetMismatch,
  pickBaselineAgent,
  refuseReplayMisses,
  rulesForRun,
  runOrigin,
  storedSide,
  suiteSetup,
} from "../gate/prepare.js";
import { retryHint } from "../gate/retry-hint.js";
import { toMarkdown } from "../gate/summary.js";
import type { GateVerdict } from "../gate/verdict-schema.js";
import { InputError, ReaderGone, RuntimeFailure } from "../io/errors.js";
import { checkNotInput, checkOutWritable, refuseInputs, writeOutFile } from "../io/out-file.js";
import { formatOfName, type OutFormat, refuseOtherFormat } from "../io/out-format.js";
import { shellWord } from "../io/shell.js";
import { fieldError } from "../io/yaml.js";
import { runSuite, selectAgents } from "../replay/runner.js";
import { mdCell } from "../report/format.js";
import { DEFAULT_GATE } from "../schema/gate-defaults.js";
import { DEFAULT_DB, Store, storeFlag } from "../store/db.js";
import { deleteRuns } from "../store/delete-runs.js";
import { resolveRunId } from "../store/run-ref.js";
import { deadRaiseLines } from "../workflow/dead-raises.js";
import { loadSuite } from "../workflow/load.js";
import { runInputs, suiteFileInputs } from "../workflow/suite-inputs.js";
import { optionalCount } from "./count-flag.js";
import { action, EXIT } from "./exit.js";
import { quitOnSignal } from "./gate-signals.js";
import { outFile } from "./out-option.js";
import { progressReporter } from "./progress.js";
import { holdsNothing } from "./run-signals.js";
import { finishWithoutReader } from "./stdout-reader.js";
import { offStopSignals, onStopSignals } from "./stop-signals.js";
import { runStates, stoppedRunLine } from "./stopped-run.js";

type GateFlags = {
  baseline?: string;
  baselineRun?: string;
  candidateRun?: string;
  agent?: string;
  baselineAgent?: string;
  epochs?: string;
  concurrency?: string;
  junit?: string;
  summary?: string;
  json?: string;
  db: string;
  quiet?: boolean;
};

export function register(program: Command): void {
  const gate = program
    .command("gate")
    .description(
      "run a candidate and fail when it regresses against a baseline (exit 0 pass, 1 regression, 2 bad input or configuration, 3 cannot judge)",
    )
    .argument("[suite]", "suite to run the candidate on (omit with --baseline-run/--candidate-run)")
    .option("--baseline <name>", "named baseline (see `soceval baseline bless`)")
    .option("--baseline-run <id>", "compare against this stored run instead of a named baseline")
    .option("--candidate-run <id>", "judge this stored run instead of running the suite")
    .option("--agent <name>", "candidate agent (default: the suite's default agent)")
    .option("--baseline-agent <name>", "baseline agent to compare with (default: same name, or the only one)")
    .option("--epochs <n>", "override the suite's epochs for the candidate")
    .option("--concurrency <n>", "cases in flight at once")
    .option("--junit <file>", "write JUnit XML", outFile)
    .option("--summary <file>", "write the Markdown summary (for a pull-request comment)", outFile)
    .option("--json <file>", "write the JSON verdict", outFile)
    .option("--db <path>", "DuckDB store", DEFAULT_DB)
    .option("--quiet", "no progress output")
    .action(
      action(async (suiteFile: string | undefined, flags: GateFlags) => {
        finishWithoutReader();
        const signals = quitOnSignal((signal) => {
          const e = new RuntimeFailure(`gate: interrupted (${signal}); nothing was judged`);
          writeNotJudged(flags, e);
          process.stderr.write(`\nsoceval: ${e.message}\n`);
          process.exit(EXIT.runtime);
        });
        try {
          return await gateOnce(suiteFile, flags, { ...refuseBadFlags(suiteFile, flags), signals });
        } catch (e) {
          if (!(e instanceof ReaderGone)) writeNotJudged(flags, e);
          throw e;
        } finally {
          signals.pause();
        }
      }),
    );
  // commander refuses a usage error (an unknown option, an extra argument) before the action runs:
  // the report files named so far are replaced all the same, or a reused workspace shows an earlier verdict
  gate.exitOverride((err) => {
    if (err.code === "commander.helpDisplayed" || err.code === "commander.version") process.exit(0);
    writeNotJudged(gate.opts<GateFlags>(), new InputError(err.message.replace(/^error: /, "")));
    process.exit(2);
  });
}

/** The replay's shape, and the gate's handler of a signal outside the replay. */
type Shape = { epochs?: number; concurrency?: number; signals: ReturnType<typeof quitOnSignal> };

/** Flags that contradict each other or cannot be read, refused before the store opens; the replay's shape. */
function refuseBadFlags(suiteFile: string | undefined, flags: GateFlags): { epochs?: number; concurrency?: number } {
  if (!flags.baseline && !flags.baselineRun)
    throw new InputError("gate: give --baseline <name> or --baseline-run <id>");
  if (!suiteFile && !flags.candidateRun) throw new InputError("gate: give a suite to run, or --candidate-run <id>");
  // with a suite the gate replays a new candidate: a stored run given too was ignored, and judged nothing
  if (suiteFile && flags.candidateRun)
    throw new InputError(
      `gate: give a suite to run or --candidate-run ${flags.candidateRun}, not both (a stored run is judged by its own suite's gate rules)`,
    );
  // before the store opens: `--concurrency abc` ran the candidate on the suite's default
  const epochs = optionalCount("--epochs", flags.epochs);
  const concurrency = optionalCount("--concurrency", flags.concurrency);
  // they shape a replay; a stored run was made with its own, which the gate would seem to have changed
  for (const [flag, v] of [
    ["--epochs", epochs],
    ["--concurrency", concurrency],
  ] as const)
    if (flags.candidateRun && v !== undefined)
      throw new InputError(`${flag}: the gate replays nothing with --candidate-run; the stored run keeps its own`);
  // before the candidate runs: a judged gate must not then fail to write as "cannot judge" (exit 3)
  // a verdict (or the "not judged" note of a gate that stops) written over the suite would replace it
  if (suiteFile) refuseInputs(suiteFileInputs(suiteFile), reportFiles(flags));
  // one file named for two reports kept only the last written: CI parsed the JSON verdict as JUnit
  const named = reportFiles(flags).flatMap(([flag, file]) => (file ? [{ flag, file }] : []));
  for (const [i, { flag, file }] of named.entries())
    checkNotInput(
      flag,
      file,
      named.slice(0, i).map((o) => ({ what: `${o.flag}'s file`, file: o.file })),
    );
  for (const [flag, file] of reportFiles(flags)) if (file) checkOutWritable(flag, file);
  return { epochs, concurrency };
}

/**
 * A gate that stops before its verdict still writes every report file it was asked for, saying why:
 * in a reused CI workspace a JUnit file an earlier gate left would otherwise pass for this one's.
 */
function writeNotJudged(flags: GateFlags, e: unknown): void {
  const code = e instanceof InputError ? EXIT.badInput : EXIT.runtime;
  const reason = e instanceof Error ? e.message : String(e);
  // a job summary or PR comment is GitHub Markdown, which drops \`<live agent>\` or \`<id>\` as unknown HTML
  const md = `## soceval gate: not judged\n\nThe gate stopped before a verdict (exit ${code}): ${mdCell(reason)}\n`;
  const json = `${JSON.stringify({ status: "not_judged", exit_code: code, error: reason }, null, 2)}\n`;
  for (const [flag, file, text] of [
    ["--summary", flags.summary, md],
    ["--junit", flags.junit, notJudgedJUnit(reason, code)],
    ["--json", flags.json, json],
  ] as const) {
    // a name that says another format (--junit gate.json) was refused: it gets nothing, not a note in XML
    const named = file === undefined ? undefined : formatOfName(file);
    if (named !== undefined && named !== REPORT_FORMAT[flag]) continue;
    try {
      write(flag, file, text);
    } catch {
      // the error being reported is the one that matters; a file that cannot be written says nothing more
    }
  }
}

async function gateOnce(suiteFile: string | undefined, flags: GateFlags, shape: Shape): Promise<number> {
  // the baseline lives in the store, so a gate never starts one: a mistyped --db (or a CI cache
  // that restored nothing) is refused, not answered from a new, empty store left behind. Judging
  // stored runs only reads, as `report` does: a store on a read-only mount, or one another job is
  // reporting from, is judged, and one from an earlier soceval is not changed
  const store = await Store.open(flags.db, suiteFile ? { existing: true } : { readOnly: true }).catch((e) => {
    // a read-only baseline store: DuckDB's reason alone did not say why a gate needs to write there
    if (suiteFile && e instanceof InputError && /Permission denied|Read-only file system/.test(e.message))
      throw new InputError(
        `${e.message}; the gate stores its candidate's run there: give --db a writable copy, or judge a stored run with --candidate-run, which only reads`,
      );
    throw e;
  });
  try {
    // the candidate run's suite is read for its gate rules
    if (!suiteFile)
      refuseInputs(await runInputs(store, [await resolveRunId(store, flags.candidateRun!)]), reportFiles(flags));
    // before the candidate replays, and after the inputs: --summary suite.yaml is refused as the suite
    for (const [flag, file] of reportFiles(flags)) if (file) refuseOtherFormat(flag, file, REPORT_FORMAT[flag], flag);
    const { verdict, suiteName, note } = await judge(store, suiteFile, flags, shape);
    const retry =
      verdict.status === "infra_failure"
        ? await retryHint(store, verdict.candidate, baselineFlags(flags, verdict.baseline))
        : undefined;
    const db = flags.db === DEFAULT_DB ? undefined : flags.db;
    const md = toMarkdown(verdict, suiteName, { db, retry, note, verdictFile: flags.json ?? flags.junit });
    write("--summary", flags.summary, md);
    write("--junit", flags.junit, toJUnit(verdict, suiteName));
    write("--json", flags.json, `${JSON.stringify(verdict, null, 2)}\n`);
    process.stdout.write(md);
    return verdict.status === "pass" ? EXIT.ok : verdict.status === "fail" ? EXIT.notMet : EXIT.runtime;
  } finally {
    store.close();
  }
}

async function judge(
  store: Store,
  suiteFile: string | undefined,
  flags: GateFlags,
  { epochs, concurrency, signals }: Shape,
): Promise<{ verdict: GateVerdict; suiteName: string; note?: string | null }> {
  if (!suiteFile) {
    const cand = await storedSide(store, flags.candidateRun!, flags.agent, { flag: "--agent" });
    const { rules, where, note } = await rulesForRun(store, cand.run_id);
    const base = flags.baselineRun
      ? await storedSide(store, flags.baselineRun, flags.baselineAgent, { flag: "--baseline-agent", same: cand.agent })
      : await namedBaseline(store, flags.baseline!, cand, flags.baselineAgent);
    if (flags.baselineRun) await checkSameRuns(store, base, cand);
    // a run's agent judged against itself passes whatever it did: a mistyped id, not a verdict
    if (base.run_id === cand.run_id && base.agent === cand.agent)
      throw new InputError(
        `--baseline-run, --candidate-run: both name agent ${cand.agent} of run ${cand.run_id}; the gate would compare it with itself`,
      );
    const candName = `candidate run ${cand.run_id}`;
    await checkSameSetup(store, baselineName(flags, base), base.run_id, candName, await runSetup(store, cand.run_id));
    const suitePath = where === "default gate rules" ? null : where;
    await refuseReplayMisses(store, base, "baseline", suitePath);
    await refuseReplayMisses(store, cand, "candidate", suitePath);
    const verdict = await evaluateGate(store, base, cand, rules, { baselineName: flags.baseline ?? null, where });
    // the suite's name, as a suite file's gate shows it; its path stays in the verdict's \`where\`
    const [named] = await store.query<{ suite: string | null }>("SELECT suite FROM runs WHERE run_id = ?", [
      cand.run_id,
    ]);
    return { verdict, suiteName: named?.suite ?? where, note };
  }
  const ls = loadSuite(suiteFile);
  const agents = selectAgents(ls, flags.agent ? [flags.agent] : undefined);
  // the gate runs one agent: judging only the first of several defaults passed a change to the
  // others (their prompt, their model) that it never replayed
  if (agents.length > 1)
    throw fieldError(
      ls.file,
      ["default_agents"],
      `names ${agents.length} agents (${agents.map((a) => a.name).join(", ")}) and the gate judges one: name it with --agent, one gate per agent`,
    );
  const [agent] = agents;
  if (!agent) throw new InputError(`${suiteFile}: no agent to gate`);
  let base: { run_id: string; agent: string };
  if (flags.baselineRun) {
    base = await storedSide(store, flags.baselineRun, flags.baselineAgent, {
      flag: "--baseline-agent",
      same: agent.name,
    });
    await checkSameDataset(store, null, base.run_id, ls);
  } else {
    const rows = await findBaseline(store, flags.baseline!);
    const row = pickBaselineAgent(rows, agent.name, flags.baselineAgent);
    await checkSameDataset(store, row, row.run_id, ls);
    base = { run_id: row.run_id, agent: row.agent };
  }
  // before the candidate runs: a baseline made under another setup could only mislead
  await checkSameSetup(store, baselineName(flags, base), base.run_id, "this gate", suiteSetup(ls, epochs), suiteFile);
  await refuseReplayMisses(store, base, "baseline", suiteFile);
  // a gate over evidence the tools cannot return passes any change: no agent sees anything to regress on
  process.stderr.write(deadRaiseLines(ls.workflow, ls.workflowFile));
  const sample = await sampleReach(ls.datasetFile, ls.workflow, undefined, ls.workflowFile);
  if (sample) process.stderr.write(runReachWarning(sample, ls.datasetFile, ls.workflowFile).start);
  const progress = flags.quiet ? null : progressReporter(`gate ${ls.suite.name}`);
  const before = await runStates(store);
  // a cancelled CI job (SIGINT, then SIGTERM) killed the gate outright, leaving an earlier gate's
  // report files as this one's: the cases in flight are stored, then the gate says it did not judge
  const ctrl = new AbortController();
  let received: NodeJS.Signals = "SIGINT";
  const onSignal = (signal: NodeJS.Signals) => {
    if (ctrl.signal.aborted) {
      writeNotJudged(flags, new RuntimeFailure("gate: interrupted twice; quit without judging"));
      process.exit(EXIT.runtime);
    }
    process.stderr.write("\nsoceval: stopping — finishing the cases in flight (signal again to quit now)…\n");
    received = signal;
    ctrl.abort();
  };
  signals.pause();
  onStopSignals(onSignal);
  const outcome = await runSuite(store, ls, {
    agents: [agent.name],
    epochs,
    concurrency,
    signal: ctrl.signal,
    onProgress: (p) => progress?.update(p),
  })
    .catch(async (e: unknown) => {
      // a candidate a failure stopped (a full disk) is kept, marked failed: finishing it and judging
      // it costs less than a new candidate, and without this the user saw only DuckDB's error
      if (e instanceof InputError) throw e;
      const line = await stoppedRunLine(store, before, suiteFile).catch(() => "");
      const id = line.match(/^run (\S+) stopped/)?.[1];
      if (!line || !id) throw e;
      const db = storeFlag(store.path);
      throw new Error(
        `${(e as Error).message}\nsoceval: the gate's candidate ${line}; then judge it: soceval gate --candidate-run ${id} ${baselineFlags(flags, base)}${db ? ` ${db}` : ""}`,
      );
    })
    .finally(() => {
      progress?.stop();
      offStopSignals(onSignal);
      signals.resume();
    });
  // stopped before its first case: a candidate of 0 cases is nothing to finish, nor to list as a run
  if (outcome.status === "interrupted" && (await holdsNothing(store, outcome.runId))) {
    await deleteRuns(store, [outcome.runId]);
    throw new RuntimeFailure(
      `gate: interrupted (${received}) before the candidate's first case; nothing was stored or judged`,
    );
  }
  if (outcome.status === "interrupted") {
    // a cancelled CI job's next attempt need not replay what this one stored: finish it, then judge it
    const info = await loadRunInfo(store, outcome.runId);
    const suite = info.suite_path ? shellWord(info.suite_path) : shellWord(suiteFile);
    const db = storeFlag(store.path);
    throw new RuntimeFailure(
      `gate: interrupted; the candidate run ${outcome.runId} stopped with ${outcome.done} of ${outcome.total} investigations stored, so nothing was judged; ` +
        `finish it: soceval run ${suite} ${await resumeArgs(store, outcome.runId, info)}, then judge it: ` +
        `soceval gate --candidate-run ${outcome.runId} ${baselineFlags(flags, base)}${db ? ` ${db}` : ""}`,
    );
  }
  const cand = { run_id: outcome.runId, agent: agent.name };
  // recordings that miss the candidate's requests: neither regressions nor an outage
  await refuseReplayMisses(store, cand, "candidate", suiteFile);
  const verdict = await evaluateGate(store, base, cand, ls.suite.gate ?? DEFAULT_GATE, {
    baselineName: flags.baseline ?? null,
    where: suiteFile,
  });
  return { verdict, suiteName: ls.suite.name };
}

/** The flags that name this gate's baseline again, for a command the summary prints. */
function baselineFlags(flags: GateFlags, base: Side): string {
  const agent = flags.baselineAgent ? ` --baseline-agent ${shellWord(flags.baselineAgent)}` : "";
  return flags.baseline
    ? `--baseline ${shellWord(flags.baseline)}${agent}`
    : `--baseline-run ${base.run_id} --baseline-agent ${shellWord(base.agent)}`;
}

/** How messages name the baseline: by its name, or the run given with --baseline-run. */
function baselineName(flags: GateFlags, base: Side): string {
  return flags.baseline ? `baseline "${flags.baseline}"` : `baseline run ${base.run_id}`;
}

async function namedBaseline(store: Store, name: string, cand: Side, explicit: string | undefined): Promise<Side> {
  const rows = await findBaseline(store, name);
  const row = pickBaselineAgent(rows, cand.agent, explicit);
  const why = await datasetMismatch(
    `baseline "${name}"`,
    { ...(await runOrigin(store, row.run_id)), hash: row.dataset_hash },
    `candidate run ${cand.run_id}`,
    await runOrigin(store, cand.run_id),
  );
  if (why) throw new InputError(`${why} (re-bless the baseline on the candidate's data)`);
  return { run_id: row.run_id, agent: row.agent };
}

/** What each report file holds, which its name must not contradict. */
const REPORT_FORMAT = { "--summary": "Markdown", "--junit": "XML", "--json": "JSON" } satisfies Record<
  string,
  OutFormat
>;

function reportFiles(flags: GateFlags): [keyof typeof REPORT_FORMAT, string | undefined][] {
  return [
    ["--summary", flags.summary],
    ["--junit", flags.junit],
    ["--json", flags.json],
  ];
}

function write(flag: string, file: string | undefined, text: string): void {
  if (file) writeOutFile(flag, file, text);
}
