import type { AssistantMessage } from "../providers/types.js";

/**
 * A tool call's id pairs it with its result, and Anthropic refuses a conversation that repeats one
 * (400 "tool_use ids must be unique"). Some servers number their calls afresh in every answer
 * (`call_0` each time) or send none (the providers then number them by position). A repeat is
 * renamed the same way on every run, so a replay's requests stay the recorded ones.
 */
export function withUniqueCallIds(msg: AssistantMessage, seen: Set<string>): AssistantMessage {
  let renamed = false;
  const tool_calls = msg.tool_calls.map((call) => {
    let id = call.id;
    for (let n = 2; seen.has(id); n++) id = `${call.id}_${n}`;
    seen.add(id);
    if (id === call.id) return call;
    renamed = true;
    return { ...call, id };
  });
  return renamed ? { ...msg, tool_calls } : msg;
}
