import { cpSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { SMALL_MEMORY, smallMemoryCommand } from "../bench/small-memory.js";
import { query, soceval } from "./helpers/cli.js";

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

  it("stores the same results as a default run", async () => {
    const plain = await soceval(["run", "suite.yaml", "--db", "plain.duckdb", "--quiet"], dir);
    expect(plain.status, plain.stderr).toBe(0);
    const recipe = smallMemoryCommand("suite.yaml")
      .replace(/^npx soceval /, "")
      .split(" ");
    expect(recipe).toContain(String(SMALL_MEMORY.workers));
    const small = await soceval([...recipe, "--db", "small.duckdb", "--quiet"], dir);
    expect(small.status, small.stderr).toBe(0);
    const stored = await results(join(dir, "small.duckdb"));
    expect(JSON.parse(stored)).toHaveLength(40);
    expect(stored).toBe(await results(join(dir, "plain.duckdb")));
  }, 60_000);
});
