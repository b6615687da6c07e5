import { dict, dictOf } from "../io/dict.js";
import { InputError } from "../io/errors.js";
import { readJsonl } from "../io/jsonl.js";
import { Case, type Workflow } from "../schema/index.js";
import { CaseIds, checkCase } from "./checks.js";
import { type EvidenceReach, ReachCounter } from "./reach.js";

type Counts = Record<string, number>;

/** What `dataset stats` reports; the JSON form of `--format json` (stable keys). */
export type DatasetStats = {
  file: string;
  cases: number;
  labeled: number;
  incidents: number;
  evidence_records: number;
  verdict: Counts;
  escalation: { escalated: number; not_escalated: number; unlabeled: number };
  workflow: Counts;
  tags: Counts;
  /** per source: cases with at least one record of it, and that as a share of all cases */
  evidence_sources: Record<string, { cases: number; share: number }>;
  /** per source: cases that list it as unavailable */
  unavailable: Counts;
  adversarial: number;
  analyst_minutes: { cases: number; total: number };
  /** with `--workflow`: what of the evidence its tools can return */
  reach?: EvidenceReach;
};

const bump = (c: Counts, k: string) => {
  c[k] = (c[k] ?? 0) + 1;
};

const sorted = (c: Counts): Counts => dictOf(Object.entries(c).sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])));

/**
 * The case on `line`, checked as `dataset validate` checks it: a repeated id or an evidence id the
 * case does not hold stops the count, so stats never counts a case twice or a dataset validate refuses.
 */
function checkedCase(file: string, line: number, json: unknown, ids: CaseIds): Case {
  const { value, problems } = checkCase(json);
  const dup = value ? ids.duplicate(value.id, line) : undefined;
  if (dup) problems.push(dup);
  if (!value || problems.length) throw new InputError(`${file}:${line}: ${problems[0]}`, file, line);
  return value;
}

/** Count a dataset in one streaming pass; the first invalid line stops it with `file:line: field: message`. */
export async function datasetStats(file: string, opts: { workflow?: Workflow } = {}): Promise<DatasetStats> {
  const s = {
    cases: 0,
    labeled: 0,
    evidence_records: 0,
    verdict: dict<number>(),
    escalation: { escalated: 0, not_escalated: 0, unlabeled: 0 },
    workflow: dict<number>(),
    tags: dict<number>(),
    sources: dict<number>(),
    unavailable: dict<number>(),
    adversarial: 0,
    minutes: { cases: 0, total: 0 },
  };
  const incidents = new Set<string>();
  const ids = new CaseIds();
  const reach = opts.workflow ? new ReachCounter(opts.workflow) : null;
  // read as `run` reads a case (a 64-bit id in evidence data its digits, a number where the case wants one)
  for await (const { line, value: json } of readJsonl(file, Case, { repeatedKeys: true })) {
    const c = checkedCase(file, line, json, ids);
    s.cases++;
    s.evidence_records += c.evidence.length;
    bump(s.workflow, c.workflow);
    if (c.incident_id) incidents.add(c.incident_id);
    if (c.label) {
      s.labeled++;
      bump(s.verdict, c.label.verdict);
      if (c.label.escalate) s.escalation.escalated++;
      else s.escalation.not_escalated++;
      if (c.label.analyst_minutes !== undefined) {
        s.minutes.cases++;
        s.minutes.total += c.label.analyst_minutes;
      }
    } else {
      bump(s.verdict, "unlabeled");
      s.escalation.unlabeled++;
    }
    for (const t of new Set(c.tags)) bump(s.tags, t);
    for (const src of new Set(c.evidence.map((e) => e.source))) bump(s.sources, src);
    for (const src of new Set(c.unavailable)) bump(s.unavailable, src);
    if (c.adversarial) s.adversarial++;
    reach?.add(c);
  }
  const evidence_sources: DatasetStats["evidence_sources"] = dict();
  for (const [src, n] of Object.entries(sorted(s.sources)))
    evidence_sources[src] = { cases: n, share: s.cases ? n / s.cases : 0 };
  return {
    file,
    cases: s.cases,
    labeled: s.labeled,
    incidents: incidents.size,
    evidence_records: s.evidence_records,
    verdict: sorted(s.verdict),
    escalation: s.escalation,
    workflow: sorted(s.workflow),
    tags: sorted(s.tags),
    evidence_sources,
    unavailable: sorted(s.unavailable),
    adversarial: s.adversarial,
    analyst_minutes: s.minutes,
    ...(reach ? { reach: reach.result() } : {}),
  };
}
