import type { Command } from "commander";
import { runSummary } from "../analytics/summary.js";
import { InputError, RuntimeFailure } from "../io/errors.js";
import { printable } from "../io/printable.js";
import { ImportInterrupted, importTranscripts } from "../scoring/import.js";
import { DEFAULT_DB } from "../store/db.js";
import { action, EXIT } from "./exit.js";
import { openForWriting, removeCreatedNow, removeIfLeftEmpty, toBeCreated } from "./fresh-store.js";
import { finishWithoutReader } from "./stdout-reader.js";
import { offStopSignals, onStopSignals } from "./stop-signals.js";
import { runStates, stoppedRunLine } from "./stopped-run.js";
import { summaryTable } from "./summary-table.js";

type ScoreFlags = {
  workflow: string;
  dataset: string;
  transcripts: string;
  agent: string;
  tools?: string[];
  db: string;
};

const listed = (ids: string[]) =>
  `${ids.slice(0, 5).join(", ")}${ids.length > 5 ? `, … (${ids.length - 5} more)` : ""}`;

export function register(program: Command): void {
  program
    .command("score")
    .description("score transcripts exported from any agent platform and store them as a run")
    .requiredOption("--workflow <file>", "workflow YAML the agent worked under")
    .requiredOption("--dataset <file>", "labeled cases JSONL the transcripts answer")
    .requiredOption(
      "--transcripts <file>",
      "transcript JSONL, one investigation per line (format: README.md, section Scoring transcripts from any agent platform)",
    )
    .requiredOption("--agent <name>", "name to store the agent under")
    .option("--tools <name...>", "the agent's tool scope (default: every tool of the workflow)")
    .option("--db <path>", "DuckDB store", DEFAULT_DB)
    .action(
      action(async (flags: ScoreFlags) => {
        finishWithoutReader();
        // Ctrl-C or a cancelled CI job: it ended silently (exit 130) and left the store it created, or a
        // run that `runs list` showed as stopped. The import stops at its next line and removes its run;
        // a second signal quits at once
        const ctrl = new AbortController();
        let received: NodeJS.Signals = "SIGINT";
        const created = toBeCreated(flags.db);
        const onSignal = (signal: NodeJS.Signals) => {
          if (ctrl.signal.aborted) {
            removeCreatedNow(flags.db, created);
            process.stderr.write(`soceval: score stopped (${signal})\n`);
            process.exit(EXIT.runtime);
          }
          received = signal;
          ctrl.abort();
        };
        onStopSignals(onSignal);
        const { store } = await openForWriting(flags.db);
        let closed = false;
        const before = await runStates(store);
        try {
          const o = await importTranscripts(store, {
            workflowFile: flags.workflow,
            datasetFile: flags.dataset,
            transcriptsFile: flags.transcripts,
            agent: flags.agent,
            tools: flags.tools ?? "all",
            signal: ctrl.signal,
          }).catch(async (e: unknown) => {
            // refused (a missing file, a bad transcript line): no empty store is left at --db
            closed = await removeIfLeftEmpty(store, created).catch(() => false);
            if (e instanceof ImportInterrupted)
              throw new RuntimeFailure(
                `score interrupted (${received}); nothing was stored, score the transcripts again`,
              );
            // anything else (a full disk) leaves the run it began, stopped: say so, and what to do
            if (closed || e instanceof InputError) throw e;
            const line = await stoppedRunLine(store, before).catch(() => "");
            throw line ? new Error(`${(e as Error).message}\nsoceval: ${line}`) : e;
          });
          process.stdout.write(summaryTable(await runSummary(store, o.runId)));
          process.stdout.write(`run ${o.runId}: ${o.scored} transcripts of ${o.cases} cases scored → ${flags.db}\n`);
          // case ids, agent names and the transcripts' own case ids come from the files: shown, not obeyed
          const note = (text: string) => process.stderr.write(printable(text));
          if (o.missing.length)
            note(
              `soceval: ${o.missing.length} ${o.missing[0]!.includes("(epoch") ? "investigation(s) (case and epoch)" : "case(s)"} had no transcript and count as failed: ${listed(o.missing)}\n`,
            );
          for (const [agent, n] of o.others)
            note(
              `soceval: note: ${n} transcript(s) of agent ${agent} in ${flags.transcripts} were not scored; score them with --agent ${agent}\n`,
            );
          if (o.orphans.length)
            note(
              `soceval: ${o.orphans.length} transcript(s) name cases not in ${flags.dataset} and were not scored: ${listed(
                o.orphans.map((x) => `${x.case_id} (${flags.transcripts}:${x.line})`),
              )}\n`,
            );
          return EXIT.ok;
        } finally {
          offStopSignals(onSignal);
          if (!closed) store.close();
        }
      }),
    );
}
