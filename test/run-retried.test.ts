import { cpSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { query, soceval } from "./helpers/cli.js";
import { pointGptAt, routineClose } from "./servers/agents.js";
import { startResponder } from "./servers/responder.js";

/**
 * A provider error the scheduler recovered from is recorded with its reason on the model call, not
 * only counted in `attempts`: a SOC engineer asking why a call took 20 s must find the 429 or 500.
 */
const dir = mkdtempSync(join(tmpdir(), "soceval-retried-"));
cpSync("test/fixtures/mini", dir, { recursive: true });
const db = join(dir, "s.duckdb");

let server: Awaited<ReturnType<typeof startResponder>>;
beforeAll(async () => {
  let user1Calls = 0;
  server = await startResponder((messages) => {
    const text = JSON.stringify(messages);
    const user = text.match(/user\d+@corp\.example/)?.[0];
    if (messages.some((m) => m.role === "tool")) {
      // user3's answer never comes: every attempt fails
      if (user === "user3@corp.example") throw new Error("overloaded");
      return { type: "submit", output: routineClose };
    }
    // user1's first call fails once, then answers
    if (user === "user1@corp.example" && user1Calls++ === 0) throw new Error("warming up");
    return { type: "tool_calls", calls: [{ name: "get_signins", arguments: { user } }] };
  });
  pointGptAt(dir, server.url);
});
afterAll(() => server.close());

describe("a recovered provider error", () => {
  it("is stored with its reason, shown by show, exported, and read back by score", async () => {
    const r = await soceval(["run", "suite.yaml", "--agent", "gpt-test", "--limit", "6", "--quiet", "--db", db], dir);
    expect(r.status, r.stderr).toBe(0);
    const rows = await query<{
      case_id: string;
      step: number;
      attempts: number;
      retried: string[] | null;
      error: string | null;
    }>(db, "SELECT case_id, step, attempts, retried, error FROM model_calls WHERE attempts > 1 ORDER BY case_id, step");
    expect(rows).toHaveLength(2);
    const [recovered, gaveUp] = rows;
    // the first call of user1's case: one failed attempt, then the answer
    expect(recovered).toMatchObject({ step: 0, attempts: 2, error: null });
    expect(recovered!.retried).toHaveLength(1);
    expect(recovered!.retried![0]).toMatch(/500.*warming up/);
    // user3's second call: the first attempt is in retried, the last one is the call's error
    expect(gaveUp!.attempts).toBe(2);
    expect(gaveUp!.retried).toHaveLength(1);
    expect(gaveUp!.retried![0]).toMatch(/overloaded/);
    expect(gaveUp!.error).toMatch(/overloaded/);

    const show = await soceval(["show", recovered!.case_id, "--run", "latest", "--db", db], dir);
    expect(show.status, show.stderr).toBe(0);
    // the table wraps long cells: read it as one line of text
    const text = show.stdout.replace(/[│\s]+/g, " ");
    expect(text).toMatch(/2 attempt\(s\), \d+ ms — retried after: openai-compatible: HTTP 500: responder: warming up/);

    const out = join(dir, "t.jsonl");
    const ex = await soceval(["export", "--run", "latest", "--out", out, "--db", db], dir);
    expect(ex.status, ex.stderr).toBe(0);
    const lines = readFileSync(out, "utf8")
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    const step = lines.find((t) => t.case_id === recovered!.case_id).steps[0];
    expect(step).toMatchObject({ type: "model_call", attempts: 2, retried: recovered!.retried });
    const scored = await soceval(
      [
        "score",
        "--workflow",
        "workflow.yaml",
        "--dataset",
        "cases.jsonl",
        "--transcripts",
        out,
        "--agent",
        "gpt-test",
      ].concat(["--db", join(dir, "imported.duckdb")]),
      dir,
    );
    expect(scored.status, scored.stderr).toBe(0);
    const [back] = await query<{ retried: string[] }>(
      join(dir, "imported.duckdb"),
      `SELECT retried FROM model_calls WHERE case_id = '${recovered!.case_id}' AND step = 0`,
    );
    expect(back!.retried).toEqual(recovered!.retried);
  });
});
