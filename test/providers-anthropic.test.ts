import type { MessageCreateParamsNonStreaming, Tool } from "@anthropic-ai/sdk/resources/messages";
import { afterEach, describe, expect, it, vi } from "vitest";
import { InputError } from "../src/io/errors.js";
import { toWireMessages } from "../src/providers/anthropic.js";
import { createProvider } from "../src/providers/index.js";
import { ProviderError, SUBMIT_TOOL } from "../src/providers/types.js";
import { RateLimiter } from "../src/replay/rate-limit.js";
import { attemptsOf, withRetries } from "../src/replay/retry.js";
import { TriageOutput } from "../src/schema/index.js";
import { submitted, TEST_KEY, testAgent, testEnv } from "./servers/agents.js";
import { startAnthropicWire } from "./servers/anthropic-wire.js";
import { firstRequest, investigate, SIGNINS_RESULT } from "./servers/investigation.js";
import type { Reply, WireServer } from "./servers/wire.js";

let server: WireServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

const investigation: [Reply, Reply] = [
  {
    type: "tool_calls",
    text: "Checking sign-ins first.",
    calls: [{ name: "get_signins", arguments: { user: "user0@corp.example" } }],
  },
  { type: "submit", output: submitted, usage: { input: 410, output: 52 } },
];

async function anthropic(timeout_ms = 2000) {
  server = await startAnthropicWire();
  const agent = testAgent({
    provider: "anthropic",
    model: "claude-test",
    base_url: server.url,
    retries: { max_attempts: 3, base_delay_ms: 5, timeout_ms },
  });
  return { server, agent, provider: createProvider(agent, { env: testEnv }) };
}

describe("anthropic provider over the messages wire", () => {
  it("runs a tool_use → tool_result → submit_triage investigation and sends the Anthropic wire format", async () => {
    const { server, agent, provider } = await anthropic();
    server.enqueue(...investigation);
    const { req1, c1, c2 } = await investigate(provider, agent);

    expect(c1.message).toEqual({
      role: "assistant",
      content: "Checking sign-ins first.",
      tool_calls: [{ id: "toolu_0_0", name: "get_signins", arguments: { user: "user0@corp.example" } }],
    });
    expect(c2.message.tool_calls[0]?.name).toBe(SUBMIT_TOOL);
    expect(TriageOutput.parse(c2.message.tool_calls[0]?.arguments).escalate).toBe(true);
    expect([c2.tokens_in, c2.tokens_out]).toEqual([410, 52]);
    expect(c2.model).toBe("claude-test");

    expect(server.requests).toHaveLength(2);
    const first = server.requests[0]!;
    expect(first.path).toBe("/v1/messages");
    // SDK 1.x sends the key as a bearer token; older releases used x-api-key
    const sentKey = first.headers["x-api-key"] ?? first.headers.authorization?.replace(/^Bearer /, "");
    expect(sentKey).toBe(TEST_KEY);
    expect(first.headers["anthropic-version"]).toBeTruthy();
    const body = server.requests[1]!.body as MessageCreateParamsNonStreaming;
    expect(body.system).toBe(req1.system);
    expect(body.max_tokens).toBe(1000);
    expect("temperature" in body).toBe(false); // API 2026-10-21 answers 400 to any sampling param
    expect(body.messages).toEqual([
      { role: "user", content: (req1.messages[0] as { content: string }).content },
      {
        role: "assistant",
        content: [
          { type: "text", text: "Checking sign-ins first." },
          { type: "tool_use", id: "toolu_0_0", name: "get_signins", input: { user: "user0@corp.example" } },
        ],
      },
      { role: "user", content: [{ type: "tool_result", tool_use_id: "toolu_0_0", content: SIGNINS_RESULT }] },
    ]);
    const tools = (body.tools ?? []) as Tool[];
    expect(tools.map((t) => t.name)).toEqual(["get_signins", "get_ip_reputation", "disable_account", SUBMIT_TOOL]);
    expect(tools[0]?.input_schema).toMatchObject({ type: "object", required: ["user"] });
    expect(tools[3]?.input_schema.properties).toMatchObject({
      verdict: { enum: ["true_positive", "benign_positive", "false_positive"] },
    });
  });

  it("leaves out a whitespace-only text block the model sent beside its tool_use: the API refuses it back", async () => {
    const { server, agent, provider } = await anthropic();
    server.enqueue(
      { type: "tool_calls", text: "\n\n", calls: [{ name: "get_signins", arguments: { user: "user0@corp.example" } }] },
      investigation[1],
    );
    await investigate(provider, agent);
    const body = server.requests[1]!.body as MessageCreateParamsNonStreaming;
    expect(body.messages[1]).toEqual({
      role: "assistant",
      content: [{ type: "tool_use", id: "toolu_0_0", name: "get_signins", input: { user: "user0@corp.example" } }],
    });
  });

  it("folds parallel tool results and a following note into one user turn", () => {
    const wire = toWireMessages([
      { role: "user", content: "triage" },
      {
        role: "assistant",
        content: null,
        tool_calls: [
          { id: "a", name: "get_signins", arguments: {} },
          { id: "b", name: "get_ip_reputation", arguments: {} },
        ],
      },
      { role: "tool", tool_call_id: "a", name: "get_signins", content: "A" },
      { role: "tool", tool_call_id: "b", name: "get_ip_reputation", content: "B" },
      { role: "user", content: "limit close: submit now" },
    ]);
    expect(wire).toHaveLength(3);
    expect(wire[2]).toEqual({
      role: "user",
      content: [
        { type: "tool_result", tool_use_id: "a", content: "A" },
        { type: "tool_result", tool_use_id: "b", content: "B" },
        { type: "text", text: "limit close: submit now" },
      ],
    });
  });

  it("honours retry-after-ms on a 429 before the next attempt", async () => {
    const { server, agent, provider } = await anthropic();
    server.enqueue({ type: "status", status: 429, headers: { "retry-after-ms": "600" } }, investigation[1]);
    const limiter = new RateLimiter({ concurrency: 1 });
    const r = await withRetries(() => provider.complete(firstRequest(agent)), agent.retries, limiter);
    expect(r.attempts).toBe(2);
    expect(server.requests[1]!.at - server.requests[0]!.at).toBeGreaterThanOrEqual(600);
  });

  it("retries 500 and 529 overloaded, then succeeds", async () => {
    const { server, agent, provider } = await anthropic();
    server.enqueue({ type: "status", status: 500 }, { type: "status", status: 529 }, investigation[1]);
    const r = await withRetries(() => provider.complete(firstRequest(agent)), agent.retries);
    expect(r.attempts).toBe(3);
    expect(r.value.tokens_in).toBe(410);
  });

  it("words an error in the API's own type and message, not the SDK's quote of the whole body", async () => {
    const { server, agent, provider } = await anthropic();
    server.enqueue(
      { type: "status", status: 529, message: "Overloaded" },
      { type: "status", status: 409, message: "conflict" },
      investigation[1],
    );
    const failures: string[] = [];
    const r = await withRetries(() => provider.complete(firstRequest(agent)), agent.retries, undefined, {
      onRetry: ({ error }) => failures.push(error.message),
    });
    expect(r.attempts).toBe(3);
    expect(failures).toEqual([
      "anthropic: HTTP 529: overloaded_error: Overloaded",
      "anthropic: HTTP 409: conflict_error: conflict",
    ]);
  });

  it("does not retry a 402 billing_error or a 400 for no credit: the model is unusable until the account is paid", async () => {
    const { server, agent, provider } = await anthropic();
    server.enqueue({ type: "status", status: 402, message: "Your credit balance is too low" });
    const err = await withRetries(() => provider.complete(firstRequest(agent)), agent.retries).catch((e) => e);
    expect(err.retryable).toBe(false);
    expect(err.unusable).toBe("refused");
    expect(attemptsOf(err)).toBe(1);
    expect(err.message).toBe(
      "anthropic: HTTP 402: billing_error: Your credit balance is too low (the account's quota or credit is spent: retrying will not help)",
    );
    // what the API answers an account without credit: a 400 like a bad request, unusable all the same
    server.enqueue({
      type: "status",
      status: 400,
      message:
        "Your credit balance is too low to access the Anthropic API. Please go to Plans & Billing to upgrade or purchase credits.",
    });
    const low = await provider.complete(firstRequest(agent)).catch((e) => e);
    expect(low.unusable).toBe("refused");
    expect(low.message).toMatch(
      /^anthropic: HTTP 400: invalid_request_error: Your credit balance is too low .*retrying will not help\)$/,
    );
    server.enqueue({ type: "status", status: 400, message: "max_tokens: must be at most 8192" });
    expect((await provider.complete(firstRequest(agent)).catch((e) => e)).unusable).toBeUndefined();
  });

  it("records a slow answer past the timeout as a failure with its attempts", async () => {
    const { server, agent, provider } = await anthropic(150);
    const slow = { type: "slow", delay_ms: 1000, reply: investigation[1] } as const;
    server.enqueue(slow, slow, slow);
    const err = await withRetries(() => provider.complete(firstRequest(agent)), agent.retries).catch((e) => e);
    expect(err).toBeInstanceOf(ProviderError);
    expect(err.message).toMatch(/timed out/);
    expect(attemptsOf(err)).toBe(3);
    expect(server.requests).toHaveLength(3);
  });

  it("says a 200 whose body is an HTML page is not JSON, and retries it", async () => {
    const { server, agent, provider } = await anthropic();
    server.enqueue({ type: "html" });
    const err = await provider.complete(firstRequest(agent)).catch((e) => e);
    expect(err).toBeInstanceOf(ProviderError);
    expect(err.retryable).toBe(true);
    expect(err.message).toMatch(/malformed response: the body is not JSON \(<html> <body><h1>Welcome to nginx!/);
  });

  it("reads a gateway's tool_use with its input as a JSON string and no id; retries one with no name", async () => {
    const { server, agent, provider } = await anthropic();
    const message = (content: unknown[]): Reply => ({
      type: "json",
      body: {
        id: "msg_gw",
        type: "message",
        role: "assistant",
        model: "claude-test",
        content,
        stop_reason: "tool_use",
        usage: { input_tokens: 5, output_tokens: 1 },
      },
    });
    server.enqueue(
      message([{ type: "tool_use", name: "get_signins", input: '{"user": "user0@corp.example"}' }]),
      message([{ type: "tool_use", id: "toolu_x", input: {} }]),
    );
    const c = await provider.complete(firstRequest(agent));
    expect(c.message.tool_calls).toEqual([
      { id: "toolu_0", name: "get_signins", arguments: { user: "user0@corp.example" } },
    ]);
    const err = await provider.complete(firstRequest(agent)).catch((e) => e);
    expect(err.retryable).toBe(true);
    expect(err.message).toBe("anthropic: malformed response: content[0] (tool_use) has no name");
  });

  it("quotes the error a 200 holds instead of content", async () => {
    const { server, agent, provider } = await anthropic();
    server.enqueue({
      type: "json",
      body: { type: "error", error: { type: "overloaded_error", message: "Overloaded" } },
    });
    const err = await provider.complete(firstRequest(agent)).catch((e) => e);
    expect(err.retryable).toBe(true);
    expect(err.message).toBe("anthropic: malformed response: no content array; the body is an error: Overloaded");
  });

  it("times out an answer that stalls after its headers, and retries it", async () => {
    // the SDK's own timeout ends once headers arrive; the attempt's deadline covers the body too
    const { server, agent, provider } = await anthropic(200);
    server.enqueue({ type: "stalled" }, { type: "stalled" }, { type: "stalled" });
    const started = Date.now();
    const err = await withRetries(() => provider.complete(firstRequest(agent)), agent.retries).catch((e) => e);
    expect(err).toBeInstanceOf(ProviderError);
    expect(err.retryable).toBe(true);
    expect(err.message).toMatch(/timed out \(no whole answer within 200 ms\)/);
    expect(attemptsOf(err)).toBe(3);
    expect(Date.now() - started).toBeLessThan(5000);
    server.enqueue({ type: "stalled" }, { type: "submit", output: submitted });
    expect((await withRetries(() => provider.complete(firstRequest(agent)), agent.retries)).attempts).toBe(2);
  });

  it.each(["malformed", "truncated"] as const)("retries a %s body", async (kind) => {
    const { server, agent, provider } = await anthropic();
    server.enqueue({ type: kind }, investigation[1]);
    const r = await withRetries(() => provider.complete(firstRequest(agent)), agent.retries);
    expect(r.attempts).toBe(2);
    expect(r.value.message.tool_calls[0]?.name).toBe(SUBMIT_TOOL);
  });

  it("does not retry a 401, and never repeats the key a server quotes", async () => {
    const { server, agent, provider } = await anthropic();
    server.enqueue({ type: "status", status: 401, message: `invalid x-api-key ${TEST_KEY}` });
    const err = await withRetries(() => provider.complete(firstRequest(agent)), agent.retries).catch((e) => e);
    expect(err.retryable).toBe(false);
    expect(attemptsOf(err)).toBe(1);
    expect(err.message).toBe(
      "anthropic: HTTP 401: authentication_error: invalid x-api-key [the API key] (the key in SOCEVAL_TEST_PROVIDER_KEY)",
    );
  });

  it("a 404 from a base URL that ends in /v1 says the SDK adds /v1/messages itself", async () => {
    server = await startAnthropicWire();
    const agent = testAgent({ provider: "anthropic", model: "claude-test", base_url: `${server.url}/v1` });
    const err = await createProvider(agent, { env: testEnv })
      .complete(firstRequest(agent))
      .catch((e) => e);
    expect(err.unusable).toBe("refused");
    expect(err.message).toBe(
      `anthropic: HTTP 404: not_found_error: no route POST /v1/v1/messages (asked ${server.url}/v1, set by base_url in ${agent.file}: ` +
        "a model name the server does not know, or not the API's address; the SDK adds /v1/messages itself: give the address without it)",
    );
  });

  it("passes the SDK's deprecated-model notice on once, not on every request", async () => {
    server = await startAnthropicWire();
    const agent = testAgent({
      provider: "anthropic",
      model: "claude-sonnet-4-5",
      base_url: server.url,
      retries: { max_attempts: 1, base_delay_ms: 5, timeout_ms: 2000 },
    });
    const provider = createProvider(agent, { env: testEnv });
    server.enqueue(...[1, 2, 3].map((): Reply => ({ type: "text", text: "done" })));
    const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
    const stderr = vi.spyOn(process.stderr, "write").mockImplementation(() => true);
    let warned: number;
    let written: string[];
    try {
      for (let i = 0; i < 3; i++) await provider.complete(firstRequest(agent));
    } finally {
      warned = warn.mock.calls.length;
      written = stderr.mock.calls.map((c) => String(c[0]));
      warn.mockRestore();
      stderr.mockRestore();
    }
    expect(server.requests).toHaveLength(3);
    expect(warned).toBe(0);
    const notices = written.filter((t) => t.includes("deprecated"));
    expect(notices).toHaveLength(1);
    expect(notices[0]).toMatch(/^soceval: warning: anthropic SDK: The model 'claude-sonnet-4-5' is deprecated .+\n$/);
    expect(notices[0]!.split("\n")).toHaveLength(2);
  });

  it("refuses to start without ANTHROPIC_API_KEY", () => {
    const agent = testAgent({ provider: "anthropic", api_key_env: undefined });
    expect(() => createProvider(agent, { env: {} })).toThrow(InputError);
    expect(() => createProvider(agent, { env: {} })).toThrow(/ANTHROPIC_API_KEY is not set/);
  });
});
