import { execFile } from "node:child_process";
import { cpSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { SMALL_MEMORY, smallMemoryCommand } from "../bench/small-memory.js";
import { CLI, query, soceval } from "./helpers/cli.js";

const dir = mkdtempSync(join(tmpdir(), "soceval-small-memory-"));
cpSync("test/fixtures/mini", dir, { recursive: true });

/** Every stored result but the run's id, in one order: what two runs of the same suite must share. */
async function results(db: string): Promise<string> {
  const rows = await query<Record<string, unknown>>(
    db,
    "SELECT * EXCLUDE (run_id) FROM case_results ORDER BY case_id, agent, epoch",
  );
  return JSON.stringify(rows, (_k, v) => (typeof v === "bigint" ? Number(v) : v));
}

describe("the README's small-memory recipe", () => {
  it("is printed in the README exactly as bench/replay measures it", () => {
    expect(readFileSync("README.md", "utf8")).toContain(smallMemoryCommand("<suite>"));
  });

  it("runs on this Node with its flags and stores the same results as a default run", async () => {
    const plain = await soceval(["run", "suite.yaml", "--db", "plain.duckdb", "--quiet"], dir);
    expect(plain.status, plain.stderr).toBe(0);
    // the recipe's own command line: Node refuses a V8 flag it no longer knows, so this fails then
    const { stderr } = await promisify(execFile)(
      process.execPath,
      [
        ...SMALL_MEMORY.nodeFlags,
        CLI,
        ...["run", "suite.yaml", "--db", "small.duckdb", "--quiet", "--workers", String(SMALL_MEMORY.workers)],
      ],
      { cwd: dir, env: { ...process.env, OPENAI_BASE_URL: "", ANTHROPIC_BASE_URL: "" } },
    );
    expect(stderr).not.toMatch(/warning|not allowed|bad option/i);
    const small = await results(join(dir, "small.duckdb"));
    expect(JSON.parse(small)).toHaveLength(40);
    expect(small).toBe(await results(join(dir, "plain.duckdb")));
  }, 60_000);
});
