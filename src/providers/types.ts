/**
 * The provider-neutral conversation the agent loop keeps. Each provider translates it to its wire
 * protocol (OpenAI chat completions, Anthropic messages) and back; the playbook reads it directly.
 */
export type ToolCall = { id: string; name: string; arguments: Record<string, unknown> };

export type AssistantMessage = { role: "assistant"; content: string | null; tool_calls: ToolCall[] };
export type ChatMessage =
  | { role: "user"; content: string }
  | AssistantMessage
  | { role: "tool"; tool_call_id: string; name: string; content: string };

/** A tool as the model sees it: JSON-schema parameters. */
export type ToolSpec = { name: string; description: string; parameters: Record<string, unknown> };

/** The model ends an investigation by calling this tool with the triage output as its arguments. */
export const SUBMIT_TOOL = "submit_triage";

export type CompletionRequest = {
  system: string;
  messages: ChatMessage[];
  tools: ToolSpec[];
  model: string;
  temperature?: number;
  max_tokens?: number;
  signal?: AbortSignal;
  /**
   * The epoch of the case that asks. Not part of a recording's key (a sampled model's epochs start
   * from one request), but a replay answers each epoch with what that epoch was answered when recorded.
   */
  epoch?: number;
  /**
   * What is left of the investigation's own time (max_seconds): an attempt still unanswered when it
   * runs out is stopped with TimeBudgetSpent. Not part of a recording's key.
   */
  time_budget_ms?: number;
  /** how long this call's failed attempts took before this one; a recording keeps it for the replay */
  earlier_attempts_ms?: number;
  /**
   * how long since this call's first attempt began (its failed attempts and the waits between
   * them), and why each failed: a recording keeps both, so the replay stores the call as it was lived
   */
  earlier_wait_ms?: number;
  earlier_failures?: string[];
};

export type Completion = {
  message: AssistantMessage;
  model: string;
  tokens_in: number;
  tokens_out: number;
  /** of tokens_in, read from the provider's prompt cache / written to it, where the provider says */
  tokens_cached_in?: number;
  tokens_cache_write?: number;
  latency_ms: number;
  /** false when the server's answer carried no token usage: tokens are then recorded as 0 */
  usage_reported?: boolean;
  /**
   * the model declined to answer, or the provider's safety filter stopped it: OpenAI's `refusal`
   * text or finish_reason "content_filter", Anthropic's stop_reason "refusal". Any text beside it is
   * not an answer.
   */
  refusal?: string;
  /** the answer stopped at the token limit (finish_reason "length", stop_reason "max_tokens" or "model_context_window_exceeded") */
  cut_short?: boolean;
  /** a replayed answer: how long the attempts before it took when it was recorded */
  earlier_attempts_ms?: number;
  /** a replayed answer: how long after the call's first attempt it was sent, and why those before it failed */
  earlier_wait_ms?: number;
  retried?: string[];
};

export interface Provider {
  readonly kind: string;
  /** true for the deterministic playbook: no model calls are recorded, no tokens spent */
  readonly simulated: boolean;
  complete(req: CompletionRequest): Promise<Completion>;
}

/**
 * Why a model cannot be used at all: no connection (nothing listening, a wrong address), the
 * server refused who we are or what we asked for (401, 403, 404: a wrong key or model name), or a
 * replay agent's recordings do not hold its requests (it differs from the agent that recorded them).
 */
export type Unusable = "no connection" | "refused" | "not recorded";

/**
 * Thrown by providers on a failed call. `retryable` covers 429, 5xx, timeouts and dropped
 * connections; `retryAfterMs` carries the server's retry-after.
 */
export class ProviderError extends Error {
  override name = "ProviderError";
  constructor(
    message: string,
    readonly retryable: boolean,
    readonly status?: number,
    readonly retryAfterMs?: number,
    /** set when the model cannot be used at all, whatever the case, as opposed to a bad answer */
    readonly unusable?: Unusable,
    /** the conversation outgrew the model's context window: the investigation's own doing, not the provider's */
    readonly contextFull?: boolean,
  ) {
    super(message);
  }
}

/**
 * The investigation's own time (max_seconds) ran out while a model call was unanswered: the agent's
 * limit, not a provider failure, so it is neither retried nor replayed by --retry-failed. `after_ms`
 * is how long the stopped attempt had run.
 */
export class TimeBudgetSpent extends ProviderError {
  override name = "TimeBudgetSpent";
  constructor(
    provider: string,
    readonly after_ms: number,
    /** a replayed stop: the recorded call's words, its wait since its first attempt and why those before failed */
    readonly recorded?: { error?: string; earlier_wait_ms?: number; retried?: string[] },
  ) {
    super(
      recorded?.error ??
        `${provider}: stopped after ${after_ms} ms: the investigation reached max_seconds before the answer came`,
      false,
    );
  }
}
