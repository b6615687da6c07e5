import { describeIssue } from "../io/errors.js";
import { Case } from "../schema/index.js";

export type CaseCheck = { value?: Case; problems: string[] };

/**
 * Every problem with one case, each phrased `field: message`: the schema (unknown fields named),
 * then what the schema cannot see (crossCheckCase).
 */
export function checkCase(json: unknown): CaseCheck {
  const parsed = Case.safeParse(json, { reportInput: true });
  if (!parsed.success) return { problems: parsed.error.issues.map((i) => describeIssue(i).text) };
  const problems = crossCheckCase(parsed.data);
  return problems.length ? { problems } : { value: parsed.data, problems };
}

/**
 * What the schema cannot see in a parsed case, each phrased `field: message`: evidence ids must be
 * unique within the case, because agents cite them, and every required_evidence id must name a
 * record the case actually holds. `dataset validate` and `run` (caseOfLine) both use this; it runs
 * for every case of a run, so it is one pass over the evidence and one over the required ids.
 */
export function crossCheckCase(c: Case): string[] {
  const problems: string[] = [];
  const ids = new Set<string>();
  c.evidence.forEach((e, i) => {
    if (ids.has(e.id)) problems.push(`evidence[${i}].id: duplicate evidence id "${e.id}"`);
    ids.add(e.id);
  });
  c.label?.required_evidence.forEach((id, i) => {
    if (!ids.has(id)) problems.push(`label.required_evidence[${i}]: "${id}" is not an evidence id of this case`);
  });
  return problems;
}

/** Remembers case ids across a file so a repeated id is reported with the line it first appeared on. */
export class CaseIds {
  private readonly firstLine = new Map<string, number>();
  /** The problem text when `id` was seen before, else undefined (and `id` is remembered). */
  duplicate(id: string, line: number): string | undefined {
    const prev = this.firstLine.get(id);
    if (prev !== undefined) return `id: duplicate case id "${id}" (first on line ${prev})`;
    this.firstLine.set(id, line);
    return undefined;
  }
}
