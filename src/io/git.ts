import { execFileSync } from "node:child_process";

/** The checkout's revision, so a run can be traced to the prompt and tool files it used. */
export function gitRevision(cwd = process.cwd()): string | null {
  try {
    const rev = execFileSync("git", ["rev-parse", "--short=12", "HEAD"], { cwd, stdio: ["ignore", "pipe", "ignore"] })
      .toString()
      .trim();
    const dirty = execFileSync("git", ["status", "--porcelain", "--untracked-files=no"], {
      cwd,
      stdio: ["ignore", "pipe", "ignore"],
    })
      .toString()
      .trim();
    return dirty ? `${rev}-dirty` : rev;
  } catch {
    return null;
  }
}
