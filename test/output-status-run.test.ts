import { cpSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SUBMIT_TOOL } from "../src/providers/types.js";
import { jsonLines, soceval } from "./helpers/cli.js";
import { pointGptAt, routineClose } from "./servers/agents.js";
import { startResponder } from "./servers/responder.js";

/**
 * The same three answers as test/output-status-cli.test.ts, from a live openai-compatible agent:
 * a valid answer, answer arguments that are not JSON (kept as text, so an output that fails the
 * schema) and a server that fails every attempt (no output at all).
 */
const dir = mkdtempSync(join(tmpdir(), "soceval-output-status-run-"));
cpSync("test/fixtures/mini", dir, { recursive: true });
const db = join(dir, "r.duckdb");

let server: Awaited<ReturnType<typeof startResponder>>;
beforeAll(async () => {
  server = await startResponder((messages) => {
    const user = JSON.stringify(messages).match(/user\d+@corp\.example/)?.[0];
    if (user === "user2@corp.example") throw new Error("upstream is down");
    if (user === "user1@corp.example")
      return { type: "tool_calls", calls: [{ name: SUBMIT_TOOL, arguments: '{"verdict": "benign_positive", ' }] };
    return { type: "submit", output: routineClose };
  });
  pointGptAt(dir, server.url);
  const r = await soceval(["run", "suite.yaml", "--agent", "gpt-test", "--limit", "3", "--db", db, "--quiet"], dir);
  if (![0, 1].includes(r.status ?? -1)) throw new Error(`soceval run: exit ${r.status}: ${r.stderr}`);
}, 120_000);
afterAll(() => server.close());

describe("output_status of a live agent's run", () => {
  it("tells its answer that is not JSON (invalid) from the provider's failure (none)", async () => {
    // all three disagree with the analyst: mini-000 is a true positive, the other two have no verdict
    const rows = jsonLines<{ case_id: string; verdict: string | null; output_status: string }>(
      await soceval(["cases", "--run", "latest", "--rate", "verdict_agreement", "--format", "jsonl", "--db", db], dir),
    );
    expect(rows.map((r) => [r.case_id, r.verdict, r.output_status])).toEqual([
      ["mini-000", "benign_positive", "valid"],
      ["mini-001", null, "invalid"],
      ["mini-002", null, "none"],
    ]);
  });
});
