import { describeIssue } from "../io/errors.js";
import { Case } from "../schema/index.js";

export type CaseCheck = { value?: Case; problems: string[] };

/**
 * Every problem with one case, each phrased `field: message`: the schema (unknown fields named),
 * then what the schema cannot see (crossCheckCase).
 */
export function checkCase(json: unknown): CaseCheck {
  const parsed = Case.safeParse(json, { reportInput: true });
  if (!parsed.success) return { problems: parsed.error.issues.map((i) => describeIssue(i, Case).text) };
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

/**
 * What is harmless to a case's meaning but probably a slip, each phrased `field: message`: an item
 * repeated in a list that means a set. Every consumer counts such an item once (the scorers, the
 * sandbox, stats and the report's breakdowns), so the case is valid; a repeat may still hide the
 * item that was meant (a tag or evidence id typed twice instead of another one).
 * A repeated evidence record id is not here: two records under one id make a citation ambiguous,
 * and crossCheckCase refuses it.
 */
export function caseWarnings(c: Case): string[] {
  const warnings: string[] = [];
  const repeats = (field: string, items: readonly string[], what: string) => {
    const first = new Map<string, number>();
    items.forEach((item, i) => {
      const at = first.get(item);
      if (at === undefined) first.set(item, i);
      else warnings.push(`${field}[${i}]: ${what} ${JSON.stringify(item)} repeats ${field}[${at}]; counted once`);
    });
  };
  repeats("tags", c.tags, "tag");
  repeats("unavailable", c.unavailable, "source");
  if (c.label) repeats("label.required_evidence", c.label.required_evidence, "evidence id");
  warnings.push(...unavailableHeld(c));
  return warnings;
}

/**
 * Required records of a source the case lists as unavailable: the sandbox answers every call to
 * that source "unavailable" before it looks at the records, so no agent ever gets them, and missed
 * context counts them on every run whatever the agent does. Records of it that are not required
 * are fine: that is how a case becomes an outage trap (the history had them, the tool is down).
 */
function unavailableHeld(c: Case): string[] {
  const down = new Set(c.unavailable);
  if (down.size === 0 || !c.label) return [];
  const sourceOf = new Map(c.evidence.map((e) => [e.id, e.source]));
  const out: string[] = [];
  c.label.required_evidence.forEach((id, i) => {
    const source = sourceOf.get(id);
    if (source !== undefined && down.has(source))
      out.push(
        `label.required_evidence[${i}]: "${id}" is a record of ${JSON.stringify(source)}, which unavailable[${c.unavailable.indexOf(source)}] ` +
          "lists as down: no tool call can return it, so missed context counts it on every run",
      );
  });
  return out;
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
