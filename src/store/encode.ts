import type { Unusable } from "../providers/types.js";
import { type Case, type CaseResult, type Finding, investigationFailed, type Transcript } from "../schema/index.js";
import { type ColumnType, TABLES } from "./tables.js";

/** A row as the appender takes it: one value per column, in the table's column order. */
export type EncodedRow = (string | number | boolean | null)[];

export type ScoredTranscript = {
  case: Case;
  transcript: Transcript;
  result: Omit<CaseResult, "run_id">;
  findings: Finding[];
  started_at?: Date;
  wall_ms?: number;
  /** why the model could not be used at all (not stored: the runner's fail-fast reads it) */
  unusable?: Unusable;
};

export const CASE_TABLES = ["cases", "transcripts", "tool_calls", "model_calls", "findings", "case_results"] as const;
export type CaseTable = (typeof CASE_TABLES)[number];

/** Everything one (case, agent, epoch) stores; the `cases` row is written once per case by the writer. */
export type EncodedTranscript = {
  case_id: string;
  failed: boolean;
  rows: Record<CaseTable, EncodedRow[]>;
};

const COLUMNS = Object.fromEntries(TABLES.map((t) => [t.name, t.columns])) as Record<string, [string, ColumnType][]>;

/**
 * Scored transcript → rows of plain values: JSON columns serialised, lists as JSON arrays of
 * strings, times as ISO text. Plain values cross from a replay worker to the writer cheaply (one
 * string clones far cheaper than an array) and go into DuckDB's data chunks as they are
 * (chunk-append.ts).
 */
export function encodeScored(
  item: ScoredTranscript,
  runId: string,
  toolSources: Record<string, string>,
  withCase = true,
): EncodedTranscript {
  const c = item.case;
  const t = item.transcript;
  const { case_id, agent, epoch } = t;
  const rows: Record<CaseTable, EncodedRow[]> = {
    // one row per case whatever the agents and epochs: `withCase` is false when it is stored already
    cases: withCase
      ? [
          encode("cases", {
            run_id: runId,
            case_id: c.id,
            workflow: c.workflow,
            incident_id: c.incident_id,
            tags: c.tags,
            alert: c.alert,
            label: c.label,
            unavailable: c.unavailable,
            evidence_sources: evidenceSources(c),
          }),
        ]
      : [],
    transcripts: [
      encode("transcripts", {
        run_id: runId,
        case_id,
        agent,
        epoch,
        output: t.output,
        error: t.error,
        started_at: item.started_at,
        wall_ms: item.wall_ms,
      }),
    ],
    tool_calls: [],
    model_calls: [],
    findings: [],
    case_results: [encode("case_results", { ...item.result, run_id: runId })],
  };
  // the steps are stored once, as these rows; the transcript_steps view puts them back in order.
  // Tool calls are most of a run's rows: written positionally, without an object per row
  // (encode.test.ts holds these positions to the table definition).
  let tseq = 0;
  let mseq = 0;
  for (let step = 0; step < t.steps.length; step++) {
    const s = t.steps[step]!;
    if (s.type === "tool_call")
      rows.tool_calls.push([
        runId,
        case_id,
        agent,
        epoch,
        tseq++,
        step,
        s.tool,
        // the tool's name is the agent's: one named "constructor" or "__proto__" is no tool of the
        // workflow, and must not read Object's own fields as its source
        (Object.hasOwn(toolSources, s.tool) ? toolSources[s.tool] : null) ?? null,
        s.scope ?? null,
        JSON.stringify(s.input ?? {}),
        s.status,
        JSON.stringify(s.evidence_ids ?? []),
        s.latency_ms ?? null,
        s.time ?? null,
        s.note ?? null,
        s.audit_event ?? null,
      ]);
    else
      rows.model_calls.push(encode("model_calls", { ...s, run_id: runId, case_id, agent, epoch, seq: mseq++, step }));
  }
  for (let seq = 0; seq < item.findings.length; seq++) {
    const f = item.findings[seq]!;
    rows.findings.push([
      runId,
      case_id,
      agent,
      epoch,
      seq,
      f.scorer,
      f.kind,
      f.severity,
      f.detail,
      f.evidence_id ?? null,
      f.action ?? null,
      f.step ?? null,
    ]);
  }
  return { case_id: c.id, failed: investigationFailed(t), rows };
}

/** One row of any table from an object keyed by column name (missing and undefined are NULL). */
export function encode(table: string, row: Record<string, unknown>): EncodedRow {
  const columns = COLUMNS[table];
  if (!columns) throw new Error(`no table ${table}`);
  // pushed, not written into `new Array(n)`: that array stays "holey" to V8 even once full, and a
  // holey array crosses to the writer (postMessage) element by element as a sparse one, several
  // times dearer to serialise and to read back than a packed array
  const out: EncodedRow = [];
  for (let i = 0; i < columns.length; i++) {
    const [name, type] = columns[i]!;
    out.push(encodeValue(type, row[name]));
  }
  return out;
}

function encodeValue(type: ColumnType, v: unknown): string | number | boolean | null {
  if (v === null || v === undefined) return null;
  switch (type) {
    case "VARCHAR":
      return String(v);
    case "JSON":
      // a string is a JSON string, never taken as JSON text: a model's prose answer must stay
      // readable JSON, or export and show fail on the transcripts a reader most needs
      return JSON.stringify(v);
    case "VARCHAR[]":
      return JSON.stringify((v as unknown[]).map(String));
    case "INTEGER":
    case "BIGINT":
    case "DOUBLE":
      return Number(v);
    case "BOOLEAN":
      return Boolean(v);
    case "TIMESTAMP":
      return v instanceof Date ? v.toISOString() : String(v);
  }
}

function evidenceSources(c: Case): string[] {
  const seen = new Set<string>();
  for (const e of c.evidence) seen.add(e.source);
  return [...seen];
}
