import { spawn } from "node:child_process";
import { cpSync, existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { RUN_FLAG_COMMANDS, RUN_NODE_FLAGS } from "../bin/run-env.mjs";
import { CLI } from "./helpers/cli.js";

const dir = mkdtempSync(join(tmpdir(), "soceval-node-flags-"));
cpSync("test/fixtures/mini", dir, { recursive: true });

/**
 * Start the CLI as `npx soceval` does, by its own first line, and read the command line of the
 * process it becomes (Linux's /proc): sh execs Node in the same process, so the pid stays.
 */
async function nodeArgsOf(args: string[]): Promise<{ argv: string[]; status: number | null }> {
  const child = spawn(CLI, args, {
    cwd: dir,
    stdio: "ignore",
    env: { ...process.env, OPENAI_BASE_URL: "", ANTHROPIC_BASE_URL: "" },
  });
  const exited = new Promise<number | null>((resolve) => child.on("close", resolve));
  let argv: string[] = [];
  for (let i = 0; i < 2000 && child.exitCode === null; i++) {
    try {
      const seen = readFileSync(`/proc/${child.pid}/cmdline`, "utf8").split("\0").filter(Boolean);
      // until sh has exec'd, the process is the shell reading the script
      if (seen.length > 0 && !/(^|\/)(sh|dash|bash)$/.test(seen[0]!)) {
        argv = seen;
        break;
      }
    } catch {
      // gone already, or not yet readable
    }
    await new Promise((r) => setTimeout(r, 2));
  }
  return { argv, status: await exited };
}

describe("Node's heap flags for the commands that replay a suite (bin/soceval.js)", () => {
  const firstLines = readFileSync(CLI, "utf8").split("\n").slice(0, 2);

  it("are given by the script's sh line, and by npm start, as run-env.mjs names them", () => {
    expect(firstLines[0]).toBe("#!/bin/sh");
    const flagged = firstLines[1]!.match(
      /case "\$1" in ([a-z|]+)\) exec node (.*?) "\$0" "\$@" ;; esac; exec node "\$0" "\$@"$/,
    );
    expect(flagged, firstLines[1]).not.toBeNull();
    expect(flagged![1]!.split("|")).toEqual(RUN_FLAG_COMMANDS);
    expect(flagged![2]!.split(" ")).toEqual(RUN_NODE_FLAGS);
    const pkg = JSON.parse(readFileSync("package.json", "utf8"));
    expect(pkg.scripts.start).toBe(`node ${RUN_NODE_FLAGS.join(" ")} bin/soceval.js start`);
  });

  it.runIf(existsSync("/proc/self/cmdline"))(
    "reach the Node process `soceval run` becomes, and no other command's",
    async () => {
      const run = await nodeArgsOf(["run", "suite.yaml", "--db", "flags.duckdb", "--quiet"]);
      expect(run.status).toBe(0);
      expect(run.argv.slice(1, 1 + RUN_NODE_FLAGS.length)).toEqual(RUN_NODE_FLAGS);
      expect(run.argv.slice(1 + RUN_NODE_FLAGS.length)).toEqual([
        CLI,
        ...["run", "suite.yaml", "--db", "flags.duckdb", "--quiet"],
      ]);
      const list = await nodeArgsOf(["runs", "list", "--db", "flags.duckdb"]);
      expect(list.status).toBe(0);
      expect(list.argv.slice(1)).toEqual([CLI, "runs", "list", "--db", "flags.duckdb"]);
    },
    60_000,
  );

  it("pass the exit code through, as Node's own", async () => {
    const { status } = await nodeArgsOf(["run", "no-such-suite.yaml", "--db", "flags.duckdb"]);
    expect(status).toBe(2);
  });
});
