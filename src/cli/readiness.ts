import { existsSync } from "node:fs";
import { type Command, Option } from "commander";
import { DEFAULT_CRITERIA } from "../analytics/default-criteria.js";
import { bundledPath } from "../io/bundled-path.js";
import { InputError } from "../io/errors.js";
import { refuseInputs, writeOutFile } from "../io/out-file.js";
import { refuseOtherFormat } from "../io/out-format.js";
import { loadAnswersYaml } from "../readiness/answers.js";
import { checkReadiness } from "../readiness/check.js";
import { loadAnswerFiles } from "../readiness/load.js";
import { DEFAULT_MATRIX, type LoadedMatrix, loadMatrix } from "../readiness/matrix.js";
import { askQuestionnaire, checkAnswerOut } from "../readiness/questionnaire.js";
import { scoreAll, scoreCandidate } from "../readiness/score.js";
import { storeReadiness } from "../readiness/store.js";
import { DEFAULT_TELEMETRY, loadTelemetry } from "../readiness/telemetry.js";
import { candidateText, checkText, rankingText } from "../readiness/text.js";
import { READINESS_FORMATS, type ReadinessFormat, renderReadiness } from "../readiness/view.js";
import { FORMAT_NAME, pickFormat } from "../report/render.js";
import { DEFAULT_DB, Store } from "../store/db.js";
import { loadWorkflow } from "../workflow/load.js";
import { action, EXIT } from "./exit.js";
import { outFile } from "./out-option.js";

const out = (s: string) => process.stdout.write(s);
const matrixOption = () =>
  new Option(
    "--matrix <file>",
    "readiness matrix; the default is the current folder's, else the one soceval ships",
  ).default(DEFAULT_MATRIX);

/**
 * The exit-criteria report judges readiness by its own criteria (the suite's, else the defaults),
 * not by the matrix's phase rules; with a matrix that moves the bar for shadow, the two would
 * disagree on the same stored score without a word.
 */
function reportBarNote(matrix: LoadedMatrix): string | null {
  const shadow = matrix.phases.find((p) => p.phase === "shadow");
  const report = DEFAULT_CRITERIA.readiness.find((c) => c.metric === "readiness_score");
  if (!shadow || !report || shadow.min_overall === report.threshold) return null;
  return (
    `${matrix.file} starts shadow at an overall of ${shadow.min_overall}, but an exit-criteria report's readiness phase ` +
    `passes at readiness_score ${report.op} ${report.threshold} unless the suite declares its own; add to the suite, before its run: ` +
    `exit_criteria: { readiness: [{ metric: readiness_score, op: ">=", threshold: ${shadow.min_overall} }, ` +
    `{ metric: readiness_blockers, op: "==", threshold: 0 }] }`
  );
}

export function register(program: Command): void {
  const readiness = program
    .command("readiness")
    .description("phase 1: score candidate workflows for agent support before any agent runs");

  readiness
    .command("ask")
    .description("interactive questionnaire; resumes a half-filled answer file (asks only what is unanswered)")
    .requiredOption("--out <file>", "answer file to write (YAML); saved after every answer", outFile)
    .option("--workflow <id>", "workflow id the answers are for (suites/<id>/ where a suite exists)")
    .addOption(matrixOption())
    .action(
      action(async (flags: { out: string; workflow?: string; matrix: string }) => {
        // the answers would replace the questions they answer
        refuseInputs([{ what: "the matrix", file: flags.matrix }], [["--out", flags.out]]);
        checkAnswerOut(flags.out);
        // the questions are menus: piped or absent input would end at the first one and look like a
        // questionnaire left half-done
        if (!process.stdin.isTTY)
          throw new InputError(
            "readiness ask: the questionnaire needs a terminal (stdin is not one); fill an answer file by hand " +
              "(readiness/answers/*.yaml are examples) and score it with `soceval readiness score <file>`",
          );
        const matrix = loadMatrix(flags.matrix);
        const r = await askQuestionnaire({ matrix, file: flags.out, workflow: flags.workflow });
        if (!r.complete) {
          process.stderr.write(
            existsSync(flags.out)
              ? `saved ${flags.out}: ${r.remaining} questions left; run the same command to resume\n`
              : `stopped before the first answer; nothing saved\n`,
          );
          return EXIT.notMet;
        }
        out(`\nwrote ${flags.out} (${r.asked} answered now)\n\n`);
        out(candidateText(scoreCandidate(matrix, loadAnswersYaml(flags.out, matrix))));
        out(`\nscore and store it with: soceval readiness score ${flags.out}\n`);
        return EXIT.ok;
      }),
    );

  readiness
    .command("score <answers...>")
    .description("score and rank candidates from answer files (YAML, or a CSV export with many candidates)")
    .option("--out <file>", "write the report here (format from --format or the extension)", outFile)
    .addOption(new Option("--format <f>", "report format").choices([...READINESS_FORMATS]))
    .option("--db <path>", "DuckDB store the results are written to", DEFAULT_DB)
    .option("--no-db", "do not store the results")
    .addOption(matrixOption())
    .action(
      action(async (files: string[], flags: { out?: string; format?: string; db: string | false; matrix: string }) => {
        refuseInputs(
          [...files.map((file) => ({ what: "the answer file", file })), { what: "the matrix", file: flags.matrix }],
          [["--out", flags.out]],
        );
        const known = !flags.out || flags.format || /\.(html?|md|markdown|json)$/i.test(flags.out);
        const format = known ? (pickFormat(flags.format, flags.out) as ReadinessFormat | null) : null;
        if (!format) throw new InputError(`--out ${flags.out}: use .html, .md or .json, or pass --format`);
        if (flags.out && flags.format)
          refuseOtherFormat("--out", flags.out, FORMAT_NAME[format], `--format ${flags.format}`, ", or drop --format");
        const matrix = loadMatrix(flags.matrix);
        const doc = scoreAll(matrix, await loadAnswerFiles(files, matrix));
        const bar = reportBarNote(matrix);
        if (bar) process.stderr.write(`note: ${bar}\n`);
        const text = await renderReadiness(doc, format);
        // the report first, its folder created as `report --out` does: a write that fails stores nothing
        if (flags.out) writeOutFile("--out", flags.out, text);
        if (flags.db !== false) {
          const store = await Store.open(flags.db);
          try {
            const n = await storeReadiness(store, doc);
            process.stderr.write(`stored ${n} readiness result${n === 1 ? "" : "s"} in ${flags.db}\n`);
          } finally {
            store.close();
          }
        }
        if (!flags.out) {
          out(text);
          return EXIT.ok;
        }
        out(rankingText(doc));
        out(`wrote ${flags.out}\n`);
        return EXIT.ok;
      }),
    );

  readiness
    .command("check <answers>")
    .description("hold answers against the telemetry matrix and the case history; exit 1 when problems are found")
    .requiredOption("--dataset <cases.jsonl>", "labeled case history of the workflow")
    .option("--workflow <workflow.yaml>", "workflow file (default: suites/<answers' workflow>/workflow.yaml)")
    .option("--telemetry <file>", "telemetry source-of-truth matrix", DEFAULT_TELEMETRY)
    .addOption(new Option("--format <f>", "output format").choices(["text", "json"]).default("text"))
    .addOption(matrixOption())
    .action(
      action(
        async (
          file: string,
          flags: { dataset: string; workflow?: string; telemetry: string; format: string; matrix: string },
        ) => {
          const matrix = loadMatrix(flags.matrix);
          const sets = await loadAnswerFiles([file], matrix);
          const answers = sets[0]!;
          if (sets.length > 1)
            throw new InputError(
              `${file}: holds ${sets.length} candidates; check takes one (use a YAML answer file)`,
              file,
            );
          const workflowFile = flags.workflow ?? bundledPath(`suites/${answers.workflow}/workflow.yaml`);
          // a --workflow given that is not there is the flag's mistake, not the answers'
          if (flags.workflow && !existsSync(workflowFile))
            throw new InputError(`--workflow ${flags.workflow}: no such file`);
          if (!existsSync(workflowFile))
            throw new InputError(
              `${file}: workflow "${answers.workflow}" has no ${workflowFile}; pass --workflow <workflow.yaml>`,
              file,
            );
          if (!existsSync(flags.dataset)) throw new InputError(`--dataset ${flags.dataset}: no such file`);
          const report = await checkReadiness({
            matrix,
            telemetry: loadTelemetry(flags.telemetry),
            answers,
            workflow: loadWorkflow(workflowFile),
            workflowFile,
            dataset: flags.dataset,
          });
          out(flags.format === "json" ? `${JSON.stringify(report, null, 2)}\n` : checkText(report));
          return report.ok ? EXIT.ok : EXIT.notMet;
        },
      ),
    );
}
