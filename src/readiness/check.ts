import { z } from "zod";
import type { ToolContract, Workflow } from "../schema/index.js";
import type { AnswerSet } from "./answers.js";
import { type Coverage, evidenceCoverage } from "./coverage.js";
import { durationMinutes } from "./duration.js";
import type { LoadedMatrix } from "./matrix.js";
import { answerLabel } from "./score.js";
import type { DataObject, LoadedTelemetry } from "./telemetry.js";

export const CheckFinding = z.strictObject({
  severity: z.enum(["problem", "warning", "note"]).describe("problems fail the check (exit 1)"),
  check: z.enum([
    "not_in_telemetry",
    "no_api",
    "source_unavailable",
    "source_degraded",
    "credentials",
    "stale",
    "api_claim",
    "no_history",
    "never_in_history",
    "never_applicable",
    "often_unavailable",
    "sparse_in_history",
    "history_without_api",
    "workflow_mismatch",
  ]),
  source: z.string().optional(),
  message: z.string(),
});

export const CheckedSource = z.strictObject({
  source: z.string(),
  scope: z.enum(["read", "respond"]),
  tools: z.array(z.string()),
  required: z.boolean().describe("a required playbook step reads it"),
  object: z.string().nullable().describe("telemetry object id; null when the telemetry matrix does not list it"),
  system: z.string().nullable(),
  api: z.string().nullable(),
  status: z.string().nullable(),
  permissions: z.string().nullable(),
  freshness: z.string().nullable(),
  applicable: z.number().int(),
  present: z.number().int(),
  present_share: z.number().nullable().describe("of the cases where the playbook would call it"),
  unavailable: z.number().int(),
  unavailable_share: z
    .number()
    .nullable()
    .describe("of the cases where the playbook would call it, like present_share"),
});

export const CheckReport = z.strictObject({
  kind: z.literal("soceval.readiness.check"),
  candidate: z.string(),
  workflow: z.string(),
  answers_file: z.string(),
  workflow_file: z.string(),
  telemetry_file: z.string(),
  dataset: z.string(),
  cases: z.number().int(),
  freshness_needed: z.string(),
  api_claim: z.strictObject({ answer: z.string(), claimed_share: z.number(), actual_share: z.number() }),
  sources: z.array(CheckedSource),
  findings: z.array(CheckFinding),
  ok: z.boolean(),
});

export type CheckFinding = z.infer<typeof CheckFinding>;
export type CheckedSource = z.infer<typeof CheckedSource>;
export type CheckReport = z.infer<typeof CheckReport>;

const pct = (x: number) => `${(x * 100).toFixed(0)}%`;
const hasApi = (o: DataObject | undefined) =>
  !!o && (o.api === "full" || o.api === "read_only") && o.status !== "unavailable";

/** What the telemetry matrix says about one source the workflow reads. */
function telemetryFindings(
  src: string,
  o: DataObject | undefined,
  required: boolean,
  need: { event: string; reference: string },
  file: string,
): CheckFinding[] {
  if (!o)
    return [
      { severity: "problem", check: "not_in_telemetry", source: src, message: `${src} is not listed in ${file}` },
    ];
  const out: CheckFinding[] = [];
  const add = (severity: CheckFinding["severity"], check: CheckFinding["check"], message: string) =>
    out.push({ severity, check, source: src, message: `${src} (${o.system}): ${message}` });
  const noApi = o.api === "none" || o.api === "export_only";
  if (noApi)
    add(
      "problem",
      "no_api",
      `${o.api === "none" ? "no API" : "scheduled exports only"}${o.status === "unavailable" ? ", marked unavailable" : ""}; a tool cannot read it (${o.failure_mode})`,
    );
  else if (o.status === "unavailable") add("problem", "source_unavailable", `marked unavailable — ${o.failure_mode}`);
  // what a tool cannot read at all has no freshness or credentials worth judging
  if (noApi || o.status === "unavailable") return out;
  if (o.status === "degraded") add("warning", "source_degraded", `degraded — ${o.failure_mode}`);
  if (o.permissions === "analyst_credentials")
    add(
      "problem",
      "credentials",
      "the tool would run with an analyst's own credentials; provision a scoped service account",
    );
  else if (o.permissions === "none") add("problem", "credentials", "no credentials provisioned for a tool");
  else if (o.permissions === "shared_service_account")
    add("warning", "credentials", "shared integration account; its rights and rate limit are not the agent's own");
  const limit = o.kind === "reference" ? need.reference : need.event;
  if (o.kind !== "action" && durationMinutes(o.freshness)! > durationMinutes(limit)!)
    add(
      required ? "problem" : "warning",
      "stale",
      `${o.kind} data arrives up to ${o.freshness} late; ${o.kind === "reference" ? "reference data" : "the answers"} need ${limit}${required ? " for a required playbook step" : ""}`,
    );
  return out;
}

/** What the case history says about one source: does the claimed evidence exist, and is it dependable? */
function historyFindings(s: CheckedSource, o: DataObject | undefined, m: LoadedMatrix, cases: number): CheckFinding[] {
  const out: CheckFinding[] = [];
  const add = (severity: CheckFinding["severity"], check: CheckFinding["check"], message: string) =>
    out.push({ severity, check, source: s.source, message: `${s.source}: ${message}` });
  // silence here would read as "fine": the history says nothing about a source it never called
  if (s.applicable === 0)
    add(
      s.required ? "warning" : "note",
      "never_applicable",
      `the playbook would read it in none of the ${cases} cases (no alert carries what its tool needs): the history cannot show it works`,
    );
  if (s.applicable > 0 && s.present === 0)
    add(
      "problem",
      "never_in_history",
      `no record in any of the ${s.applicable} cases where the playbook would read it`,
    );
  if (s.unavailable_share !== null && s.unavailable_share > m.check.max_unavailable_share)
    add(
      "problem",
      "often_unavailable",
      `unavailable in ${pct(s.unavailable_share)} of the ${s.applicable} cases where the playbook would read it (more than ${pct(m.check.max_unavailable_share)})`,
    );
  if (s.required && s.present > 0 && s.present_share !== null && s.present_share < m.check.min_present_share)
    add(
      "warning",
      "sparse_in_history",
      `records in only ${pct(s.present_share)} of applicable cases; make sure absence means "nothing found", not "not collected"`,
    );
  if (s.present > 0 && !hasApi(o))
    add(
      "note",
      "history_without_api",
      `history holds records (${pct(s.present_share ?? 0)}) the live source cannot provide to a tool`,
    );
  return out;
}

function sourceRows(wf: Workflow, telemetry: LoadedTelemetry, cov: Coverage): CheckedSource[] {
  const bySource = new Map<string, ToolContract[]>();
  for (const t of wf.tools) bySource.set(t.source, [...(bySource.get(t.source) ?? []), t]);
  const required = new Set(wf.playbook.filter((s) => s.required).map((s) => s.tool));
  return [...bySource].map(([source, tools]) => {
    const o = telemetry.bySource.get(source);
    const c = cov.sources.get(source);
    const read = tools.some((t) => t.scope === "read");
    return {
      source,
      scope: read ? "read" : "respond",
      tools: tools.map((t) => t.name),
      required: tools.some((t) => t.scope === "read" && required.has(t.name)),
      object: o?.id ?? null,
      system: o?.system ?? null,
      api: o?.api ?? null,
      status: o?.status ?? null,
      permissions: o?.permissions ?? null,
      freshness: o?.freshness ?? null,
      applicable: c?.applicable ?? 0,
      present: c?.present ?? 0,
      present_share: c && c.applicable > 0 ? c.present / c.applicable : null,
      unavailable: c?.unavailable ?? 0,
      unavailable_share: c && c.applicable > 0 ? c.unavailable / c.applicable : null,
    };
  });
}

/**
 * What a 1-5 share answer claims at least. A level is an approximation ("most", "about half"), so it
 * is held to more than the level below it means: "most" (4) needs more than half, not three
 * quarters, or 7 of 10 sources would be called an over-claim. The top level says every source.
 */
function apiClaimNeeds(level: number): { every: boolean; above: number } | null {
  if (level <= 1) return null;
  return { every: level >= 5, above: (level - 2) / 4 };
}

/**
 * Hold one candidate's answers against reality: the workflow's read tools need sources the
 * telemetry matrix lists with API access and adequate freshness, and the case history must hold the
 * evidence those tools claim to return.
 */
export async function checkReadiness(opts: {
  matrix: LoadedMatrix;
  telemetry: LoadedTelemetry;
  answers: AnswerSet;
  workflow: Workflow;
  workflowFile: string;
  dataset: string;
}): Promise<CheckReport> {
  const { matrix: m, telemetry, answers, workflow: wf } = opts;
  const readTools = wf.tools.filter((t) => t.scope === "read");
  const cov = await evidenceCoverage(opts.dataset, wf, readTools);
  const sources = sourceRows(wf, telemetry, cov);
  const findings: CheckFinding[] = [];
  if (answers.workflow !== wf.id)
    findings.push({
      severity: "warning",
      check: "workflow_mismatch",
      message: `the answers are for workflow "${answers.workflow}" but ${opts.workflowFile} is "${wf.id}"`,
    });
  if (cov.cases === 0)
    findings.push({
      severity: "problem",
      check: "no_history",
      message: `${opts.dataset} holds no case of workflow "${wf.id}"${cov.other_workflows ? ` (${cov.other_workflows} cases of other workflows)` : ""}`,
    });

  const freshness = String(answers.answers[m.check.freshness_question]);
  const need = { event: freshness, reference: m.check.reference_max_staleness };
  for (const s of sources) {
    const o = telemetry.bySource.get(s.source);
    if (s.scope === "respond") {
      if (!o)
        findings.push({
          severity: "warning",
          check: "not_in_telemetry",
          source: s.source,
          message: `${s.source} (changed by ${s.tools.join(", ")}) is not listed in ${telemetry.file}; needed before any automation`,
        });
      continue;
    }
    findings.push(...telemetryFindings(s.source, o, s.required, need, telemetry.file));
    if (cov.cases > 0) findings.push(...historyFindings(s, o, m, cov.cases));
  }

  const apiQ = m.questions.get(m.check.api_question)!.question;
  const apiAnswer = answers.answers[apiQ.id]!;
  const claimed = (Number(apiAnswer) - 1) / 4;
  const reads = sources.filter((s) => s.scope === "read");
  const withApi = reads.filter((s) => hasApi(telemetry.bySource.get(s.source))).length;
  const actual = reads.length ? withApi / reads.length : 0;
  const claim = apiClaimNeeds(Number(apiAnswer));
  if (claim && (claim.every ? actual + 1e-9 < 1 : actual <= claim.above + 1e-9))
    findings.push({
      severity: "problem",
      check: "api_claim",
      message: `the answers say ${apiQ.id} = ${answerLabel(apiQ, apiAnswer)}, but the telemetry matrix gives a tool API access to ${withApi} of ${reads.length} sources (${pct(actual)}); that answer needs ${claim.every ? "every source" : `more than ${pct(claim.above)}`}`,
    });

  const order = { problem: 0, warning: 1, note: 2 };
  findings.sort((a, b) => order[a.severity] - order[b.severity]);
  return {
    kind: "soceval.readiness.check",
    candidate: answers.candidate,
    workflow: wf.id,
    answers_file: answers.file,
    workflow_file: opts.workflowFile,
    telemetry_file: telemetry.file,
    dataset: opts.dataset,
    cases: cov.cases,
    freshness_needed: freshness,
    api_claim: { answer: answerLabel(apiQ, apiAnswer), claimed_share: claimed, actual_share: actual },
    sources,
    findings,
    ok: !findings.some((f) => f.severity === "problem"),
  };
}
