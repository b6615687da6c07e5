import { spawn, spawnSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { ReportDoc } from "../../src/analytics/report-schema.js";
import { Store } from "../../src/store/db.js";

export const CLI = join(process.cwd(), "bin/soceval.js");

/**
 * Whom a test that needs a file's mode to hold runs the CLI as: root writes through any mode, so
 * as nobody then. null when nobody cannot run this checkout (a clone under root's home), so such a
 * test cannot run here.
 */
export const MODE_BOUND_USER: { uid?: number; gid?: number } | null = (() => {
  if (process.getuid?.() !== 0) return {};
  const nobody = { uid: 65534, gid: 65534 };
  const r = spawnSync(process.execPath, [CLI, "--version"], { ...nobody, cwd: "/", stdio: "ignore" });
  return r.status === 0 ? nobody : null;
})();

export type CliResult = { status: number | null; stdout: string; stderr: string };

/** Run the real CLI in a child process; async, so loopback servers in the test process keep answering. */
export function soceval(
  args: string[],
  cwd: string,
  env: NodeJS.ProcessEnv = {},
  user: { uid?: number; gid?: number } = {},
): Promise<CliResult> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI, ...args], {
      ...user,
      cwd,
      stdio: ["ignore", "pipe", "pipe"],
      // a developer's own OPENAI_BASE_URL would redirect the tests' agents away from their loopback servers
      env: { ...process.env, OPENAI_BASE_URL: "", ANTHROPIC_BASE_URL: "", ...env },
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => {
      stdout += d.toString();
    });
    child.stderr.on("data", (d: Buffer) => {
      stderr += d.toString();
    });
    child.on("close", (status) => resolve({ status, stdout, stderr }));
  });
}

/** A command's JSONL output, one object a line (`--format jsonl`); a command that failed throws its stderr. */
export function jsonLines<T>(r: CliResult): T[] {
  if (r.status !== 0) throw new Error(`exit ${r.status}: ${r.stderr}`);
  return r.stdout
    .split("\n")
    .filter(Boolean)
    .map((l) => JSON.parse(l) as T);
}

/** The JSON report (`soceval report --format json`) of the newest run in `db`, written under `cwd`. */
export async function reportJson(db: string, cwd: string): Promise<ReportDoc> {
  const out = join(cwd, `report-${Math.random().toString(36).slice(2)}.json`);
  const r = await soceval(["report", "--db", db, "--run", "latest", "--format", "json", "--out", out], cwd);
  if (r.status !== 0) throw new Error(`soceval report: exit ${r.status}: ${r.stderr}`);
  return JSON.parse(readFileSync(out, "utf8")) as ReportDoc;
}

export async function query<T>(db: string, sql: string): Promise<T[]> {
  const store = await Store.open(db, { readOnly: true });
  try {
    return await store.query<T>(sql);
  } finally {
    store.close();
  }
}

/**
 * `transcripts` written to `<dir>/<file>` as JSONL and scored into `db` with the real CLI, against
 * the workflow and cases of `dir` (a copy of test/fixtures/mini); the new run's id.
 */
export async function scoreTranscripts(
  dir: string,
  db: string,
  agent: string,
  transcripts: unknown[],
  file = `${agent}.jsonl`,
): Promise<string> {
  const path = join(dir, file);
  writeFileSync(path, transcripts.map((t) => `${JSON.stringify(t)}\n`).join(""));
  const workflow = join(dir, "workflow.yaml");
  const cases = join(dir, "cases.jsonl");
  const args = [
    "score",
    "--workflow",
    workflow,
    "--dataset",
    cases,
    "--transcripts",
    path,
    "--agent",
    agent,
    "--db",
    db,
  ];
  const r = await soceval(args, dir);
  if (r.status !== 0) throw new Error(`soceval score: exit ${r.status}: ${r.stderr}`);
  return /run (\S+):/.exec(r.stdout)?.[1] ?? "";
}
