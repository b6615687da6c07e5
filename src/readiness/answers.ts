import { createHash } from "node:crypto";
import { z } from "zod";
import { bundledPath } from "../io/bundled-path.js";
import { InputError } from "../io/errors.js";
import { nearest } from "../io/nearest.js";
import { shellWord } from "../io/shell.js";
import { fieldError, loadYaml } from "../io/yaml.js";
import { DEFAULT_MATRIX, type LoadedMatrix, type Question } from "./matrix.js";

/** One candidate's answers as every reader (YAML, CSV, the questionnaire) produces them. */
export const AnswerSheet = z.strictObject({
  candidate: z.string().min(1).describe("the use case, in the SOC's words"),
  workflow: z
    .string()
    .regex(/^[a-z0-9][a-z0-9-]*$/, "workflow ids are lowercase-with-dashes")
    .describe("workflow id; suites/<workflow>/ where a suite exists"),
  description: z.string().optional(),
  organisation: z.string().optional(),
  answered_by: z.string().optional(),
  answered_on: z.string().optional(),
  synthetic: z.boolean().optional().describe("true for bundled example answers"),
  answers: z.record(z.string(), z.union([z.number(), z.string()])),
  notes: z.record(z.string(), z.string()).default({}).describe("why an answer was given; shown in the report"),
});
export type AnswerSheet = z.infer<typeof AnswerSheet>;
export type AnswerSet = AnswerSheet & { file: string; hash: string };
export type AnswerValue = AnswerSheet["answers"][string];

const blank = (v: unknown) => v === undefined || v === null || (typeof v === "string" && v.trim() === "");
const missing = (iss: { input?: unknown }) => (iss.input === undefined ? "missing answer" : undefined);

/** Spreadsheet cells arrive as text and YAML may say true/false: normalize before validating. */
function valueSchema(q: Question) {
  switch (q.kind) {
    case "scale":
      return z.preprocess(
        // a spreadsheet cell formatted with decimals exports 4 as "4.0" (or "4,0" in a comma locale)
        (v) => (blank(v) ? undefined : typeof v === "string" && /^\s*\d+([.,]0+)?\s*$/.test(v) ? parseInt(v, 10) : v),
        z
          .number({
            error: (iss) => missing(iss) ?? `expected a whole number from 1 to 5 (got ${JSON.stringify(iss.input)})`,
          })
          .int()
          .min(1)
          .max(5),
      );
    case "yesno":
      return z.preprocess(
        (v) => (blank(v) ? undefined : v === true ? "yes" : v === false ? "no" : typeof v === "string" ? yesNo(v) : v),
        z.enum(["yes", "no"], { error: (iss) => missing(iss) ?? "expected yes or no" }),
      );
    case "choice": {
      const values = q.options.map((o) => o.value) as [string, ...string[]];
      return z.preprocess(
        (v) => (blank(v) ? undefined : choiceValue(typeof v === "string" ? v : String(v), values)),
        z.enum(values, { error: (iss) => missing(iss) ?? `expected one of ${values.join(", ")}` }),
      );
    }
  }
}

/** A choice as typed in a sheet ("Low", " none"): yes/no already ignore case, and so do choices when only one fits. */
function choiceValue(s: string, values: string[]): string {
  const t = s.trim();
  if (values.includes(t)) return t;
  const fits = values.filter((v) => v.toLowerCase() === t.toLowerCase());
  return fits.length === 1 ? fits[0]! : t;
}

function yesNo(s: string): string {
  const t = s.trim().toLowerCase();
  return ["yes", "y", "true"].includes(t) ? "yes" : ["no", "n", "false"].includes(t) ? "no" : t;
}

/** Reject ids the matrix does not know, naming the nearest one: a typo must not pass as "missing". */
function knownIds(ids: string[]) {
  return (v: unknown, ctx: z.core.$RefinementCtx) => {
    if (blank(v)) return {};
    if (typeof v !== "object" || Array.isArray(v)) return v;
    for (const k of Object.keys(v as object))
      if (!ids.includes(k)) {
        const near = nearest(k, ids);
        ctx.addIssue({
          code: "custom",
          path: [k],
          input: v,
          message: `unknown question id "${k}"${near ? ` (did you mean "${near}"?)` : ""}`,
        });
      }
    return v;
  };
}

/**
 * The answer-file schema for this matrix. `partial` (for the questionnaire resuming a half-filled
 * file) lets answers and the header be missing; unknown ids are errors either way.
 */
export function answerSheetSchema(matrix: LoadedMatrix, partial = false) {
  const ids = [...matrix.questions.keys()];
  const shape: Record<string, z.ZodType> = {};
  const notes: Record<string, z.ZodType> = {};
  for (const [id, { question }] of matrix.questions) {
    shape[id] = partial ? valueSchema(question).optional() : valueSchema(question);
    notes[id] = z.string().optional();
  }
  const header = AnswerSheet.pick({ candidate: true, workflow: true });
  return AnswerSheet.extend({
    candidate: partial ? header.shape.candidate.optional() : header.shape.candidate,
    workflow: partial ? header.shape.workflow.optional() : header.shape.workflow,
    answers: z.preprocess(knownIds(ids), z.object(shape)),
    notes: z.preprocess(knownIds(ids), z.object(notes)),
  });
}

/** sha256 over the answers in matrix order: identical answers hash alike whatever file format held them. */
export function answersHash(matrix: LoadedMatrix, answers: Record<string, AnswerValue | undefined>): string {
  const ordered = [...matrix.questions.keys()].map((id) => [id, answers[id] ?? null]);
  return createHash("sha256").update(JSON.stringify(ordered)).digest("hex").slice(0, 16);
}

/** Drop the undefined entries zod leaves for optional keys, so sheets compare and serialize cleanly. */
export function compact<T>(rec: Record<string, T | undefined>): Record<string, T> {
  return Object.fromEntries(Object.entries(rec).filter(([, v]) => v !== undefined)) as Record<string, T>;
}

/**
 * Every unanswered question at once: a sheet left half-filled (a questionnaire stopped with Ctrl-C,
 * a form skipped) would otherwise be refused one question per attempt.
 */
export function unansweredText(ids: string[], matrix: LoadedMatrix): string {
  if (ids.length === 1) return `answers.${ids[0]}: missing answer`;
  const shown = ids.slice(0, 8).join(", ");
  const more = ids.length > 8 ? ` and ${ids.length - 8} more` : "";
  return `answers: ${ids.length} of ${matrix.questions.size} questions have no answer: ${shown}${more}`;
}

function askCommand(file: string, matrix: LoadedMatrix): string {
  const custom = matrix.file !== bundledPath(DEFAULT_MATRIX) ? ` --matrix ${shellWord(matrix.file)}` : "";
  return `soceval readiness ask --out ${shellWord(file)}${custom}`;
}

export function loadAnswersYaml(file: string, matrix: LoadedMatrix): AnswerSet {
  // what is there is checked first (a wrong value names its own line), then everything missing at once
  const partial = loadPartialAnswers(file, matrix);
  const unanswered = [...matrix.questions.keys()].filter((id) => partial.answers[id] === undefined);
  if (unanswered.length > 0) {
    const { line } = fieldError(file, ["answers", unanswered[0]!], "");
    throw new InputError(
      `${file}:${line}: ${unansweredText(unanswered, matrix)}; \`${askCommand(file, matrix)}\` asks only what is missing`,
      file,
      line,
    );
  }
  const sheet = loadYaml(file, answerSheetSchema(matrix)) as AnswerSheet;
  const answers = compact(sheet.answers);
  return { ...sheet, answers, notes: compact(sheet.notes), file, hash: answersHash(matrix, answers) };
}

export type PartialSheet = Partial<Omit<AnswerSheet, "answers" | "notes">> & Pick<AnswerSheet, "answers" | "notes">;

/** A half-filled file for `readiness ask` to resume: what is there is validated, gaps are fine. */
export function loadPartialAnswers(file: string, matrix: LoadedMatrix): PartialSheet {
  const sheet = loadYaml(file, answerSheetSchema(matrix, true)) as PartialSheet;
  return { ...sheet, answers: compact(sheet.answers), notes: compact(sheet.notes) };
}

/** Two answer sheets for the same workflow in one scoring would make the stored result ambiguous. */
export function assertDistinct(sets: AnswerSet[]): void {
  // by workflow, whatever the candidate is called: the exit-criteria report reads one result per
  // workflow, and two sheets scored together would tie, letting an unblocked one hide a hard gate
  const seen = new Map<string, AnswerSet>();
  for (const s of sets) {
    const prev = seen.get(s.workflow);
    if (prev)
      throw new InputError(
        `${s.file}: workflow ${s.workflow} is also answered in ${prev.file}` +
          (prev.candidate === s.candidate ? "" : ` (as "${prev.candidate}")`) +
          "; score one answer sheet per workflow at a time",
        s.file,
      );
    seen.set(s.workflow, s);
  }
}
