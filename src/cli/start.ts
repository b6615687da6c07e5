import { basename, dirname, join, resolve } from "node:path";
import type { Command } from "commander";
import { InputError, RuntimeFailure } from "../io/errors.js";
import { makeDirs } from "../io/make-dirs.js";
import { checkOutDir, writeOutFile } from "../io/out-file.js";
import { bundledSuites } from "../replay/bundled.js";
import { runSuite } from "../replay/runner.js";
import { ProviderUnreachable } from "../replay/unusable.js";
import { Phase } from "../schema/index.js";
import { DEFAULT_DB, Store } from "../store/db.js";
import { deleteRuns } from "../store/delete-runs.js";
import { loadSuite } from "../workflow/load.js";
import { action, EXIT } from "./exit.js";
import { outDir } from "./out-option.js";
import { progressReporter } from "./progress.js";
import { holdsNothing } from "./run-signals.js";
import { finishWithoutReader } from "./stdout-reader.js";
import { offStopSignals, onStopSignals } from "./stop-signals.js";
import { runStates, stoppedRunLine } from "./stopped-run.js";

type StartFlags = { db: string; out: string; suites?: string[] };

const pct = (x: number | null | undefined) => (x === null || x === undefined ? "—" : `${(100 * x).toFixed(1)}%`);

export function register(program: Command): void {
  program
    .command("start")
    .description(
      "replay every bundled suite offline with its default (playbook) agent and write the exit-criteria reports",
    )
    .option("--db <path>", "DuckDB store", DEFAULT_DB)
    .option("--out <dir>", "where the reports go", outDir, ".soceval/reports")
    .option("--suites <files...>", "suites to run (default: suites/*/shadow.suite.yaml)")
    .action(
      action(async (flags: StartFlags) => {
        finishWithoutReader();
        const { buildReport } = await import("../analytics/report.js");
        const { renderReport } = await import("../report/render.js");
        const { render, stylesheet } = await import("../report/templates.js");
        const { metricView } = await import("../report/report-view.js");
        const files = flags.suites ?? bundledSuites();
        if (files.length === 0) throw new InputError("start: no suites found (expected suites/*/shadow.suite.yaml)");
        // every suite is read first: a mistyped --suites path is refused before a store or report exists
        const suites = files.map((file) => ({ file, ls: loadSuite(file) }));
        const names = reportNames(files);
        checkOutDir("--out", flags.out);
        makeDirs(flags.out);
        // Ctrl-C or SIGTERM: it ended silently (exit 130), with a suite's run left "running" and no index;
        // now the suite in progress stops as `run` stops, and start says what it left
        const ctrl = new AbortController();
        let received: NodeJS.Signals = "SIGINT";
        const onSignal = (signal: NodeJS.Signals) => {
          if (ctrl.signal.aborted) {
            // a second signal: what is stored stays, as after `run`'s second Ctrl-C
            process.stderr.write(`soceval: start stopped (${signal}); no index written\n`);
            process.exit(EXIT.runtime);
          }
          received = signal;
          ctrl.abort();
        };
        onStopSignals(onSignal);
        const store = await Store.open(flags.db);
        // phase 1 first: the bundled readiness answers, so each report's readiness phase is measured
        const { storeBundledReadiness } = await import("../readiness/bundled.js");
        const readiness = await storeBundledReadiness(store);
        if (readiness) {
          const { doc, kept } = readiness;
          const keptText = kept.length ? `; kept the store's own readiness scores for ${kept.join(", ")}` : "";
          process.stdout.write(`readiness: scored ${doc.candidates.length} bundled example workflows${keptText}\n`);
        }
        const rows = [];
        const agentNames = new Set<string>();
        try {
          for (const [i, { file, ls }] of suites.entries()) {
            if (ctrl.signal.aborted) throw startInterrupted(received, i, suites.length, null);
            const progress = progressReporter(ls.suite.name);
            const before = await runStates(store);
            const outcome = await runSuite(store, ls, { signal: ctrl.signal, onProgress: (p) => progress.update(p) })
              .catch(async (e: unknown) => {
                // a full disk: the suite's run is kept, marked failed; say how to finish it, as `run` does
                if (e instanceof InputError || e instanceof ProviderUnreachable) throw e;
                const line = await stoppedRunLine(store, before, file).catch(() => "");
                throw line ? new Error(`${(e as Error).message}\nsoceval: ${line}`) : e;
              })
              .finally(() => progress.stop());
            if (outcome.status === "interrupted") {
              // stopped before its first case: a run of 0 cases is nothing to keep
              const empty = await holdsNothing(store, outcome.runId);
              if (empty) await deleteRuns(store, [outcome.runId]);
              throw startInterrupted(received, i, suites.length, empty ? null : outcome.runId);
            }
            const doc = await buildReport(store, outcome.runId);
            const name = names[i]!;
            writeOutFile("--out", join(flags.out, `${name}.html`), await renderReport(doc, "html", flags.db));
            writeOutFile("--out", join(flags.out, `${name}.md`), await renderReport(doc, "md", flags.db));
            writeOutFile("--out", join(flags.out, `${name}.json`), await renderReport(doc, "json"));
            for (const [agent, rep] of Object.entries(doc.agents)) {
              agentNames.add(agent);
              const agreement = rep.metrics.verdict_agreement;
              rows.push({
                suite: ls.suite.name,
                // a URL, relative to the index: a folder named "x#2" or "a:b" is a fragment or a scheme
                // as written, and a link to the wrong place
                file: `./${encodeURIComponent(name)}.html`,
                run_id: outcome.runId,
                agent,
                cases: rep.cases,
                // formatted as the reports format them: value, interval and n
                agreement: metricView("verdict_agreement", agreement),
                critical: metricView("critical_miss_rate", rep.metrics.critical_miss_rate),
                phases: Phase.options.map((p) => ({
                  status: doc.phases.find((x) => x.phase === p && x.agent === agent)?.status ?? "not measured",
                })),
              });
              process.stdout.write(
                `${ls.suite.name}: ${agent} agreement ${pct(agreement?.value)}, critical misses ${pct(rep.metrics.critical_miss_rate?.value)} (run ${outcome.runId})\n`,
              );
            }
          }
        } finally {
          offStopSignals(onSignal);
          store.close();
        }
        const index = join(flags.out, "index.html");
        writeOutFile(
          "--out",
          index,
          render("index.html.hbs", {
            css: stylesheet(),
            rows,
            phaseNames: Phase.options,
            agentsLabel: [...agentNames].join(", "),
            generated: new Date().toISOString().slice(0, 16).replace("T", " "),
            db: flags.db,
          }),
        );
        process.stdout.write(`\nexit-criteria reports: ${resolve(index)}\n`);
        return EXIT.ok;
      }),
    );
}

/** What a start that a signal stopped leaves: the suites it replayed, the interrupted run it kept. */
function startInterrupted(signal: NodeJS.Signals, done: number, of: number, kept: string | null): RuntimeFailure {
  const run = kept ? `; the interrupted suite's run ${kept} is kept, marked interrupted` : "";
  return new RuntimeFailure(
    `start interrupted (${signal}): ${done} of ${of} suites replayed, no index written${run}; run \`soceval start\` again for the reports`,
  );
}

/**
 * Each suite's report name: its folder's (suites/phishing-triage/shadow.suite.yaml → phishing-triage),
 * and where two suites share a folder name, the folder and the suite file's own name
 * (phishing-triage-shadow), numbered when even that repeats, so no suite's report overwrites another's.
 */
function reportNames(files: string[]): string[] {
  const folder = files.map((f) => basename(dirname(f)));
  const named = files.map((f, i) =>
    folder.indexOf(folder[i]!) === folder.lastIndexOf(folder[i]!)
      ? folder[i]!
      : `${folder[i]}-${basename(f).replace(/(\.suite)?\.ya?ml$/i, "")}`,
  );
  return named.map((n, i) => (named.indexOf(n) === i ? n : `${n}-${i + 1}`));
}
