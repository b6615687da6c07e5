import { renderPrompt, toolSpecs, userMessage } from "../../src/providers/prompt.js";
import type { ChatMessage, Completion, CompletionRequest, Provider } from "../../src/providers/types.js";
import type { LoadedAgent } from "../../src/workflow/load.js";
import { miniWorkflow, testAlert } from "./agents.js";

/** What a tool answers in these tests (synthetic). */
export const SIGNINS_RESULT = JSON.stringify({
  status: "ok",
  records: [
    {
      id: "s-000a",
      source: "idp.signins",
      time: "2026-03-01T10:00:00Z",
      entities: [{ type: "account", value: "user0@corp.example" }],
      data: { device_known: false },
    },
  ],
});

export function firstRequest(agent: LoadedAgent): CompletionRequest {
  return {
    system: renderPrompt(agent, miniWorkflow, testAlert),
    messages: [{ role: "user", content: userMessage(testAlert) }],
    tools: toolSpecs(miniWorkflow, agent.tools),
    model: agent.model,
    temperature: agent.params.temperature,
    max_tokens: agent.params.max_tokens,
  };
}

/**
 * Two model turns the way the agent loop runs them: the model asks for a tool, gets its result,
 * and submits. Returns both completions and the requests sent.
 */
export async function investigate(provider: Provider, agent: LoadedAgent) {
  const req1 = firstRequest(agent);
  const c1: Completion = await provider.complete(req1);
  const messages: ChatMessage[] = [...req1.messages, c1.message];
  for (const call of c1.message.tool_calls)
    messages.push({ role: "tool", tool_call_id: call.id, name: call.name, content: SIGNINS_RESULT });
  const req2: CompletionRequest = { ...req1, messages };
  const c2 = await provider.complete(req2);
  return { req1, req2, c1, c2 };
}
