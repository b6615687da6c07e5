import { spawn } from "node:child_process";
import { join } from "node:path";
import { Store } from "../../src/store/db.js";

export const CLI = join(process.cwd(), "bin/soceval.js");

export type CliResult = { status: number | null; stdout: string; stderr: string };

/** Run the real CLI in a child process; async, so loopback servers in the test process keep answering. */
export function soceval(args: string[], cwd: string, env: NodeJS.ProcessEnv = {}): Promise<CliResult> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI, ...args], {
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

export async function query<T>(db: string, sql: string): Promise<T[]> {
  const store = await Store.open(db, { readOnly: true });
  try {
    return await store.query<T>(sql);
  } finally {
    store.close();
  }
}
