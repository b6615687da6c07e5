import { appendFileSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import { InputError } from "../src/io/errors.js";
import { createProvider } from "../src/providers/index.js";
import {
  changedOf,
  createRecorder,
  createReplayProvider,
  dropIncompleteLastLine,
  Recording,
  recordingsFileOf,
  requestKey,
} from "../src/providers/replay.js";
import { type Completion, type CompletionRequest, type Provider, ProviderError } from "../src/providers/types.js";
import { attemptsOf, withRetries } from "../src/replay/retry.js";
import { submitted, testAgent, testEnv } from "./servers/agents.js";
import { startAnthropicWire } from "./servers/anthropic-wire.js";
import { firstRequest, investigate } from "./servers/investigation.js";
import { startOpenAIWire } from "./servers/openai-wire.js";
import type { Reply, WireServer } from "./servers/wire.js";

let server: WireServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

const tmp = () => mkdtempSync(join(tmpdir(), "soceval-replay-"));

const script: [Reply, Reply] = [
  { type: "tool_calls", calls: [{ name: "get_signins", arguments: { user: "user0@corp.example" } }] },
  { type: "submit", output: submitted, usage: { input: 200, output: 40 } },
];

/** A sampled model in miniature: it answers with the text `say` gives for the request, at no cost. */
function sampler(say: (req: CompletionRequest) => string): Provider {
  return {
    kind: "test-sampler",
    simulated: false,
    complete: async (req) => ({
      message: { role: "assistant", content: say(req), tool_calls: [] },
      model: "m",
      tokens_in: 1,
      tokens_out: 1,
      latency_ms: 1,
    }),
  };
}

describe("recording and replay", () => {
  it.each([
    ["openai", startOpenAIWire],
    ["anthropic", startAnthropicWire],
  ] as const)("replays a recorded %s investigation with the server gone", async (kind, start) => {
    const file = join(tmp(), "nested", "recordings.jsonl");
    server = await start([...script]);
    const live = testAgent({ provider: kind, base_url: server.url });
    const recorded = await investigate(createProvider(live, { env: testEnv, record: file }), live);
    await server.close();
    server = undefined;

    const lines = readFileSync(file, "utf8")
      .trim()
      .split("\n")
      .map((l) => Recording.parse(JSON.parse(l)));
    expect(lines).toHaveLength(2);
    expect(lines[0]!.key).toBe(requestKey(recorded.req1));
    expect(lines[1]!.key).toBe(requestKey(recorded.req2));

    const replayAgent = testAgent({ provider: "replay", recordings: file });
    const replayed = await investigate(createProvider(replayAgent, { env: {} }), replayAgent);
    expect(replayed.c1).toEqual(recorded.c1);
    expect(replayed.c2).toEqual(recorded.c2);
    expect(replayed.req2.messages).toEqual(recorded.req2.messages);
  });

  it("replays a recorded refusal as a refusal", async () => {
    const file = join(tmp(), "recordings.jsonl");
    server = await startOpenAIWire([{ type: "refusal", text: "I can't help with that." }]);
    const live = testAgent({ provider: "openai", base_url: server.url });
    const recorded = await createProvider(live, { env: testEnv, record: file }).complete(firstRequest(live));
    expect(recorded.refusal).toBe("I can't help with that.");
    const replayAgent = testAgent({ provider: "replay", recordings: file });
    const replayed = await createProvider(replayAgent, { env: {} }).complete(firstRequest(replayAgent));
    expect(replayed).toEqual(recorded);
  });

  it("fails a cache miss at once with a clear, non-retryable error naming the key", async () => {
    const file = join(tmp(), "empty.jsonl");
    writeFileSync(file, "");
    const agent = testAgent({ provider: "replay", recordings: file });
    const provider = createProvider(agent, {});
    const req = firstRequest(agent);
    const err = await withRetries(() => provider.complete(req), agent.retries).catch((e) => e);
    expect(err).toBeInstanceOf(ProviderError);
    expect(err.retryable).toBe(false);
    expect(attemptsOf(err)).toBe(1);
    expect(err.message).toContain(requestKey(req));
    expect(err.message).toContain("no recorded response");
  });

  it("keys on what changes the answer and nothing else", () => {
    const req = firstRequest(testAgent());
    const reordered = { tools: req.tools, messages: req.messages, model: req.model, system: req.system };
    expect(requestKey({ ...reordered, temperature: req.temperature, max_tokens: req.max_tokens })).toBe(
      requestKey(req),
    );
    expect(requestKey({ ...req, signal: new AbortController().signal })).toBe(requestKey(req));
    expect(requestKey({ ...req, temperature: 0.7 })).not.toBe(requestKey(req));
    expect(requestKey({ ...req, model: "other" })).not.toBe(requestKey(req));
    expect(requestKey({ ...req, system: `${req.system} ` })).not.toBe(requestKey(req));
    expect(requestKey({ ...req, tools: req.tools.slice(1) })).not.toBe(requestKey(req));
  });

  it("a replay agent that leaves out the recording agent's temperature misses, and the error says what must match", async () => {
    // the README's recipe: a replay agent file copied from the live one; forgetting its params is the usual slip
    const file = join(tmp(), "params.jsonl");
    const live = firstRequest(testAgent({ params: { temperature: 0 } }));
    const completion: Completion = {
      message: { role: "assistant", content: "x", tool_calls: [] },
      model: "m",
      tokens_in: 1,
      tokens_out: 1,
      latency_ms: 1,
    };
    writeFileSync(file, `${JSON.stringify({ key: requestKey(live), completion })}\n`);
    const replay = createReplayProvider(file);
    expect((await replay.complete(live)).message.content).toBe("x");
    const err = await replay.complete({ ...live, temperature: undefined }).catch((e) => e);
    expect(err).toBeInstanceOf(ProviderError);
    expect(err.message).toContain("the key covers model, prompt, tools, temperature and max_tokens");
  });

  it("a miss names what changed against the recorded request of the same conversation, or that none was recorded", async () => {
    const file = join(tmp(), "changed.jsonl");
    server = await startOpenAIWire([...script]);
    const live = testAgent({ base_url: server.url });
    await investigate(createProvider(live, { env: testEnv, record: file }), live);
    const replay = createReplayProvider(file);
    const req = firstRequest(live);
    const [signins, ...others] = req.tools;
    const changed = {
      ...req,
      temperature: 0.7,
      tools: [{ ...signins!, description: `${signins!.description}, newest first` }, ...others.slice(1)],
    };
    const err = await replay.complete(changed).catch((e: Error) => e);
    expect(err).toBeInstanceOf(ProviderError);
    expect(changedOf((err as Error).message)).toBe(
      `tool ${others[0]!.name} (offered when recorded, not now); tool ${signins!.name} (its description or parameters); temperature (0, now 0.7)`,
    );
    const system = await replay.complete({ ...req, system: `${req.system}\n` }).catch((e: Error) => e);
    expect(changedOf((system as Error).message)).toBe(
      "the system prompt (the prompt template, or the workflow or alert it shows)",
    );
    const unrecorded = { ...req, messages: [{ role: "user" as const, content: "another alert" }] };
    const none = await replay.complete(unrecorded).catch((e: Error) => e);
    expect((none as Error).message).toMatch(/No recorded request has this conversation so far/);
    // the file named in the message is still read whole by the gate's and the run's SQL
    expect(recordingsFileOf((err as Error).message)).toBe(file);
  });

  it("refuses a recordings file holding a byte that is not UTF-8, naming its line", () => {
    const file = join(tmp(), "latin1.jsonl");
    const key = "a".repeat(64);
    const good = `${JSON.stringify({ key, stopped: { max_seconds_after_ms: 5 } })}\n`;
    writeFileSync(
      file,
      Buffer.concat([Buffer.from(good), Buffer.from(`{"key":"${key}","note":"Jos\xe9"}\n`, "latin1")]),
    );
    expect(() => createReplayProvider(file)).toThrow(`${file}:2: not UTF-8 text (a byte that is not UTF-8 at column`);
  });

  it("refuses to record into a file that is not a recordings file, leaving it as it was", async () => {
    const dir = tmp();
    const suite = join(dir, "shadow.suite.yaml");
    const cases = join(dir, "cases.jsonl");
    const store = join(dir, "soceval.duckdb");
    writeFileSync(suite, "\nname: x\nworkflow: workflow.yaml\n");
    writeFileSync(cases, '{"id":"c-1","workflow":"w"}\n');
    // a store's bytes: no newline at its end, which recording would cut away first
    writeFileSync(store, Buffer.concat([Buffer.alloc(8), Buffer.from("DUCK\n\u0000\u0001binary")]));
    for (const file of [suite, cases, store]) {
      const before = readFileSync(file);
      expect(() =>
        createRecorder(
          file,
          sampler(() => "x"),
        ),
      ).toThrow(InputError);
      expect(() =>
        createRecorder(
          file,
          sampler(() => "x"),
        ),
      ).toThrow(`--record ${file}: not a recordings file (its first line is not a recording)`);
      expect(readFileSync(file).equals(before)).toBe(true);
    }
  });

  it("answers a request recorded several times (epochs) with each recording in turn", async () => {
    const file = join(tmp(), "epochs.jsonl");
    let n = 0;
    const recorder = createRecorder(
      file,
      sampler(() => `answer ${n++}`),
    );
    const req = firstRequest(testAgent());
    for (let i = 0; i < 3; i++) await recorder.complete(req);
    const replay = createReplayProvider(file);
    const answers: (string | null)[] = [];
    for (let i = 0; i < 4; i++) answers.push((await replay.complete(req)).message.content);
    expect(answers).toEqual(["answer 0", "answer 1", "answer 2", "answer 0"]);
    // a file that names no epochs (an older soceval's) answers any epoch from them, in turn
    expect((await replay.complete({ ...req, epoch: 5 })).message.content).toMatch(/^answer [012]$/);
  });

  it("answers a request recorded again into the same file (--record afresh) with the newer session's answers", async () => {
    const file = join(tmp(), "again.jsonl");
    const req = firstRequest(testAgent());
    let n = 0;
    // the first session records two answers to one request (two cases with one alert), the second one
    const first = createRecorder(
      file,
      sampler(() => `old ${n++}`),
    );
    await first.complete(req);
    await first.complete(req);
    await first.complete({ ...req, epoch: 1 });
    await createRecorder(
      file,
      sampler(() => "new"),
    ).complete(req);
    const replay = createReplayProvider(file);
    const answers: (string | null)[] = [];
    for (let i = 0; i < 2; i++) answers.push((await replay.complete(req)).message.content);
    expect(answers).toEqual(["new", "new"]);
    // an epoch only the first session recorded keeps its answer
    expect((await replay.complete({ ...req, epoch: 1 })).message.content).toBe("old 2");
    // and within the first session alone, its two answers still come in turn
    const older = join(tmp(), "older.jsonl");
    writeFileSync(older, readFileSync(file, "utf8").split("\n").slice(0, 2).join("\n"));
    const replayOlder = createReplayProvider(older);
    expect((await replayOlder.complete(req)).message.content).toBe("old 0");
    expect((await replayOlder.complete(req)).message.content).toBe("old 1");
  });

  it("answers each epoch with its own recording, whatever order concurrency asks them in", async () => {
    const file = join(tmp(), "epoch-order.jsonl");
    const recorder = createRecorder(
      file,
      sampler((r) => `epoch ${r.epoch} answer`),
    );
    const req = firstRequest(testAgent());
    for (const epoch of [0, 1, 2]) await recorder.complete({ ...req, epoch });
    expect(
      readFileSync(file, "utf8")
        .trim()
        .split("\n")
        .map((l) => JSON.parse(l).epoch),
    ).toEqual([0, 1, 2]);
    const replay = createReplayProvider(file);
    const answers: (string | null)[] = [];
    for (const epoch of [2, 0, 1, 0]) answers.push((await replay.complete({ ...req, epoch })).message.content);
    expect(answers).toEqual(["epoch 2 answer", "epoch 0 answer", "epoch 1 answer", "epoch 0 answer"]);
    // an epoch never recorded is a miss, not another epoch's answer passed off as its own: with
    // --epochs 4 over three recorded, the fourth repeated one of them and the run looked steadier
    await expect(replay.complete({ ...req, epoch: 3 })).rejects.toThrow(
      /^replay: no recorded response for epoch 3 of request \S+ \(model .*\) in .*epoch-order\.jsonl; the key covers each epoch: this request was recorded in epochs 0, 1, 2 only/,
    );
  });

  it("returns copies, so a caller mutating a completion cannot change the recording", async () => {
    const file = join(tmp(), "copy.jsonl");
    const req = firstRequest(testAgent());
    const completion: Completion = {
      message: { role: "assistant", content: "x", tool_calls: [{ id: "1", name: "t", arguments: { a: 1 } }] },
      model: "m",
      tokens_in: 1,
      tokens_out: 1,
      latency_ms: 1,
    };
    writeFileSync(file, `${JSON.stringify({ key: requestKey(req), completion })}\n`);
    const replay = createReplayProvider(file);
    const a = await replay.complete(req);
    a.message.tool_calls[0]!.arguments.a = 2;
    expect((await replay.complete(req)).message.tool_calls[0]?.arguments).toEqual({ a: 1 });
  });

  it("rejects a damaged recordings file naming file and line", () => {
    const file = join(tmp(), "bad.jsonl");
    writeFileSync(file, "");
    appendFileSync(file, `${JSON.stringify({ key: "a".repeat(64), completion: { model: "m" } })}\n`);
    expect(() => createReplayProvider(file)).toThrow(InputError);
    expect(() => createReplayProvider(file)).toThrow(`${file}:1: completion.message`);
    expect(() => createReplayProvider(join(tmp(), "missing.jsonl"))).toThrow(/cannot read recordings \(ENOENT\)/);
    // through an agent file, the error names the agent file's recordings line
    const agent = testAgent({ provider: "replay", recordings: join(tmp(), "missing.jsonl") });
    expect(() => createProvider(agent)).toThrow(/gpt\.yaml:\d+: recordings: cannot read .*missing\.jsonl \(ENOENT\)/);
  });

  describe("a recordings file a crash cut short", () => {
    const answer = (text: string): Completion => ({
      message: { role: "assistant", content: text, tool_calls: [] },
      model: "m",
      tokens_in: 1,
      tokens_out: 1,
      latency_ms: 1,
    });
    const request = (text: string) => ({
      system: "s",
      messages: [{ role: "user" as const, content: text }],
      tools: [],
      model: "m",
    });
    const line = (text: string) => `${JSON.stringify({ key: requestKey(request(text)), completion: answer(text) })}\n`;
    const fake: Provider = {
      kind: "openai",
      simulated: false,
      complete: async (req) => answer(String(req.messages[0]!.content)),
    };

    it("--record drops the incomplete last line before appending, warning once on stderr, and the file replays", async () => {
      const file = join(tmp(), "recordings.jsonl");
      const cut = line("three").slice(0, 40);
      writeFileSync(file, line("one") + line("two") + cut);
      const stderr = vi.spyOn(process.stderr, "write").mockImplementation(() => true);
      try {
        // one recorder per agent: only the first finds anything to drop
        const recorder = createRecorder(file, fake);
        createRecorder(file, fake);
        await recorder.complete(request("four"));
        expect(stderr).toHaveBeenCalledTimes(1);
        expect(String(stderr.mock.calls[0]![0])).toBe(
          `soceval: warning: ${file}: dropped an incomplete last line (40 bytes, a crash while recording?) before appending\n`,
        );
      } finally {
        stderr.mockRestore();
      }
      const text = readFileSync(file, "utf8");
      expect(text.startsWith(line("one") + line("two"))).toBe(true);
      // the recorder's own line names its session and the request's parts
      const { session, parts, ...rest } = JSON.parse(text.split("\n")[2]!);
      expect(parts).toMatchObject({ model: "m" });
      expect(`${JSON.stringify(rest)}\n`).toBe(line("four"));
      expect(session).toMatch(/^[0-9a-f]{12}$/);
      const replay = createReplayProvider(file);
      expect((await replay.complete(request("four"))).message.content).toBe("four");
      expect((await replay.complete(request("one"))).message.content).toBe("one");
    });

    it("finds the last newline however long the fragment, and empties a file that is all fragment", () => {
      const dir = tmp();
      const long = join(dir, "long.jsonl");
      const fragment = `{"key":"${"x".repeat(200_000)}`;
      writeFileSync(long, line("one") + fragment);
      const warnings: string[] = [];
      expect(dropIncompleteLastLine(long, (m) => warnings.push(m))).toBe(fragment.length);
      expect(readFileSync(long, "utf8")).toBe(line("one"));
      const only = join(dir, "only.jsonl");
      writeFileSync(only, '{"key":');
      expect(dropIncompleteLastLine(only, (m) => warnings.push(m))).toBe(7);
      expect(readFileSync(only, "utf8")).toBe("");
      // whole files, an empty one and none at all are left as they are, silently
      const whole = join(dir, "whole.jsonl");
      writeFileSync(whole, line("one"));
      expect(dropIncompleteLastLine(whole, (m) => warnings.push(m))).toBe(0);
      expect(readFileSync(whole, "utf8")).toBe(line("one"));
      expect(dropIncompleteLastLine(join(dir, "none.jsonl"), (m) => warnings.push(m))).toBe(0);
      expect(existsSync(join(dir, "none.jsonl"))).toBe(false);
      expect(warnings).toHaveLength(2);
    });

    it("replay names a cut-short last line as such, and other bad lines as malformed", () => {
      const file = join(tmp(), "cut.jsonl");
      writeFileSync(file, line("one") + line("two").slice(0, 30));
      expect(() => createReplayProvider(file)).toThrow(InputError);
      expect(() => createReplayProvider(file)).toThrow(
        new RegExp(
          `^${file.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}:2: incomplete last line \\(a crash while recording\\?\\)`,
        ),
      );
      writeFileSync(file, `${line("one").slice(0, 30)}\n${line("two")}`);
      expect(() => createReplayProvider(file)).toThrow(`${file}:1: malformed JSON`);
    });
  });
});
