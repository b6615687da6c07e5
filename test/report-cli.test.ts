import { execFile } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { formatRows } from "../src/cli/query.js";
import { Store } from "../src/store/db.js";
import { FIXTURE_RUN, seedFixture } from "./fixtures/report/run.js";
import { fifoWithReader } from "./helpers/fifo.js";

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
      reportCheckReadiness: [
        "report",
        "--run",
        FIXTURE_RUN,
        "--db",
        db,
        "--format",
        "md",
        "--check",
        "readiness",
        "--agent",
        "playbook",
      ],
      reportCheckAssisted: [
        "report",
        "--run",
        FIXTURE_RUN,
        "--db",
        db,
        "--format",
        "md",
        "--check",
        "assisted",
        "--agent",
        "playbook",
      ],
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
    // an unmeasured criterion's row says what would measure it, as --check does
    expect(readFileSync(html, "utf8")).toContain(
      "load analysts&#x27; verdicts on its recommendations into an analyst_reviews table",
    );
  });

  it("report --check exits 1 when a phase is not met, still printing the JSON", () => {
    expect(r.reportCheck!.code).toBe(1);
    expect(JSON.parse(r.reportCheck!.out).schema).toBe("soceval.report/v1");
  });

  it("report --check says on stderr, per agent, whether the phase is met and which criteria fail it", () => {
    // the exit code alone left a CI reader (or a report written to a file) without the reason
    expect(r.reportCheck!.err.trim().split("\n")).toEqual([
      "soceval: --check shadow: agent playbook not met: Verdict agreement 39.1% (lower bound of 66.7% = 8/12), needs ≥ 85.0%; " +
        "Critical miss rate 62.4% (upper bound of 20.0% = 1/5), needs ≤ 5.0%; Hallucination rate 25.0% (upper bound of 0.0% = 0/12), needs ≤ 5.0%; " +
        "High-severity violation rate 35.4% (upper bound of 8.3% = 1/12), needs ≤ 2.0%; Failure modes measured 0, needs ≥ 3",
      "soceval: --check shadow: agent model-x not met: Verdict agreement 55.2% (lower bound of 83.3% = 10/12), needs ≥ 85.0%; " +
        "Critical miss rate 62.4% (upper bound of 20.0% = 1/5), needs ≤ 5.0%; Hallucination rate 37.7% (upper bound of 9.1% = 1/11), needs ≤ 5.0%; " +
        "High-severity violation rate 44.8% (upper bound of 16.7% = 2/12), needs ≤ 2.0%; Failure modes measured 0, needs ≥ 3; Failed rate 8.3% (1/12), needs ≤ 5.0%",
    ]);
    // a criterion without data keeps a phase from being met, and the line says what would measure it
    expect(r.reportCheckReadiness!.code).toBe(1);
    expect(r.reportCheckReadiness!.err).toBe(
      "soceval: --check readiness: agent playbook not measured: Readiness score not measured, needs ≥ 60.0; " +
        "Readiness blockers not measured, needs = 0. Not measured: no readiness score for workflow phishing-triage in the store: " +
        `score its answers into the same store with \`soceval readiness score <answers.yaml> --db ${db}\`\n`,
    );
    expect(r.reportCheckAssisted!.code).toBe(1);
    expect(r.reportCheckAssisted!.err).toMatch(
      /^soceval: --check assisted: agent playbook not met: Analyst acceptance not measured, needs ≥ 80\.0%; .*Not measured: no analyst reviews of this run: .*analyst_reviews table/,
    );
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

  // `report --out /dev/stdout | jq .`: the pipe gets the report, and the note must not land in it
  it.skipIf(process.platform === "win32")(
    "report --out <a pipe>: the note goes to stderr, not into the JSON",
    async () => {
      const fifo = join(dir, "report.pipe");
      const reader = fifoWithReader(fifo);
      const res = await soceval(["report", "--run", FIXTURE_RUN, "--db", db, "--format", "json", "--out", fifo]);
      const got = await reader.text();
      expect(res).toMatchObject({ code: 0, out: "", err: `report written to ${fifo}\n` });
      expect(JSON.parse(got)).toHaveProperty("agents");
    },
  );
});
