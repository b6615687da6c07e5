import { z } from "zod";
import { JsonObject } from "./json-object.js";

export const ToolStatus = z.enum(["ok", "error", "timeout", "denied", "unavailable"]);

export const ToolCallStep = z.strictObject({
  type: z.literal("tool_call"),
  tool: z.string(),
  // kept as the agent sent it: a record schema rebuilds the object and drops a "__proto__" key, so
  // the stored call would not show what the agent (or an injected prompt) asked the tool for
  input: JsonObject.default({}),
  status: ToolStatus,
  evidence_ids: z.array(z.string()).default([]),
  latency_ms: z.number().nonnegative().default(0),
  scope: z.enum(["read", "respond"]).optional(),
  time: z.string().optional().describe("when the query ran (audit)"),
  note: z.string().optional().describe("error text or missing-source note"),
  audit_event: z.string().optional().describe("the audit event the tool contract names, emitted for this call"),
});

// a whole count the store's BIGINT columns hold exactly: 1.5 would be stored rounded, and 1e20
// wrapped into another number
const Tokens = z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER);

export const ModelCallStep = z.strictObject({
  type: z.literal("model_call"),
  model: z.string().optional(),
  tokens_in: Tokens.default(0),
  tokens_out: Tokens.default(0),
  tokens_cached_in: Tokens.optional().describe(
    "of tokens_in, those read from the provider's prompt cache (priced apart)",
  ),
  tokens_cache_write: Tokens.optional().describe("of tokens_in, those written to the cache"),
  latency_ms: z.number().nonnegative().default(0),
  cost_usd: z.number().nonnegative().default(0),
  attempts: z.number().int().positive().default(1).describe("1 + retries the scheduler needed"),
  retried: z
    .array(z.string())
    .optional()
    .describe(
      "why each attempt before the last failed (a 429, a 5xx, a timeout…), in order; absent when the first answered",
    ),
  error: z.string().optional(),
  usage_reported: z
    .literal(false)
    .optional()
    .describe(
      "false: the server's answer carried no token usage, so the call's tokens and cost (stored as 0) are unknown",
    ),
});

export const Step = z.discriminatedUnion("type", [ToolCallStep, ModelCallStep]);

export const Transcript = z.strictObject({
  case_id: z.string(),
  agent: z.string(),
  epoch: z.number().int().nonnegative().default(0),
  steps: z.array(Step).default([]),
  output: z.unknown().nullable().describe("triage output as the agent produced it; validated by the scorers"),
  error: z.string().nullable().default(null),
});

export type ToolStatus = z.infer<typeof ToolStatus>;
export type ToolCallStep = z.infer<typeof ToolCallStep>;
export type ModelCallStep = z.infer<typeof ModelCallStep>;
export type Step = z.infer<typeof Step>;
export type Transcript = z.infer<typeof Transcript>;

/**
 * The error `soceval score` records for a case (or an epoch of one) the imported file has no
 * transcript for: the stored placeholder that stands for it, wherever it is read back.
 */
export const MISSING_TRANSCRIPT = "no transcript for this case in the imported file";

/**
 * How the error of an investigation stopped by the model's context window begins (the server's
 * words follow in parentheses): the report counts such stops by this, not by what the server said.
 */
export const CONTEXT_FULL_STOP = "limit: the conversation outgrew the model's context window";

/**
 * The placeholder of a transcript an imported file lacks: nothing was measured for it, so its time,
 * tokens and cost are unknown, not 0. A run's own failed investigation (a provider error, a limit
 * hit) spent real time and money and is measured as any other.
 */
export function transcriptMissing(t: { error?: string | null; steps?: unknown[]; output?: unknown }): boolean {
  return t.error === MISSING_TRANSCRIPT && (t.steps?.length ?? 0) === 0 && investigationFailed(t);
}

/**
 * An investigation that ended without an answer: no output at all (a provider failure, a limit
 * reached before an answer, an empty final message, a missing transcript). An `error` recorded
 * beside an output (an imported transcript whose answering call crossed a limit, say) does not make
 * it failed: that output is judged like any other, as `soceval run` keeps and judges a final answer
 * whose call crossed a limit. `case_results.failed`, the run's failure count and its exit code all
 * use this one rule.
 */
export function investigationFailed(t: { error?: string | null; output?: unknown }): boolean {
  const o = t.output;
  // a platform that exports the final message as text writes "" when there was none: no answer,
  // as `soceval run` records an empty final message, not a text answer that failed the schema
  return o === null || o === undefined || (typeof o === "string" && o.trim() === "");
}
