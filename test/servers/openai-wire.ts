import { SUBMIT_TOOL } from "../../src/providers/types.js";
import { type ModelReply, type Protocol, type Reply, startWireServer, usageOf, type WireServer } from "./wire.js";

/** OpenAI chat completions: POST {base}/chat/completions, tool calls with JSON-string arguments. */
export const openaiProtocol: Protocol = {
  path: "/v1/chat/completions",
  baseURL: (origin) => `${origin}/v1`,
  errorBody: (status, message) => ({
    error: { message, type: status === 429 ? "rate_limit_exceeded" : "server_error", param: null, code: null },
  }),
  render: (reply: ModelReply, request, n) => {
    const calls =
      reply.type === "submit"
        ? [{ name: SUBMIT_TOOL, arguments: reply.output as Record<string, unknown> }]
        : reply.type === "tool_calls"
          ? reply.calls
          : [];
    const text = reply.type === "text" ? reply.text : reply.type === "tool_calls" ? (reply.text ?? null) : null;
    const usage = usageOf(reply);
    return {
      id: `chatcmpl-${n}`,
      object: "chat.completion",
      created: 1767225600 + n,
      model: String(request.model ?? "unknown"),
      choices: [
        {
          index: 0,
          message: {
            role: "assistant",
            content: text,
            refusal: reply.type === "refusal" ? reply.text : null,
            ...(calls.length > 0
              ? {
                  tool_calls: calls.map((c, i) => ({
                    id: `call_${n}_${i}`,
                    type: "function",
                    function: {
                      name: c.name,
                      arguments: typeof c.arguments === "string" ? c.arguments : JSON.stringify(c.arguments),
                    },
                  })),
                }
              : {}),
          },
          finish_reason: "cut" in reply && reply.cut ? "length" : calls.length > 0 ? "tool_calls" : "stop",
          logprobs: null,
        },
      ],
      ...(usage
        ? {
            usage: {
              prompt_tokens: usage.input,
              completion_tokens: usage.output,
              total_tokens: usage.input + usage.output,
              ...(usage.cached !== undefined ? { prompt_tokens_details: { cached_tokens: usage.cached } } : {}),
            },
          }
        : {}),
    };
  },
};

export function startOpenAIWire(script: Reply[] = []): Promise<WireServer> {
  return startWireServer(openaiProtocol, script);
}
