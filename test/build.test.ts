import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { query, soceval } from "./helpers/cli.js";

// the build lives inside the package (git-ignored .soceval/), where it finds reports/ as dist/ does
const outdir = resolve(`.soceval/test-build-${process.pid}`);
const work = mkdtempSync(join(tmpdir(), "soceval-build-"));
afterAll(() => rmSync(outdir, { recursive: true, force: true }));

describe("the compiled CLI (scripts/build.mjs, what npm ci puts in dist/)", () => {
  it("replays in its worker thread and stores exactly what the TypeScript sources store", async () => {
    execFileSync(process.execPath, ["scripts/build.mjs", "--outdir", outdir], { stdio: "pipe" });
    expect(existsSync(join(outdir, "replay-worker.mjs"))).toBe(true);
    const suite = resolve("test/fixtures/mini/suite.yaml");
    const built = execFileSync(
      process.execPath,
      [join(outdir, "soceval.mjs"), "run", suite, "--db", join(work, "built.duckdb"), "--quiet"],
      { encoding: "utf8" },
    );
    expect(built).toMatch(/replayed/);
    const source = await soceval(["run", suite, "--db", join(work, "source.duckdb"), "--quiet"], process.cwd(), {
      SOCEVAL_FROM_SOURCE: "1",
    });
    expect(source.status).toBe(0);
    const rows = (db: string) =>
      query<{ r: string }>(
        join(work, db),
        `SELECT to_json(list(x ORDER BY x))::VARCHAR AS r FROM (
           SELECT to_json(c)::VARCHAR AS x FROM (SELECT * EXCLUDE (run_id) FROM case_results) c
           UNION ALL SELECT to_json(t)::VARCHAR FROM (SELECT * EXCLUDE (run_id) FROM tool_calls) t)`,
      );
    const [a] = await rows("built.duckdb");
    const [b] = await rows("source.duckdb");
    expect(JSON.parse(a!.r).length).toBeGreaterThan(40);
    expect(a!.r).toBe(b!.r);
  });

  it("renders a report from its own chunk (templates found from dist/, not src/)", () => {
    const html = execFileSync(
      process.execPath,
      [join(outdir, "soceval.mjs"), "report", "--run", "latest", "--db", join(work, "built.duckdb"), "--format", "md"],
      { encoding: "utf8" },
    );
    expect(html).toMatch(/exit criteria/i);
  });
});
