import { spawn } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { CLI, query } from "./helpers/cli.js";

const dir = mkdtempSync(join(tmpdir(), "soceval-pipe-"));

/** Run the CLI with its stderr read by nobody: `soceval run … 2>&1 | head -2` once head has exited. */
function withStderrClosed(args: string[]): Promise<{ status: number | null; stdout: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI, ...args], {
      cwd: dir,
      stdio: ["ignore", "pipe", "pipe"],
      env: { ...process.env, OPENAI_BASE_URL: "", ANTHROPIC_BASE_URL: "" },
    });
    child.stderr.destroy();
    let stdout = "";
    child.stdout.on("data", (d: Buffer) => {
      stdout += d.toString();
    });
    child.on("close", (status) => resolve({ status, stdout }));
  });
}

describe("a reader that went away from stderr", () => {
  it("does not cut a run short: the progress lines are dropped, the run finishes and is stored", async () => {
    const db = join(dir, "s.duckdb");
    const suite = join(process.cwd(), "test/fixtures/mini/suite.yaml");
    const r = await withStderrClosed(["run", suite, "--db", db, "--workers", "0"]);
    expect(r.status, r.stdout).toBe(0);
    expect(r.stdout).toContain("40 replayed");
    const runs = await query<{ status: string }>(db, "SELECT status FROM runs");
    expect(runs).toEqual([{ status: "finished" }]);
    const [n] = await query<{ n: bigint }>(db, "SELECT count(*) n FROM case_results");
    expect(Number(n!.n)).toBe(40);
  });
});
