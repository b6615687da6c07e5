import { stringify } from "yaml";
import { bundledPath } from "../io/bundled-path.js";
import { writeOutFile } from "../io/out-file.js";
import { shellWord } from "../io/shell.js";
import type { PartialSheet } from "./answers.js";
import { DEFAULT_MATRIX, type LoadedMatrix } from "./matrix.js";

const HEADER = [
  "candidate",
  "workflow",
  "description",
  "organisation",
  "answered_by",
  "answered_on",
  "synthetic",
] as const;

const scalar = (v: unknown) => stringify(v, { lineWidth: 0 }).trimEnd();
const comment = (s: string) => s.replace(/[\r\n]+/g, " ");

/**
 * An answer file in matrix order with each question as a comment above its answer, so the file
 * reads like the questionnaire. Unanswered questions are left out: `readiness ask` resumes there.
 */
export function answersYaml(sheet: PartialSheet, matrix: LoadedMatrix): string {
  // the file is shared across a team: the bundled matrix is named as soceval ships it, not by the
  // path it has on one laptop, and a matrix of the team's own is passed when resuming
  const bundled = matrix.file === bundledPath(DEFAULT_MATRIX);
  const out = [`# soceval readiness answers; the questions are in ${bundled ? DEFAULT_MATRIX : matrix.file}.`];
  out.push(
    `# \`soceval readiness ask --out <this file>${bundled ? "" : ` --matrix ${shellWord(matrix.file)}`}\` asks only what is still unanswered.`,
  );
  for (const k of HEADER) if (sheet[k] !== undefined) out.push(`${k}: ${scalar(sheet[k])}`);
  out.push("answers:");
  for (const area of matrix.areas) {
    const answered = area.questions.filter((q) => sheet.answers[q.id] !== undefined);
    if (answered.length === 0) continue;
    out.push(`  # --- ${comment(area.name)}`);
    for (const q of answered) {
      out.push(`  # ${comment(q.text)}`);
      out.push(`  ${q.id}: ${scalar(sheet.answers[q.id])}`);
    }
  }
  const notes = [...matrix.questions.keys()].filter((id) => sheet.notes[id] !== undefined);
  if (notes.length) {
    out.push("notes:");
    for (const id of notes) out.push(`  ${id}: ${scalar(sheet.notes[id])}`);
  }
  return `${out.join("\n")}\n`;
}

/**
 * Written beside the file and renamed into place, so an interrupted questionnaire never leaves a
 * truncated answer file, and a failed write names --out (exit 3).
 */
export function saveAnswers(file: string, sheet: PartialSheet, matrix: LoadedMatrix): void {
  writeOutFile("--out", file, answersYaml(sheet, matrix));
}
