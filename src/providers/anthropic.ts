import Anthropic, {
  APIConnectionError,
  APIConnectionTimeoutError,
  APIError,
  APIUserAbortError,
} from "@anthropic-ai/sdk";
import type {
  ContentBlockParam,
  Message,
  MessageCreateParamsNonStreaming,
  MessageParam,
  Tool,
  ToolResultBlockParam,
} from "@anthropic-ai/sdk/resources/messages";
import { attemptDeadline, malformed, missingAnswer, notJson, type Origin, toProviderError } from "./errors.js";
import { parseArguments } from "./openai.js";
import type { ChatMessage, Completion, CompletionRequest, Provider, ToolCall } from "./types.js";
import { bodyOf } from "./wire-body.js";

const SDK_ERRORS = { APIError, APIConnectionError, APIConnectionTimeoutError, APIUserAbortError };

/** The messages API requires max_tokens; this is enough for a triage output with room to spare. */
export const DEFAULT_MAX_TOKENS = 4096;

export type AnthropicProviderOptions = { baseURL?: string; apiKey: string; timeoutMs: number } & Pick<
  Origin,
  "urlFrom" | "keyFrom"
>;

/**
 * Tool results travel as `tool_result` blocks inside a user turn, and turns must alternate, so
 * consecutive tool results (and a user note after them) are folded into one user message.
 */
export function toWireMessages(messages: ChatMessage[]): MessageParam[] {
  const out: MessageParam[] = [];
  const userBlocks = (): ContentBlockParam[] => {
    const last = out[out.length - 1];
    if (last?.role === "user") {
      if (typeof last.content === "string") last.content = [{ type: "text", text: last.content }];
      return last.content as ContentBlockParam[];
    }
    const blocks: ContentBlockParam[] = [];
    out.push({ role: "user", content: blocks });
    return blocks;
  };
  for (const m of messages) {
    if (m.role === "tool") {
      const block: ToolResultBlockParam = { type: "tool_result", tool_use_id: m.tool_call_id, content: m.content };
      userBlocks().push(block);
    } else if (m.role === "user") {
      const last = out[out.length - 1];
      if (last?.role === "user") userBlocks().push({ type: "text", text: m.content });
      else out.push({ role: "user", content: m.content });
    } else {
      const blocks: ContentBlockParam[] = [];
      // the model sometimes writes "\n\n" beside its tool_use, and the API refuses such a block sent
      // back: "text content blocks must contain non-whitespace text"
      if (m.content?.trim()) blocks.push({ type: "text", text: m.content });
      for (const c of m.tool_calls) blocks.push({ type: "tool_use", id: c.id, name: c.name, input: c.arguments });
      // the API rejects an empty assistant turn; say so rather than drop it and break alternation
      if (blocks.length === 0) blocks.push({ type: "text", text: "(no answer)" });
      out.push({ role: "assistant", content: blocks });
    }
  }
  return out;
}

function fromWire(res: Message): Omit<Completion, "latency_ms"> {
  const notAnAnswer = notJson("anthropic", res);
  if (notAnAnswer) throw notAnAnswer;
  if (!Array.isArray(res?.content)) throw missingAnswer("anthropic", res, "no content array");
  const text: string[] = [];
  const calls: ToolCall[] = [];
  res.content.forEach((b, i) => {
    if (b.type === "text") text.push(b.text);
    else if (b.type === "tool_use") {
      // what gateways in front of the API sometimes send: input as a JSON string, a block with no id;
      // a block with no name cannot be answered, so the body is as broken as one that does not parse
      if (typeof b.name !== "string" || b.name === "")
        throw malformed("anthropic", `content[${i}] (tool_use) has no name`);
      const input: unknown = b.input;
      const args =
        input !== null && typeof input === "object" && !Array.isArray(input)
          ? (input as Record<string, unknown>)
          : typeof input === "string"
            ? parseArguments(input)
            : { _raw: JSON.stringify(input) ?? "" };
      calls.push({ id: typeof b.id === "string" && b.id !== "" ? b.id : `toolu_${i}`, name: b.name, arguments: args });
    }
  });
  const u = res.usage;
  return {
    message: { role: "assistant", content: text.length > 0 ? text.join("\n") : null, tool_calls: calls },
    model: res.model ?? "",
    // cached prompt tokens are billed input too; the usage object reports them apart
    tokens_in: (u?.input_tokens ?? 0) + (u?.cache_creation_input_tokens ?? 0) + (u?.cache_read_input_tokens ?? 0),
    tokens_out: u?.output_tokens ?? 0,
    ...(u?.cache_read_input_tokens != null ? { tokens_cached_in: u.cache_read_input_tokens } : {}),
    ...(u?.cache_creation_input_tokens != null ? { tokens_cache_write: u.cache_creation_input_tokens } : {}),
    usage_reported: u != null,
    // a refusal carries no text of its own: the stop reason is all the API says
    ...(res.stop_reason === "refusal" ? { refusal: "stop_reason refusal" } : {}),
    // a conversation that filled the model's context window stops the answer as max_tokens would
    ...(res.stop_reason === "max_tokens" || res.stop_reason === "model_context_window_exceeded"
      ? { cut_short: true }
      : {}),
  };
}

/** SDK notices already passed on (once per text and process). */
const noticesShown = new Set<string>();

/**
 * The SDK prints its notices (a deprecated model's end-of-life date) with console.warn on every
 * request: thousands of copies over a run, between the progress lines. They are caught while the
 * request is built (synchronously, so nothing else can write meanwhile) and each is shown once.
 */
function onceEach<T>(send: () => T): T {
  const notices: string[] = [];
  const warn = console.warn;
  console.warn = (...args: unknown[]) => {
    notices.push(args.map(String).join(" "));
  };
  try {
    return send();
  } finally {
    console.warn = warn;
    for (const n of notices) {
      if (noticesShown.has(n)) continue;
      noticesShown.add(n);
      process.stderr.write(`soceval: warning: anthropic SDK: ${n.replace(/\s*\n\s*/g, " ")}\n`);
    }
  }
}

/** Anthropic messages API via the official SDK, with native tool use. */
export function createAnthropicProvider(opts: AnthropicProviderOptions): Provider {
  // retries belong to our scheduler so that each attempt is counted and recorded
  const client = new Anthropic({ baseURL: opts.baseURL, apiKey: opts.apiKey, maxRetries: 0, timeout: opts.timeoutMs });
  return {
    kind: "anthropic",
    simulated: false,
    async complete(req: CompletionRequest): Promise<Completion> {
      const tools: Tool[] = req.tools.map((t) => ({
        name: t.name,
        description: t.description,
        input_schema: { ...t.parameters, type: "object" },
      }));
      const body: MessageCreateParamsNonStreaming = {
        model: req.model,
        max_tokens: req.max_tokens ?? DEFAULT_MAX_TOKENS,
        system: req.system,
        messages: toWireMessages(req.messages),
        ...(tools.length > 0 ? { tools } : {}),
        // no temperature: API version 2026-10-21 (what SDK 1.x sends) rejects any sampling param with a 400
      };
      const started = performance.now();
      const attempt = attemptDeadline(opts.timeoutMs, req.signal, req.time_budget_ms);
      let res: Message;
      try {
        const response = await onceEach(() => client.messages.create(body, { signal: attempt.signal }).asResponse());
        res = (await bodyOf(response)) as Message;
      } catch (e) {
        throw (
          attempt.timedOut("anthropic") ??
          toProviderError(e, "anthropic", SDK_ERRORS, {
            url: client.baseURL,
            urlFrom: opts.urlFrom,
            keyFrom: opts.keyFrom,
          })
        );
      }
      const latency_ms = Math.round(performance.now() - started);
      return { ...fromWire(res), latency_ms };
    },
  };
}
