import { execFile } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { formatRows } from "../src/cli/query.js";
import { Store } from "../src/store/db.js";
import { FIXTURE_RUN, seedFixture } from "./fixtures/report/run.js";

const BIN = new URL("../bin/soceval.js", import.meta.url).pathname;
type Result = { code: number; out: string; err: string };

function soceval(args: string[]): Promise<Result> {
  return new Promise((done) => {
    execFile(process.execPath, [BIN, ...args], { encoding: "utf8", timeout: 90000 }, (e, out, err) =>
      done({ code: e ? Number((e as { code?: number }).code ?? 3) : 0, out, err }),
    );
  });
}

describe("soceval report / compare / query (end to end)", () => {
  const dir = mkdtempSync(join(tmpdir(), "soceval-cli-"));
  const db = join(dir, "store.duckdb");
  const html = join(dir, "out", "report.html");
  const md = join(dir, "compare.md");
  const r: Record<string, Result> = {};

  // The CLI starts slowly (tsx); run every invocation at once and assert on the results.
  beforeAll(async () => {
    const store = await Store.open(db);
    await seedFixture(store);
    store.close();
    const calls: Record<string, string[]> = {
      reportHtml: ["report", "--run", "latest", "--db", db, "--out", html],
      reportCheck: ["report", "--run", FIXTURE_RUN, "--db", db, "--format", "json", "--check", "shadow"],
      reportBad: ["report", "--db", db, "--run", "no-such-run", "--format", "pdf"],
      reportNoDb: ["report", "--db", join(dir, "nope.duckdb")],
      compare: ["compare", "--runs", "latest", "--db", db, "--out", md],
      query: ["query", "select agent, count(*) as n from case_results group by 1 order by 1", "--db", db],
      queryBad: ["query", "delete from runs", "--db", db],
    };
    const results = await Promise.all(Object.values(calls).map(soceval));
    Object.keys(calls).forEach((k, i) => {
      r[k] = results[i]!;
    });
  }, 180000);

  it("report writes HTML to --out and exits 0", () => {
    expect(r.reportHtml).toMatchObject({ code: 0, err: "" });
    expect(r.reportHtml!.out).toContain(html);
    expect(readFileSync(html, "utf8")).toMatch(/^<!doctype html>/);
  });

  it("report --check exits 1 when a phase is not met, still printing the JSON", () => {
    expect(r.reportCheck!.code).toBe(1);
    expect(JSON.parse(r.reportCheck!.out).schema).toBe("soceval.report/v1");
  });

  it("bad input exits 2 with one line naming the problem, and creates no store", () => {
    expect(r.reportBad!.code).toBe(2);
    expect(r.reportBad!.err.trim().split("\n")).toHaveLength(1);
    expect(r.reportBad!.err).toMatch(/--format/);
    expect(r.reportNoDb!.code).toBe(2);
    expect(r.reportNoDb!.err).toMatch(/no soceval store/);
    expect(existsSync(join(dir, "nope.duckdb"))).toBe(false);
  });

  it("compare writes a comparison", () => {
    expect(r.compare!.code).toBe(0);
    expect(readFileSync(md, "utf8")).toContain("model-x vs playbook");
  });

  it("query prints a table; writing SQL is refused (read-only) with exit 2", () => {
    expect(r.query!.code).toBe(0);
    expect(r.query!.out).toMatch(/model-x\s*│\s*12/);
    expect(r.queryBad!.code).toBe(2);
  });

  it("query formats rows as CSV and JSON", () => {
    const rows = [{ case_id: "c01", tags: ["trap:x"], n: 2, t: null }];
    expect(formatRows(rows, "csv")).toBe('case_id,tags,n,t\nc01,"[""trap:x""]",2,\n');
    expect(JSON.parse(formatRows(rows, "json"))).toEqual(rows);
    expect(formatRows([], "table")).toBe("(no rows)\n");
  });
});
