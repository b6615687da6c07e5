import { SUBMIT_TOOL } from "../../src/providers/types.js";
import { type ModelReply, type Protocol, type Reply, startWireServer, usageOf, type WireServer } from "./wire.js";

const ERROR_TYPES: Record<number, string> = {
  400: "invalid_request_error",
  401: "authentication_error",
  402: "billing_error",
  404: "not_found_error",
  409: "conflict_error",
  429: "rate_limit_error",
  529: "overloaded_error",
};

/** Anthropic messages: POST {origin}/v1/messages, tool_use content blocks with object input. */
export const anthropicProtocol: Protocol = {
  path: "/v1/messages",
  baseURL: (origin) => origin,
  errorBody: (status, message) => ({ type: "error", error: { type: ERROR_TYPES[status] ?? "api_error", message } }),
  render: (reply: ModelReply, request, n) => {
    const calls =
      reply.type === "submit"
        ? [{ name: SUBMIT_TOOL, arguments: reply.output as Record<string, unknown> }]
        : reply.type === "tool_calls"
          ? reply.calls
          : [];
    const text = reply.type === "text" ? reply.text : reply.type === "tool_calls" ? reply.text : undefined;
    const usage = usageOf(reply);
    return {
      id: `msg_${n}`,
      type: "message",
      role: "assistant",
      model: String(request.model ?? "unknown"),
      content: [
        ...(text ? [{ type: "text", text }] : []),
        ...calls.map((c, i) => ({ type: "tool_use", id: `toolu_${n}_${i}`, name: c.name, input: c.arguments })),
      ],
      stop_reason:
        reply.type === "refusal"
          ? "refusal"
          : "cut" in reply && reply.cut
            ? "max_tokens"
            : calls.length > 0
              ? "tool_use"
              : "end_turn",
      stop_sequence: null,
      // Anthropic's input_tokens leave out the prompt tokens read from or written to the cache
      ...(usage
        ? {
            usage: {
              input_tokens: usage.input - (usage.cached ?? 0) - (usage.cacheWrite ?? 0),
              output_tokens: usage.output,
              ...(usage.cached !== undefined ? { cache_read_input_tokens: usage.cached } : {}),
              ...(usage.cacheWrite !== undefined ? { cache_creation_input_tokens: usage.cacheWrite } : {}),
            },
          }
        : {}),
    };
  },
};

export function startAnthropicWire(script: Reply[] = []): Promise<WireServer> {
  return startWireServer(anthropicProtocol, script);
}
