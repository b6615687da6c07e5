import { mkdtempSync, readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { soceval } from "./helpers/cli.js";

// a usage error is commander's one error line plus where to look, not the whole help text it used to scroll away
const cwd = mkdtempSync(join(tmpdir(), "soceval-usage-"));

describe.concurrent("usage errors (CLI)", () => {
  it.each([
    [["run"], "error: missing required argument 'suite'", "soceval run"],
    [["run", "x", "--bogus"], "error: unknown option '--bogus'", "soceval run"],
    [["baseline", "bless"], "error: required option '--run <id>' not specified", "soceval baseline bless"],
    [
      ["dataset", "import", "csv", "x.csv"],
      "error: required option '--mapping <file>' not specified",
      "soceval dataset import csv",
    ],
    [["runs", "list", "--bogus"], "error: unknown option '--bogus'", "soceval runs list"],
    [["bogus"], "error: unknown command 'bogus'", "soceval"],
    // commands load lazily (src/cli/commands.ts): a typo still gets the nearest name from the full list
    [["rnu"], "error: unknown command 'rnu'\n(Did you mean run?)", "soceval"],
  ])("soceval %j: the error line and a hint naming its own --help, on stderr, exit 2", async (args, error, path) => {
    const r = await soceval(args, cwd);
    expect(r.status).toBe(2);
    expect(r.stdout).toBe("");
    expect(r.stderr).toBe(`${error}\nsee: ${path} --help\n`);
  });

  // `--out "$OUT"` with OUT unset: a report went to stdout (exit 0), export failed as a runtime
  // error (exit 3), and start wrote its reports into the current folder
  it.each([
    [["export", "--run", "latest", "--out", ""], "--out <file>", "file"],
    [["report", "--out", ""], "--out <file>", "file"],
    [["compare", "--runs", "latest", "--out", ""], "--out <file>", "file"],
    [["readiness", "score", "a.yaml", "--out", ""], "--out <file>", "file"],
    [["readiness", "ask", "--out", ""], "--out <file>", "file"],
    [["dataset", "import", "ocsf", "f.json", "--out", ""], "--out <file>", "file"],
    [["gate", "--baseline", "main", "--junit", ""], "--junit <file>", "file"],
    [["run", "suite.yaml", "--record", ""], "--record <file>", "file"],
    [["start", "--out", ""], "--out <dir>", "folder"],
    [["dataset", "generate", "--out", ""], "--out <dir>", "folder"],
  ])("soceval %j: an empty output path is a usage error, and nothing is written", async (args, flag, what) => {
    const own = mkdtempSync(join(tmpdir(), "soceval-usage-empty-"));
    const r = await soceval(args, own);
    expect(r.status, r.stderr).toBe(2);
    expect(r.stderr).toContain(
      `error: option '${flag}' argument '' is invalid. an empty path; name a ${what} (an unset shell variable?)`,
    );
    expect(readdirSync(own)).toEqual([]);
  });

  // `--out - | jq` made a file named "-" and piped "wrote -" into jq instead of the data
  it.each([
    [["export", "--run", "latest", "--out", "-"], "--out <file>"],
    [["report", "--out", "-"], "--out <file>"],
    [["dataset", "import", "ocsf", "f.json", "--out", "-"], "--out <file>"],
    [["gate", "--baseline", "main", "--json", "-"], "--json <file>"],
  ])("soceval %j: '-' is refused, naming /dev/stdout, and no file '-' is made", async (args, flag) => {
    const own = mkdtempSync(join(tmpdir(), "soceval-usage-dash-"));
    const r = await soceval(args, own);
    expect(r.status, r.stderr).toBe(2);
    expect(r.stderr).toContain(
      `error: option '${flag}' argument '-' is invalid. "-" is not read as stdout here; name /dev/stdout`,
    );
    expect(readdirSync(own)).toEqual([]);
  });

  it.each([[["--help"]], [["run", "--help"]], [["baseline", "bless", "--help"]]])(
    "soceval %j still prints the full help and exits 0",
    async (args) => {
      const r = await soceval(args, cwd);
      expect(r.status).toBe(0);
      expect(r.stdout).toMatch(/^Usage: soceval/);
      expect(r.stdout).toContain("Options:");
      expect(r.stderr).toBe("");
    },
  );

  it.each([
    ["--concurrency", "abc"],
    ["--concurrency", "0"],
    ["--epochs", "2.5"],
  ])("gate %s %s is refused before anything runs, as run refuses it", async (flag, value) => {
    // the gate took `--concurrency abc` and replayed the candidate as if it were not given
    const r = await soceval(["gate", "suite.yaml", "--baseline", "main", flag, value], cwd);
    expect(r.status).toBe(2);
    expect(r.stderr).toBe(`soceval: ${flag}: expected a positive integer, got "${value}"\n`);
  });

  it.each([
    ["--limit", "0", "a positive integer"],
    ["--epochs", "2.5", "a positive integer"],
    ["--workers", "-1", "a whole number"],
    ["--shard", "3/2", "i/n with 1 ≤ i ≤ n"],
  ])("run %s %s is refused alone, before the suite loads and warns", async (flag, value, expected) => {
    const r = await soceval(["run", "missing.suite.yaml", flag, value], cwd);
    expect(r.status).toBe(2);
    expect(r.stderr).toBe(`soceval: ${flag}: expected ${expected}, got "${value}"\n`);
  });

  it("gate --candidate-run refuses --epochs, which only shapes a candidate the gate replays", async () => {
    const r = await soceval(["gate", "--baseline", "main", "--candidate-run", "latest", "--epochs", "3"], cwd);
    expect(r.status).toBe(2);
    expect(r.stderr).toBe(
      "soceval: --epochs: the gate replays nothing with --candidate-run; the stored run keeps its own\n",
    );
  });

  it("marks the options a command cannot run without, in every subcommand's help", async () => {
    const bless = await soceval(["baseline", "bless", "--help"], cwd);
    expect(bless.stdout).toMatch(/--run <id> +run id or `latest` \(required\)/);
    const run = await soceval(["run", "--help"], cwd);
    expect(run.stdout).not.toContain("(required)");
  });
});
