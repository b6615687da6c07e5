import { readCsv } from "../datasets/csv-reader.js";
import { InputError, mainIssue } from "../io/errors.js";
import {
  type AnswerSet,
  type AnswerSheet,
  answerSheetSchema,
  answersHash,
  compact,
  unansweredText,
} from "./answers.js";
import type { LoadedMatrix } from "./matrix.js";

/** Columns that describe the candidate rather than answer a question. */
const HEADER_FIELDS = ["candidate", "workflow", "description", "organisation", "answered_by", "answered_on"] as const;
const NOTE_PREFIX = "note:";
const LONG_COLUMNS = new Set<string>([...HEADER_FIELDS, "question", "answer", "note"]);

type Draft = {
  sheet: Record<string, unknown> & { answers: Record<string, string>; notes: Record<string, string> };
  firstLine: number;
  /** where each answer (or note) came from, so an error names its line */
  lines: Map<string, number>;
};

/**
 * Answers from a spreadsheet export, in either shape:
 * - wide: one row per candidate — `candidate, workflow, <question id>…, note:<question id>…`
 *   (what a form tool exports);
 * - long: one row per answer — `candidate, workflow, question, answer[, note]` (a hand-kept sheet).
 * Every candidate is validated exactly like a YAML answer file; errors name the CSV line.
 */
export async function loadAnswersCsv(file: string, matrix: LoadedMatrix): Promise<AnswerSet[]> {
  let columns: string[] = [];
  let headerLine = 1;
  const drafts = new Map<string, Draft>();
  let long = false;
  for await (const { line, row } of readCsv(file, {
    onHeader: (cols, l) => {
      headerLine = l;
      // a column with no name (a spreadsheet's trailing separator) is skipped; the reader refuses a
      // value under one, naming its line
      columns = cols.filter((c) => c !== "");
      long = cols.includes("question") || cols.includes("answer");
      for (const need of ["candidate", "workflow", ...(long ? ["question", "answer"] : [])])
        if (!cols.includes(need))
          throw new InputError(
            `${file}:${l}: header: missing column "${need}"${long ? " (the one-answer-per-row form takes candidate, workflow, question, answer and note)" : ""}`,
            file,
            l,
          );
      // the wide form refuses an unknown question column; the long form, a column it would ignore
      const unknown = long && columns.find((c) => !LONG_COLUMNS.has(c));
      if (unknown) throw new InputError(`${file}:${l}: header: unknown column "${unknown}"`, file, l);
    },
  })) {
    // a long sheet's rows belong to their candidate: a row naming another workflow is a mistake in
    // that row, not a second candidate that then misses every answer
    const key = long ? (row.candidate?.trim() ?? "") : `${row.candidate?.trim()}\u0000${row.workflow?.trim()}`;
    let d = drafts.get(key);
    if (d && long && (row.workflow?.trim() ?? "") !== (d.sheet.workflow ?? ""))
      throw new InputError(
        `${file}:${line}: workflow: "${row.workflow?.trim()}" differs from "${d.sheet.workflow}" for candidate "${row.candidate?.trim()}" on line ${d.firstLine}`,
        file,
        line,
      );
    if (!d) {
      d = { sheet: { answers: {}, notes: {} }, firstLine: line, lines: new Map() };
      for (const f of HEADER_FIELDS) if (row[f]?.trim()) d.sheet[f] = row[f]!.trim();
      drafts.set(key, d);
    } else if (!long) {
      throw new InputError(`${file}:${line}: candidate "${row.candidate}" already has a row at line ${d.firstLine}`);
    }
    if (long) addLongRow(file, line, row, d);
    else addWideRow(columns, headerLine, line, row, d);
  }
  if (drafts.size === 0) throw new InputError(`${file}:${headerLine}: no answer rows`, file, headerLine);
  return [...drafts.values()].map((d) => validate(file, matrix, d));
}

function addLongRow(file: string, line: number, row: Record<string, string>, d: Draft): void {
  const q = row.question?.trim() ?? "";
  if (!q) throw new InputError(`${file}:${line}: question: empty`, file, line);
  if (d.lines.has(`answers.${q}`))
    throw new InputError(`${file}:${line}: ${q}: answered twice (also line ${d.lines.get(`answers.${q}`)})`);
  d.sheet.answers[q] = row.answer ?? "";
  d.lines.set(`answers.${q}`, line);
  if (row.note?.trim()) {
    d.sheet.notes[q] = row.note.trim();
    d.lines.set(`notes.${q}`, line);
  }
}

function addWideRow(columns: string[], headerLine: number, line: number, row: Record<string, string>, d: Draft) {
  for (const col of columns) {
    if ((HEADER_FIELDS as readonly string[]).includes(col)) continue;
    const isNote = col.startsWith(NOTE_PREFIX);
    const id = isNote ? col.slice(NOTE_PREFIX.length) : col;
    const value = row[col] ?? "";
    if (isNote && !value.trim()) continue;
    (isNote ? d.sheet.notes : d.sheet.answers)[id] = isNote ? value.trim() : value;
    // an unknown column is wrong in the header, not in the row
    d.lines.set(`${isNote ? "notes" : "answers"}.${id}`, line);
    d.lines.set(`column.${id}`, headerLine);
  }
}

function validate(file: string, matrix: LoadedMatrix, d: Draft): AnswerSet {
  const parsed = answerSheetSchema(matrix).safeParse(d.sheet, { reportInput: true });
  if (!parsed.success) {
    const { path, text: first } = mainIssue(parsed.error.issues);
    const [section, id] = path.map(String);
    // a row that skipped several questions names them all, not one per attempt
    const unanswered = parsed.error.issues
      .filter((i) => i.path[0] === "answers" && i.message === "missing answer")
      .map((i) => String(i.path[1]));
    const text =
      unanswered.length > 1 && section === "answers" && unanswered.includes(id!)
        ? `candidate "${d.sheet.candidate ?? ""}": ${unansweredText(unanswered, matrix)}`
        : first;
    const unknown = id !== undefined && !matrix.questions.has(id);
    const line = (unknown ? d.lines.get(`column.${id}`) : undefined) ?? d.lines.get(`${section}.${id}`) ?? d.firstLine;
    throw new InputError(`${file}:${line}: ${text}`, file, line);
  }
  const sheet = parsed.data as AnswerSheet;
  const answers = compact(sheet.answers);
  return { ...sheet, answers, notes: compact(sheet.notes), file, hash: answersHash(matrix, answers) };
}
