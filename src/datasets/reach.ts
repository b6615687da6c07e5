import { dict, dictOf } from "../io/dict.js";
import type { Case, Workflow } from "../schema/index.js";

type SourceCount = { records: number; cases: number };

/**
 * What of a dataset's evidence a workflow's tools can return. The sandbox answers a tool call only
 * with records of the tool's own `source`, so a record in a source no `read` tool names is never
 * seen by any agent (respond tools are never executed in shadow mode, so they read nothing).
 */
export type EvidenceReach = {
  workflow: string;
  /** every source the workflow's read tools read, with those tools */
  read_by: Record<string, string[]>;
  /** cases of this workflow: the counts below are theirs */
  cases: number;
  /** per other workflow, its cases: a suite of this workflow refuses them, so they are not counted */
  other_workflows: Record<string, number>;
  evidence_records: number;
  /** records in sources no read tool reads */
  records_out_of_reach: number;
  /**
   * records in a source a read tool reads that every such tool filters away: each of those tools
   * requires a parameter matched against an entity type (`entity:`) the record does not carry
   */
  records_filtered_out: number;
  /** cases holding evidence, none of it a record a read tool can return: investigated blind */
  cases_blind: number;
  /** per evidence source no read tool reads: its records, and the cases holding any */
  unread_sources: Record<string, SourceCount>;
  /** per source of records_filtered_out: its records and cases, and each tool's required entity types */
  filtered_sources: Record<string, SourceCount & { needs: Record<string, string[]> }>;
  /** per `unavailable` source no read tool reads: the cases listing it (no tool call can find it down) */
  unread_unavailable: Record<string, number>;
  /** required evidence no read tool can return (unread or filtered away): those cases cannot be investigated fully */
  required_out_of_reach: { cases: number; records: number; sources: Record<string, SourceCount> };
  /** read tool sources that no case holds a record of or lists as unavailable, with their tools */
  unused_tool_sources: Record<string, string[]>;
};

/** The sources a workflow's read tools return records of, each with the tools that read it. */
export function readSources(wf: Workflow): Map<string, string[]> {
  const by = new Map<string, string[]>();
  for (const t of wf.tools) if (t.scope === "read") by.set(t.source, [...(by.get(t.source) ?? []), t.name]);
  return by;
}

const bump = (m: Record<string, SourceCount>, source: string, records: number) => {
  const c = m[source] ?? { records: 0, cases: 0 };
  m[source] = c;
  c.records += records;
  c.cases++;
};

const byCount = <T>(m: Record<string, T>, n: (v: T) => number): Record<string, T> =>
  dictOf(Object.entries(m).sort((a, b) => n(b[1]) - n(a[1]) || a[0].localeCompare(b[0])));

/**
 * Per read source, what each of its tools requires of a record: the entity types of its required
 * parameters. The sandbox refuses a call without them and returns only records holding an entity
 * of each such type (tools/sandbox.ts), so a record lacking one is never returned by that tool.
 */
function requiredEntities(wf: Workflow): Map<string, Map<string, string[]>> {
  const by = new Map<string, Map<string, string[]>>();
  for (const t of wf.tools) {
    if (t.scope !== "read") continue;
    const types = Object.values(t.input).flatMap((p) => (p.required && p.entity !== undefined ? [p.entity] : []));
    const tools = by.get(t.source) ?? new Map<string, string[]>();
    tools.set(t.name, [...new Set(types)]);
    by.set(t.source, tools);
  }
  return by;
}

/** Counts a dataset's reach case by case, in one pass, holding only per-source counts. */
export class ReachCounter {
  private readonly read: Map<string, string[]>;
  private readonly needs: Map<string, Map<string, string[]>>;
  private readonly seen = new Set<string>();
  private readonly r: EvidenceReach;

  constructor(wf: Workflow) {
    this.read = readSources(wf);
    this.needs = requiredEntities(wf);
    this.r = {
      workflow: wf.id,
      read_by: dictOf(this.read),
      cases: 0,
      other_workflows: dict(),
      evidence_records: 0,
      records_out_of_reach: 0,
      records_filtered_out: 0,
      cases_blind: 0,
      unread_sources: dict(),
      filtered_sources: dict(),
      unread_unavailable: dict(),
      required_out_of_reach: { cases: 0, records: 0, sources: dict() },
      unused_tool_sources: dict(),
    };
  }

  add(c: Case): void {
    const r = this.r;
    if (c.workflow !== r.workflow) {
      r.other_workflows[c.workflow] = (r.other_workflows[c.workflow] ?? 0) + 1;
      return;
    }
    r.cases++;
    r.evidence_records += c.evidence.length;
    const unread = new Map<string, number>();
    const filtered = new Map<string, number>();
    /** the source of each record no read tool can return */
    const beyond = new Map<string, string>();
    for (const e of c.evidence) {
      this.seen.add(e.source);
      const tools = this.needs.get(e.source);
      if (!tools) {
        unread.set(e.source, (unread.get(e.source) ?? 0) + 1);
        beyond.set(e.id, e.source);
      } else if (!returnable(e.entities, tools)) {
        filtered.set(e.source, (filtered.get(e.source) ?? 0) + 1);
        beyond.set(e.id, e.source);
      }
    }
    let out = 0;
    for (const [source, n] of unread) {
      bump(r.unread_sources, source, n);
      out += n;
    }
    r.records_out_of_reach += out;
    for (const [source, n] of filtered) {
      const f = r.filtered_sources[source] ?? {
        records: 0,
        cases: 0,
        needs: Object.fromEntries(this.needs.get(source)!),
      };
      r.filtered_sources[source] = f;
      f.records += n;
      f.cases++;
      r.records_filtered_out += n;
    }
    if (c.evidence.length > 0 && out + sum(filtered) === c.evidence.length) r.cases_blind++;
    for (const source of new Set(c.unavailable)) {
      this.seen.add(source);
      if (!this.read.has(source)) r.unread_unavailable[source] = (r.unread_unavailable[source] ?? 0) + 1;
    }
    const required = new Map<string, number>();
    for (const id of new Set(c.label?.required_evidence ?? [])) {
      const source = beyond.get(id);
      if (source !== undefined) required.set(source, (required.get(source) ?? 0) + 1);
    }
    if (required.size === 0) return;
    r.required_out_of_reach.cases++;
    for (const [source, n] of required) {
      bump(r.required_out_of_reach.sources, source, n);
      r.required_out_of_reach.records += n;
    }
  }

  result(): EvidenceReach {
    const r = this.r;
    const unused = dict<string[]>();
    for (const [source, tools] of this.read) if (!this.seen.has(source)) unused[source] = tools;
    return {
      ...r,
      other_workflows: byCount(r.other_workflows, (n) => n),
      unread_sources: byCount(r.unread_sources, (c) => c.records),
      filtered_sources: byCount(r.filtered_sources, (c) => c.records),
      unread_unavailable: byCount(r.unread_unavailable, (n) => n),
      required_out_of_reach: {
        ...r.required_out_of_reach,
        sources: byCount(r.required_out_of_reach.sources, (c) => c.records),
      },
      unused_tool_sources: unused,
    };
  }
}

/**
 * When a run's numbers cannot be trusted without a word: a quarter or more of the evidence records
 * are out of the tools' reach (the agents answer those cases on the alert alone), or any required
 * record is (missed context is then certain, whatever the agent does). Below that, some unread
 * context is common and `dataset validate --workflow` lists it.
 */
export const OUT_OF_REACH_SHARE = 0.25;

/** Records no read tool can return: in a source none reads, or filtered away by every one that does. */
export function recordsBeyondReach(r: EvidenceReach): number {
  return r.records_out_of_reach + r.records_filtered_out;
}

export function reachIsAlarming(r: EvidenceReach): boolean {
  return (
    (r.evidence_records > 0 && recordsBeyondReach(r) / r.evidence_records >= OUT_OF_REACH_SHARE) ||
    r.required_out_of_reach.cases > 0
  );
}

const sum = (m: Map<string, number>) => [...m.values()].reduce((a, b) => a + b, 0);

/** Whether some tool of the record's source would return it: the record carries every entity type that tool requires. */
function returnable(entities: Case["evidence"][number]["entities"], tools: Map<string, string[]>): boolean {
  for (const types of tools.values()) if (types.every((t) => entities.some((e) => e.type === t))) return true;
  return false;
}
