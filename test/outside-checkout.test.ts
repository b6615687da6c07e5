import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { soceval } from "./helpers/cli.js";

const ROOT = resolve(import.meta.dirname, "..");

// someone who installed soceval runs it from their own folder, which has no suites/ or readiness/
describe("soceval run from a folder that is not the checkout", () => {
  it("start finds the bundled suites and readiness answers, and writes only under the current folder", async () => {
    const cwd = mkdtempSync(join(tmpdir(), "soceval-elsewhere-"));
    const r = await soceval(["start"], cwd);
    expect(r.status, r.stderr).toBe(0);
    for (const wf of [
      "cloud-alert-enrichment",
      "endpoint-investigation",
      "identity-suspicious-login",
      "phishing-triage",
    ])
      expect(r.stdout).toMatch(`${wf}-shadow`);
    expect(existsSync(join(cwd, ".soceval/soceval.duckdb"))).toBe(true);
    const index = readFileSync(join(cwd, ".soceval/reports/index.html"), "utf8");
    expect(index).toMatch(/readiness/i);
  });

  it("readiness score takes the bundled matrix by default", async () => {
    const cwd = mkdtempSync(join(tmpdir(), "soceval-elsewhere-"));
    const answers = join(ROOT, "readiness/answers/phishing-triage.yaml");
    const r = await soceval(["readiness", "score", answers, "--no-db", "--format", "json"], cwd);
    expect(r.status, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).matrix.file).toBe(join(ROOT, "readiness/matrix.yaml"));
  });
});
