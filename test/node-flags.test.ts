import { spawn } from "node:child_process";
import { cpSync, existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { RUN_FLAG_COMMANDS, RUN_MALLOC_ARENAS, RUN_NODE_FLAGS } from "../bin/run-env.mjs";
import { CLI } from "./helpers/cli.js";

const dir = mkdtempSync(join(tmpdir(), "soceval-node-flags-"));
cpSync("test/fixtures/mini", dir, { recursive: true });

/**
 * Start the CLI as `npx soceval` does, by its own first line, and read the command line of the
 * process it becomes (Linux's /proc): sh execs Node in the same process, so the pid stays.
 */
async function nodeArgsOf(
  args: string[],
  env: Record<string, string> = {},
): Promise<{ argv: string[]; arenas: string | undefined; status: number | null }> {
  const inherited: NodeJS.ProcessEnv = { ...process.env, OPENAI_BASE_URL: "", ANTHROPIC_BASE_URL: "" };
  delete inherited.MALLOC_ARENA_MAX;
  const child = spawn(CLI, args, { cwd: dir, stdio: "ignore", env: { ...inherited, ...env } });
  const exited = new Promise<number | null>((resolve) => child.on("close", resolve));
  let argv: string[] = [];
  let environ: string[] = [];
  for (let i = 0; i < 2000 && child.exitCode === null; i++) {
    try {
      const seen = readFileSync(`/proc/${child.pid}/cmdline`, "utf8").split("\0").filter(Boolean);
      // until sh has exec'd, the process is the shell reading the script
      if (seen.length > 0 && !/(^|\/)(sh|dash|bash)$/.test(seen[0]!)) {
        environ = readFileSync(`/proc/${child.pid}/environ`, "utf8").split("\0");
        argv = seen;
        break;
      }
    } catch {
      // gone already, or not yet readable
    }
    await new Promise((r) => setTimeout(r, 2));
  }
  const arenas = environ.find((e) => e.startsWith("MALLOC_ARENA_MAX="))?.slice("MALLOC_ARENA_MAX=".length);
  return { argv, arenas, status: await exited };
}

describe("Node's heap flags and glibc's arena cap for the commands that replay a suite (bin/soceval.js)", () => {
  const firstLines = readFileSync(CLI, "utf8").split("\n").slice(0, 2);

  it("are given by the script's sh line, and by npm start, as run-env.mjs names them", () => {
    expect(firstLines[0]).toBe("#!/bin/sh");
    const flagged = firstLines[1]!.match(
      /case "\$1" in ([a-z|]+)\) export MALLOC_ARENA_MAX="\$\{MALLOC_ARENA_MAX:-(\d+)\}"; exec node (.*?) "\$0" "\$@" ;; esac; exec node "\$0" "\$@"$/,
    );
    expect(flagged, firstLines[1]).not.toBeNull();
    expect(flagged![1]!.split("|")).toEqual(RUN_FLAG_COMMANDS);
    expect(flagged![2]).toBe(RUN_MALLOC_ARENAS);
    expect(flagged![3]!.split(" ")).toEqual(RUN_NODE_FLAGS);
    const pkg = JSON.parse(readFileSync("package.json", "utf8"));
    expect(pkg.scripts.start).toBe(`node ${RUN_NODE_FLAGS.join(" ")} bin/soceval.js start`);
  });

  it.runIf(existsSync("/proc/self/cmdline"))(
    "reach the Node process `soceval run` becomes, and no other command's",
    async () => {
      const run = await nodeArgsOf(["run", "suite.yaml", "--db", "flags.duckdb", "--quiet"]);
      expect(run.status).toBe(0);
      expect(run.arenas).toBe(RUN_MALLOC_ARENAS);
      expect(run.argv.slice(1, 1 + RUN_NODE_FLAGS.length)).toEqual(RUN_NODE_FLAGS);
      expect(run.argv.slice(1 + RUN_NODE_FLAGS.length)).toEqual([
        CLI,
        ...["run", "suite.yaml", "--db", "flags.duckdb", "--quiet"],
      ]);
      const list = await nodeArgsOf(["runs", "list", "--db", "flags.duckdb"]);
      expect(list.status).toBe(0);
      expect(list.argv.slice(1)).toEqual([CLI, "runs", "list", "--db", "flags.duckdb"]);
      expect(list.arenas).toBeUndefined();
      // the user's own setting wins
      const own = await nodeArgsOf(["run", "suite.yaml", "--db", "flags.duckdb", "--quiet"], { MALLOC_ARENA_MAX: "5" });
      expect(own.status).toBe(0);
      expect(own.arenas).toBe("5");
    },
    60_000,
  );

  it("pass the exit code through, as Node's own", async () => {
    const { status } = await nodeArgsOf(["run", "no-such-suite.yaml", "--db", "flags.duckdb"]);
    expect(status).toBe(2);
  });
});
