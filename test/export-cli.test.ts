import { spawnSync } from "node:child_process";
import {
  cpSync,
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { Store } from "../src/store/db.js";
import { CLI, soceval } from "./helpers/cli.js";

const dir = mkdtempSync(join(tmpdir(), "soceval-export-"));
cpSync("test/fixtures/mini", dir, { recursive: true });
const db = join(dir, "store.duckdb");
const run = (args: string[]) => soceval(args, dir);

beforeAll(async () => {
  const r = await run(["run", "suite.yaml", "--db", db, "--limit", "3", "--quiet"]);
  expect(r.status, r.stderr).toBe(0);
}, 60_000);

describe("soceval export --out", () => {
  it("creates a folder that does not exist, as report --out does, but not for a run that is not there", async () => {
    const missingRun = join(dir, "never", "x.jsonl");
    const bad = await run(["export", "--run", "nope", "--db", db, "--out", missingRun]);
    expect(bad.status).toBe(2);
    expect(existsSync(join(dir, "never"))).toBe(false);
    const out = join(dir, "nonexistent", "dir", "x.jsonl");
    const r = await run(["export", "--run", "latest", "--db", db, "--out", out]);
    expect(r.status, r.stderr).toBe(0);
    expect(existsSync(out)).toBe(true);
  });

  it("refuses a path under a file, and a directory as the output", async () => {
    writeFileSync(join(dir, "plain"), "");
    const under = await run(["export", "--run", "latest", "--db", db, "--out", join(dir, "plain", "x.jsonl")]);
    expect(under.status, under.stderr).toBe(2);
    expect(under.stderr).toMatch(/--out \S+x\.jsonl: \S+plain is a file, not a folder/);
    mkdirSync(join(dir, "t.jsonl"));
    const isDir = await run(["export", "--run", "latest", "--db", db, "--out", join(dir, "t.jsonl")]);
    expect(isDir.status, isDir.stderr).toBe(2);
    expect(isDir.stderr).toMatch(/--out \S+t\.jsonl: is a directory; name a file/);
  });

  it("still writes into a folder that exists, relative paths included", async () => {
    const r = await run(["export", "--run", "latest", "--db", db, "--out", "x.jsonl"]);
    expect(r.status, r.stderr).toBe(0);
    expect(existsSync(join(dir, "x.jsonl"))).toBe(true);
  });

  it("writes through a symlink into the file it names, and keeps the link", async () => {
    const real = join(dir, "real.jsonl");
    writeFileSync(real, "old\n");
    const link = join(dir, "link.jsonl");
    symlinkSync(real, link);
    const r = await run(["export", "--run", "latest", "--db", db, "--out", link]);
    expect(r.status, r.stderr).toBe(0);
    expect(lstatSync(link).isSymbolicLink()).toBe(true);
    expect(readFileSync(real, "utf8").trim().split("\n")).toHaveLength(3);
    expect(existsSync(`${real}.partial`)).toBe(false);
  });

  it("writes to /dev/stdout on a pipe in place: the rows on stdout, the note on stderr", () => {
    // through a shell pipe: a socket (what spawn's "pipe" gives) cannot be opened by name at all
    const r = spawnSync(
      "sh",
      ["-c", `"${process.execPath}" "${CLI}" export --run latest --db "${db}" --out /dev/stdout | cat`],
      {
        cwd: dir,
        encoding: "utf8",
      },
    );
    expect(r.status, r.stderr).toBe(0);
    expect(
      r.stdout
        .trim()
        .split("\n")
        .map((l) => JSON.parse(l).case_id),
    ).toHaveLength(3);
    expect(r.stderr).toMatch(/wrote \/dev\/stdout \(transcripts of run /);
    expect(lstatSync("/dev/stdout").isSymbolicLink()).toBe(true);
  });

  it("warns that a run which did not finish exports only what it stored", async () => {
    const copy = join(dir, "unfinished.duckdb");
    cpSync(db, copy);
    const store = await Store.open(copy);
    await store.run("UPDATE runs SET status = 'interrupted'");
    store.close();
    const r = await run(["export", "--run", "latest", "--db", copy, "--out", join(dir, "u.jsonl")]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toMatch(
      /warning: run \S+ did not finish \(interrupted\): the export holds the 3 cases it stored so far/,
    );
  });
});

describe("--out /dev/stdout read by a reader that stops early (| head)", () => {
  it("export and report exit 0 quietly, as findings and cases do, instead of exit 3 'Broken pipe'", async () => {
    const own = join(dir, "piped.duckdb");
    // three epochs of the 40 cases: far more than a pipe's buffer, so the writer meets the closed end
    const r = await run(["run", "suite.yaml", "--db", own, "--epochs", "3", "--quiet"]);
    expect(r.status, r.stderr).toBe(0);
    for (const args of [
      ["export", "--run", "latest", "--out", "/dev/stdout"],
      ["report", "--run", "latest", "--out", "/dev/stdout", "--format", "html"],
    ]) {
      const cmd = [process.execPath, CLI, ...args, "--db", own].map((a) => `'${a}'`).join(" ");
      const piped = spawnSync("bash", ["-c", `${cmd} | head -c 10 >/dev/null; exit \${PIPESTATUS[0]}`], {
        cwd: dir,
        encoding: "utf8",
      });
      expect(piped.stderr, args[0]).not.toContain("could not write");
      expect(piped.status, `${args[0]}: ${piped.stderr}`).toBe(0);
    }
  }, 60_000);
});
