import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { createProvider } from "../src/providers/index.js";
import { runChatAgent } from "../src/replay/agent-loop.js";
import { RateLimiter } from "../src/replay/rate-limit.js";
import { Case, ToolContract, type Workflow } from "../src/schema/index.js";
import { ToolSandbox } from "../src/tools/sandbox.js";
import { MINI, miniWorkflow, submitted, testAgent, testEnv } from "./servers/agents.js";
import { startAnthropicWire } from "./servers/anthropic-wire.js";
import { startOpenAIWire } from "./servers/openai-wire.js";
import type { Reply, WireServer } from "./servers/wire.js";

/**
 * A model copies a 19-digit Windows EventRecordID from evidence into a tool call as a bare number.
 * JSON.parse rounds it (…891 → …000): the sandbox then filtered on an id no record has, told the
 * model there was nothing, and the transcript showed an id the model never wrote.
 */
const ID = "12345678901234567891";
const NEIGHBOUR = "12345678901234567890";

const getEvents = ToolContract.parse({
  name: "get_events",
  description: "Windows events by EventRecordID",
  source: "win.events",
  scope: "read",
  input: { record_id: { type: "number", description: "EventRecordID", entity: "event_record", required: true } },
  latency_ms: 10,
  audit_event: "win.events.query",
});
const wf: Workflow = { ...miniWorkflow, tools: [...miniWorkflow.tools, getEvents] };
const first = Case.parse(JSON.parse(readFileSync(join(MINI, "cases.jsonl"), "utf8").split("\n")[0]!));
const record = (id: string, value: string) => ({
  id,
  source: "win.events",
  time: "2026-03-01T10:00:00Z",
  entities: [{ type: "event_record", value }],
  data: { EventID: 4624 },
});
const c: Case = { ...first, evidence: [...first.evidence, record("ev-1", ID), record("ev-2", NEIGHBOUR)] };

let server: WireServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

/** The call as each provider's wire writes it, the id a bare number in the JSON text. */
const calls: Record<"openai-compatible" | "openai-object" | "anthropic", Reply> = {
  "openai-compatible": {
    type: "raw",
    text: `{"id":"chatcmpl-1","object":"chat.completion","created":1767225600,"model":"test-model","choices":[{"index":0,"message":{"role":"assistant","content":null,"tool_calls":[{"id":"call_1","type":"function","function":{"name":"get_events","arguments":"{\\"record_id\\": ${ID}}"}}]},"finish_reason":"tool_calls"}],"usage":{"prompt_tokens":50,"completion_tokens":10,"total_tokens":60}}`,
  },
  // a compatible server (a gateway, a local server) that writes the arguments as an object
  "openai-object": {
    type: "raw",
    text: `{"id":"chatcmpl-1","object":"chat.completion","created":1767225600,"model":"test-model","choices":[{"index":0,"message":{"role":"assistant","content":null,"tool_calls":[{"id":"call_1","type":"function","function":{"name":"get_events","arguments":{"record_id": ${ID}}}}]},"finish_reason":"tool_calls"}],"usage":{"prompt_tokens":50,"completion_tokens":10,"total_tokens":60}}`,
  },
  anthropic: {
    type: "raw",
    text: `{"id":"msg_1","type":"message","role":"assistant","model":"claude-test","content":[{"type":"tool_use","id":"toolu_1","name":"get_events","input":{"record_id": ${ID}}}],"stop_reason":"tool_use","stop_sequence":null,"usage":{"input_tokens":50,"output_tokens":10}}`,
  },
};

describe("a tool call's integer beyond 2^53", () => {
  it.each(["openai-compatible", "openai-object", "anthropic"] as const)(
    "%s: reaches the sandbox and the transcript as the digits the model wrote",
    async (wire) => {
      const provider = wire === "anthropic" ? "anthropic" : "openai-compatible";
      server = await (provider === "anthropic" ? startAnthropicWire : startOpenAIWire)([
        calls[wire],
        { type: "submit", output: submitted },
      ]);
      const agent = testAgent({ provider, base_url: server.url, tools: "all" });
      const sandbox = new ToolSandbox(c, wf, { scope: agent.tools, faults: [], seed: 1 });
      const limiter = new RateLimiter({ requestsPerMinute: 6000, concurrency: 4 });
      const r = await runChatAgent(c, wf, agent, createProvider(agent, { env: testEnv }), sandbox, limiter);
      expect(r.error).toBeNull();
      const step = r.steps[1]!;
      expect(step).toMatchObject({
        type: "tool_call",
        tool: "get_events",
        status: "ok",
        input: { record_id: ID },
        evidence_ids: ["ev-1"],
      });
    },
  );
});
