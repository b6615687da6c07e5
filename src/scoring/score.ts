import { agreement } from "../../scorers/agreement.js";
import { citedAnywhere, hallucinatedEvidence } from "../../scorers/hallucinated-evidence.js";
import { missedContext } from "../../scorers/missed-context.js";
import { operations } from "../../scorers/operations.js";
import { policy } from "../../scorers/policy.js";
import {
  type Citable,
  retrieves,
  type ScoreContext,
  type Scorer,
  type ToolScope,
  workflowIndex,
} from "../../scorers/types.js";
import { mainIssue } from "../io/errors.js";
import { safeParseFast } from "../schema/fast-parse.js";
import {
  type AgentConfig,
  type Case,
  type CaseResult,
  type Finding,
  type Transcript,
  TriageOutput,
  type Workflow,
} from "../schema/index.js";
import { refusedInput } from "../tools/sandbox.js";
import { parseAnswerText } from "./answer-text.js";

/** Every built-in scorer, in the order their findings are listed. */
export const SCORERS: readonly Scorer[] = [agreement, hallucinatedEvidence, missedContext, policy, operations];

export type ScoreInput = {
  case: Case;
  transcript: Transcript;
  workflow: Workflow;
  agent: { name: string; tools: AgentConfig["tools"] };
};

export type Scored = { result: Omit<CaseResult, "run_id">; findings: Finding[] };

/**
 * The agent's output as the scorers see it. A JSON string is accepted too, bare or in a Markdown
 * code fence, because transcripts exported from other platforms often carry the model's final
 * answer as text: read by the parser soceval's own agent loop uses for a final message.
 */
export function parseOutput(raw: unknown): {
  output: TriageOutput | null;
  schemaError: string | null;
  readable: Citable | null;
} {
  if (raw === null || raw === undefined) return { output: null, schemaError: null, readable: null };
  let value: unknown = raw;
  if (typeof raw === "string") {
    const parsed = parseAnswerText(raw);
    // plain text is all prose: an indicator in it is a claim like one in a summary
    if (!parsed) return { output: null, schemaError: "output is text, not a JSON triage output", readable: prose(raw) };
    value = parsed.value;
  }
  const parsed = safeParseFast(TriageOutput, value);
  if (parsed.success) return { output: parsed.data, schemaError: null, readable: parsed.data };
  return {
    output: null,
    schemaError: mainIssue(parsed.error.issues, TriageOutput).text,
    readable: readableParts(value),
  };
}

const prose = (text: string): Citable => ({ summary: text, evidence: [], hypotheses: [], recommended_actions: [] });

/** Whatever citations and prose an output that failed the schema still holds, taken as they stand. */
function readableParts(value: unknown): Citable {
  if (typeof value === "string") return prose(value);
  if (!isObject(value)) return prose("");
  const text = (v: unknown) => (typeof v === "string" ? v : "");
  const ids = (v: unknown) => (Array.isArray(v) ? v.filter((x): x is string => typeof x === "string") : []);
  const items = (v: unknown) => (Array.isArray(v) ? v.filter(isObject) : []);
  return {
    summary: text(value.summary),
    evidence: ids(value.evidence),
    hypotheses: items(value.hypotheses).map((h) => ({ explanation: text(h.explanation), evidence: ids(h.evidence) })),
    recommended_actions: items(value.recommended_actions).map((a) => ({
      action: text(a.action),
      rationale: text(a.rationale),
      target: text(a.target),
      evidence: ids(a.evidence),
      requires_approval: typeof a.requires_approval === "boolean" ? a.requires_approval : null,
    })),
    confidence: typeof value.confidence === "number" ? value.confidence : null,
    fields: true,
  };
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

const scopes = new WeakMap<readonly string[], ReadonlySet<string>>();
function toScope(tools: AgentConfig["tools"]): ToolScope {
  if (tools === "all") return "all";
  let set = scopes.get(tools);
  if (!set) {
    set = new Set(tools);
    scopes.set(tools, set);
  }
  return set;
}

/**
 * Sources the case lists as unavailable, or that this transcript queried without one ok answer;
 * calls refused for their malformed input do not count as queries.
 */
function failedSources(c: Case, t: Transcript, wf: Workflow): Set<string> {
  const tools = workflowIndex(wf).tools;
  const ok = new Set<string>();
  const failed = new Set<string>(c.unavailable);
  for (const s of t.steps) {
    if (s.type !== "tool_call" || s.status === "denied") continue;
    const contract = tools.get(s.tool);
    if (!contract) continue;
    const source = contract.source;
    if (s.status === "ok") ok.add(source);
    // a call the sandbox refused as malformed never reached the source: the source did not fail
    else if (refusedInput(contract, s)) continue;
    else failed.add(source);
  }
  for (const s of ok) failed.delete(s);
  return failed;
}

/**
 * Evidence the investigation really retrieved: ids a successful call of one of the workflow's tools
 * returned that exist in the case. soceval's sandbox only returns the case's records; a transcript
 * imported from another platform may list ids its tool layer or model made up, or record the agent's
 * own answer (`submit_triage`) as a step listing what it cites, and citing those is hallucination.
 */
function returnedIds(t: Transcript, c: Case, wf: Workflow): Set<string> {
  let inCase: Set<string> | undefined;
  const ids = new Set<string>();
  for (const s of t.steps)
    if (retrieves(s, wf))
      for (const id of s.evidence_ids) {
        inCase ??= new Set(c.evidence.map((e) => e.id));
        if (inCase.has(id)) ids.add(id);
      }
  return ids;
}

/** Score one transcript with every scorer and fold their values into one case_results row. */
export function scoreTranscript(input: ScoreInput): Scored {
  const { case: c, transcript: t, workflow } = input;
  const { output, schemaError, readable } = parseOutput(t.output);
  const failed = failedSources(c, t, workflow);
  const ctx: ScoreContext = {
    case: c,
    transcript: t,
    output,
    schemaError,
    readable,
    workflow,
    scope: toScope(input.agent.tools),
    facts: { alert: c.alert, evidence: c.evidence, missing: failed },
    returned: returnedIds(t, c, workflow),
    failedSources: failed,
    cited: citedAnywhere(c, readable),
  };
  const result: Omit<CaseResult, "run_id"> = {
    case_id: c.id,
    agent: input.agent.name,
    epoch: t.epoch,
    workflow: c.workflow,
    incident_id: c.incident_id ?? null,
    tags: c.tags,
    alert_severity: c.alert.severity,
    label_verdict: c.label?.verdict ?? null,
    label_escalate: c.label?.escalate ?? null,
    verdict: output?.verdict ?? null,
    escalate: output?.escalate ?? null,
    confidence: output?.confidence ?? null,
    human_only: output?.human_only ?? null,
    agree: null,
    escalation_match: null,
    critical_miss: null,
    hallucinated: false,
    hallucination_count: 0,
    missed_context: false,
    required_total: 0,
    required_gathered: 0,
    required_cited: 0,
    policy_violations: 0,
    high_severity_violations: 0,
    schema_valid: false,
    failed: true,
    tool_calls: 0,
    tool_errors: 0,
    playbook_completed: false,
    audit_completeness: 0,
    time_to_triage_ms: 0,
    time_to_first_required_ms: null,
    tokens_in: 0,
    tokens_out: 0,
    cost_usd: 0,
    fp_closed: null,
    analyst_minutes: null,
    minutes_saved: null,
    audit_missing: null,
  };
  const findings: Finding[] = [];
  for (const scorer of SCORERS) {
    const r = scorer.score(ctx);
    for (const f of r.findings) findings.push(f);
    Object.assign(result, r.values);
  }
  return { result, findings };
}
