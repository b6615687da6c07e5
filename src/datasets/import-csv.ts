import { InputError } from "../io/errors.js";
import { writeCases } from "./case-writer.js";
import { cellValue } from "./cells.js";
import { checkCase } from "./checks.js";
import { type CsvRow, readCsv } from "./csv-reader.js";
import { type CsvMapping, loadMapping, referencedColumns } from "./mapping.js";
import { isRecord, setPath } from "./values.js";

export type ImportResult = { out: string; cases: number; unlabeled: number };

type Group = { key: string; rows: CsvRow[] };

/**
 * `dataset import csv`: map a SIEM export to cases with a YAML mapping. With `group_by`, each run
 * of rows sharing the key becomes one case (alert fields from its first row, one evidence record per
 * row); the export must list a case's rows together, which is how SIEMs write them.
 */
export async function importCsv(file: string, mappingFile: string, out: string): Promise<ImportResult> {
  const mapping = loadMapping(mappingFile);
  let headerLine = 1;
  const empty = () =>
    new InputError(`${file}:${headerLine}: no rows after the header, nothing to import (${out} not written)`, file);
  const w = await writeCases(out, { inputs: [file, mappingFile], empty }, async (writer) => {
    const closed = new Map<string, number>();
    let current: Group | null = null;
    const flush = async (g: Group) => {
      const { candidate, explain } = buildCase(g, mapping, file);
      const { problems } = checkCase(candidate);
      if (problems.length) {
        const { line, text } = explain(problems[0]!);
        throw new InputError(`${file}:${line}: ${text}`, file, line);
      }
      await writer.write(candidate, { file, line: g.rows[0]!.line });
    };
    const rows = readCsv(file, {
      delimiter: mapping.delimiter,
      quote: mapping.quote,
      onHeader: (columns, line) => {
        headerLine = line;
        checkColumns(columns, line, mapping, file, mappingFile);
      },
    });
    for await (const r of rows) {
      const key = mapping.group_by ? (r.row[mapping.group_by] ?? "").trim() : `row-${r.line}`;
      if (mapping.group_by && key === "")
        throw new InputError(`${file}:${r.line}: ${mapping.group_by}: empty group_by value`, file, r.line);
      if (current && current.key === key) {
        current.rows.push(r);
        continue;
      }
      if (current) await flush(current);
      const first = closed.get(key);
      if (first !== undefined)
        throw new InputError(
          `${file}:${r.line}: ${mapping.group_by}: rows of "${key}" are not contiguous (its first row is line ${first}); sort the export by ${mapping.group_by}`,
          file,
          r.line,
        );
      closed.set(key, r.line);
      current = { key, rows: [r] };
    }
    if (current) await flush(current);
  });
  return { out, cases: w.count, unlabeled: w.unlabeled };
}

function checkColumns(columns: string[], line: number, m: CsvMapping, file: string, mappingFile: string): void {
  const have = new Set(columns);
  for (const [col, where] of referencedColumns(m))
    if (!have.has(col))
      throw new InputError(
        `${file}:${line}: header: column "${col}" (read by ${mappingFile} ${where}) is not in the export; columns: ${columns.join(", ")}`,
        file,
        line,
      );
}

/**
 * One case from a group of rows, plus a function that turns a schema problem (`alert.severity: …`,
 * `evidence[2].time: …`) into the row line and column that produced it.
 */
function buildCase(g: Group, m: CsvMapping, file: string) {
  const first = g.rows[0]!;
  const c: Record<string, unknown> = {};
  for (const [path, spec] of Object.entries(m.case)) {
    const v = cellValue(spec, first.row, { file, line: first.line });
    if (v !== undefined) setPath(c, path, v);
  }
  checkRowsAgree(g, m, file);
  if (c.id === undefined && m.group_by) c.id = g.key;
  const alertTime = isRecord(c.alert) ? c.alert.time : undefined;
  const required: string[] = [];
  if (m.evidence) {
    const evidence = Array.isArray(c.evidence) ? (c.evidence as unknown[]) : [];
    g.rows.forEach((r, i) => {
      const ev: Record<string, unknown> = {};
      let isRequired = false;
      for (const [path, spec] of Object.entries(m.evidence!)) {
        const v = cellValue(spec, r.row, { file, line: r.line });
        // a cell's text ("yes") is never true: read silently, it would leave every record not required
        if (path === "required" && v !== undefined && typeof v !== "boolean")
          throw new InputError(
            `${file}:${r.line}: ${spec.column ?? "evidence.required"}: ${JSON.stringify(v)} is not true or false; give evidence.required type: boolean or a map ({ yes: true, no: false })`,
            file,
            r.line,
          );
        if (path === "required") isRequired = v === true;
        else if (v !== undefined) setPath(ev, path, v);
      }
      ev.id ??= `ev-${i + 1}`;
      ev.time ??= alertTime;
      ev.data ??= {};
      if (isRequired) required.push(String(ev.id));
      evidence.push(ev);
    });
    c.evidence = evidence;
  }
  if (isRecord(c.label)) {
    // no verdict means the analyst never closed it: the case is unlabeled, whatever else the row says
    if (c.label.verdict === undefined) delete c.label;
    else if (required.length) {
      const listed = Array.isArray(c.label.required_evidence) ? (c.label.required_evidence as string[]) : [];
      c.label.required_evidence = [...new Set([...listed, ...required])];
    }
  }
  const evidenceOffset = Array.isArray(c.evidence) ? c.evidence.length - (m.evidence ? g.rows.length : 0) : 0;
  const explain = (problem: string): { line: number; text: string } => {
    const field = problem.slice(0, problem.indexOf(":"));
    const ev = /^evidence\[(\d+)\]\.?(.*)$/.exec(field);
    if (ev && m.evidence) {
      const idx = Number(ev[1]) - evidenceOffset;
      const row = g.rows[idx];
      if (row) return { line: row.line, text: withColumn(problem, m.evidence, ev[2] ?? "") };
    }
    return { line: first.line, text: withColumn(problem, m.case, field) };
  };
  return { candidate: c, explain };
}

/** The columns the case section reads, each with the fields it fills (not `row: true`, which takes evidence columns too). */
function caseColumns(m: CsvMapping): Map<string, string[]> {
  const cols = new Map<string, string[]>();
  for (const [path, spec] of Object.entries(m.case))
    for (const c of [spec.column, ...(spec.columns ?? []), ...(spec.entities ?? []).map((e) => e.column)])
      if (c !== undefined && c !== m.group_by) cols.set(c, [...new Set([...(cols.get(c) ?? []), path])]);
  return cols;
}

/**
 * A case's fields come from its first row. A later row of the case that says otherwise (another
 * disposition, another urgency) would be dropped without a word, and with it perhaps the analyst's
 * final verdict: the rows of one case must agree on every column the case section reads.
 */
function checkRowsAgree(g: Group, m: CsvMapping, file: string): void {
  const first = g.rows[0]!;
  if (g.rows.length < 2) return;
  const columns = caseColumns(m);
  for (const r of g.rows.slice(1))
    for (const [column, paths] of columns) {
      const [a, b] = [(first.row[column] ?? "").trim(), (r.row[column] ?? "").trim()];
      if (a !== b)
        throw new InputError(
          `${file}:${r.line}: ${column}: ${JSON.stringify(b)} differs from ${JSON.stringify(a)} on line ${first.line}, a row of the same case "${g.key}"; its ${paths.join(" and ")} ${paths.length > 1 ? "are" : "is"} read from one row, so the rows of a case must agree`,
          file,
          r.line,
        );
    }
}

/** Name the column behind a field when the mapping reads it from one: `alert.severity (column urgency): …`. */
function withColumn(problem: string, fields: CsvMapping["case"], field: string): string {
  let best: string | undefined;
  for (const path of Object.keys(fields))
    if (
      (field === path || field.startsWith(`${path}.`) || field.startsWith(`${path}[`)) &&
      path.length > (best?.length ?? 0)
    )
      best = path;
  const col = best ? fields[best]?.column : undefined;
  if (!col) return problem;
  const i = problem.indexOf(":");
  return `${problem.slice(0, i)} (column ${col})${problem.slice(i)}`;
}
