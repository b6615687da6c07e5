import { z } from "zod";
import { InputError } from "../io/errors.js";
import { keepTakenLongIntegers, parseJsonLine } from "../io/jsonl.js";
import { readLines } from "../io/lines.js";
import { Case, type Workflow } from "../schema/index.js";
import { deadRaises } from "../workflow/dead-raises.js";
import { CaseIds, caseWarnings, checkCase } from "./checks.js";
import { type LongIntegerCount, LongIntegerCounter } from "./long-integers.js";
import { type EvidenceReach, ReachCounter } from "./reach.js";
import { workflowDataChecks } from "./workflow-data.js";

export type ValidationSummary = {
  file: string;
  cases: number;
  valid: number;
  invalid: number;
  unlabeled: number;
  warnings: number;
  /** with a workflow: what of the valid cases' evidence its tools can return */
  reach?: EvidenceReach;
  /**
   * with a workflow file, as warning lines at its lines: conditions whose field no record of the
   * dataset has, playbook inputs no alert can fill, playbook filters no record matches, decision
   * rules that decide no case; and approval raises that raise nothing, whatever the data
   */
  workflowWarnings?: string[];
  /** integers beyond 2^53 − 1, read as strings of their digits, on any line JSON.parse takes, valid case or not */
  longIntegers?: LongIntegerCount;
};

/**
 * Check every case of a JSONL dataset, streaming. Each problem goes to `report` as
 * `file:line: field: message`; a case with no label is valid but counted as unlabeled. A valid
 * case may also get warnings (caseWarnings), reported the same way with "(warning)" at the end.
 * Repeated keys are looked for here, though `run` does not (jsonl.ts), and integers beyond 2^53 − 1
 * are counted (json-numbers.ts): every command reads them as strings. With a workflow, the valid
 * cases' evidence is also held against its tools (reach.ts).
 */
export async function validateDataset(
  file: string,
  report: (error: string) => void,
  opts: { workflow?: Workflow; workflowFile?: string } = {},
): Promise<ValidationSummary> {
  const summary: ValidationSummary = { file, cases: 0, valid: 0, invalid: 0, unlabeled: 0, warnings: 0 };
  const ids = new CaseIds();
  const reach = opts.workflow ? new ReachCounter(opts.workflow) : null;
  const wf = opts.workflow;
  const against = wf && opts.workflowFile ? workflowDataChecks(wf) : [];
  const long = new LongIntegerCounter();
  let line = 0;
  for await (const text of readLines(file)) {
    line++;
    const r = parseJsonLine(file, line, text, z.unknown(), { repeatedKeys: true });
    if (!r) continue;
    summary.cases++;
    // `object` is set only for a line JSON.parse refused: any other line's numbers are as it reads them
    const found = "error" in r && r.object !== undefined ? [] : long.add(text, r.line);
    if ("error" in r) {
      // a first line that is not JSON at all: the file is another format, not one bad case per line
      if (summary.cases === 1 && summary.invalid === 0 && r.object === false)
        throw new InputError(
          `${file}:${r.line}: not a JSONL dataset (the first line is not JSON)` +
            (/\.(csv|tsv)$/i.test(file) ? "; import a CSV with `soceval dataset import csv`" : ""),
          file,
          r.line,
        );
      summary.invalid++;
      for (const e of r.errors ?? [r.error]) report(e);
      continue;
    }
    // the case as `run` reads it (io/jsonl.ts): a 64-bit id its digits where any value goes, a number
    // where the case wants one
    const { value, problems } = checkCase(
      found.length ? keepTakenLongIntegers(Case, text, JSON.parse(text), found).value : r.value,
    );
    const id = value?.id ?? idOf(r.value);
    const dup = id === undefined ? undefined : ids.duplicate(id, r.line);
    if (dup) problems.push(dup);
    if (problems.length) {
      summary.invalid++;
      for (const p of problems) report(`${file}:${r.line}: ${p}`);
      continue;
    }
    summary.valid++;
    if (!value?.label) summary.unlabeled++;
    if (value) {
      reach?.add(value);
      for (const a of against) a.add(value);
    }
    for (const w of value ? caseWarnings(value) : []) {
      summary.warnings++;
      report(`${file}:${r.line}: ${w} (warning)`);
    }
  }
  if (reach) summary.reach = reach.result();
  const rounded = long.result();
  if (rounded) summary.longIntegers = rounded;
  const wfFile = opts.workflowFile;
  if (wf && wfFile)
    summary.workflowWarnings = [...deadRaises(wf, wfFile), ...against.flatMap((a) => a.warnings(wfFile, file))];
  return summary;
}

/** An invalid case's id, if it has a usable one, still counts toward duplicate detection. */
function idOf(json: unknown): string | undefined {
  const id = (json as { id?: unknown } | null)?.id;
  return typeof id === "string" && id !== "" ? id : undefined;
}
