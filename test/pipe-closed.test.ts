import { spawn } from "node:child_process";
import { mkdtempSync, readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { CLI, query } from "./helpers/cli.js";

const dir = mkdtempSync(join(tmpdir(), "soceval-pipe-"));

/**
 * Run the CLI with one of its outputs read by nobody, as once `head` has exited: `soceval run … 2>&1
 * | head -2` for stderr, `soceval start | head -1` for stdout. The other output is collected.
 */
function withClosed(
  closed: "stdout" | "stderr",
  args: string[],
  cwd = dir,
): Promise<{ status: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI, ...args], {
      cwd,
      stdio: ["ignore", "pipe", "pipe"],
      env: { ...process.env, OPENAI_BASE_URL: "", ANTHROPIC_BASE_URL: "" },
    });
    child[closed].destroy();
    let output = "";
    child[closed === "stdout" ? "stderr" : "stdout"].on("data", (d: Buffer) => {
      output += d.toString();
    });
    child.on("close", (status) => resolve({ status, output }));
  });
}
const withStderrClosed = (args: string[]) =>
  withClosed("stderr", args).then(({ status, output }) => ({ status, stdout: output }));
const withStdoutClosed = (args: string[], cwd = dir) =>
  withClosed("stdout", args, cwd).then(({ status, output }) => ({ status, stderr: output }));

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

describe("a reader that went away from stdout", () => {
  it("does not stop `start` after its first suite: every suite is replayed and every report written", async () => {
    const home = mkdtempSync(join(tmpdir(), "soceval-pipe-start-"));
    const r = await withStdoutClosed(["start"], home);
    expect(r.status, r.stderr).toBe(0);
    const runs = await query<{ status: string; n: number }>(
      join(home, ".soceval/soceval.duckdb"),
      "SELECT status, count(*)::INTEGER n FROM runs GROUP BY status",
    );
    expect(runs).toEqual([{ status: "finished", n: 4 }]);
    const html = readdirSync(join(home, ".soceval/reports")).filter((f) => f.endsWith(".html"));
    expect(html.sort()).toEqual([
      "cloud-alert-enrichment.html",
      "endpoint-investigation.html",
      "identity-suspicious-login.html",
      "index.html",
      "phishing-triage.html",
    ]);
  });

  it("does not turn a failed gate into a pass: the regression still exits 1", async () => {
    const db = join(dir, "gate.duckdb");
    const suite = join(process.cwd(), "suites/phishing-triage/shadow.suite.yaml");
    expect((await withStdoutClosed(["run", suite, "--db", db, "--quiet"])).status).toBe(0);
    expect(
      (await withStdoutClosed(["baseline", "bless", "--run", "latest", "--name", "main", "--db", db])).status,
    ).toBe(0);
    const worse = await withStdoutClosed([
      "gate",
      suite,
      "--baseline",
      "main",
      "--agent",
      "playbook-no-detonation",
      "--db",
      db,
      "--quiet",
    ]);
    expect(worse.status, worse.stderr).toBe(1);
  });
});
