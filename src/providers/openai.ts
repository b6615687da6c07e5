import OpenAI, { APIConnectionError, APIConnectionTimeoutError, APIError, APIUserAbortError } from "openai";
import type {
  ChatCompletion,
  ChatCompletionCreateParamsNonStreaming,
  ChatCompletionMessageParam,
  ChatCompletionTool,
} from "openai/resources/chat/completions";
import { keepLongIntegers } from "../io/json-numbers.js";
import { attemptDeadline, malformed, missingAnswer, notJson, type Origin, toProviderError } from "./errors.js";
import type { ChatMessage, Completion, CompletionRequest, Provider, ToolCall } from "./types.js";
import { bodyOf } from "./wire-body.js";

const SDK_ERRORS = { APIError, APIConnectionError, APIConnectionTimeoutError, APIUserAbortError };

export type OpenAIProviderOptions = {
  kind: "openai" | "openai-compatible";
  baseURL?: string;
  apiKey: string;
  timeoutMs: number;
} & Pick<Origin, "urlFrom" | "keyFrom">;

function toWireMessages(system: string, messages: ChatMessage[]): ChatCompletionMessageParam[] {
  const out: ChatCompletionMessageParam[] = [{ role: "system", content: system }];
  for (const m of messages) {
    if (m.role === "user") out.push({ role: "user", content: m.content });
    else if (m.role === "tool") out.push({ role: "tool", tool_call_id: m.tool_call_id, content: m.content });
    else if (m.tool_calls.length === 0) out.push({ role: "assistant", content: m.content ?? "" });
    else
      out.push({
        role: "assistant",
        content: m.content,
        tool_calls: m.tool_calls.map((c) => ({
          id: c.id,
          type: "function" as const,
          function: { name: c.name, arguments: argumentsForWire(c.arguments) },
        })),
      });
  }
  return out;
}

/** Arguments we could not parse go back to the model exactly as it wrote them. */
function argumentsForWire(args: Record<string, unknown>): string {
  const keys = Object.keys(args);
  if (keys.length === 1 && keys[0] === "_raw" && typeof args._raw === "string") return args._raw;
  return JSON.stringify(args);
}

/**
 * Models sometimes write arguments that are not a JSON object. That is the model's mistake, not
 * the provider's: keep the text under `_raw` so the loop records an invalid output.
 */
export function parseArguments(text: string): Record<string, unknown> {
  // local servers send "" (or nothing) for a call without arguments: the sandbox then names what is missing
  if (text.trim() === "") return {};
  try {
    // a 64-bit id the model copied from evidence (an EventRecordID) kept as its digits, as a case
    // keeps it: JSON.parse would round it to a neighbour, and the sandbox filter on it to nothing
    const v: unknown = keepLongIntegers(text, JSON.parse(text));
    if (v !== null && typeof v === "object" && !Array.isArray(v)) return v as Record<string, unknown>;
  } catch {
    // fall through
  }
  return { _raw: text };
}

function fromWire(kind: string, res: ChatCompletion): Omit<Completion, "latency_ms"> {
  const notAnAnswer = notJson(kind, res);
  if (notAnAnswer) throw notAnAnswer;
  const choice = res?.choices?.[0];
  if (!choice?.message) throw missingAnswer(kind, res, "no choices[0].message");
  const calls = toolCallsOf(kind, choice.message.tool_calls);
  return {
    message: { role: "assistant", content: contentOf(kind, choice.message.content), tool_calls: calls },
    model: res.model ?? "",
    tokens_in: res.usage?.prompt_tokens ?? 0,
    tokens_out: res.usage?.completion_tokens ?? 0,
    // OpenAI caches long prompt prefixes by itself; those tokens are part of prompt_tokens, billed lower
    ...(res.usage?.prompt_tokens_details?.cached_tokens != null
      ? { tokens_cached_in: res.usage.prompt_tokens_details.cached_tokens }
      : {}),
    usage_reported: res.usage != null,
    ...(choice.message.refusal
      ? { refusal: choice.message.refusal }
      : choice.finish_reason === "content_filter"
        ? { refusal: "finish_reason content_filter (the provider's content filter withheld the answer)" }
        : {}),
    ...(choice.finish_reason === "length" ? { cut_short: true } : {}),
  };
}

/**
 * The text of an answer: a string, or (from some compatible servers and gateways) a list of content
 * parts whose text parts make the answer together. Anything else is a broken body, not an answer.
 */
function contentOf(kind: string, content: unknown): string | null {
  if (content == null || typeof content === "string") return content ?? null;
  if (Array.isArray(content))
    return content
      .filter((p): p is { type: "text"; text: string } => p?.type === "text" && typeof p.text === "string")
      .map((p) => p.text)
      .join("");
  throw malformed(kind, `choices[0].message.content is ${typeof content}, not text`);
}

/**
 * The function calls of an answer, as OpenAI-compatible servers write them: some leave out `type`,
 * the `id` or the arguments string, or send the arguments as an object. A call without a function
 * name cannot be answered: the body is broken, like one that does not parse.
 */
function toolCallsOf(kind: string, raw: unknown): ToolCall[] {
  if (raw == null) return [];
  if (!Array.isArray(raw)) throw malformed(kind, "choices[0].message.tool_calls is not a list");
  const calls: ToolCall[] = [];
  raw.forEach((c: { id?: unknown; type?: unknown; function?: { name?: unknown; arguments?: unknown } } | null, i) => {
    // only "function" calls are ours ("custom" tools are another API); a missing type means one
    if (c?.type !== undefined && c.type !== "function") return;
    const name = c?.function?.name;
    if (typeof name !== "string" || name === "") throw malformed(kind, `tool_calls[${i}] has no function name`);
    const args = c?.function?.arguments;
    const text = typeof args === "string" ? args : args == null ? "" : JSON.stringify(args);
    calls.push({
      id: typeof c?.id === "string" && c.id !== "" ? c.id : `call_${i}`,
      name,
      arguments: parseArguments(text),
    });
  });
  return calls;
}

/** OpenAI chat completions; with a base URL, any server that speaks the same protocol (Ollama, vLLM). */
export function createOpenAIProvider(opts: OpenAIProviderOptions): Provider {
  // retries belong to our scheduler so that each attempt is counted and recorded
  const client = new OpenAI({ baseURL: opts.baseURL, apiKey: opts.apiKey, maxRetries: 0, timeout: opts.timeoutMs });
  return {
    kind: opts.kind,
    simulated: false,
    async complete(req: CompletionRequest): Promise<Completion> {
      const tools: ChatCompletionTool[] = req.tools.map((t) => ({
        type: "function",
        function: { name: t.name, description: t.description, parameters: t.parameters },
      }));
      const body: ChatCompletionCreateParamsNonStreaming = {
        model: req.model,
        messages: toWireMessages(req.system, req.messages),
        ...(tools.length > 0 ? { tools } : {}),
        ...(req.temperature !== undefined ? { temperature: req.temperature } : {}),
      };
      // OpenAI's own models want max_completion_tokens; local servers mostly know only max_tokens
      if (req.max_tokens !== undefined) {
        if (opts.kind === "openai") body.max_completion_tokens = req.max_tokens;
        else body.max_tokens = req.max_tokens;
      }
      const started = performance.now();
      const attempt = attemptDeadline(opts.timeoutMs, req.signal, req.time_budget_ms);
      let res: ChatCompletion;
      try {
        const response = await client.chat.completions.create(body, { signal: attempt.signal }).asResponse();
        res = (await bodyOf(response)) as ChatCompletion;
      } catch (e) {
        throw (
          attempt.timedOut(opts.kind) ??
          toProviderError(e, opts.kind, SDK_ERRORS, {
            url: client.baseURL,
            urlFrom: opts.urlFrom,
            keyFrom: opts.keyFrom,
          })
        );
      }
      const latency_ms = Math.round(performance.now() - started);
      return { ...fromWire(opts.kind, res), latency_ms };
    },
  };
}
