import { spawn } from "node:child_process";
import { readdirSync, readlinkSync } from "node:fs";
import { CLI } from "./cli.js";

export type Interrupted = { code: number | null; stderr: string; sent: boolean };

/** Whether process `pid` holds `file` open (Linux's /proc). */
export function holds(pid: number, file: string): boolean {
  try {
    return readdirSync(`/proc/${pid}/fd`).some((fd) => {
      try {
        return readlinkSync(`/proc/${pid}/fd/${fd}`) === file;
      } catch {
        return false;
      }
    });
  } catch {
    return false;
  }
}

/**
 * Run the CLI with `args` in `cwd` and send it `signal` once, as soon as `ready(pid)` holds (polled
 * every 5 ms); its exit code, its stderr, and whether the signal was sent before it ended. Several
 * signals are sent one after the other (a second Ctrl-C); two SIGINTs sent that close can merge into
 * one while the first is pending, so a second stop is best sent as SIGTERM.
 */
export function interruptWhen(
  args: string[],
  cwd: string,
  ready: (pid: number) => boolean,
  signal: NodeJS.Signals | NodeJS.Signals[] = "SIGINT",
  env: NodeJS.ProcessEnv = {},
): Promise<Interrupted> {
  const child = spawn(process.execPath, [CLI, ...args], {
    cwd,
    stdio: ["ignore", "ignore", "pipe"],
    env: { ...process.env, ...env },
  });
  let stderr = "";
  child.stderr.on("data", (d: Buffer) => {
    stderr += d.toString();
  });
  let sent = false;
  const poll = setInterval(() => {
    if (!sent && child.pid !== undefined && ready(child.pid)) {
      sent = [signal].flat().every((s) => child.kill(s));
      clearInterval(poll);
    }
  }, 5);
  return new Promise((done) =>
    child.once("close", (code) => {
      clearInterval(poll);
      done({ code, stderr, sent });
    }),
  );
}
