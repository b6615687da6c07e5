import { createHash } from "node:crypto";
import { type OutputStatus, outputStatusSql } from "../schema/output-status.js";
import type { Store } from "../store/db.js";
import { stepsQuery } from "../store/steps-sql.js";
import type { WorstCase, WorstCaseFinding, WorstCaseStep } from "./report-schema.js";
import { groupByAgent } from "./violations.js";

export const WORST_CASES = 10;

/** What makes a case bad, most serious first; the ranking and the reasons use the same order. */
const BAD = [
  ["coalesce(critical_miss, false)", "critical miss"],
  ["high_severity_violations > 0", "high-severity policy violation"],
  ["policy_violations > 0", "policy violation"],
  ["hallucinated", "hallucinated evidence"],
  // a missing verdict cannot disagree: it says which of the two answers without one it was, in
  // answerLabel's words, as the Agent column beside it does
  ["verdict IS NOT NULL AND NOT coalesce(agree, true)", "verdict disagrees with the analyst"],
  ["NOT schema_valid AND NOT failed", "invalid output"],
  ["failed", "no output"],
  ["missed_context", "missed required evidence"],
] as const;

type Row = {
  agent: string;
  case_id: string;
  epoch: number;
  epochs_bad: number;
  epochs_run: number | null;
  incident_id: string | null;
  tags: string[];
  reasons: string[];
  verdict: string | null;
  escalate: boolean | null;
  output_status: OutputStatus;
  alert: string | null;
  label: string | null;
  output: string | null;
  error: string | null;
  steps: string | null;
  findings: Omit<WorstCaseFinding, "step">[] | null;
};

const ORDER = `coalesce(critical_miss, false) DESC, high_severity_violations DESC, policy_violations DESC,
  hallucination_count DESC, coalesce(agree, true) ASC, failed DESC, missed_context DESC, case_id, epoch`;

/**
 * The worst cases per agent (critical misses, then most high-severity findings …), with everything a
 * reader needs to see why: alert, output, findings, transcript steps. A case is listed once, by its
 * worst epoch, with how many of its epochs went wrong: with `--epochs 3` a case that failed every
 * time must not fill three of the slots. One top-N query (ORDER BY … LIMIT) per agent over the bad
 * rows, then lookups of those few keys: a million-case run costs one scan.
 */
export async function worstCases(
  store: Store,
  runId: string,
  agents: string[],
  limit = WORST_CASES,
): Promise<Map<string, WorstCase[]>> {
  if (agents.length === 0) return new Map();
  const reasons = BAD.map(([cond, text]) => `CASE WHEN ${cond} THEN '${text}' END`).join(", ");
  const perAgent = agents.map(
    (_, i) => `(SELECT run_id, case_id, agent, epoch, incident_id, tags, verdict, escalate, epochs_bad,
         ${outputStatusSql("")} AS output_status,
         list_filter([${reasons}], x -> x IS NOT NULL) AS reasons, ${i} AS agent_rank,
         row_number() OVER () AS worst_rank
       FROM (SELECT *, count(*) OVER (PARTITION BY case_id) AS epochs_bad
             FROM case_results WHERE run_id = ? AND agent = ? AND (${BAD.map(([c]) => c).join(" OR ")})
             QUALIFY row_number() OVER (PARTITION BY case_id ORDER BY ${ORDER}) = 1
             ORDER BY ${ORDER} LIMIT ${Math.max(0, Math.floor(limit))}))`,
  );
  const rows = await store.query<Row>(
    `WITH ranked AS (${perAgent.join(" UNION ALL ")}),
     runs_of AS (
       SELECT case_id, agent, count(*) AS epochs_run FROM case_results
       WHERE run_id = ? AND (case_id, agent) IN (SELECT (case_id, agent) FROM ranked) GROUP BY ALL),
     fs AS (${findingsQuery("run_id = ? AND (case_id, agent, epoch) IN (SELECT (case_id, agent, epoch) FROM ranked)")}),
     st AS (${stepsQuery("run_id = ? AND (case_id, agent, epoch) IN (SELECT (case_id, agent, epoch) FROM ranked)")})
     SELECT r.agent, r.case_id, r.epoch, r.epochs_bad, n.epochs_run, r.incident_id, r.tags, r.reasons, r.verdict,
       r.escalate, r.output_status, c.alert, c.label, t.output, t.error, st.steps, fs.findings
     FROM ranked r
     LEFT JOIN runs_of n ON n.case_id = r.case_id AND n.agent = r.agent
     LEFT JOIN cases c ON c.run_id = r.run_id AND c.case_id = r.case_id
     LEFT JOIN transcripts t ON t.run_id = r.run_id AND t.case_id = r.case_id AND t.agent = r.agent AND t.epoch = r.epoch
     LEFT JOIN fs ON fs.case_id = r.case_id AND fs.agent = r.agent AND fs.epoch = r.epoch
     LEFT JOIN st ON st.case_id = r.case_id AND st.agent = r.agent AND st.epoch = r.epoch
     ORDER BY r.agent_rank, r.worst_rank`,
    [...agents.flatMap((a) => [runId, a]), runId, runId, runId, runId],
  );
  return groupByAgent(rows, toWorstCase);
}

/**
 * `(run_id, case_id, agent, epoch, findings)` per transcript with findings, for the findings rows
 * that satisfy `where`: the list every drill-down (worst cases, compare's disagreements) shows.
 */
export function findingsQuery(where: string): string {
  return `SELECT run_id, case_id, agent, epoch,
      list({'scorer': scorer, 'kind': kind, 'severity': severity, 'detail': detail,
            'evidence_id': evidence_id, 'action': action} ORDER BY seq) AS findings
    FROM findings WHERE ${where} GROUP BY run_id, case_id, agent, epoch`;
}

function toWorstCase(r: Row): WorstCase {
  const steps = parseSteps(r.steps);
  return {
    anchor: anchorFor(r.agent, r.case_id, r.epoch),
    case_id: r.case_id,
    epoch: r.epoch,
    epochs_bad: Number(r.epochs_bad),
    epochs_run: Number(r.epochs_run ?? r.epochs_bad),
    incident_id: r.incident_id,
    tags: r.tags ?? [],
    reasons: r.reasons ?? [],
    alert: parseJson(r.alert),
    label: parseJson(r.label),
    verdict: r.verdict,
    escalate: r.escalate,
    output_status: r.output_status,
    output: parseJson(r.output),
    error: r.error,
    findings: (r.findings ?? []).map((f) => ({ ...f, step: stepReturning(steps, f.evidence_id) })),
    steps,
  };
}

/** A stable anchor id that never carries case text (ids are data, anchors go into HTML). */
export function anchorFor(agent: string, caseId: string, epoch: number): string {
  return `case-${createHash("sha256").update(`${agent}\0${caseId}\0${epoch}`).digest("hex").slice(0, 12)}`;
}

export function parseJson(v: string | null): unknown {
  if (v === null || v === undefined) return null;
  try {
    return JSON.parse(v);
  } catch {
    return v;
  }
}

export function parseSteps(v: string | null): WorstCaseStep[] {
  const raw = parseJson(v);
  if (!Array.isArray(raw)) return [];
  return raw.map((s: Record<string, unknown>, index) => ({
    index,
    type: String(s.type ?? "unknown"),
    tool: typeof s.tool === "string" ? s.tool : typeof s.model === "string" ? s.model : null,
    status: typeof s.status === "string" ? s.status : typeof s.error === "string" ? "error" : null,
    input: s.input ?? null,
    evidence_ids: Array.isArray(s.evidence_ids) ? s.evidence_ids.map(String) : [],
    latency_ms: typeof s.latency_ms === "number" ? s.latency_ms : null,
    note: typeof s.note === "string" ? s.note : typeof s.error === "string" ? s.error : null,
    tokens_in: typeof s.tokens_in === "number" ? s.tokens_in : null,
    tokens_out: typeof s.tokens_out === "number" ? s.tokens_out : null,
    cost_usd: typeof s.cost_usd === "number" ? s.cost_usd : null,
  }));
}

export function stepReturning(steps: WorstCaseStep[], evidenceId: string | null): number | null {
  if (!evidenceId) return null;
  const s = steps.find((x) => x.status === "ok" && x.evidence_ids.includes(evidenceId));
  return s ? s.index : null;
}
