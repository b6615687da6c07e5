import { type Finding, investigationFailed, type ToolCallStep, transcriptMissing } from "../src/schema/index.js";
import { refusedInput } from "../src/tools/sandbox.js";
import { auditCompleteness, missingAuditItems } from "./audit-items.js";
import { handedOff, retrieves, type ScoreContext, type Scorer, workflowIndex } from "./types.js";

const NAME = "operations";
const FAILED_CALL = new Set(["error", "timeout"]);

/** Every required playbook step's tool was called and answered (ok, or "unavailable" — an answer too). */
function playbookCompleted(ctx: ScoreContext, calls: ToolCallStep[]): boolean {
  const answered = new Set(calls.filter((c) => c.status === "ok" || c.status === "unavailable").map((c) => c.tool));
  return ctx.workflow.playbook.every((s) => !s.required || answered.has(s.tool));
}

function timings(ctx: ScoreContext): { total: number; firstRequired: number | null } {
  const required = new Set(ctx.case.label?.required_evidence ?? []);
  let total = 0;
  let firstRequired: number | null = null;
  for (const s of ctx.transcript.steps) {
    total += s.latency_ms;
    if (firstRequired === null && retrieves(s, ctx.workflow) && s.evidence_ids.some((id) => required.has(id)))
      firstRequired = total;
  }
  return { total, firstRequired };
}

/** The agent's malformed call is said to be refused, not to have failed: its source was never asked. */
function failedHow(ctx: ScoreContext, c: ToolCallStep): string {
  if (c.status === "timeout") return "timed out";
  const contract = workflowIndex(ctx.workflow).tools.get(c.tool);
  return contract && refusedInput(contract, c) ? "refused the agent's malformed input" : "failed";
}

function operationFindings(ctx: ScoreContext, failed: boolean): Finding[] {
  const out: Finding[] = [];
  const t = ctx.transcript;
  if (failed)
    out.push({
      scorer: NAME,
      kind: "agent_error",
      severity: "medium",
      detail: t.error
        ? `the agent produced no triage output: ${shortError(t.error)}`
        : "the agent produced no triage output",
    });
  else if (ctx.schemaError)
    out.push({
      scorer: NAME,
      kind: "schema_invalid",
      severity: "medium",
      detail: `the triage output does not match the schema: ${ctx.schemaError}`,
    });
  for (const [step, c] of ctx.transcript.steps.entries())
    if (c.type === "tool_call" && FAILED_CALL.has(c.status))
      out.push({
        scorer: NAME,
        kind: "tool_error",
        severity: "low",
        detail: `${c.tool} ${failedHow(ctx, c)}${c.note ? `: ${c.note}` : ""}`,
        step,
      });
  return out;
}

/** Whether the run worked and what it cost: schema, tools, audit trail, time, tokens, analyst time saved. */
export const operations: Scorer = {
  name: NAME,
  score(ctx) {
    const { transcript: t, output, case: c } = ctx;
    const calls = t.steps.filter((s): s is ToolCallStep => s.type === "tool_call");
    const failed = investigationFailed(t);
    let tokensIn = 0;
    let tokensOut = 0;
    let cost = 0;
    for (const s of t.steps)
      if (s.type === "model_call") {
        tokensIn += s.tokens_in;
        tokensOut += s.tokens_out;
        cost += s.cost_usd;
      }
    const { total, firstRequired } = timings(ctx);
    // no transcript, nothing measured: a 0 here would make the agent look cheaper and faster
    const unmeasured = transcriptMissing(t);
    // a server that reported no usage for a call: its 0 tokens and $0 are not what it spent
    const usageUnknown = t.steps.some((s) => s.type === "model_call" && s.usage_reported === false);
    const labelVerdict = c.label?.verdict;
    const fpClosed =
      labelVerdict === undefined || labelVerdict === "true_positive"
        ? null
        : output !== null && output.verdict !== "true_positive" && !handedOff(output);
    const minutes = c.label?.analyst_minutes ?? null;
    const auditMissing = missingAuditItems(ctx, calls, output);
    return {
      findings: operationFindings(ctx, failed),
      values: {
        schema_valid: output !== null,
        failed,
        tool_calls: calls.length,
        tool_errors: calls.filter((s) => FAILED_CALL.has(s.status)).length,
        playbook_completed: playbookCompleted(ctx, calls),
        audit_completeness: auditCompleteness(auditMissing),
        audit_missing: auditMissing,
        time_to_triage_ms: unmeasured ? null : total,
        time_to_first_required_ms: firstRequired,
        tokens_in: unmeasured || usageUnknown ? null : tokensIn,
        tokens_out: unmeasured || usageUnknown ? null : tokensOut,
        cost_usd: unmeasured || usageUnknown ? null : cost,
        fp_closed: fpClosed,
        analyst_minutes: minutes,
        minutes_saved: minutes === null ? null : fpClosed ? minutes : 0,
      },
    };
  },
};

/** Errors this long are a server's page, not a sentence; the transcript keeps the whole of it. */
const ERROR_SHOWN = 1000;

/** An error as a finding quotes it: whole when it is a sentence or two, else cut at a word, marked. */
export function shortError(error: string): string {
  if (error.length <= ERROR_SHOWN) return error;
  const cut = error.lastIndexOf(" ", ERROR_SHOWN);
  return `${error.slice(0, cut > ERROR_SHOWN / 2 ? cut : ERROR_SHOWN)} … (${error.length} characters; soceval show has the whole error)`;
}
