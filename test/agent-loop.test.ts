import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import { createProvider } from "../src/providers/index.js";
import { createReplayProvider } from "../src/providers/replay.js";
import { type Provider, SUBMIT_TOOL } from "../src/providers/types.js";
import { runChatAgent } from "../src/replay/agent-loop.js";
import { RateLimiter } from "../src/replay/rate-limit.js";
import { Case } from "../src/schema/index.js";
import { parseOutput } from "../src/scoring/score.js";
import { ToolSandbox } from "../src/tools/sandbox.js";
import type { LoadedAgent } from "../src/workflow/load.js";
import { MINI, miniWorkflow, submitted, testAgent, testEnv } from "./servers/agents.js";
import { startAnthropicWire } from "./servers/anthropic-wire.js";
import { startOpenAIWire } from "./servers/openai-wire.js";
import type { Reply, WireServer } from "./servers/wire.js";

/** The agent loop against a real chat-completions server: what it records, and where it stops. */
const c = Case.parse(JSON.parse(readFileSync(join(MINI, "cases.jsonl"), "utf8").split("\n")[0]!));
const askSignins: Reply = {
  type: "tool_calls",
  calls: [{ name: "get_signins", arguments: { user: "user0@corp.example" } }],
};

let server: WireServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
  vi.restoreAllMocks();
});

async function investigate(script: Reply[], overrides: Partial<LoadedAgent> = {}, record?: string) {
  const kind = overrides.provider ?? "openai-compatible";
  server = await (kind === "anthropic" ? startAnthropicWire : startOpenAIWire)(script);
  const agent = testAgent({
    provider: kind,
    base_url: server.url,
    ...overrides,
    // a test names only the limit it is about; the others stay the fixture agent's
    limits: { ...testAgent().limits, ...overrides.limits },
  });
  return investigateWith(createProvider(agent, { env: testEnv, record }), agent);
}

/** Replay what `investigate(…, record)` recorded, with its server gone: only the recording answers. */
async function replayRecorded(file: string, overrides: Partial<LoadedAgent> = {}) {
  await server?.close();
  server = undefined;
  return investigateWith(createReplayProvider(file), testAgent({ provider: "replay", recordings: file, ...overrides }));
}

function investigateWith(provider: Provider, agent: LoadedAgent) {
  const sandbox = new ToolSandbox(c, miniWorkflow, { scope: agent.tools, faults: [], seed: 1 });
  const limiter = new RateLimiter({ requestsPerMinute: 6000, concurrency: 4 });
  return runChatAgent(c, miniWorkflow, agent, provider, sandbox, limiter);
}

describe("the agent loop", () => {
  it("stops at the model call that crosses max_cost_usd, before the tools it asked for run", async () => {
    // 100 + 10 tokens at $1000 per million: $0.11 against a $0.10 cap
    const r = await investigate([{ ...askSignins, usage: { input: 100, output: 10 } }], {
      price: { input_per_mtok: 1000, output_per_mtok: 1000 },
      limits: { max_cost_usd: 0.1 } as LoadedAgent["limits"],
    });
    expect(r.output).toBeNull();
    expect(r.error).toBe("limit: cost $0.1100 > max_cost_usd 0.1");
    expect(r.steps.map((s) => s.type)).toEqual(["model_call"]);
    expect(r.steps[0]).toMatchObject({ tokens_in: 100, tokens_out: 10, cost_usd: 0.11 });
  });

  it("goes on when the calls spent exactly max_cost_usd or max_tokens, summed from several calls", async () => {
    const ask = (input: number): Reply => ({ ...askSignins, usage: { input, output: 0 } });
    // $0.1 + $0.2 at $1000 per million: 0.30000000000000004 when added up as floats
    const r = await investigate(
      [ask(100), ask(200), { type: "submit", output: submitted, usage: { input: 0, output: 0 } }],
      {
        price: { input_per_mtok: 1000, output_per_mtok: 0 },
        limits: { max_cost_usd: 0.3, max_tokens: 300 } as LoadedAgent["limits"],
      },
    );
    expect(r.error).toBeNull();
    expect(r.output).toMatchObject({ verdict: "true_positive" });
    await server?.close();
    const over = await investigate([ask(100), ask(201)], {
      price: { input_per_mtok: 1000, output_per_mtok: 0 },
      limits: { max_cost_usd: 0.3, max_tokens: 400 } as LoadedAgent["limits"],
    });
    expect(over.error).toBe("limit: cost $0.3010 > max_cost_usd 0.3");
  });

  it("stops at the call max_steps allows, before the tools it asked for run: no model would read their answers", async () => {
    const r = await investigate([askSignins, askSignins], { limits: { max_steps: 2 } as LoadedAgent["limits"] });
    expect(r.output).toBeNull();
    expect(r.error).toBe("limit: no triage output within max_steps 2");
    expect(r.steps.map((s) => s.type)).toEqual(["model_call", "tool_call", "model_call"]);
  });

  it("keeps a final answer whose call crossed the cap: it is paid for, and its cost is on the transcript", async () => {
    const r = await investigate([{ type: "submit", output: submitted, usage: { input: 100, output: 10 } }], {
      price: { input_per_mtok: 1000, output_per_mtok: 1000 },
      limits: { max_cost_usd: 0.1 } as LoadedAgent["limits"],
    });
    expect(r.error).toBeNull();
    expect(r.output).toMatchObject({ verdict: "true_positive" });
    expect(r.steps[0]).toMatchObject({ cost_usd: 0.11 });
  });

  it("a call's latency covers its retries: the wait a 429's retry-after asked for included", async () => {
    const r = await investigate([
      { type: "status", status: 429, headers: { "retry-after": "1" } },
      { type: "submit", output: submitted },
    ]);
    expect(r.error).toBeNull();
    expect(r.steps[0]).toMatchObject({ type: "model_call", attempts: 2 });
    expect(r.steps[0]!.latency_ms).toBeGreaterThanOrEqual(1000);
  });

  it("runs the other calls of the answering message: a respond tool beside submit_triage is denied and recorded", async () => {
    const r = await investigate([
      {
        type: "tool_calls",
        calls: [
          { name: "disable_account", arguments: { user: "user0@corp.example" } },
          { name: "get_signins", arguments: { user: "user0@corp.example" } },
          { name: SUBMIT_TOOL, arguments: submitted as Record<string, unknown> },
        ],
      },
    ]);
    expect(r.error).toBeNull();
    expect(r.output).toMatchObject({ verdict: "true_positive" });
    const calls = r.steps.filter((s) => s.type === "tool_call");
    expect(calls.map((s) => [s.tool, s.status])).toEqual([
      ["disable_account", "denied"],
      ["get_signins", "ok"],
    ]);
  });

  it("max_seconds leaves out waiting for the run: a retry-after longer than the budget does not stop the case", async () => {
    const r = await investigate(
      [
        { type: "status", status: 429, headers: { "retry-after": "1.2" } },
        askSignins,
        { type: "submit", output: submitted },
      ],
      { limits: { max_seconds: 1 } as LoadedAgent["limits"] },
    );
    expect(r.error).toBeNull();
    expect(r.steps[0]).toMatchObject({ type: "model_call", attempts: 2 });
    expect(r.steps[0]!.latency_ms).toBeGreaterThanOrEqual(1200);
    expect(r.output).toMatchObject({ verdict: "true_positive" });
  });

  it("keeps submit_triage arguments that are not a JSON object as the model's text, scored invalid as text", async () => {
    const cut = JSON.stringify(submitted).slice(0, 60);
    const r = await investigate([askSignins, { type: "tool_calls", calls: [{ name: SUBMIT_TOOL, arguments: cut }] }]);
    expect(r.error).toBeNull();
    expect(r.output).toBe(cut);
    const scored = parseOutput(r.output);
    expect(scored.output).toBeNull();
    expect(scored.schemaError).toBe("output is text, not a JSON triage output");
  });

  it.each([
    ["openai-compatible", "no answer: the model refused: I can't help with malware analysis."],
    ["anthropic", "no answer: the model refused: stop_reason refusal"],
  ] as const)(
    "records a refusal (%s) as the model declining, not as an empty final message",
    async (provider, error) => {
      const r = await investigate([{ type: "refusal", text: "I can't help with malware analysis." }], { provider });
      expect(r.output).toBeNull();
      expect(r.error).toBe(error);
    },
  );

  it.each(["openai-compatible", "anthropic"] as const)(
    "%s: a server that numbers its calls afresh in every answer, or sends no ids, gets a conversation whose ids never repeat",
    async (provider) => {
      const answer = (user: string, id?: string): Reply => ({
        type: "json",
        body:
          provider === "anthropic"
            ? {
                type: "message",
                role: "assistant",
                model: "claude-test",
                stop_reason: "tool_use",
                content: [{ type: "tool_use", ...(id ? { id } : {}), name: "get_signins", input: { user } }],
                usage: { input_tokens: 10, output_tokens: 5 },
              }
            : {
                object: "chat.completion",
                model: "test-model",
                choices: [
                  {
                    index: 0,
                    finish_reason: "tool_calls",
                    message: {
                      role: "assistant",
                      content: null,
                      tool_calls: [
                        {
                          ...(id ? { id } : {}),
                          function: { name: "get_signins", arguments: JSON.stringify({ user }) },
                        },
                      ],
                    },
                  },
                ],
                usage: { prompt_tokens: 10, completion_tokens: 5, total_tokens: 15 },
              },
      });
      const r = await investigate(
        [
          answer("user0@corp.example", "call_0"),
          answer("user1@corp.example", "call_0"),
          answer("user2@corp.example"),
          { type: "submit", output: submitted },
        ],
        { provider },
      );
      expect(r.error).toBeNull();
      const last = server!.requests[3]!.body as {
        messages: { role: string; content: unknown; tool_calls?: { id: string }[]; tool_call_id?: string }[];
      };
      // every call's id, and the id each result answers, in conversation order
      const calls: string[] = [];
      const results: string[] = [];
      for (const m of last.messages) {
        if (Array.isArray(m.content))
          for (const b of m.content as { type: string; id?: string; tool_use_id?: string }[]) {
            if (b.type === "tool_use") calls.push(b.id!);
            if (b.type === "tool_result") results.push(b.tool_use_id!);
          }
        for (const c of m.tool_calls ?? []) calls.push(c.id);
        if (m.tool_call_id) results.push(m.tool_call_id);
      }
      expect(calls).toHaveLength(3);
      expect(new Set(calls).size).toBe(3);
      expect(results).toEqual(calls);
    },
  );

  it("says an Anthropic answer stopped by a full context window stopped at the token limit, not that it was empty", async () => {
    const full: Reply = {
      type: "json",
      body: {
        id: "msg_full",
        type: "message",
        role: "assistant",
        model: "claude-test",
        content: [],
        stop_reason: "model_context_window_exceeded",
        stop_sequence: null,
        usage: { input_tokens: 199_000, output_tokens: 0 },
      },
    };
    const r = await investigate([full], { provider: "anthropic" });
    expect(r.output).toBeNull();
    expect(r.error).toBe(
      "limit: the model's answer stopped at the token limit before any text (params.max_tokens 1000, or the model's context window full)",
    );
  });

  it.each([
    [
      "openai-compatible",
      '{"verdict": "true_positive", "confidence": 0.8, "escalate": true, "summary": "The sign-in came fr',
    ],
    // Anthropic hands back a tool_use cut short as a well-formed object holding what was written
    ["anthropic", { verdict: "true_positive", confidence: 0.8 }],
  ] as const)(
    "%s: a submit_triage call the token limit cut off is a limit stop, not an invalid answer to score",
    async (provider, output) => {
      const file = join(mkdtempSync(join(tmpdir(), "soceval-loop-")), "recordings.jsonl");
      const r = await investigate([askSignins, { type: "submit", output, cut: true }], { provider }, file);
      expect(r.output).toBeNull();
      expect(r.unusable).toBeUndefined();
      expect(r.error).toBe(
        "limit: the model's answer stopped at the token limit before its submit_triage call was complete (params.max_tokens 1000, or the model's context window full)",
      );
      // the truncated call was paid for: it stays on the transcript with its tokens
      expect(r.steps.map((s) => s.type)).toEqual(["model_call", "tool_call", "model_call"]);
      expect(r.steps[2]).toMatchObject({ tokens_in: 120, tokens_out: 30 });
      // a CI replay of the recording stops at the same place, for the same reason
      const replayed = await replayRecorded(file);
      expect(replayed).toMatchObject({ output: null, error: r.error });
      // the same answer, not cut off, is scored as the model's answer
      const whole = await investigate([askSignins, { type: "submit", output }], { provider });
      expect(whole.error).toBeNull();
      expect(whole.output).not.toBeNull();
    },
  );

  it.each([
    ["openai-compatible", '{"user": "user0@co'],
    // a cut tool_use: a well-formed object holding half the account name, which would match nothing
    ["anthropic", { user: "user0@co" }],
  ] as const)(
    "%s: a lookup the token limit cut off is a limit stop, not run on half its input",
    async (provider, args) => {
      const r = await investigate(
        [{ type: "tool_calls", calls: [{ name: "get_signins", arguments: args }], cut: true }],
        {
          provider,
        },
      );
      expect(r.output).toBeNull();
      expect(r.error).toBe(
        "limit: the model's answer stopped at the token limit before its get_signins call was complete (params.max_tokens 1000, or the model's context window full)",
      );
      // the sandbox never saw it: no "no records" answer for a value the model never finished writing
      expect(r.steps.map((s) => s.type)).toEqual(["model_call"]);
    },
  );

  it("keeps a whole submit_triage when the token limit cut off a call written after it", async () => {
    const r = await investigate([
      {
        type: "tool_calls",
        calls: [
          { name: SUBMIT_TOOL, arguments: submitted },
          { name: "get_signins", arguments: '{"user": "user0@corp' },
        ],
        cut: true,
      },
    ]);
    expect(r.error).toBeNull();
    expect(r.output).toEqual(submitted);
  });

  it.each(["openai-compatible", "anthropic"] as const)(
    "%s: a text answer the token limit cut off is a limit stop; one whose JSON closed before the cut is scored",
    async (provider) => {
      const r = await investigate([{ type: "text", text: '{"verdict": "benign_positive", "conf', cut: true }], {
        provider,
      });
      expect(r.output).toBeNull();
      expect(r.error).toBe(
        "limit: the model's answer stopped at the token limit before its answer was complete (params.max_tokens 1000, or the model's context window full)",
      );
      await server?.close();
      const closed = await investigate(
        [
          {
            type: "text",
            text: `\`\`\`json\n${JSON.stringify(submitted)}\n\`\`\`\nThe sign-in is risky becau`,
            cut: true,
          },
        ],
        { provider },
      );
      expect(closed).toMatchObject({ output: submitted, error: null });
    },
  );

  it.each([
    ["openai-compatible", "This model's maximum context length is 8192 tokens. However, you requested 9100 tokens."],
    ["anthropic", "prompt is too long: 201234 tokens > 200000 maximum"],
  ] as const)(
    "%s: a conversation refused as longer than the context window is the agent's limit, not a provider failure",
    async (provider, words) => {
      const r = await investigate([askSignins, { type: "status", status: 400, message: words }], { provider });
      expect(r.output).toBeNull();
      expect(r.unusable).toBeUndefined();
      expect(r.error).toMatch(/^limit: the conversation outgrew the model's context window \(.*HTTP 400: /);
      expect(r.error).toContain(words);
      expect(r.steps.map((s) => s.type)).toEqual(["model_call", "tool_call", "model_call"]);
      expect(r.steps[2]).toMatchObject({ attempts: 1, cost_usd: 0 });
      await server?.close();
      // any other 400 is still the provider's answer to a request it refused
      const other = await investigate([{ type: "status", status: 400, message: "tools[0]: invalid schema" }], {
        provider,
      });
      expect(other.error).toMatch(/^provider: .*HTTP 400: .*tools\[0\]: invalid schema/);
    },
  );

  it("records OpenAI's finish_reason content_filter as the answer withheld, not as an empty final message", async () => {
    const filtered: Reply = {
      type: "json",
      body: {
        id: "chatcmpl-cf",
        object: "chat.completion",
        created: 1767225600,
        model: "test-model",
        choices: [{ index: 0, message: { role: "assistant", content: "The verd" }, finish_reason: "content_filter" }],
        usage: { prompt_tokens: 50, completion_tokens: 2, total_tokens: 52 },
      },
    };
    const r = await investigate([filtered]);
    expect(r.output).toBeNull();
    expect(r.error).toBe(
      "no answer: the model refused: finish_reason content_filter (the provider's content filter withheld the answer)",
    );
    expect(r.steps[0]).toMatchObject({ type: "model_call", tokens_in: 50, tokens_out: 2 });
  });

  it("an Anthropic refusal that stopped mid-text is a refusal, not that text scored as the answer", async () => {
    const refused: Reply = {
      type: "json",
      body: {
        id: "msg_r",
        type: "message",
        role: "assistant",
        model: "claude-test",
        content: [{ type: "text", text: '{"verdict": "true_positive", "summ' }],
        stop_reason: "refusal",
        stop_sequence: null,
        usage: { input_tokens: 40, output_tokens: 9 },
      },
    };
    const r = await investigate([refused], { provider: "anthropic" });
    expect(r.output).toBeNull();
    expect(r.error).toBe("no answer: the model refused: stop_reason refusal");
  });

  it.each(["openai-compatible", "anthropic"] as const)(
    "says an empty answer stopped at the token limit (%s), not that the server sent nothing",
    async (provider) => {
      const r = await investigate([{ type: "text", text: "", cut: true }], { provider });
      expect(r.output).toBeNull();
      expect(r.error).toBe(
        "limit: the model's answer stopped at the token limit before any text (params.max_tokens 1000, or the model's context window full)",
      );
      await server?.close();
      const plain = await investigate([{ type: "text", text: "" }], { provider });
      expect(plain.error).toBe("no answer: the model's final message was empty");
      // white space alone says nothing either: no answer with its reason, not a text answer
      const blank = await investigate([{ type: "text", text: " \n\n " }], { provider });
      expect(blank).toMatchObject({ output: null, error: "no answer: the model's final message was empty" });
    },
  );

  it("a call that failed every attempt records how long it tried", async () => {
    const slow: Reply = { type: "slow", delay_ms: 1000, reply: { type: "submit", output: submitted } };
    const r = await investigate([slow, slow], {
      retries: { max_attempts: 2, base_delay_ms: 5, timeout_ms: 150 },
    });
    expect(r.output).toBeNull();
    expect(r.steps[0]).toMatchObject({ type: "model_call", attempts: 2, tokens_in: 0 });
    expect(r.steps[0]!.latency_ms).toBeGreaterThanOrEqual(290);
  });

  it("warns once per agent when the server reports no token usage, and records 0 tokens", async () => {
    const warnings: string[] = [];
    vi.spyOn(process.stderr, "write").mockImplementation((s) => {
      warnings.push(String(s));
      return true;
    });
    const r = await investigate(
      [
        { ...askSignins, usage: null },
        { type: "submit", output: submitted, usage: null },
      ],
      { name: "no-usage-agent" },
    );
    expect(r.error).toBeNull();
    expect(r.steps.filter((s) => s.type === "model_call")).toMatchObject([{ tokens_in: 0 }, { tokens_in: 0 }]);
    const mine = warnings.filter((w) => w.includes('"no-usage-agent"'));
    expect(mine).toHaveLength(1);
    expect(mine[0]).toMatch(/reported no token usage; .* max_tokens and max_cost_usd cannot stop it/);
  });

  it.each(["openai-compatible", "anthropic"] as const)(
    "%s: prompt tokens the provider served from its cache are recorded and priced at the cache rate",
    async (provider) => {
      const r = await investigate(
        [
          {
            type: "submit",
            output: submitted,
            usage: { input: 10_000, output: 500, cached: 6_000, cacheWrite: 1_000 },
          },
        ],
        {
          provider,
          price: { input_per_mtok: 1, output_per_mtok: 2, cached_input_per_mtok: 0.1, cache_write_per_mtok: 1.25 },
        },
      );
      expect(r.error).toBeNull();
      // OpenAI reports no cache writes; Anthropic reports both
      const written = provider === "anthropic" ? 1_000 : 0;
      expect(r.steps[0]).toMatchObject({
        tokens_in: 10_000,
        tokens_out: 500,
        tokens_cached_in: 6_000,
        ...(written ? { tokens_cache_write: written } : {}),
      });
      const plain = 10_000 - 6_000 - written;
      const cost = (plain * 1 + 6_000 * 0.1 + written * 1.25 + 500 * 2) / 1e6;
      expect((r.steps[0] as { cost_usd: number }).cost_usd).toBeCloseTo(cost, 12);
    },
  );

  it.each(["openai-compatible", "anthropic"] as const)(
    "%s: max_seconds stops a call the server has not answered, as the agent's limit: not retried, not a provider failure",
    async (provider) => {
      const slow: Reply = { type: "slow", delay_ms: 5000, reply: { type: "submit", output: submitted } };
      const started = performance.now();
      const r = await investigate([slow, slow], {
        provider,
        limits: { max_seconds: 0.4 } as LoadedAgent["limits"],
        retries: { max_attempts: 2, base_delay_ms: 5, timeout_ms: 3000 },
      });
      expect(performance.now() - started).toBeLessThan(2000);
      expect(r.output).toBeNull();
      expect(r.error).toBe("limit: wall time > max_seconds 0.4");
      expect(r.unusable).toBeUndefined();
      expect(r.steps).toHaveLength(1);
      expect(r.steps[0]).toMatchObject({ type: "model_call", attempts: 1, tokens_in: 0, cost_usd: 0 });
      expect((r.steps[0] as { error: string }).error).toMatch(
        /stopped after \d+ ms: the investigation reached max_seconds/,
      );
      expect(r.steps[0]!.latency_ms).toBeGreaterThanOrEqual(350);
    },
  );

  it("an attempt that timed out counts against max_seconds: the retry gets only what is left", async () => {
    const slow = (reply: Reply): Reply => ({ type: "slow", delay_ms: 5000, reply });
    const r = await investigate([slow(askSignins), slow(askSignins)], {
      limits: { max_seconds: 0.5 } as LoadedAgent["limits"],
      retries: { max_attempts: 3, base_delay_ms: 5, timeout_ms: 300 },
    });
    expect(r.error).toBe("limit: wall time > max_seconds 0.5");
    expect(r.steps[0]).toMatchObject({ type: "model_call", attempts: 2 });
    expect((r.steps[0] as { retried: string[] }).retried).toEqual([
      "openai-compatible: request timed out (no whole answer within 300 ms)",
    ]);
  });

  it("a replay stores each call as the recording run did: its attempts, why they failed and the time they took", async () => {
    const file = join(mkdtempSync(join(tmpdir(), "soceval-loop-")), "recordings.jsonl");
    const live = await investigate(
      [
        { type: "status", status: 429, headers: { "retry-after-ms": "300" }, message: "slow down" },
        askSignins,
        { type: "status", status: 502, message: "bad gateway" },
        { type: "submit", output: submitted },
      ],
      {},
      file,
    );
    expect(live.error).toBeNull();
    const calls = live.steps.filter((s) => s.type === "model_call");
    expect(calls.map((s) => s.attempts)).toEqual([2, 2]);
    expect(calls[0]!.latency_ms).toBeGreaterThanOrEqual(300);
    const replayed = await replayRecorded(file);
    expect(replayed.steps).toEqual(live.steps);
    expect(replayed.output).toEqual(live.output);
  });

  it("so does a call max_seconds stopped after a failed attempt: its attempts, its words and its time", async () => {
    const file = join(mkdtempSync(join(tmpdir(), "soceval-loop-")), "recordings.jsonl");
    const limits = { ...testAgent().limits, max_seconds: 0.5 };
    const live = await investigate(
      [
        { type: "status", status: 502, message: "bad gateway" },
        { type: "slow", delay_ms: 5000, reply: { type: "submit", output: submitted } },
      ],
      { limits },
      file,
    );
    expect(live.error).toBe("limit: wall time > max_seconds 0.5");
    expect(live.steps[0]).toMatchObject({ attempts: 2, retried: ["openai-compatible: HTTP 502: bad gateway"] });
    const replayed = await replayRecorded(file, { limits });
    expect(replayed.steps).toEqual(live.steps);
    expect(replayed.error).toBe(live.error);
  });

  it("a recorded investigation that max_seconds stopped mid-call replays to the same stop, with the server gone", async () => {
    const file = join(mkdtempSync(join(tmpdir(), "soceval-loop-")), "recordings.jsonl");
    const limits = { ...testAgent().limits, max_seconds: 0.5 };
    const live = await investigate(
      [
        { type: "slow", delay_ms: 200, reply: askSignins },
        { type: "slow", delay_ms: 5000, reply: { type: "submit", output: submitted } },
      ],
      { limits },
      file,
    );
    expect(live.error).toBe("limit: wall time > max_seconds 0.5");
    const lines = readFileSync(file, "utf8")
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    expect(lines.map((l) => Object.keys(l).sort())).toEqual([
      ["completion", "epoch", "key", "parts", "session"],
      ["epoch", "key", "parts", "session", "stopped"],
    ]);
    const replayed = await replayRecorded(file, { limits });
    expect(replayed.error).toBe(live.error);
    expect(replayed.steps.map((s) => [s.type, "error" in s ? "error" : "ok"])).toEqual([
      ["model_call", "ok"],
      ["tool_call", "ok"],
      ["model_call", "error"],
    ]);
    const stoppedAfter = lines[1].stopped.max_seconds_after_ms;
    expect(replayed.steps[2]!.latency_ms).toBeGreaterThanOrEqual(stoppedAfter);
  });
});

describe("a Ctrl-C during an investigation", () => {
  /** The investigation with a run's Ctrl-C sent `afterMs` into it; how long it took to stop. */
  async function interrupted(script: Reply[], limiter: RateLimiter, afterMs: number) {
    server = await startOpenAIWire(script);
    const agent = testAgent({
      base_url: server.url,
      retries: { max_attempts: 3, base_delay_ms: 60_000, timeout_ms: 60_000 },
    });
    const provider = createProvider(agent, { env: testEnv });
    const sandbox = new ToolSandbox(c, miniWorkflow, { scope: agent.tools, faults: [], seed: 1 });
    const stop = new AbortController();
    setTimeout(() => stop.abort(), afterMs);
    const t0 = performance.now();
    const r = await runChatAgent(c, miniWorkflow, agent, provider, sandbox, limiter, { signal: stop.signal });
    return { r, ms: performance.now() - t0 };
  }

  it("ends the wait for the run's rate limit at once; the calls already made are kept, the unsent one is not", async () => {
    // one request a minute: the second call would wait a minute for its turn
    const limiter = new RateLimiter({ requestsPerMinute: 1, concurrency: 4 });
    const { r, ms } = await interrupted([{ ...askSignins, usage: { input: 100, output: 10 } }], limiter, 300);
    expect(ms).toBeLessThan(2000);
    expect(r.error).toBe("interrupted");
    expect(r.output).toBeNull();
    expect(r.unusable).toBeUndefined();
    expect(r.steps.map((s) => s.type)).toEqual(["model_call", "tool_call"]);
    expect(r.steps[0]).toMatchObject({ tokens_in: 100, tokens_out: 10 });
    expect(server!.requests).toHaveLength(1);
    // the slot it held goes back to the run
    expect(limiter.inFlight).toBe(0);
  });

  it("ends a backoff at once, and records the attempt that failed before it as an interrupted call", async () => {
    const limiter = new RateLimiter({ concurrency: 4 });
    const random = vi.spyOn(Math, "random").mockReturnValue(0.99);
    const { r, ms } = await interrupted([{ type: "status", status: 503, message: "busy" }], limiter, 300);
    random.mockRestore();
    expect(ms).toBeLessThan(2000);
    expect(r.error).toBe("interrupted");
    expect(r.steps).toHaveLength(1);
    expect(r.steps[0]).toMatchObject({ type: "model_call", attempts: 1, cost_usd: 0, error: "interrupted" });
    expect((r.steps[0] as { retried: string[] }).retried[0]).toMatch(/503.*busy/);
  });
});
