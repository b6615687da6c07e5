import { existsSync, rmSync, writeFileSync } from "node:fs";
import { basename, dirname, join, resolve } from "node:path";
import { PassThrough } from "node:stream";
import { input, select } from "@inquirer/prompts";
import { InputError, RuntimeFailure } from "../io/errors.js";
import { checkOutFile } from "../io/out-file.js";
import { AnswerSheet, type AnswerValue, loadPartialAnswers, type PartialSheet } from "./answers.js";
import { saveAnswers } from "./answers-write.js";
import type { LoadedMatrix, Question } from "./matrix.js";

/** Where prompts read keys and draw; the terminal unless a caller (a test, an embedding tool) passes streams. */
export type PromptIO = { input?: NodeJS.ReadableStream; output?: NodeJS.WritableStream };

export type AskResult = { sheet: PartialSheet; asked: number; remaining: number; complete: boolean };

/**
 * Inquirer ends the output stream it is given when a prompt finishes; each prompt therefore gets
 * its own pass-through onto the caller's stream, which stays open for the next question.
 */
function context(io: PromptIO) {
  if (!io.output) return io.input ? { input: io.input } : {};
  const out = new PassThrough();
  out.pipe(io.output as NodeJS.WritableStream, { end: false });
  return { input: io.input, output: out };
}

function choicesOf(q: Question): { name: string; value: AnswerValue }[] {
  switch (q.kind) {
    case "scale":
      return q.levels.map((l, i) => ({ name: `${i + 1} — ${l}`, value: i + 1 }));
    case "yesno":
      return [
        { name: "yes", value: "yes" },
        { name: "no", value: "no" },
      ];
    case "choice":
      return q.options.map((o) => ({ name: o.label, value: o.value }));
  }
}

/**
 * Where the answers go, checked before the first question rather than after the user has typed an
 * answer. YAML only: under another name `readiness score` would read the file by its extension (a
 * .csv as a spreadsheet export) and refuse it.
 */
export function checkAnswerOut(file: string): void {
  if (!/\.ya?ml$/i.test(file))
    throw new InputError(`--out ${file}: the questionnaire writes a YAML answer file; name it .yaml or .yml`);
  checkOutFile("--out", file);
  let dir = resolve(dirname(file));
  while (!existsSync(dir)) dir = dirname(dir);
  // a permission check says yes to root even where nothing can be written (/proc): try it
  const probe = join(dir, `.${basename(file)}.probe-${process.pid}`);
  try {
    writeFileSync(probe, "");
    rmSync(probe);
  } catch (e) {
    throw new RuntimeFailure(`--out ${file}: cannot write in ${dir}: ${(e as Error).message}`);
  }
}

const isExit = (e: unknown) => e instanceof Error && (e.name === "ExitPromptError" || e.name === "AbortPromptError");

/**
 * The readiness questionnaire. Resumes a half-filled file (only unanswered questions are asked) and
 * saves after every answer, so Ctrl-C loses nothing.
 */
export async function askQuestionnaire(opts: {
  matrix: LoadedMatrix;
  file: string;
  workflow?: string;
  io?: PromptIO;
}): Promise<AskResult> {
  const { matrix, file } = opts;
  checkAnswerOut(file);
  const io = opts.io ?? {};
  const sheet: PartialSheet = existsSync(file) ? loadPartialAnswers(file, matrix) : { answers: {}, notes: {} };
  if (opts.workflow && sheet.workflow && sheet.workflow !== opts.workflow)
    throw new InputError(`${file}: workflow: the file answers "${sheet.workflow}", not "${opts.workflow}"`, file);
  if (opts.workflow) {
    const ok = AnswerSheet.shape.workflow.safeParse(opts.workflow);
    if (!ok.success) throw new InputError(`--workflow: "${opts.workflow}": workflow ids are lowercase-with-dashes`);
    sheet.workflow = opts.workflow;
  }
  const todo = [...matrix.questions.values()].filter(({ question }) => sheet.answers[question.id] === undefined);
  const total = matrix.questions.size;
  let asked = 0;
  try {
    if (!sheet.candidate) {
      sheet.candidate = await input(
        {
          message: "Candidate use case (in your SOC's words, e.g. 'Phishing intake triage'):",
          validate: (v) => v.trim().length > 0 || "a name is needed",
        },
        context(io),
      );
      sheet.candidate = sheet.candidate.trim();
      saveAnswers(file, sheet, matrix);
    }
    if (!sheet.workflow) {
      const guess = sheet.candidate
        .toLowerCase()
        .replace(/[^a-z0-9]+/g, "-")
        .replace(/^-+|-+$/g, "");
      sheet.workflow = await input(
        {
          message: "Workflow id (suites/<id>/ when a suite exists):",
          default: guess,
          validate: (v) =>
            AnswerSheet.shape.workflow.safeParse(v.trim()).success || "lowercase letters, digits and dashes",
        },
        context(io),
      );
      sheet.workflow = sheet.workflow.trim();
    }
    saveAnswers(file, sheet, matrix);
    for (const { question: q, area } of todo) {
      const n = total - todo.length + asked + 1;
      const value = await select<AnswerValue>(
        {
          message: `[${n}/${total}] ${area.name} · ${q.text}${q.help ? ` (${q.help})` : ""}`,
          choices: choicesOf(q),
          pageSize: 6,
        },
        context(io),
      );
      sheet.answers[q.id] = value;
      asked++;
      saveAnswers(file, sheet, matrix);
    }
  } catch (e) {
    if (!isExit(e)) throw e;
    // interrupted: what was answered is already saved
  }
  const remaining = total - Object.keys(sheet.answers).length;
  return { sheet, asked, remaining, complete: remaining === 0 && !!sheet.candidate && !!sheet.workflow };
}
