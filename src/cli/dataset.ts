import { type Command, Option } from "commander";
import { discardPendingImports } from "../datasets/case-writer.js";
import { importCsv } from "../datasets/import-csv.js";
import { importOcsf } from "../datasets/import-ocsf.js";
import { importSentinel } from "../datasets/import-sentinel.js";
import { longIntegerWarning } from "../datasets/long-integers.js";
import { reachWarnings } from "../datasets/reach-text.js";
import { datasetStats } from "../datasets/stats.js";
import { statsText } from "../datasets/stats-text.js";
import { validateDataset } from "../datasets/validate.js";
import { InputError } from "../io/errors.js";
import { checkOutDir, outTarget } from "../io/out-file.js";
import { printable } from "../io/printable.js";
import { Verdict } from "../schema/index.js";
import { workflowArg } from "../workflow/by-name.js";
import { countParser } from "./count-flag.js";
import { action, EXIT } from "./exit.js";
import { outDir, outFile } from "./out-option.js";
import { offStopSignals, onStopSignals } from "./stop-signals.js";

const out = (s: string) => process.stdout.write(s);

function imported(r: { out: string; cases: number; unlabeled: number }, extra = ""): void {
  // on stderr when the cases themselves went to a pipe or the terminal (--out /dev/stdout), not into their data
  const to = outTarget(r.out).regular ? process.stdout : process.stderr;
  const cases = `${r.cases} case${r.cases === 1 ? "" : "s"}`;
  to.write(`wrote ${cases} to ${r.out} (${r.cases - r.unlabeled} labeled, ${r.unlabeled} unlabeled${extra})\n`);
}

/**
 * Run an import so that Ctrl-C (SIGINT) or SIGTERM deletes its hidden temp file before the process
 * exits (EXIT.runtime, as an interrupted `run`): otherwise the `.<out>.<pid>.<time>.tmp` beside the
 * output would stay. The handlers are removed when the import ends, however it ends.
 */
export async function interruptible<T>(importing: () => Promise<T>): Promise<T> {
  const onSignal = (signal: NodeJS.Signals) => {
    const targets = discardPendingImports();
    const what = targets.length ? `; ${targets.join(", ")} not written` : "";
    process.stderr.write(`\nsoceval: import interrupted (${signal})${what}\n`);
    process.exit(EXIT.runtime);
  };
  onStopSignals(onSignal);
  try {
    return await importing();
  } finally {
    offStopSignals(onSignal);
  }
}

export function register(program: Command): void {
  const dataset = program
    .command("dataset")
    .description("validate, inspect, import and generate labeled case datasets");

  dataset
    .command("validate <file>")
    .description(
      "check every case of a JSONL dataset (schema, repeated keys, evidence ids, required evidence, duplicate ids; warns of repeated tags and sources)",
    )
    .option(
      "--max-errors <n>",
      "print at most this many problems (warnings count too)",
      countParser("--max-errors", { min: 0 }),
      100,
    )
    .option(
      "--workflow <workflow>",
      "also warn of evidence its tools cannot return (a workflow.yaml, or a bundled workflow id)",
    )
    .action(
      action(async (file: string, flags: { maxErrors: number; workflow?: string }) => {
        const wf = flags.workflow === undefined ? undefined : workflowArg(flags.workflow);
        let shown = 0;
        const hidden = { problems: 0, warnings: 0 };
        const s = await validateDataset(
          file,
          (e) => {
            // a problem quotes the case's own text (a repeated id): its escapes are shown, not obeyed
            if (shown++ < flags.maxErrors) process.stderr.write(`${printable(e)}\n`);
            else if (e.endsWith(" (warning)")) hidden.warnings++;
            else hidden.problems++;
          },
          { workflow: wf?.workflow, workflowFile: wf?.file },
        );
        // a warning left unprinted is not a problem left unprinted: the exit code tells them apart too
        const more = [plural(hidden.problems, "more problem"), plural(hidden.warnings, "more warning")].filter(Boolean);
        if (more.length) process.stderr.write(`… and ${more.join(" and ")}\n`);
        if (s.cases === 0) process.stderr.write(`${file}: no cases\n`);
        // a few lines about the whole file, after the cases' own: never cut by --max-errors
        const unreached = s.reach ? reachWarnings(s.reach) : [];
        for (const w of unreached) process.stderr.write(`${file}: ${w}\n`);
        if (s.longIntegers) process.stderr.write(`${longIntegerWarning(file, s.longIntegers)}\n`);
        // these name the workflow file's line: the condition is where the mistake is
        for (const w of s.workflowWarnings ?? []) process.stderr.write(`${w}\n`);
        s.warnings += unreached.length + (s.workflowWarnings?.length ?? 0) + (s.longIntegers ? 1 : 0);
        const warned = s.warnings ? `, ${s.warnings} warning${s.warnings > 1 ? "s" : ""}` : "";
        out(`${file}: ${s.cases} cases, ${s.valid} valid, ${s.invalid} invalid, ${s.unlabeled} unlabeled${warned}\n`);
        return s.invalid > 0 || s.cases === 0 ? EXIT.badInput : EXIT.ok;
      }),
    );

  dataset
    .command("stats <file>")
    .description("counts by verdict, escalation, workflow, tag, evidence-source coverage and unavailable sources")
    .addOption(new Option("--format <f>", "output format").choices(["text", "json"]).default("text"))
    .option(
      "--workflow <workflow>",
      "also count the evidence its tools cannot return (a workflow.yaml, or a bundled workflow id)",
    )
    .action(
      action(async (file: string, flags: { format: string; workflow?: string }) => {
        const workflow = flags.workflow === undefined ? undefined : workflowArg(flags.workflow).workflow;
        const s = await datasetStats(file, { workflow });
        // as validate says: an empty file is not a dataset (a wrong path or a failed export)
        if (s.cases === 0) throw new InputError(`${file}: no cases`, file);
        out(flags.format === "json" ? `${JSON.stringify(s, null, 2)}\n` : statsText(s));
        return EXIT.ok;
      }),
    );

  const imp = dataset.command("import").description("convert exports from other systems into case JSONL");

  imp
    .command("csv <file>")
    .description("map a CSV export (e.g. a SIEM notable-events export) to cases with a YAML mapping")
    .requiredOption("--mapping <file>", "YAML mapping: columns → case fields")
    .requiredOption("--out <file>", "cases JSONL to write (atomically)", outFile)
    .action(
      action(async (file: string, flags: { mapping: string; out: string }) => {
        imported(await interruptible(() => importCsv(file, flags.mapping, flags.out)));
        return EXIT.ok;
      }),
    );

  imp
    .command("sentinel <file>")
    .description("import a Microsoft Sentinel SecurityAlert export (❖- or comma-delimited)")
    .requiredOption("--out <file>", "cases JSONL to write (atomically)", outFile)
    .option("--incidents <file>", "SecurityIncident export: incident ids and classifications become labels")
    .addOption(
      new Option(
        "--verdict <verdict>",
        "label every alert with this verdict, e.g. a red-team exercise (with --incidents: alerts of unclassified incidents)",
      ).choices(Verdict.options),
    )
    .option("--workflow <id>", "workflow of every case (default: inferred from the alert's provider)")
    .action(
      action(async (file: string, flags: { out: string; incidents?: string; verdict?: Verdict; workflow?: string }) => {
        const r = await interruptible(() => importSentinel(file, flags));
        imported(r, `, ${r.incidents} incidents`);
        if (r.absent.length) process.stderr.write(`soceval: warning: ${absentAlerts(r.absent, file)}\n`);
        return EXIT.ok;
      }),
    );

  imp
    .command("ocsf <file>")
    .description("import OCSF Detection Findings (class_uid 2004) from JSON or JSONL")
    .requiredOption("--out <file>", "cases JSONL to write (atomically)", outFile)
    .option("--workflow <id>", "workflow of every case", "unassigned")
    .action(
      action(async (file: string, flags: { out: string; workflow: string }) => {
        imported(await interruptible(() => importOcsf(file, flags)));
        return EXIT.ok;
      }),
    );

  dataset
    .command("generate")
    .description("write the bundled synthetic datasets (seeded, deterministic) and their manifests")
    .option("--workflow <id...>", "only these workflows")
    .option("--all", "every workflow (the default when no --workflow is given)")
    .option(
      "--seed <n>",
      "generator seed (default: each generator's own)",
      countParser("--seed", { min: 0, max: Number.MAX_SAFE_INTEGER }),
    )
    .option("--count <n>", "cases per workflow (default: each generator's own)", countParser("--count"))
    .option(
      "--out <dir>",
      "output folder (default: ./datasets, which in a soceval checkout is the bundled datasets)",
      outDir,
    )
    .action(
      action(async (flags: { workflow?: string[]; all?: boolean; seed?: number; count?: number; out?: string }) => {
        // the bundled datasets are what the default seed and count make; other data goes elsewhere
        // unless the user names the bundled folder on purpose
        if (flags.out === undefined && (flags.seed !== undefined || flags.count !== undefined))
          throw new InputError(
            `--${flags.count !== undefined ? "count" : "seed"}: this would replace the bundled datasets in datasets/ ` +
              "with other data; pass --out DIR (or --out datasets to mean it)",
          );
        // a file there is the user's mistake (exit 2), not a runtime failure on the first mkdir
        checkOutDir("--out", flags.out ?? "datasets");
        // loaded on demand: the generators are large and only this command needs them
        const { generateDatasets } = await import("../datasets/generate.js");
        const written = generateDatasets({
          outDir: flags.out ?? "datasets",
          workflows: flags.all ? undefined : flags.workflow,
          seed: flags.seed,
          count: flags.count,
        });
        if (!written.length) out("no generators registered\n");
        for (const d of written) out(`${d.file}: ${d.cases} cases (sha256 ${d.sha256.slice(0, 12)}), ${d.manifest}\n`);
        return EXIT.ok;
      }),
    );
}

/**
 * Alerts an incident lists that the alert export lacks: the imported incidents hold fewer cases
 * than Sentinel's, which a grouping or de-duplication measure would otherwise take as complete.
 */
function absentAlerts(absent: { alert: string; incident: string }[], file: string): string {
  const shown = absent
    .slice(0, 5)
    .map((a) => `${a.alert} (incident ${a.incident})`)
    .join(", ");
  const more = absent.length > 5 ? ` and ${absent.length - 5} more` : "";
  return `${plural(absent.length, "alert")} that the incidents export lists ${absent.length > 1 ? "are" : "is"} not in ${file}, so ${absent.length > 1 ? "their incidents hold" : "its incident holds"} fewer cases than in Sentinel: ${shown}${more}`;
}

/** "3 problems", "1 warning", or "" for none. */
function plural(n: number, what: string): string {
  return n === 0 ? "" : `${n} ${what}${n > 1 ? "s" : ""}`;
}
