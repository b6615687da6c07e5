import { type ChildProcess, spawn } from "node:child_process";
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { CLI, query, soceval } from "./helpers/cli.js";
import { routineClose, TEST_KEY, TEST_KEY_ENV } from "./servers/agents.js";
import { startAnthropicWire } from "./servers/anthropic-wire.js";
import { startOpenAIWire } from "./servers/openai-wire.js";
import type { WireServer } from "./servers/wire.js";

/**
 * The first Ctrl-C of a run with a model agent ends every wait of the investigations in flight (a
 * server's retry-after, a backoff, the rate limit, a request that never comes back) at once: the
 * user who asked to stop must not sit through a minute of "finishing the cases in flight".
 */
const dir = mkdtempSync(join(tmpdir(), "soceval-interrupt-waits-"));
cpSync("test/fixtures/mini", dir, { recursive: true });
const env = { [TEST_KEY_ENV]: TEST_KEY };

/** An agent, and a suite `<name>.suite.yaml` that offers it; its timeout and retries would wait for minutes. */
function agentSuite(name: string, provider: "openai-compatible" | "anthropic", url: string): string {
  writeFileSync(
    join(dir, `agents/${name}.yaml`),
    [
      `name: ${name}`,
      `provider: ${provider}`,
      "model: test-model",
      `base_url: ${url}`,
      `api_key_env: ${TEST_KEY_ENV}`,
      "prompt: ../prompt.hbs",
      "price: { input_per_mtok: 1, output_per_mtok: 2 }",
      "retries: { max_attempts: 3, base_delay_ms: 5, timeout_ms: 120000 }",
      "",
    ].join("\n"),
  );
  const suite = readFileSync(join(dir, "suite.yaml"), "utf8").replace("agents/gpt.yaml", `agents/${name}.yaml`);
  writeFileSync(join(dir, `${name}.suite.yaml`), suite);
  return `${name}.suite.yaml`;
}

type Child = { child: ChildProcess; stdout: () => string; stderr: () => string; exit: Promise<number | null> };

function start(args: string[]): Child {
  const child = spawn(process.execPath, [CLI, ...args], {
    cwd: dir,
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, OPENAI_BASE_URL: "", ANTHROPIC_BASE_URL: "", ...env },
  });
  let out = "";
  let err = "";
  child.stdout!.on("data", (d: Buffer) => {
    out += d.toString();
  });
  child.stderr!.on("data", (d: Buffer) => {
    err += d.toString();
  });
  const exit = new Promise<number | null>((r) => child.once("exit", r));
  return { child, stdout: () => out, stderr: () => err, exit };
}

async function until(what: () => boolean, timeoutMs = 20_000): Promise<void> {
  const t0 = Date.now();
  while (!what()) {
    if (Date.now() - t0 > timeoutMs) throw new Error(`timed out waiting: ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Ctrl-C once; how long the run took to exit after it, and its exit code. */
async function interrupt(c: Child): Promise<{ code: number | null; ms: number }> {
  const t0 = Date.now();
  c.child.kill("SIGINT");
  const code = await c.exit;
  return { code, ms: Date.now() - t0 };
}

let servers: WireServer[] = [];
afterEach(async () => {
  await Promise.all(servers.map((s) => s.close()));
  servers = [];
});

type Stored = { transcripts: number; failed: number; status: string; replaced: number; cut: number };
const storedOf = (db: string) =>
  query<Stored>(
    db,
    `SELECT (SELECT count(*) FROM transcripts)::INTEGER transcripts,
            (SELECT count(*) FROM transcripts WHERE error IS NOT NULL)::INTEGER failed,
            (SELECT any_value(status) FROM runs) status,
            (SELECT count(*) FROM replaced_model_calls)::INTEGER replaced,
            (SELECT count(*) FROM replaced_model_calls WHERE error = 'interrupted')::INTEGER cut`,
  ).then((r) => r[0]!);

describe("the first Ctrl-C of a run with a model agent", () => {
  it("ends a server's 60 s retry-after at once; --resume replays the cut investigations", async () => {
    const server = await startOpenAIWire();
    servers.push(server);
    const tooMany = { type: "status" as const, status: 429, headers: { "retry-after": "60" }, message: "slow down" };
    // more cases in flight than Node's ten listeners a signal may have before it warns of a leak
    const inFlight = 12;
    server.enqueue(...Array.from({ length: inFlight }, () => tooMany));
    const suite = agentSuite("gpt-429", "openai-compatible", server.url);
    const db = join(dir, "429.duckdb");
    const args = [
      "run",
      suite,
      "--agent",
      "gpt-429",
      "--db",
      db,
      "--limit",
      "16",
      "--concurrency",
      String(inFlight),
      "--quiet",
    ];
    const c = start(args);
    // both cases in flight were told to wait a minute, and the run holds every request for it
    await until(() => server.requests.length === inFlight && server.pending === 0);
    await new Promise((r) => setTimeout(r, 300));
    const { code, ms } = await interrupt(c);
    expect(code, c.stderr()).toBe(3);
    expect(ms).toBeLessThan(5000);
    expect(server.requests).toHaveLength(inFlight);
    expect(c.stderr()).not.toMatch(/Warning/);
    const line = c
      .stdout()
      .split("\n")
      .find((l) => l.includes("INTERRUPTED"));
    // neither cut investigation is a result, nor a provider failure --retry-failed would be needed for
    expect(line).toMatch(/INTERRUPTED: 0 of 16 investigations stored/);
    expect(await storedOf(db)).toEqual({
      transcripts: 0,
      failed: 0,
      status: "interrupted",
      replaced: inFlight,
      cut: inFlight,
    });
    // the attempt the server refused is on record, with why
    const [call] = await query<{ attempts: number; retried: string[] }>(
      db,
      "SELECT attempts, retried FROM replaced_model_calls LIMIT 1",
    );
    expect(call!.attempts).toBe(1);
    expect(call!.retried[0]).toMatch(/429.*slow down/);

    // the server answers again: a plain --resume finishes every case, each once
    for (let i = 0; i < 16; i++)
      server.enqueue({ type: "submit", output: routineClose, usage: { input: 100, output: 10 } });
    const command = line!.slice(line!.indexOf("soceval run ") + "soceval ".length).split(" ");
    const r = await soceval([...command, "--concurrency", "1"], dir, env);
    expect(r.status, r.stderr).toBe(0);
    const [done] = await query<{ n: number; cases: number; failed: number; status: string }>(
      db,
      `SELECT count(*)::INTEGER n, count(DISTINCT case_id)::INTEGER cases,
              count(*) FILTER (WHERE error IS NOT NULL)::INTEGER failed, (SELECT any_value(status) FROM runs) status
       FROM transcripts`,
    );
    expect(done).toEqual({ n: 16, cases: 16, failed: 0, status: "finished" });
    // the calls the interrupt cut short still count beside the run's
    expect((await storedOf(db)).replaced).toBe(inFlight);
  });

  it("stops a request the server never answers, and keeps a case that finished meanwhile", async () => {
    const server = await startAnthropicWire();
    servers.push(server);
    // one case's request hangs for ten minutes; the other's answer comes at once
    server.enqueue(
      { type: "slow", delay_ms: 600_000, reply: { type: "submit", output: routineClose } },
      { type: "submit", output: routineClose, usage: { input: 100, output: 10 } },
    );
    const suite = agentSuite("claude-hang", "anthropic", server.url);
    const db = join(dir, "hang.duckdb");
    const args = ["run", suite, "--agent", "claude-hang", "--db", db, "--limit", "2"];
    const c = start([...args, "--concurrency", "2", "--quiet"]);
    await until(() => server.requests.length === 2);
    await new Promise((r) => setTimeout(r, 500));
    const { code, ms } = await interrupt(c);
    expect(code, c.stderr()).toBe(3);
    expect(ms).toBeLessThan(5000);
    // every case had been handed out: the run is still interrupted, so a plain --resume finds it
    expect(c.stdout()).toMatch(/INTERRUPTED: 1 of 2 investigations stored/);
    expect(await storedOf(db)).toEqual({ transcripts: 1, failed: 0, status: "interrupted", replaced: 1, cut: 1 });

    server.enqueue({ type: "submit", output: routineClose });
    const r = await soceval([...args, "--resume"], dir, env);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/1 replayed, 1 already stored, 0 failed/);
    const [done] = await query<{ n: number; cases: number }>(
      db,
      "SELECT count(*)::INTEGER n, count(DISTINCT case_id)::INTEGER cases FROM transcripts WHERE error IS NULL",
    );
    expect(done).toEqual({ n: 2, cases: 2 });
  });
});
