import type { Command } from "commander";
import { importGaps, type ProviderFailures } from "../analytics/provider-failures.js";
import { resumeArgs } from "../analytics/resume-hint.js";
import { refuseUnfinished } from "../gate/unfinished.js";
import { InputError, RuntimeFailure } from "../io/errors.js";
import { refuseInputs } from "../io/out-file.js";
import { shellWord } from "../io/shell.js";
import { DEFAULT_GATE } from "../schema/gate-defaults.js";
import { Phase } from "../schema/suite.js";
import { DEFAULT_DB, Store } from "../store/db.js";
import { resolveRunId } from "../store/run-ref.js";
import { runInputs } from "../workflow/suite-inputs.js";
import { action, EXIT } from "./exit.js";
import { outFile } from "./out-option.js";

type Opts = { run: string; out?: string; format?: string; agent?: string[]; check?: string; db: string };

export function register(program: Command): void {
  program
    .command("report")
    .description("write a run's phase exit-criteria report (HTML, Markdown or JSON)")
    .option("--run <id>", "run id, or latest", "latest")
    .option("--out <file>", "write to this file (format from its extension) instead of stdout", outFile)
    .option("--format <format>", "html | md | json (default: from --out, else md)")
    .option("--agent <names...>", "only these agents")
    .option("--check <phase>", `exit 1 unless every agent meets this phase (${Phase.options.join(", ")})`)
    .option("--db <path>", "DuckDB store", DEFAULT_DB)
    .action(
      action(async (opts: Opts) => {
        // imported on use: rendering pulls in vega, which --help and other commands should not pay for
        const { emit, formatOption, refuseFormatName } = await import("../report/output.js");
        const { buildReport } = await import("../analytics/report.js");
        const { renderReport } = await import("../report/render.js");
        const format = formatOption(opts.format, opts.out);
        if (format === "html") (await import("../report/charts.js")).preloadCharts();
        if (opts.check && !Phase.safeParse(opts.check).success)
          throw new InputError(`--check: unknown phase "${opts.check}" (${Phase.options.join(", ")})`);
        const store = await Store.open(opts.db, { readOnly: true });
        try {
          if (opts.out)
            refuseInputs(await runInputs(store, [await resolveRunId(store, opts.run)]), [["--out", opts.out]]);
          refuseFormatName(opts.format, opts.out);
          const doc = await buildReport(store, opts.run, { agents: opts.agent });
          if (Object.keys(doc.agents).length === 0)
            throw new InputError(
              `--run: run ${doc.run.run_id} has no scored results${opts.agent ? " for --agent" : ""}`,
            );
          // on the terminal too, whatever the format and wherever it is written
          for (const w of doc.run.warnings) process.stderr.write(`soceval: warning: run ${doc.run.run_id}: ${w}\n`);
          emit(await renderReport(doc, format, opts.db), opts.out, "report");
          if (!opts.check) return EXIT.ok;
          // as the gate: part of the cases can meet a phase the rest would fail
          await refuseUnfinished(
            store,
            doc.run.run_id,
            `--check judges a finished run only, not the ${doc.run.cases_stored} cases stored so far`,
          );
          // as the gate: past this share of outages the criteria would judge the provider, not the agent
          const limit = DEFAULT_GATE.max_infra_failure_rate;
          for (const r of Object.values(doc.agents)) {
            const f = r.provider_failures;
            if (f.investigations > 0 && f.failed / f.investigations > limit) {
              // a bare `--resume` is refused for the --agent, --epochs or --limit it leaves out
              const suite = doc.run.suite_path ? shellWord(doc.run.suite_path) : "<suite>";
              const replay = `soceval run ${suite} ${await resumeArgs(store, doc.run.run_id, doc.run, "--retry-failed")}`;
              throw new RuntimeFailure(
                `cannot judge --check ${opts.check}: ${unanswered(r.agent, f, doc.run.kind, replay)} (more than ${limit * 100}%)`,
              );
            }
          }
          const results = doc.phases.filter((p) => p.phase === opts.check);
          // the report may be a file or piped JSON: say on the terminal which agent the exit code is about, and why
          const { criterionShortfall } = await import("../report/report-view.js");
          const { criterionNote } = await import("../report/unmeasured.js");
          for (const p of results) {
            const open = p.criteria.filter((c) => c.status !== "met");
            const short = open.map((c) => criterionShortfall(c, doc.readiness)).join("; ");
            // what would measure the unmeasured ones, each said once (both readiness metrics share one)
            const notes = [
              ...new Set(
                open.filter((c) => c.status === "not measured").map((c) => criterionNote(c, doc.readiness, opts.db)),
              ),
            ];
            const why = notes.filter(Boolean).join("; ");
            process.stderr.write(
              `soceval: --check ${opts.check}: agent ${p.agent} ${p.status}${short ? `: ${short}` : ""}${why ? `. Not measured: ${why}` : ""}\n`,
            );
          }
          return results.every((p) => p.status === "met") ? EXIT.ok : EXIT.notMet;
        } finally {
          store.close();
        }
      }),
    );
}

/**
 * Why a run's numbers cannot be judged, and the fix that applies to it: an imported run has no
 * suite to resume, and its missing transcripts are not provider failures.
 */
function unanswered(agent: string, f: ProviderFailures, kind: string | null, replay: string): string {
  if (kind !== "imported")
    return `the provider failed ${f.failed} of ${f.investigations} investigations of agent ${agent}; replay them with ${replay}`;
  return (
    `${f.failed} of ${f.investigations} investigations of agent ${agent} have no answer (${importGaps(f)}); ` +
    "investigate them again on the platform the transcripts came from, then score the whole export again with soceval score"
  );
}
