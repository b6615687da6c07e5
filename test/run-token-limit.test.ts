import { cpSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { jsonLines, query, reportJson, soceval } from "./helpers/cli.js";
import { pointGptAt, routineClose } from "./servers/agents.js";
import { startOpenAIWire } from "./servers/openai-wire.js";
import { startResponder } from "./servers/responder.js";
import type { Reply } from "./servers/wire.js";

/**
 * A model whose final submit_triage the token limit cut off (finish_reason "length"): a SOC lead
 * reading "invalid output" would blame the prompt, when params.max_tokens is too small. It must
 * read as the agent's own limit, everywhere a limit stop does.
 */
const dir = mkdtempSync(join(tmpdir(), "soceval-token-limit-"));
cpSync("test/fixtures/mini", dir, { recursive: true });
const db = join(dir, "s.duckdb");

let server: Awaited<ReturnType<typeof startResponder>>;
beforeAll(async () => {
  server = await startResponder((messages) => {
    const user = JSON.stringify(messages).match(/user\d+@corp\.example/)?.[0];
    if (!messages.some((m) => m.role === "tool"))
      return { type: "tool_calls", calls: [{ name: "get_signins", arguments: { user } }] };
    // the third case's answer fits; the others are cut off mid-answer
    if (user === "user2@corp.example") return { type: "submit", output: routineClose };
    return {
      type: "submit",
      output: '{"verdict": "true_positive", "confidence": 0.9, "summary": "The sign-in fr',
      cut: true,
    };
  });
  pointGptAt(dir, server.url);
});
afterAll(() => server.close());

describe("an answer the token limit cut off", () => {
  it("is a limit stop in the store, show and the report, not an invalid output, and --retry-failed leaves it", async () => {
    const r = await soceval(["run", "suite.yaml", "--agent", "gpt-test", "--limit", "3", "--quiet", "--db", db], dir);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).not.toContain("--retry-failed");

    const rows = await query<{ case_id: string; failed: boolean; schema_valid: boolean; kinds: string[] }>(
      db,
      `SELECT r.case_id, r.failed, r.schema_valid, list(f.kind ORDER BY f.kind) FILTER (WHERE f.scorer = 'operations') AS kinds
       FROM case_results r LEFT JOIN findings f USING (run_id, case_id, agent, epoch) GROUP BY ALL`,
    );
    expect(rows).toHaveLength(3);
    const cut = rows.filter((row) => row.case_id !== "mini-002");
    for (const row of cut) expect(row).toMatchObject({ failed: true, schema_valid: false, kinds: ["agent_error"] });

    const show = await soceval(["show", "mini-000", "--db", db], dir);
    expect(show.stdout).toContain("output  none — limit: the model's answer stopped at the token limit");
    expect(show.stdout).not.toContain("not the triage format");

    const gpt = (await reportJson(db, dir)).agents["gpt-test"]!;
    expect(gpt.model_usage).toMatchObject({ limit_stops: 2, limit_stops_by: { "params.max_tokens": 2 } });
    expect(gpt.metrics.failed_rate).toMatchObject({ x: 2, n: 3 });
    // the one answer that came whole is the only output judged against the schema, and it is valid
    expect(gpt.metrics.schema_invalid_rate).toMatchObject({ x: 0, n: 1 });

    // the failed investigations say why, beside the case: the token limit, not an outage
    const failed = jsonLines<{ case_id: string; error: string }>(
      await soceval(["cases", "--run", "latest", "--rate", "failed_rate", "--format", "jsonl", "--db", db], dir),
    );
    expect(failed.map((f) => f.case_id)).toEqual(["mini-000", "mini-001"]);
    for (const f of failed) expect(f.error).toMatch(/^limit: the model's answer stopped at the token limit/);
    const table = await soceval(["cases", "--run", "latest", "--rate", "failed_rate", "--db", db], dir);
    expect(table.stdout).toMatch(/│ why +│/);
    expect(table.stdout).toContain("limit: the model's answer");

    const asked = server.requests();
    const again = await soceval(
      [
        "run",
        "suite.yaml",
        "--agent",
        "gpt-test",
        "--limit",
        "3",
        "--resume",
        "latest",
        "--retry-failed",
        "--quiet",
      ].concat(["--db", db]),
      dir,
    );
    expect(again.status, again.stderr).toBe(0);
    expect(again.stdout).toMatch(/0 replayed, 3 already stored/);
    expect(server.requests()).toBe(asked);
  });
});

describe("limit stops in the report's model-call line", () => {
  it("names a context-window stop as such, whatever the server's words name (vLLM's 'max_tokens … is too large')", async () => {
    const wireDir = mkdtempSync(join(tmpdir(), "soceval-context-stop-"));
    cpSync("test/fixtures/mini", wireDir, { recursive: true });
    const wire = await startOpenAIWire();
    try {
      pointGptAt(wireDir, wire.url);
      const lookup: Reply = {
        type: "tool_calls",
        calls: [{ name: "get_signins", arguments: { user: "user0@corp.example" } }],
      };
      const vllm =
        "'max_tokens' or 'max_completion_tokens' is too large: 1000. This model's maximum context length is 4096 tokens and your request has 3500 input tokens (1000 > 4096 - 3500).";
      wire.enqueue(lookup, { type: "status", status: 400, message: vllm }, lookup, {
        type: "status",
        status: 400,
        message: "This model's maximum context length is 4096 tokens.",
      });
      const store = join(wireDir, "s.duckdb");
      const args = ["run", "suite.yaml", "--agent", "gpt-test", "--limit", "2", "--concurrency", "1", "--quiet"];
      const r = await soceval([...args, "--db", store], wireDir);
      expect(r.status).toBe(3); // every case stopped: nothing to judge
      const gpt = (await reportJson(store, wireDir)).agents["gpt-test"]!;
      expect(gpt.model_usage).toMatchObject({ limit_stops: 2, limit_stops_by: { context_window: 2 } });
    } finally {
      await wire.close();
    }
  });
});
