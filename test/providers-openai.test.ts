import type { ChatCompletionCreateParamsNonStreaming } from "openai/resources/chat/completions";
import { afterEach, describe, expect, it } from "vitest";
import { InputError } from "../src/io/errors.js";
import { effectiveBaseUrl } from "../src/providers/base-url.js";
import { createProvider } from "../src/providers/index.js";
import { ProviderError, SUBMIT_TOOL } from "../src/providers/types.js";
import { RateLimiter } from "../src/replay/rate-limit.js";
import { attemptsOf, withRetries } from "../src/replay/retry.js";
import { TriageOutput } from "../src/schema/index.js";
import { submitted, TEST_KEY, testAgent, testEnv } from "./servers/agents.js";
import { firstRequest, investigate, SIGNINS_RESULT } from "./servers/investigation.js";
import { startOpenAIWire } from "./servers/openai-wire.js";
import type { Reply, WireServer } from "./servers/wire.js";

let server: WireServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

const investigation: [Reply, Reply] = [
  { type: "tool_calls", calls: [{ name: "get_signins", arguments: { user: "user0@corp.example" } }] },
  { type: "submit", output: submitted, usage: { input: 321, output: 45 } },
];

/** A 200 chat completion whose message is exactly this, as a server other than OpenAI may write it. */
function answerWith(message: Record<string, unknown>): Reply {
  return {
    type: "json",
    body: {
      id: "chatcmpl-loose",
      object: "chat.completion",
      created: 1767225600,
      model: "test-model",
      choices: [{ index: 0, message: { role: "assistant", content: null, ...message }, finish_reason: "tool_calls" }],
      usage: { prompt_tokens: 5, completion_tokens: 1, total_tokens: 6 },
    },
  };
}

async function openai(kind: "openai" | "openai-compatible" = "openai", timeout_ms = 2000) {
  server = await startOpenAIWire();
  const agent = testAgent({
    provider: kind,
    base_url: server.url,
    retries: { max_attempts: 3, base_delay_ms: 5, timeout_ms },
  });
  return { server, agent, provider: createProvider(agent, { env: testEnv }) };
}

describe("openai provider over the chat-completions wire", () => {
  it("runs a tool call → tool result → submit_triage investigation and sends the OpenAI wire format", async () => {
    const { server, agent, provider } = await openai();
    server.enqueue(...investigation);
    const { req1, c1, c2 } = await investigate(provider, agent);

    expect(c1.message.tool_calls).toEqual([
      { id: "call_0_0", name: "get_signins", arguments: { user: "user0@corp.example" } },
    ]);
    expect(c2.message.tool_calls[0]?.name).toBe(SUBMIT_TOOL);
    expect(TriageOutput.parse(c2.message.tool_calls[0]?.arguments).verdict).toBe("true_positive");
    expect([c2.tokens_in, c2.tokens_out]).toEqual([321, 45]);
    expect(c2.model).toBe("test-model");
    expect(c2.latency_ms).toBeGreaterThanOrEqual(0);

    expect(server.requests).toHaveLength(2);
    const first = server.requests[0]!;
    expect(first.path).toBe("/v1/chat/completions");
    expect(first.headers.authorization).toBe(`Bearer ${TEST_KEY}`);
    const body = server.requests[1]!.body as ChatCompletionCreateParamsNonStreaming;
    expect(body.model).toBe("test-model");
    expect(body.temperature).toBe(0);
    expect(body.max_completion_tokens).toBe(1000);
    expect(body.messages).toEqual([
      { role: "system", content: req1.system },
      { role: "user", content: (req1.messages[0] as { content: string }).content },
      {
        role: "assistant",
        content: null,
        tool_calls: [
          {
            id: "call_0_0",
            type: "function",
            function: { name: "get_signins", arguments: JSON.stringify({ user: "user0@corp.example" }) },
          },
        ],
      },
      { role: "tool", tool_call_id: "call_0_0", content: SIGNINS_RESULT },
    ]);
    const tools = (body.tools ?? []).map((t) => (t.type === "function" ? t.function : undefined));
    expect(tools.map((f) => f?.name)).toEqual(["get_signins", "get_ip_reputation", "disable_account", SUBMIT_TOOL]);
    expect(tools[0]?.parameters).toMatchObject({ type: "object", required: ["user"] });
    expect(tools[3]?.parameters?.required).toEqual(["verdict", "confidence", "escalate", "summary"]);
  });

  it("openai-compatible sends max_tokens and works without any key", async () => {
    server = await startOpenAIWire([{ type: "text", text: "{}" }]);
    const agent = testAgent({ provider: "openai-compatible", base_url: server.url, api_key_env: undefined });
    const provider = createProvider(agent, { env: {} });
    const c = await provider.complete(firstRequest(agent));
    expect(c.message).toEqual({ role: "assistant", content: "{}", tool_calls: [] });
    const body = server.requests[0]!.body as Record<string, unknown>;
    expect(body.max_tokens).toBe(1000);
    expect(body.max_completion_tokens).toBeUndefined();
  });

  it("takes the base URL from OPENAI_BASE_URL when the agent names none", async () => {
    server = await startOpenAIWire([{ type: "text", text: "ok" }]);
    const agent = testAgent({ provider: "openai-compatible", base_url: undefined });
    const provider = createProvider(agent, { env: { ...testEnv, OPENAI_BASE_URL: server.url } });
    await provider.complete(firstRequest(agent));
    expect(server.requests).toHaveLength(1);
  });

  it("lets OPENAI_BASE_URL override the agent file's base_url (the bundled local-llama agent names one)", async () => {
    server = await startOpenAIWire([{ type: "text", text: "ok" }]);
    const agent = testAgent({ provider: "openai-compatible", base_url: "http://127.0.0.1:9/v1" });
    const provider = createProvider(agent, { env: { ...testEnv, OPENAI_BASE_URL: server.url } });
    await provider.complete(firstRequest(agent));
    expect(server.requests).toHaveLength(1);
    // and an empty variable is no override
    expect(effectiveBaseUrl(agent, { OPENAI_BASE_URL: "" })).toBe("http://127.0.0.1:9/v1");
  });

  it("keeps unparseable tool arguments under _raw and sends them back verbatim", async () => {
    const { server, agent, provider } = await openai();
    const broken = '{"user": "user0@corp.example"';
    server.enqueue(
      { type: "tool_calls", calls: [{ name: "get_signins", arguments: broken }] },
      { type: "text", text: "x" },
    );
    const { c1 } = await investigate(provider, agent);
    expect(c1.message.tool_calls[0]?.arguments).toEqual({ _raw: broken });
    const sent = (server.requests[1]!.body as ChatCompletionCreateParamsNonStreaming).messages[2];
    expect(sent).toMatchObject({ role: "assistant", tool_calls: [{ function: { arguments: broken } }] });
  });

  it("reads the tool calls local servers write loosely: no type, no id, arguments empty or an object", async () => {
    const { server, agent, provider } = await openai("openai-compatible");
    server.enqueue(
      answerWith({
        tool_calls: [
          { function: { name: "get_signins", arguments: { user: "user0@corp.example" } } },
          { id: "c2", type: "function", function: { name: "get_signins", arguments: "" } },
          { id: "c3", type: "custom", custom: { name: "grammar", input: "x" } },
        ],
      }),
    );
    const c = await provider.complete(firstRequest(agent));
    expect(c.message.tool_calls).toEqual([
      { id: "call_0", name: "get_signins", arguments: { user: "user0@corp.example" } },
      { id: "c2", name: "get_signins", arguments: {} },
    ]);
  });

  it("reads an answer sent as content parts, and retries content that is not text", async () => {
    const { server, agent, provider } = await openai("openai-compatible");
    const parts = [
      { type: "text", text: '{"verdict": "false_positive",' },
      { type: "text", text: ' "confidence": 0.6}' },
    ];
    server.enqueue(answerWith({ content: parts }), answerWith({ content: 42 }));
    const c = await provider.complete(firstRequest(agent));
    expect(c.message.content).toBe('{"verdict": "false_positive", "confidence": 0.6}');
    const err = await provider.complete(firstRequest(agent)).catch((e) => e);
    expect(err.retryable).toBe(true);
    expect(err.message).toBe("openai-compatible: malformed response: choices[0].message.content is number, not text");
  });

  it("retries an answer whose tool call has no name, or whose tool_calls is not a list", async () => {
    const { server, agent, provider } = await openai();
    server.enqueue(
      answerWith({ tool_calls: [{ id: "c1", type: "function", function: { arguments: "{}" } }] }),
      answerWith({ tool_calls: "get_signins" }),
    );
    const nameless = await provider.complete(firstRequest(agent)).catch((e) => e);
    expect(nameless.retryable).toBe(true);
    expect(nameless.message).toBe("openai: malformed response: tool_calls[0] has no function name");
    const notAList = await provider.complete(firstRequest(agent)).catch((e) => e);
    expect(notAList.retryable).toBe(true);
    expect(notAList.message).toBe("openai: malformed response: choices[0].message.tool_calls is not a list");
  });

  it("honours retry-after on a 429 before the next attempt", async () => {
    const { server, agent, provider } = await openai();
    server.enqueue({ type: "status", status: 429, headers: { "retry-after": "1" } }, investigation[1]);
    const limiter = new RateLimiter({ requestsPerMinute: 600, concurrency: 2 });
    const r = await withRetries(() => provider.complete(firstRequest(agent)), agent.retries, limiter);
    expect(r.attempts).toBe(2);
    expect(r.value.message.tool_calls[0]?.name).toBe(SUBMIT_TOOL);
    const waited = server.requests[1]!.at - server.requests[0]!.at;
    expect(waited).toBeGreaterThanOrEqual(1000);
    expect(limiter.rpm).toBeLessThan(600); // halved, then one success added a step back
  });

  it("retries 500s and then succeeds", async () => {
    const { server, agent, provider } = await openai();
    server.enqueue({ type: "status", status: 500 }, { type: "status", status: 503 }, investigation[1]);
    const r = await withRetries(() => provider.complete(firstRequest(agent)), agent.retries);
    expect(r.attempts).toBe(3);
    expect(server.requests).toHaveLength(3);
  });

  it("records a slow answer past the timeout as a retryable failure with its attempts", async () => {
    const { server, agent, provider } = await openai("openai", 150);
    const slow = { type: "slow", delay_ms: 1000, reply: investigation[1] } as const;
    server.enqueue(slow, slow, slow);
    const started = Date.now();
    const err = await withRetries(() => provider.complete(firstRequest(agent)), agent.retries).catch((e) => e);
    expect(err).toBeInstanceOf(ProviderError);
    expect(err.retryable).toBe(true);
    expect(err.message).toMatch(/timed out/);
    expect(attemptsOf(err)).toBe(3);
    expect(Date.now() - started).toBeLessThan(1000); // we gave up on each after ~150 ms
  });

  it("a slow answer then a prompt one succeeds on the second attempt", async () => {
    const { server, agent, provider } = await openai("openai", 150);
    server.enqueue({ type: "slow", delay_ms: 1000, reply: investigation[1] }, investigation[1]);
    const r = await withRetries(() => provider.complete(firstRequest(agent)), agent.retries);
    expect(r.attempts).toBe(2);
  });

  it.each(["malformed", "truncated"] as const)("treats a %s body as retryable", async (kind) => {
    const { server, agent, provider } = await openai();
    server.enqueue({ type: kind });
    const err = await provider.complete(firstRequest(agent)).catch((e) => e);
    expect(err).toBeInstanceOf(ProviderError);
    expect(err.retryable).toBe(true);

    server.enqueue({ type: kind }, investigation[1]);
    const r = await withRetries(() => provider.complete(firstRequest(agent)), agent.retries);
    expect(r.attempts).toBe(2);
  });

  it("says a 200 whose body is an HTML page is not JSON, and retries it", async () => {
    const { server, agent, provider } = await openai();
    server.enqueue({ type: "html" });
    const err = await provider.complete(firstRequest(agent)).catch((e) => e);
    expect(err).toBeInstanceOf(ProviderError);
    expect(err.retryable).toBe(true);
    expect(err.message).toMatch(/malformed response: the body is not JSON \(<html> <body><h1>Welcome to nginx!/);
  });

  it("quotes a gateway's error from a 200 that holds no choices, and retries it", async () => {
    const { server, agent, provider } = await openai();
    const gateway: Reply = { type: "json", body: { error: { message: "Upstream\n  provider timed out", code: 504 } } };
    server.enqueue(gateway, investigation[1]);
    const err = await provider.complete(firstRequest(agent)).catch((e) => e);
    expect(err.retryable).toBe(true);
    expect(err.message).toBe(
      "openai: malformed response: no choices[0].message; the body is an error: Upstream provider timed out",
    );
    expect((await provider.complete(firstRequest(agent))).tokens_in).toBe(321);
  });

  it("times out an answer that stalls after its headers, and retries it", async () => {
    // the SDK's own timeout ends once headers arrive; the attempt's deadline covers the body too
    const { server, agent, provider } = await openai("openai", 200);
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

  it("retries a 409 as both SDKs do, and obeys the server's x-should-retry either way", async () => {
    const { server, agent, provider } = await openai();
    server.enqueue({ type: "status", status: 409, message: "lock timeout" }, investigation[1]);
    expect((await withRetries(() => provider.complete(firstRequest(agent)), agent.retries)).attempts).toBe(2);

    server.enqueue({ type: "status", status: 503, headers: { "x-should-retry": "false" } });
    const err = await withRetries(() => provider.complete(firstRequest(agent)), agent.retries).catch((e) => e);
    expect(err.retryable).toBe(false);
    expect(attemptsOf(err)).toBe(1);
    server.enqueue({ type: "status", status: 400, headers: { "x-should-retry": "true" } }, investigation[1]);
    expect((await withRetries(() => provider.complete(firstRequest(agent)), agent.retries)).attempts).toBe(2);
  });

  it("does not retry a 429 for a spent quota: says so, and the model is unusable, not rate limited", async () => {
    const { server, agent, provider } = await openai();
    const quota = (type: string, code: string): Reply => ({
      type: "status",
      status: 429,
      body: { error: { message: "You exceeded your current quota.", type, param: null, code } },
    });
    server.enqueue(quota("insufficient_quota", "insufficient_quota"));
    // nor does it slow the run's pace: a spent quota is no rate, and halving for each case it fails
    // would leave the rest of a run crawling at one request a minute
    const limiter = new RateLimiter({ requestsPerMinute: 600, concurrency: 2 });
    const err = await withRetries(() => provider.complete(firstRequest(agent)), agent.retries, limiter).catch((e) => e);
    expect(limiter.rpm).toBe(600);
    expect(err.retryable).toBe(false);
    expect(err.unusable).toBe("refused");
    expect(attemptsOf(err)).toBe(1);
    expect(server.requests).toHaveLength(1);
    expect(err.message).toBe(
      "openai: HTTP 429: You exceeded your current quota. (the account's quota or credit is spent: retrying will not help)",
    );
    // OpenAI's newer codes come under the old type or alone
    server.enqueue(quota("requests", "credit_balance_exhausted"));
    expect((await provider.complete(firstRequest(agent)).catch((e) => e)).unusable).toBe("refused");
    // a rate limit is still waited out and retried
    server.enqueue({ type: "status", status: 429, message: "Rate limit reached for requests" }, investigation[1]);
    expect((await withRetries(() => provider.complete(firstRequest(agent)), agent.retries)).attempts).toBe(2);
  });

  it("says a proxy's HTML error page in its title, on one line, not as its whole markup", async () => {
    const { server, agent, provider } = await openai();
    const styles = "body{margin:0;padding:0}".repeat(300);
    server.enqueue(
      {
        type: "status",
        status: 502,
        html: `<!DOCTYPE html>\n<html>\n<head><title>gw.example | 502: Bad gateway</title><style>${styles}</style></head>\n<body><h1>Bad gateway</h1></body></html>\n`,
      },
      {
        type: "status",
        status: 504,
        html: `<html><head><style>${styles}</style></head><body><h1>504 Gateway Time-out</h1>\n<hr><center>nginx</center></body></html>`,
      },
      { type: "status", status: 503, html: `upstream connect error ${"x".repeat(600)}` },
    );
    const errors: string[] = [];
    for (let i = 0; i < 3; i++) errors.push((await provider.complete(firstRequest(agent)).catch((e) => e)).message);
    expect(errors[0]).toBe("openai: HTTP 502: gw.example | 502: Bad gateway (an HTML page)");
    expect(errors[1]).toBe("openai: HTTP 504: 504 Gateway Time-out nginx (an HTML page)");
    expect(errors[2]).toHaveLength("openai: HTTP 503: ".length + 500);
    expect(errors[2]!.endsWith("x…")).toBe(true);
  });

  it("does not retry a 400", async () => {
    const { server, agent, provider } = await openai();
    server.enqueue({ type: "status", status: 400, message: "bad tools" }, investigation[1]);
    const err = await withRetries(() => provider.complete(firstRequest(agent)), agent.retries).catch((e) => e);
    expect(err).toBeInstanceOf(ProviderError);
    expect(err.retryable).toBe(false);
    expect(err.status).toBe(400);
    expect(attemptsOf(err)).toBe(1);
    expect(server.requests).toHaveLength(1);
  });

  it("says why a connection failed (the socket's error) and what set the address", async () => {
    // a port that was just listening and is closed now: nothing answers there
    const closed = await startOpenAIWire();
    const url = closed.url;
    await closed.close();
    const port = new URL(url).port;
    const viaEnv = testAgent({ provider: "openai-compatible", base_url: "http://127.0.0.1:9/v1" });
    const err = await createProvider(viaEnv, { env: { ...testEnv, OPENAI_BASE_URL: url } })
      .complete(firstRequest(viaEnv))
      .catch((e) => e);
    expect(err).toBeInstanceOf(ProviderError);
    expect(err.unusable).toBe("no connection");
    expect(err.message).toBe(
      `openai-compatible: connection failed to ${url}, set by OPENAI_BASE_URL (connect ECONNREFUSED 127.0.0.1:${port})`,
    );
    const inFile = testAgent({ provider: "openai", base_url: url });
    const err2 = await createProvider(inFile, { env: testEnv })
      .complete(firstRequest(inFile))
      .catch((e) => e);
    expect(err2.message).toContain(
      `connection failed to ${url}, set by base_url in ${inFile.file} (connect ECONNREFUSED`,
    );
  });

  it("a 404 names the address it asked, and says OpenAI-compatible servers answer under /v1", async () => {
    server = await startOpenAIWire();
    const origin = server.url.replace(/\/v1$/, "");
    const noPath = testAgent({ provider: "openai-compatible", base_url: origin });
    const err = await createProvider(noPath, { env: testEnv })
      .complete(firstRequest(noPath))
      .catch((e) => e);
    expect(err.unusable).toBe("refused");
    expect(err.message).toBe(
      `openai-compatible: HTTP 404: no route POST /chat/completions (asked ${origin}, set by base_url in ${noPath.file}: ` +
        "a model name the server does not know, or not the API's address; OpenAI-compatible servers answer under …/v1)",
    );
    // under /v1 the path is not the suspect
    server.enqueue({ type: "status", status: 404, message: "model 'llama9' not found" });
    const underV1 = testAgent({ provider: "openai-compatible", base_url: server.url });
    const err2 = await createProvider(underV1, { env: testEnv })
      .complete(firstRequest(underV1))
      .catch((e) => e);
    expect(err2.message).toBe(
      `openai-compatible: HTTP 404: model 'llama9' not found (asked ${server.url}, set by base_url in ${underV1.file}: ` +
        "a model name the server does not know, or not the API's address)",
    );
    // the endpoint itself, copied from an API reference
    const endpoint = testAgent({ provider: "openai-compatible", base_url: `${server.url}/chat/completions` });
    const err3 = await createProvider(endpoint, { env: testEnv })
      .complete(firstRequest(endpoint))
      .catch((e) => e);
    expect(err3.message).toMatch(/; the SDK adds \/chat\/completions itself: give the API's root \(…\/v1\)\)$/);
  });

  it("names the variable whose key the server refused, never the key", async () => {
    const { server, agent, provider } = await openai();
    server.enqueue({ type: "status", status: 401, message: "Incorrect API key provided" });
    const err = await provider.complete(firstRequest(agent)).catch((e) => e);
    expect(err.unusable).toBe("refused");
    expect(err.message).toBe("openai: HTTP 401: Incorrect API key provided (the key in SOCEVAL_TEST_PROVIDER_KEY)");
    expect(err.message).not.toContain(TEST_KEY);
  });

  it("cuts the key out of a server's words that quote it: a proxy's 401, a 200 holding an error", async () => {
    const { server, agent, provider } = await openai("openai-compatible");
    server.enqueue(
      { type: "status", status: 401, message: `Invalid proxy token passed: ${TEST_KEY}` },
      { type: "json", body: { error: { message: `key ${TEST_KEY} is blocked` } } },
    );
    const refused = await provider.complete(firstRequest(agent)).catch((e) => e);
    expect(refused.message).toBe(
      "openai-compatible: HTTP 401: Invalid proxy token passed: [the API key] (the key in SOCEVAL_TEST_PROVIDER_KEY)",
    );
    const gateway = await provider.complete(firstRequest(agent)).catch((e) => e);
    expect(gateway).toBeInstanceOf(ProviderError);
    expect(gateway.message).toMatch(/the body is an error: key \[the API key\] is blocked$/);
    // a placeholder key a local server ignores is no secret: the words around it stay whole
    server.enqueue({ type: "status", status: 404, message: "model 'ollama/llama3' not found" });
    const placeholder = createProvider(agent, { env: { SOCEVAL_TEST_PROVIDER_KEY: "ollama" } });
    const missing = await placeholder.complete(firstRequest(agent)).catch((e) => e);
    expect(missing.message).toContain("HTTP 404: model 'ollama/llama3' not found");
  });

  it("refuses to start without the API key, naming the variable but never a value", () => {
    const agent = testAgent({ provider: "openai", base_url: "http://127.0.0.1:9/v1" });
    expect(() => createProvider(agent, { env: {} })).toThrow(InputError);
    expect(() => createProvider(agent, { env: {} })).toThrow(/SOCEVAL_TEST_PROVIDER_KEY is not set/);
    const noEnv = testAgent({ provider: "openai", api_key_env: undefined });
    expect(() => createProvider(noEnv, { env: {} })).toThrow(/OPENAI_API_KEY/);
  });

  it("refuses a key of two lines before any request, naming the variable but not the value", () => {
    const agent = testAgent({ provider: "openai", base_url: "http://127.0.0.1:9/v1" });
    const twoLines = { SOCEVAL_TEST_PROVIDER_KEY: `${TEST_KEY}\nsk-another-pasted-key` };
    expect(() => createProvider(agent, { env: twoLines })).toThrow(InputError);
    const err = (() => {
      try {
        createProvider(agent, { env: twoLines });
      } catch (e) {
        return e as Error;
      }
    })();
    expect(err?.message).toMatch(
      /environment variable SOCEVAL_TEST_PROVIDER_KEY holds a line break or another control character inside the key/,
    );
    expect(err?.message).not.toContain(TEST_KEY);
    // a trailing newline (a key file read whole) is no harm: fetch trims it
    expect(() => createProvider(agent, { env: { SOCEVAL_TEST_PROVIDER_KEY: `${TEST_KEY}\n` } })).not.toThrow();
  });
});
