import { spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { CLI } from "./helpers/cli.js";

// a terminal (util-linux `script` gives the run a pseudo-terminal), as `docker run -t` gives a container
const SCRIPT = "/usr/bin/script";
const ESC = String.fromCharCode(27);
const dir = mkdtempSync(join(tmpdir(), "soceval-dumb-term-"));
cpSync("test/fixtures/mini", dir, { recursive: true });

/** What `soceval run` wrote to a terminal whose TERM is `term`. */
function onTerminal(term: string, db: string): string {
  const log = join(dir, `${term}.log`);
  const r = spawnSync(SCRIPT, ["-qec", `"${process.execPath}" "${CLI}" run suite.yaml --db "${db}"`, log], {
    cwd: dir,
    encoding: "utf8",
    env: { ...process.env, TERM: term },
    timeout: 60_000,
  });
  expect(r.status, r.stderr).toBe(0);
  return readFileSync(log, "utf8");
}

describe.skipIf(!existsSync(SCRIPT))("run progress on a terminal", () => {
  it("with TERM=dumb: the plain progress lines, not the bar's cursor escapes shown as text", () => {
    const dumb = onTerminal("dumb", join(dir, "dumb.duckdb"));
    for (const code of ["?25l", "1G", "0K"]) expect(dumb).not.toContain(`${ESC}[${code}`);
    expect(dumb).toMatch(/mini-shadow: 40\/40 \(100%\)/);
    // a terminal that moves its cursor keeps the live bar
    expect(onTerminal("xterm", join(dir, "xterm.duckdb"))).toContain(`${ESC}[1G`);
  }, 120_000);
});
