import {
  closeSync,
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readFileSync,
  rmSync,
  writeFileSync,
  writeSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { query, soceval } from "./helpers/cli.js";
import { holds, type Interrupted, interruptWhen as interruptCli } from "./helpers/interrupt.js";

/**
 * Ctrl-C (or a CI runner's SIGTERM) while `soceval run` is still starting: it ended silently with exit 130,
 * could leave the empty store it had just created, and once the store was open left a run of 0 cases
 * that `runs list` showed as "interrupted". The dataset here starts with 160 MB of blank lines, so the
 * sampling, hashing and reading before its first case take long enough for a signal to land there.
 */
const dir = mkdtempSync(join(tmpdir(), "soceval-interrupt-start-"));
cpSync("test/fixtures/mini", dir, { recursive: true });
const dataset = join(dir, "cases.jsonl");
// the runner asks git for the checkout's revision once the dataset is hashed, just before it stores the
// run's row: this git says so in a file, and takes its time, so a signal lands between the two
const marker = join(dir, "git-asked");
const fakeBin = join(dir, "bin");
const gitEnv = { PATH: `${fakeBin}:${process.env.PATH}` };

beforeAll(() => {
  const cases = readFileSync(dataset);
  const blank = Buffer.alloc(8192, " ");
  blank[8191] = 10;
  const fd = openSync(dataset, "w");
  for (let i = 0; i < 20_000; i++) writeSync(fd, blank);
  writeSync(fd, cases);
  closeSync(fd);
  mkdirSync(fakeBin);
  writeFileSync(join(fakeBin, "git"), `#!/bin/sh\ntouch '${marker}'\nsleep 0.3\nexit 1\n`, { mode: 0o755 });
});

/** Start `command` (`run` when not given), send `signal` once `ready(pid)` holds; its exit code and stderr. */
function interruptWhen(
  args: string[],
  ready: (pid: number) => boolean,
  signal: NodeJS.Signals | NodeJS.Signals[],
  env: NodeJS.ProcessEnv = {},
  command: string[] = ["run", "suite.yaml", "--quiet"],
): Promise<Interrupted> {
  return interruptCli([...command, ...args], dir, ready, signal, env);
}

const LINE = (signal: string) => `soceval: interrupted (${signal}) before the run started; nothing was stored\n`;

describe("a signal before the first case is replayed", () => {
  it("while the dataset is first read: one line, exit 3, and no store or folder is made", async () => {
    const db = join(dir, "fresh-a", "s.duckdb");
    const r = await interruptWhen(["--db", db], (pid) => holds(pid, dataset), "SIGINT");
    expect(r.sent).toBe(true);
    expect(r.code, r.stderr).toBe(3);
    expect(r.stderr.endsWith(LINE("SIGINT")), r.stderr).toBe(true);
    expect(existsSync(join(dir, "fresh-a"))).toBe(false);
  }, 60_000);

  it("once the store it created is open: the store file and its folder are removed", async () => {
    const db = join(dir, "fresh-b", "s.duckdb");
    const r = await interruptWhen(["--db", db], () => existsSync(db), "SIGTERM");
    expect(r.sent).toBe(true);
    expect(r.code, r.stderr).toBe(3);
    expect(r.stderr.endsWith(LINE("SIGTERM")), r.stderr).toBe(true);
    expect(existsSync(join(dir, "fresh-b"))).toBe(false);
  }, 60_000);

  it("in a store that holds runs: they stay, and no run of 0 cases is added to `runs list`", async () => {
    const db = join(dir, "kept.duckdb");
    const first = await soceval(["run", "suite.yaml", "--quiet", "--db", db], dir);
    expect(first.status, first.stderr).toBe(0);
    const before = await query<{ run_id: string; status: string }>(db, "SELECT run_id, status FROM runs");
    rmSync(marker, { force: true });
    // its run's row is stored next, and the dataset's blank lines then keep it from any case
    const r = await interruptWhen(["--db", db], () => existsSync(marker), "SIGINT", gitEnv);
    expect(r.sent).toBe(true);
    expect(r.code, r.stderr).toBe(3);
    expect(r.stderr.endsWith(LINE("SIGINT")), r.stderr).toBe(true);
    expect(await query(db, "SELECT run_id, status FROM runs")).toEqual(before);
    expect(await query(db, "SELECT DISTINCT run_id FROM run_agents")).toEqual([{ run_id: before[0]!.run_id }]);
    const list = await soceval(["runs", "list", "--db", db], dir);
    expect(list.stdout).not.toContain("interrupted");
  }, 60_000);

  it("once its run's row is stored in the store it created: the store and its folder are removed", async () => {
    const db = join(dir, "fresh-c", "s.duckdb");
    rmSync(marker, { force: true });
    const r = await interruptWhen(["--db", db], () => existsSync(marker), "SIGINT", gitEnv);
    expect(r.sent).toBe(true);
    expect(r.code, r.stderr).toBe(3);
    expect(r.stderr.endsWith(LINE("SIGINT")), r.stderr).toBe(true);
    expect(existsSync(join(dir, "fresh-c"))).toBe(false);
  }, 60_000);

  // the replay had begun, so a second signal took the run for one stored: "finish it with: soceval run
  // … --resume", which found no such run, or resumed another unfinished run of the suite
  it.each([
    ["in the store it created: the store and its folder are removed", "fresh-d/s.duckdb"],
    ["in a store that holds runs: they stay as they were", "kept-d.duckdb"],
  ])(
    "a second signal before its run's row is stored, %s, and no --resume is offered",
    async (_what, name) => {
      const db = join(dir, name);
      if (!name.startsWith("fresh")) {
        const first = await soceval(["run", "suite.yaml", "--quiet", "--db", db], dir);
        expect(first.status, first.stderr).toBe(0);
      }
      const before = name.startsWith("fresh") ? [] : await query(db, "SELECT run_id, status FROM runs ORDER BY run_id");
      rmSync(marker, { force: true });
      const r = await interruptWhen(["--db", db], () => existsSync(marker), ["SIGINT", "SIGTERM"], gitEnv);
      expect(r.sent).toBe(true);
      expect(r.code, r.stderr).toBe(3);
      expect(r.stderr.endsWith(LINE("SIGTERM")), r.stderr).toBe(true);
      expect(r.stderr).not.toContain("--resume");
      if (name.startsWith("fresh")) expect(existsSync(join(dir, "fresh-d"))).toBe(false);
      else expect(await query(db, "SELECT run_id, status FROM runs ORDER BY run_id")).toEqual(before);
    },
    60_000,
  );
});

describe("a gate stopped by a signal before its candidate's first case", () => {
  const db = join(dir, "gate.duckdb");
  const gate = ["gate", "suite.yaml", "--baseline", "main", "--quiet"];
  beforeAll(async () => {
    const first = await soceval(["run", "suite.yaml", "--quiet", "--db", db], dir);
    expect(first.status, first.stderr).toBe(0);
    const blessed = await soceval(["baseline", "bless", "--run", "latest", "--name", "main", "--db", db], dir);
    expect(blessed.status, blessed.stderr).toBe(0);
  }, 60_000);

  it.each([
    // while it checks the baseline's dataset: it ended with exit 130, the earlier gate's JUnit file left as this one's
    [
      "while it reads the dataset",
      (pid: number) => holds(pid, dataset),
      {},
      "gate: interrupted (SIGINT); nothing was judged",
    ],
    // once the candidate's run was stored: a run of 0 cases was left, with a command to "finish" it
    [
      "once its candidate's run is stored",
      () => existsSync(marker),
      gitEnv,
      "gate: interrupted (SIGINT) before the candidate's first case; nothing was stored or judged",
    ],
  ] as const)(
    "%s: exit 3, its report files say so, and no run is added",
    async (_when, ready, env, message) => {
      rmSync(marker, { force: true });
      const junit = join(dir, "gate.xml");
      writeFileSync(junit, "an earlier gate's verdict");
      const before = await query(db, "SELECT run_id FROM runs ORDER BY run_id");
      const r = await interruptWhen(["--db", db, "--junit", junit], ready, "SIGINT", env, gate);
      expect(r.sent).toBe(true);
      expect(r.code, r.stderr).toBe(3);
      expect(r.stderr.endsWith(`soceval: ${message}\n`), r.stderr).toBe(true);
      expect(readFileSync(junit, "utf8")).toContain(`gate did not judge (exit 3): ${message}`);
      expect(await query(db, "SELECT run_id FROM runs ORDER BY run_id")).toEqual(before);
    },
    60_000,
  );
});
