import { CaseIds, crossCheckCase } from "../datasets/checks.js";
import { InputError } from "../io/errors.js";
import { readJsonl } from "../io/jsonl.js";
import { type Case, Case as CaseSchema, type ToolContract, type Workflow } from "../schema/index.js";

/** Per evidence source: in how many of the workflow's historical cases it exists or was unavailable. */
export type SourceCoverage = {
  source: string;
  /** cases where the playbook could call a tool of this source (the alert carries its required entities) */
  applicable: number;
  /** of the applicable cases */
  present: number;
  /** of the applicable cases */
  unavailable: number;
};
export type Coverage = { cases: number; other_workflows: number; sources: Map<string, SourceCoverage> };

/**
 * A look-up only has something to look up when the alert carries an entity for one of its inputs
 * (and for every required one): a hash reputation source is absent from mails without
 * attachments, and that is not a gap in history.
 */
function applicable(tool: ToolContract, wf: Workflow, c: Case): boolean {
  const steps = wf.playbook.filter((s) => s.tool === tool.name);
  if (steps.length === 0) return true;
  const types = new Set(c.alert.entities.map((e) => e.type));
  const given = (from: string | undefined) => from !== undefined && (from.startsWith("=") || types.has(from));
  return steps.some((step) => {
    const required = Object.entries(tool.input).filter(([, p]) => p.required);
    if (!required.every(([name]) => step.input[name] === undefined || given(step.input[name]))) return false;
    const mapped = Object.values(step.input).filter((from) => !from.startsWith("="));
    return mapped.length === 0 || mapped.some(given);
  });
}

/** One streaming pass over the dataset, counting only the cases of this workflow. */
export async function evidenceCoverage(dataset: string, wf: Workflow, tools: ToolContract[]): Promise<Coverage> {
  const sources = new Map<string, SourceCoverage>();
  for (const t of tools)
    if (!sources.has(t.source)) sources.set(t.source, { source: t.source, applicable: 0, present: 0, unavailable: 0 });
  let cases = 0;
  let other = 0;
  const ids = new CaseIds();
  for await (const { value: c, line } of readJsonl(dataset, CaseSchema)) {
    // what `run` refuses in a dataset: a case counted twice would skew every share below
    const problem = crossCheckCase(c)[0] ?? ids.duplicate(c.id, line);
    if (problem) throw new InputError(`${dataset}:${line}: ${problem}`, dataset, line);
    if (c.workflow !== wf.id) {
      other++;
      continue;
    }
    cases++;
    const present = new Set(c.evidence.map((e) => e.source));
    const unavailable = new Set(c.unavailable);
    for (const s of sources.values()) {
      // both shares are of the cases where the playbook would call the source: over every case, a
      // hash look-up failing in a quarter of the mails with attachments would read as 6%
      if (!tools.some((t) => t.source === s.source && applicable(t, wf, c))) continue;
      s.applicable++;
      if (present.has(s.source)) s.present++;
      if (unavailable.has(s.source)) s.unavailable++;
    }
  }
  return { cases, other_workflows: other, sources };
}
