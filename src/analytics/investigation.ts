import { z } from "zod";
import { citedAnywhere } from "../../scorers/hallucinated-evidence.js";
import { InputError } from "../io/errors.js";
import { FindingKind } from "../schema/finding.js";
import { OutputStatus, outputStatusOf } from "../schema/output-status.js";
import { CaseResult } from "../schema/result.js";
import { Step } from "../schema/transcript.js";
import { parseOutput } from "../scoring/score.js";
import type { Store } from "../store/db.js";
import { stepsQuery } from "../store/steps-sql.js";
import { type DatasetLine, findDatasetLine } from "./dataset-line.js";

/**
 * One case of a run as `soceval show` prints it: the alert and the analyst's label, then per
 * (agent, epoch) every step the agent took, what it answered, how it was scored and what the
 * scorers found, and the evidence records behind them, read from the dataset line the case came
 * from. Every figure a report prints for a case can be followed down to here.
 */
export const Investigation = z.object({
  run: z.object({
    run_id: z.string(),
    suite: z.string(),
    kind: z.string(),
    status: z.string(),
    dataset: z.string(),
    dataset_hash: z.string(),
  }),
  case: z.object({
    case_id: z.string(),
    workflow: z.string(),
    incident_id: z.string().nullable(),
    tags: z.array(z.string()),
    alert: z.unknown(),
    label: z.unknown().nullable(),
    unavailable: z.array(z.string()),
  }),
  transcripts: z.array(
    z.object({
      agent: z.string(),
      epoch: z.number().int(),
      started_at: z.string().nullable(),
      wall_ms: z.number().nullable(),
      error: z.string().nullable(),
      output: z.unknown().nullable(),
      /** what a null verdict stands for, as `cases` and the report's JSON say it (none without a result row) */
      output_status: OutputStatus,
      steps: z.array(Step),
      result: CaseResult.nullable(),
      /** the evidence ids the answer cites, in its lists or quoted in its prose, as the scorers read it */
      cited: z.array(z.string()).default([]),
      findings: z.array(
        z.object({
          scorer: z.string(),
          kind: FindingKind,
          severity: z.string(),
          detail: z.string(),
          evidence_id: z.string().nullable(),
          action: z.string().nullable(),
          step: z.number().int().nullable(),
        }),
      ),
    }),
  ),
  /** the case's line in the dataset, when the file is still there and unchanged since the run */
  dataset_line: z.object({
    file: z.string(),
    line: z.number().int().nullable(),
    /** why no evidence is shown: the file is gone, changed since the run, or lacks the case */
    unavailable: z.string().nullable(),
    evidence: z.array(
      z.object({
        id: z.string(),
        source: z.string(),
        time: z.string(),
        data: z.unknown(),
        /** which steps returned it, and whether an output cited it or the label requires it */
        returned_by_steps: z.array(z.number().int()),
        cited: z.boolean(),
        required: z.boolean(),
      }),
    ),
    /** ids a tool call listed or the answer cited that the case holds no record of (made up) */
    not_in_case: z.array(
      z.object({ id: z.string(), returned_by_steps: z.array(z.number().int()), cited: z.boolean() }),
    ),
  }),
});
export type Investigation = z.infer<typeof Investigation>;

export type InvestigationFilter = { agent?: string; epoch?: number };

type RunRow = Investigation["run"];
type CaseRow = Omit<Investigation["case"], "alert" | "label"> & { alert: string; label: string | null };
type TranscriptRow = {
  agent: string;
  epoch: number;
  started_at: unknown;
  wall_ms: number | null;
  error: string | null;
  output: string | null;
};

export async function loadInvestigation(
  store: Store,
  runId: string,
  caseId: string,
  filter: InvestigationFilter = {},
): Promise<Investigation> {
  const [run] = await store.query<RunRow>(
    "SELECT run_id, suite, kind, status, dataset, dataset_hash FROM runs WHERE run_id = ?",
    [runId],
  );
  if (!run) throw new InputError(`no run "${runId}"`);
  const [c] = await store.query<CaseRow>(
    `SELECT case_id, workflow, incident_id, coalesce(tags, []) AS tags, alert, label,
       coalesce(unavailable, []) AS unavailable
     FROM cases WHERE run_id = ? AND case_id = ?`,
    [runId, caseId],
  );
  if (!c) throw new InputError(`run ${runId} has no case ${caseId}${await nearCases(store, runId, caseId)}`);

  const where = ["run_id = ?", "case_id = ?"];
  const params: unknown[] = [runId, caseId];
  if (filter.agent !== undefined) {
    where.push("agent = ?");
    params.push(filter.agent);
  }
  if (filter.epoch !== undefined) {
    where.push("epoch = ?");
    params.push(filter.epoch);
  }
  const cond = where.join(" AND ");
  const transcripts = await store.query<TranscriptRow>(
    `SELECT agent, epoch, started_at, wall_ms, error, output FROM transcripts WHERE ${cond} ORDER BY agent, epoch`,
    params,
  );
  if (transcripts.length === 0) {
    const agents = await store.query<{ agent: string; epoch: number }>(
      "SELECT agent, epoch FROM transcripts WHERE run_id = ? AND case_id = ? ORDER BY agent, epoch",
      [runId, caseId],
    );
    const have = agents.map((a) => `${a.agent} epoch ${a.epoch}`).join(", ");
    throw new InputError(
      `run ${runId} has no investigation of case ${caseId}` +
        (filter.agent !== undefined ? ` by agent ${filter.agent}` : "") +
        (filter.epoch !== undefined ? ` in epoch ${filter.epoch}` : "") +
        ` (it has: ${have || "none yet"})`,
    );
  }
  const steps = await store.query<{ agent: string; epoch: number; steps: string }>(
    `SELECT agent, epoch, steps FROM (${stepsQuery(cond)})`,
    [...params, ...params],
  );
  const results = await store.query<Record<string, unknown>>(`SELECT * FROM case_results WHERE ${cond}`, params);
  const findings = await store.query<
    Investigation["transcripts"][number]["findings"][number] & { agent: string; epoch: number }
  >(
    `SELECT agent, epoch, scorer, kind, severity, detail, evidence_id, action, step FROM findings
     WHERE ${cond} ORDER BY agent, epoch, seq`,
    params,
  );

  const key = (r: { agent: string; epoch: number }) => `${r.agent}\u0000${r.epoch}`;
  const label = c.label === null ? null : (JSON.parse(c.label) as { required_evidence?: string[] });
  // one validation of everything read back (steps get their defaults here), before the evidence is matched
  const stored = Investigation.omit({ dataset_line: true }).parse({
    run,
    case: { ...c, alert: JSON.parse(c.alert), label },
    transcripts: transcripts.map((t) => {
      const result = results.find((x) => key(x as { agent: string; epoch: number }) === key(t)) ?? null;
      return {
        agent: t.agent,
        epoch: t.epoch,
        started_at:
          t.started_at instanceof Date
            ? t.started_at.toISOString()
            : t.started_at === null
              ? null
              : String(t.started_at),
        wall_ms: t.wall_ms,
        error: t.error,
        output: t.output === null ? null : JSON.parse(t.output),
        output_status: outputStatusOf(result),
        steps: JSON.parse(steps.find((x) => key(x) === key(t))?.steps ?? "[]"),
        result,
        findings: findings.filter((f) => key(f) === key(t)).map(({ agent: _a, epoch: _e, ...f }) => f),
      };
    }),
  });
  const datasetLine = await findDatasetLine(run.dataset, run.dataset_hash, caseId);
  // per answer, so one agent's line does not show another's citations (the records below join them)
  for (const t of stored.transcripts) t.cited = [...citedAnywhere(datasetLine, parseOutput(t.output).readable)];
  return { ...stored, dataset_line: evidenceOf(datasetLine, stored.transcripts, label?.required_evidence ?? []) };
}

/** The evidence records the investigation touched, in the case's own order. */
function evidenceOf(
  found: DatasetLine,
  transcripts: { steps: z.infer<typeof Step>[]; output: unknown; findings: { evidence_id?: string | null }[] }[],
  required: string[],
): Investigation["dataset_line"] {
  const returnedBy = new Map<string, number[]>();
  const cited = new Set<string>();
  // a finding may name a record nothing returned or cited (a secret value repeated in the prose)
  const named = new Set<string>();
  for (const t of transcripts) {
    for (const f of t.findings) if (f.evidence_id) named.add(f.evidence_id);
    t.steps.forEach((s, i) => {
      if (s.type !== "tool_call") return;
      for (const id of s.evidence_ids) {
        const at = returnedBy.get(id) ?? [];
        if (!at.includes(i)) at.push(i);
        returnedBy.set(id, at);
      }
    });
    // cited as the scorers read it: the evidence lists and an id quoted in the prose, JSON text too
    for (const id of citedAnywhere(found, parseOutput(t.output).readable)) cited.add(id);
  }
  const wanted = new Set([...returnedBy.keys(), ...cited, ...required, ...named]);
  const held = new Set(found.evidence.map((e) => e.id));
  return {
    file: found.file,
    line: found.line,
    unavailable: found.unavailable,
    // only judged against the case's own line: without it nothing can be said to be made up
    not_in_case:
      found.line === null
        ? []
        : [...returnedBy.keys(), ...cited]
            .filter((id, i, all) => !held.has(id) && all.indexOf(id) === i)
            .map((id) => ({ id, returned_by_steps: returnedBy.get(id) ?? [], cited: cited.has(id) })),
    evidence: found.evidence
      .filter((e) => wanted.has(e.id))
      .map((e) => ({
        id: e.id,
        source: e.source,
        time: e.time,
        data: e.data,
        returned_by_steps: returnedBy.get(e.id) ?? [],
        cited: cited.has(e.id),
        required: required.includes(e.id),
      })),
  };
}

/** A hint for a mistyped case id: the run's ids that contain it. */
async function nearCases(store: Store, runId: string, caseId: string): Promise<string> {
  const near = await store.query<{ case_id: string }>(
    "SELECT case_id FROM cases WHERE run_id = ? AND contains(case_id, ?) ORDER BY case_id LIMIT 5",
    [runId, caseId],
  );
  return near.length ? ` (did you mean ${near.map((n) => n.case_id).join(", ")}?)` : "";
}
