import { spawnSync } from "node:child_process";
import { cpSync, mkdtempSync, readdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";

const ROOT = resolve(import.meta.dirname, "..");

/** `soceval` of the package in `root`, run in `cwd`. */
function cli(root: string, args: string[], cwd: string) {
  const r = spawnSync(process.execPath, [join(root, "bin/soceval.js"), ...args], { cwd, encoding: "utf8" });
  expect(r.status, r.stderr).toBe(0);
  return r;
}

// soceval itself cloned on Windows with git's core.autocrlf: its report templates have CRLF
describe("the reports of a checkout whose templates have CRLF line endings", () => {
  it("are the same as from an LF checkout, with LF only", () => {
    const win = mkdtempSync(join(tmpdir(), "soceval-crlf-checkout-"));
    // with the sources' times kept, bin/soceval.js finds dist/ current and runs it
    for (const part of ["bin", "dist", "package.json", "reports", "readiness", "src", "scorers", "datasets/generators"])
      cpSync(join(ROOT, part), join(win, part), { recursive: true, preserveTimestamps: true });
    symlinkSync(join(ROOT, "node_modules"), join(win, "node_modules"));
    const walk = (d: string): string[] =>
      readdirSync(d).flatMap((f) => (statSync(join(d, f)).isDirectory() ? walk(join(d, f)) : [join(d, f)]));
    const templates = walk(join(win, "reports")).filter((f) => f.endsWith(".hbs"));
    expect(templates.length).toBeGreaterThan(3);
    for (const f of templates) writeFileSync(f, readFileSync(f, "utf8").replace(/\n/g, "\r\n"));

    const cwd = mkdtempSync(join(tmpdir(), "soceval-crlf-checkout-run-"));
    cpSync(join(ROOT, "test/fixtures/mini"), cwd, { recursive: true });
    cli(ROOT, ["run", "suite.yaml", "--db", "r.duckdb", "--quiet"], cwd);
    for (const format of ["md", "html"]) {
      const report = (root: string, out: string) => {
        cli(root, ["report", "--run", "latest", "--db", "r.duckdb", "--format", format, "--out", out], cwd);
        return readFileSync(join(cwd, out), "utf8");
      };
      const fromWin = report(win, `win.${format}`);
      expect(fromWin).not.toContain("\r");
      expect(fromWin).toBe(report(ROOT, `lf.${format}`));
    }
  });
});
