import { cpSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { query, reportJson, soceval } from "./helpers/cli.js";
import { pointGptAt, routineClose } from "./servers/agents.js";
import { startResponder } from "./servers/responder.js";

/**
 * An investigation `soceval run` recorded as failed (its provider gave up halfway) spent real time
 * and money: unlike a transcript an imported file lacks, it is measured and counts.
 */
const dir = mkdtempSync(join(tmpdir(), "soceval-failed-cost-"));
cpSync("test/fixtures/mini", dir, { recursive: true });
const db = join(dir, "s.duckdb");

let server: Awaited<ReturnType<typeof startResponder>>;
beforeAll(async () => {
  server = await startResponder((messages) => {
    const text = JSON.stringify(messages);
    const user = text.match(/user\d+@corp\.example/)?.[0];
    // user3's investigation: the first call answers, every attempt of the second fails
    if (messages.some((m) => m.role === "tool")) {
      if (user === "user3@corp.example") throw new Error("overloaded");
      return { type: "submit", output: routineClose };
    }
    return { type: "tool_calls", calls: [{ name: "get_signins", arguments: { user } }] };
  }, 20);
  pointGptAt(dir, server.url);
});
afterAll(() => server.close());

describe("a run with a provider failure", () => {
  it("counts the failed investigation's measured cost, tokens and time", async () => {
    const r = await soceval(["run", "suite.yaml", "--agent", "gpt-test", "--limit", "6", "--quiet", "--db", db], dir);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/6 replayed, 1 failed/);
    const [failed] = await query<{ cost: number | null; time: number | null; tokens: number | null; spent: number }>(
      db,
      `SELECT r.cost_usd AS cost, r.time_to_triage_ms AS time, r.tokens_in AS tokens,
              (SELECT sum(cost_usd) FROM model_calls m WHERE m.run_id = r.run_id AND m.case_id = r.case_id) AS spent
       FROM case_results r WHERE r.failed`,
    );
    expect(failed!.cost).toBeGreaterThan(0);
    expect(failed!.cost).toBeCloseTo(failed!.spent, 12);
    expect(failed!.time).toBeGreaterThan(0);
    expect(failed!.tokens).toBeGreaterThan(0);
    const m = (await reportJson(db, dir)).agents["gpt-test"]!.metrics;
    expect(m.cost_per_investigation!.n).toBe(6);
    expect(m.time_to_triage_p50_ms!.n).toBe(6);
    expect(m.cost_usd_total!.n).toBe(6);
  });
});
