import { spawn } from "node:child_process";
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CLI, query, reportJson, soceval } from "./helpers/cli.js";
import { pointGptAt } from "./servers/agents.js";
import { startOpenAIWire } from "./servers/openai-wire.js";
import type { WireServer } from "./servers/wire.js";

/**
 * A two-agent run stopped by a Ctrl-C while every investigation of the model agent was in flight:
 * the playbook's results are stored, the model agent's are not, and what its calls cost went to
 * replaced_model_calls. The report lists agents from their results, so that spend showed nowhere.
 */
const dir = mkdtempSync(join(tmpdir(), "soceval-cut-short-agent-"));
cpSync("test/fixtures/mini", dir, { recursive: true });
const db = join(dir, "s.duckdb");

let server: WireServer;
beforeAll(async () => {
  server = await startOpenAIWire();
  pointGptAt(dir, server.url);
  // the second call of each investigation must still be waiting when the Ctrl-C comes
  const agent = join(dir, "agents/gpt.yaml");
  writeFileSync(agent, readFileSync(agent, "utf8").replace("timeout_ms: 5000", "timeout_ms: 120000"));
});
afterAll(() => server.close());

async function until(what: () => boolean, timeoutMs = 20_000): Promise<void> {
  const t0 = Date.now();
  while (!what()) {
    if (Date.now() - t0 > timeoutMs) throw new Error(`timed out waiting: ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe("an agent whose every investigation a Ctrl-C cut short", () => {
  it("has its spend in the end-of-run summary and the report's JSON, Markdown and HTML though it has no stored results", async () => {
    // each investigation's first call answers (and costs), its second hangs until the Ctrl-C
    const lookup = { name: "get_signins", arguments: { user: "user1@corp.example" } };
    server.enqueue(
      { type: "tool_calls", calls: [lookup], usage: { input: 1000, output: 100 } },
      { type: "tool_calls", calls: [lookup], usage: { input: 1000, output: 100 } },
      { type: "slow", delay_ms: 600_000, reply: { type: "submit", output: {} } },
      { type: "slow", delay_ms: 600_000, reply: { type: "submit", output: {} } },
    );
    const child = spawn(
      process.execPath,
      [
        CLI,
        "run",
        "suite.yaml",
        "--agent",
        "playbook",
        "gpt-test",
        "--limit",
        "2",
        "--concurrency",
        "4",
        "--quiet",
      ].concat(["--db", db]),
      { cwd: dir, stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, OPENAI_BASE_URL: "" } },
    );
    let stderr = "";
    let stdout = "";
    child.stderr.on("data", (d: Buffer) => {
      stderr += d.toString();
    });
    child.stdout.on("data", (d: Buffer) => {
      stdout += d.toString();
    });
    const exit = new Promise<number | null>((r) => child.once("exit", r));
    await until(() => server.requests.length === 4);
    await new Promise((r) => setTimeout(r, 500));
    child.kill("SIGINT");
    expect(await exit, stderr).toBe(3);

    const stored = await query<{ agent: string }>(db, "SELECT DISTINCT agent FROM case_results");
    expect(stored).toEqual([{ agent: "playbook" }]);
    const [spent] = await query<{ calls: number; cost: number }>(
      db,
      "SELECT count(*)::INTEGER calls, sum(cost_usd) AS cost FROM replaced_model_calls WHERE agent = 'gpt-test'",
    );
    // two answered calls at $1 in / $2 out per million tokens, and the two cut short
    expect(spent!.calls).toBe(4);
    expect(spent!.cost).toBeCloseTo(2 * (1000 * 1 + 100 * 2) * 1e-6, 12);

    // the end-of-run table has a row for the playbook only; the line under it gives the rest
    expect(stdout).toContain(
      "gpt-test: $0.002400 more on 4 model calls of investigations cut short by a Ctrl-C or replayed again, not in the total cost (no results stored)",
    );

    const doc = await reportJson(db, dir);
    expect(Object.keys(doc.agents)).toEqual(["playbook"]);
    expect(doc.run.agents_without_results).toEqual([
      { agent: "gpt-test", replaced_calls: 4, replaced_cost_usd: Number(spent!.cost.toPrecision(6)) },
    ]);

    const line = "no stored results · $0.002400 on 4 model calls of investigations cut short by a Ctrl-C";
    for (const format of ["md", "html"]) {
      const out = join(dir, `report.${format}`);
      const r = await soceval(["report", "--db", db, "--format", format, "--out", out], dir);
      expect(r.status, r.stderr).toBe(0);
      // Markdown escapes the dollar sign; HTML wraps the name in tags
      const text = readFileSync(out, "utf8")
        .replaceAll("\\$", "$")
        .replace(/<[^>]+>/g, "");
      expect(text).toContain(`gpt-test: ${line}`);
      // the calls behind the figure, from the store
      expect(text).toContain("FROM replaced_model_calls WHERE run_id");
    }

    // asked for by name, it is no typo: the refusal says where its spend is and how to finish it
    const named = await soceval(["report", "--db", db, "--agent", "gpt-test", "--format", "json"], dir);
    expect(named.status).toBe(2);
    expect(named.stderr).toContain(
      '"gpt-test" ran but stored no result (investigations cut short, e.g. by a Ctrl-C): the report without --agent shows what their model calls cost, and --resume finishes them',
    );
    const typo = await soceval(["report", "--db", db, "--agent", "gpt-tset", "--format", "json"], dir);
    expect(typo.status).toBe(2);
    expect(typo.stderr).toContain('has no results for "gpt-tset" (it has: playbook)\n');
  });
});
