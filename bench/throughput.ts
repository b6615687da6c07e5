/**
 * bench/throughput: can the runner keep a rate-limited model provider busy without tripping it?
 * A loopback OpenAI-compatible server answers every request after 300 ms and itself enforces
 * 600 requests/minute over a sliding 60 s window (429 + retry-after beyond it). The runner replays
 * SYNTHETIC cases (the mini fixture's 40, repeated under new ids) with an openai-compatible agent
 * that investigates in two model calls (get_signins, then submit_triage), in a child process.
 * Target: ≥ 95% of the limit, measured at the server over the steady window, and no failed case.
 * Run alone: `npx tsx bench/throughput.ts [cases] [concurrency] [agent budget/min, 0 = none]`.
 */
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { openaiProtocol } from "../test/servers/openai-wire.js";
import type { ModelReply } from "../test/servers/wire.js";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const MINI = join(ROOT, "test/fixtures/mini");
const LIMIT_RPM = 600;
const LATENCY_MS = 300;
const WINDOW_MS = 60_000;
/** arrivals this close to either end are ramp-up and drain, not steady traffic */
const EDGE_MS = 5_000;

type Message = { role: string; content?: unknown };

/** The model: look up the alert's account's sign-ins, then submit a triage citing what came back. */
function investigate(messages: Message[]): ModelReply {
  const last = messages[messages.length - 1]!;
  if (last.role === "user") {
    // the alert's account, from the alert block of the system prompt (the user turn holds no alert text)
    const user = /[\w.-]+@corp\.example/.exec(String(messages[0]?.content))?.[0];
    if (!user) throw new Error("no account in the alert");
    return { type: "tool_calls", calls: [{ name: "get_signins", arguments: { user } }] };
  }
  const records = (JSON.parse(String(last.content)) as { records?: { id: string }[] }).records ?? [];
  const cited = records.slice(0, 1).map((r) => r.id);
  return {
    type: "submit",
    output: {
      verdict: "benign_positive",
      confidence: 0.7,
      escalate: false,
      summary: "Sign-in from a known device; routine.",
      hypotheses: [{ kind: "benign", explanation: "known device", evidence: cited }],
      recommended_actions: [],
      evidence: cited,
      missing_sources: [],
      human_only: false,
    },
  };
}

type ServerStats = { accepted: number[]; limited: number; failed: number };

/** The provider: 300 ms per answer, and its own 600/min sliding-window limit on accepted requests. */
async function startLimitedProvider(): Promise<{ url: string; stats: ServerStats; close: () => Promise<void> }> {
  const stats: ServerStats = { accepted: [], limited: 0, failed: 0 };
  let head = 0; // accepted[head..] are the arrivals inside the current window
  const timers = new Set<NodeJS.Timeout>();
  const server = createServer(async (req, res) => {
    const now = Date.now();
    while (head < stats.accepted.length && stats.accepted[head]! <= now - WINDOW_MS) head++;
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    if (stats.accepted.length - head >= LIMIT_RPM) {
      stats.limited++;
      const waitS = Math.max(1, Math.ceil((stats.accepted[head]! + WINDOW_MS - now) / 1000));
      const text = JSON.stringify(openaiProtocol.errorBody(429, "rate limit: 600 requests per minute"));
      res.writeHead(429, { "content-type": "application/json", "retry-after": String(waitS) });
      res.end(text);
      return;
    }
    const n = stats.accepted.length;
    stats.accepted.push(now);
    const body = JSON.parse(Buffer.concat(chunks).toString("utf8")) as Record<string, unknown>;
    let status = 200;
    let answer: unknown;
    try {
      answer = openaiProtocol.render(investigate(body.messages as Message[]), body, n);
    } catch (e) {
      stats.failed++;
      status = 500;
      answer = openaiProtocol.errorBody(500, `bench model: ${(e as Error).message}`);
    }
    const t = setTimeout(() => {
      timers.delete(t);
      const text = JSON.stringify(answer);
      res.writeHead(status, { "content-type": "application/json", "content-length": String(Buffer.byteLength(text)) });
      res.end(text);
    }, LATENCY_MS);
    timers.add(t);
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/v1`,
    stats,
    close: () =>
      new Promise<void>((r) => {
        for (const t of timers) clearTimeout(t);
        server.close(() => r());
        server.closeAllConnections();
      }),
  };
}

/** Requests per minute accepted between the ends of the run, and the busiest 60 s of it. */
function steadyRate(accepted: number[]): { steady_rpm: number; steady_s: number; max_in_any_minute: number } {
  if (accepted.length < 2) return { steady_rpm: 0, steady_s: 0, max_in_any_minute: accepted.length };
  const first = accepted[0]!;
  const last = accepted[accepted.length - 1]!;
  // a run too short to trim is measured whole
  const edge = last - first > 4 * EDGE_MS ? EDGE_MS : 0;
  const from = first + edge;
  const to = last - edge + (edge === 0 ? 1 : 0);
  const inside = accepted.filter((t) => t >= from && t < to).length;
  let max = 0;
  for (let i = 0, j = 0; j < accepted.length; j++) {
    while (accepted[i]! <= accepted[j]! - WINDOW_MS) i++;
    max = Math.max(max, j - i + 1);
  }
  const span = Math.max(1, to - from);
  return {
    steady_rpm: Math.round((inside * WINDOW_MS) / span),
    steady_s: +(span / 1000).toFixed(1),
    max_in_any_minute: max,
  };
}

/** SYNTHETIC: the mini fixture's cases repeated under new ids until there are `n`. */
function writeCases(file: string, n: number): void {
  const base = readFileSync(join(MINI, "cases.jsonl"), "utf8")
    .split("\n")
    .filter((l) => l.trim() !== "")
    .map((l) => JSON.parse(l) as { id: string });
  const lines: string[] = [];
  for (let i = 0; i < n; i++) {
    const c = base[i % base.length]!;
    lines.push(JSON.stringify({ ...c, id: `bench-${String(i).padStart(5, "0")}-${c.id}` }));
  }
  writeFileSync(file, `${lines.join("\n")}\n`);
}

export type ThroughputBench = {
  cases: number;
  concurrency: number;
  client_rpm: number;
  limit_rpm: number;
  steady_rpm: number;
  share_of_limit: number;
  steady_s: number;
  max_in_any_minute: number;
  accepted: number;
  http_429: number;
  server_errors: number;
  failed_cases: number;
  done: number;
  wall_s: number;
  client_peak_rss_mb: number;
  top_errors: { error: string; n: number }[];
};

/**
 * `clientRpm` is the budget the agent file declares; the server always allows LIMIT_RPM. Declaring
 * more than the server allows (or 0: none) exercises the adaptive back-off instead of the pacing.
 */
export async function benchThroughput(cases = 360, concurrency = 16, clientRpm = LIMIT_RPM): Promise<ThroughputBench> {
  const dir = mkdtempSync(join(tmpdir(), "soceval-throughput-"));
  const provider = await startLimitedProvider();
  try {
    writeCases(join(dir, "cases.jsonl"), cases);
    writeFileSync(
      join(dir, "agent.yaml"),
      [
        "name: bench-model",
        "provider: openai-compatible",
        "model: bench-model",
        `base_url: ${provider.url}`,
        `prompt: ${join(MINI, "prompt.hbs")}`,
        "price: { input_per_mtok: 0, output_per_mtok: 0 }",
        clientRpm > 0 ? `limits: { requests_per_minute: ${clientRpm} }` : "",
        "retries: { max_attempts: 6, base_delay_ms: 500, timeout_ms: 10000 }",
      ].join("\n"),
    );
    const suite = join(dir, "bench.suite.yaml");
    writeFileSync(
      suite,
      [
        "name: bench-throughput",
        `workflow: ${join(MINI, "workflow.yaml")}`,
        "dataset: cases.jsonl",
        "agents: [agent.yaml]",
        `concurrency: ${concurrency}`,
        "seed: 1",
      ].join("\n"),
    );
    // bounded: three times what the traffic needs at the limit (back-off runs are slower), plus start-up
    const deadlineMs = ((cases * 2) / LIMIT_RPM) * WINDOW_MS * 3 + 60_000;
    const client = await runChild(
      ["--import", "tsx", join(ROOT, "bench/throughput-child.ts"), suite, join(dir, "bench.duckdb")],
      deadlineMs,
    );
    const rate = steadyRate(provider.stats.accepted);
    return {
      cases,
      concurrency,
      client_rpm: clientRpm,
      limit_rpm: LIMIT_RPM,
      ...rate,
      share_of_limit: +(rate.steady_rpm / LIMIT_RPM).toFixed(3),
      accepted: provider.stats.accepted.length,
      http_429: provider.stats.limited,
      server_errors: provider.stats.failed,
      failed_cases: client.failed_cases,
      done: client.done,
      wall_s: client.wall_s,
      client_peak_rss_mb: client.peak_rss_mb,
      top_errors: client.top_errors,
    };
  } finally {
    await provider.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

type ChildResult = {
  done: number;
  failed_cases: number;
  wall_s: number;
  peak_rss_mb: number;
  top_errors: { error: string; n: number }[];
};

function runChild(args: string[], deadlineMs: number): Promise<ChildResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    let err = "";
    child.stdout.on("data", (d: Buffer) => {
      out += d.toString();
    });
    child.stderr.on("data", (d: Buffer) => {
      err += d.toString();
    });
    const timer = setTimeout(() => child.kill("SIGKILL"), deadlineMs);
    child.on("exit", (code, signal) => {
      clearTimeout(timer);
      const last = out.trim().split("\n").pop();
      if (code === 0 && last) resolve(JSON.parse(last) as ChildResult);
      else
        reject(
          new Error(`throughput client ${signal ?? `exit ${code}`} (deadline ${deadlineMs} ms): ${err.slice(-2000)}`),
        );
    });
  });
}

export function formatThroughput(r: ThroughputBench): string {
  return [
    `  ${r.cases} cases × ~2 model calls, concurrency ${r.concurrency}, server limit ${r.limit_rpm}/min, ` +
      `agent budget ${r.client_rpm > 0 ? `${r.client_rpm}/min` : "none"}, ${LATENCY_MS} ms per answer`,
    `  achieved ${r.steady_rpm} requests/min over the steady ${r.steady_s} s = ${(r.share_of_limit * 100).toFixed(1)}% of the limit (target ≥ 95%)`,
    `  busiest 60 s: ${r.max_in_any_minute} accepted; ${r.accepted} accepted in all; ${r.http_429} × 429; ${r.server_errors} × 500`,
    `  failed cases: ${r.failed_cases} of ${r.done} (target 0); client wall ${r.wall_s} s, peak RSS ${r.client_peak_rss_mb} MB`,
    ...r.top_errors.map((e) => `  error ×${e.n}: ${e.error}`),
  ].join("\n");
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const [cases = 360, concurrency = 16, clientRpm = LIMIT_RPM] = process.argv.slice(2).map(Number);
  const r = await benchThroughput(cases, concurrency, clientRpm);
  console.log(`bench/throughput (loopback provider, 600 requests/min enforced):\n${formatThroughput(r)}`);
}
