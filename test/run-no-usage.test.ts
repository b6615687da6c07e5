import { cpSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { query, reportJson, soceval } from "./helpers/cli.js";
import { pointGptAt, routineClose } from "./servers/agents.js";
import { startResponder } from "./servers/responder.js";

/**
 * A server that sends no token usage (some local and gateway servers): what its calls spent is
 * unknown, and every figure built on it must say so rather than read $0 and 0 tokens.
 */
const dir = mkdtempSync(join(tmpdir(), "soceval-no-usage-"));
cpSync("test/fixtures/mini", dir, { recursive: true });
const db = join(dir, "s.duckdb");

let server: Awaited<ReturnType<typeof startResponder>>;
beforeAll(async () => {
  server = await startResponder((messages) => {
    const user = JSON.stringify(messages).match(/user\d+@corp\.example/)?.[0];
    return messages.some((m) => m.role === "tool")
      ? { type: "submit", output: routineClose, usage: null }
      : { type: "tool_calls", calls: [{ name: "get_signins", arguments: { user } }], usage: null };
  });
  pointGptAt(dir, server.url);
});
afterAll(() => server.close());

describe("a server that reports no token usage", () => {
  it("leaves tokens and cost unmeasured in the summary, show, the report and export, through a rescore", async () => {
    const r = await soceval(["run", "suite.yaml", "--agent", "gpt-test", "--limit", "3", "--quiet", "--db", db], dir);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toContain("the server reported no token usage; its tokens and cost are unknown");
    expect(r.stdout.replace(/[│\s]+/g, " ")).toMatch(/gpt-test 3 .* not measured/);

    const unknown =
      "SELECT count(*) FILTER (WHERE cost_usd IS NULL AND tokens_in IS NULL)::INTEGER AS n FROM case_results";
    expect(await query<{ n: number }>(db, unknown)).toEqual([{ n: 3 }]);
    const calls = await query<{ usage_reported: boolean | null }>(
      db,
      "SELECT DISTINCT usage_reported FROM model_calls",
    );
    expect(calls).toEqual([{ usage_reported: false }]);

    const [first] = await query<{ case_id: string }>(db, "SELECT min(case_id) AS case_id FROM case_results");
    const show = await soceval(["show", first!.case_id, "--db", db], dir);
    expect(show.stdout.replace(/[│\s]+/g, " ")).toContain("tokens and cost unknown (the server reported no usage)");
    expect(show.stdout).not.toContain("$0.0000");

    const doc = await reportJson(db, dir);
    const gpt = doc.agents["gpt-test"]!;
    expect(gpt.metrics.cost_per_investigation?.n ?? 0).toBe(0);
    expect(gpt.model_usage).toMatchObject({ calls: 6, unreported: 6 });

    // rescore rebuilds transcripts from the store: the calls stay unknown
    const re = await soceval(["rescore", "--run", "latest", "--db", db], dir);
    expect(re.status, re.stderr).toBe(0);
    expect(await query<{ n: number }>(db, unknown)).toEqual([{ n: 3 }]);

    const out = join(dir, "t.jsonl");
    expect((await soceval(["export", "--run", "latest", "--out", out, "--db", db], dir)).status).toBe(0);
    const steps = readFileSync(out, "utf8")
      .trim()
      .split("\n")
      .flatMap((l) => (JSON.parse(l) as { steps: { type: string; usage_reported?: boolean }[] }).steps)
      .filter((s) => s.type === "model_call");
    expect(steps.map((s) => s.usage_reported)).toEqual(Array(6).fill(false));
  });
});
