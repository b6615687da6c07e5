import { spawn } from "node:child_process";
import { closeSync, existsSync, mkdtempSync, openSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { outputStatusSql } from "../src/schema/output-status.js";
import { Store } from "../src/store/db.js";
import { FIXTURE_RUN, seedFixture } from "./fixtures/report/run.js";
import { CLI, query, soceval } from "./helpers/cli.js";

const dir = mkdtempSync(join(tmpdir(), "soceval-jsonl-"));
const small = join(dir, "small.duckdb");
const big = join(dir, "big.duckdb");
const FINDINGS = 200_000;
const COPIES = 36_000; // of each of the fixture's case_results rows

/**
 * The listing as it was written before it streamed: every row of query(), JSON.stringify'd one per
 * line. The streamed output must be these bytes exactly.
 */
const CASES_SQL = `SELECT r.run_id, r.case_id, r.agent, r.epoch, r.label_verdict, r.verdict, r.escalate,
    c.alert->>'title' AS title, ${outputStatusSql("r")} AS output_status
  FROM (SELECT * FROM case_results WHERE run_id = '${FIXTURE_RUN}' AND NOT agree) r
  LEFT JOIN cases c ON c.run_id = r.run_id AND c.case_id = r.case_id
  ORDER BY r.agent, r.case_id, r.epoch`;
const FINDINGS_SQL = `SELECT run_id, case_id, agent, epoch, severity, kind, detail, evidence_id, action, step, scorer
  FROM findings WHERE run_id = '${FIXTURE_RUN}'
  ORDER BY case_id, agent, epoch, CASE severity WHEN 'high' THEN 0 WHEN 'medium' THEN 1 ELSE 2 END, seq`;

/** The CLI with a V8 heap far smaller than the listing; stdout counted as it arrives, never kept. */
function countLines(args: string[], heapMb: number): Promise<{ status: number | null; lines: number; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [`--max-old-space-size=${heapMb}`, CLI, ...args], {
      cwd: dir,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let lines = 0;
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => {
      for (let i = d.indexOf(10); i !== -1; i = d.indexOf(10, i + 1)) lines++;
    });
    child.stderr.on("data", (d: Buffer) => {
      stderr += d.toString();
    });
    child.on("close", (status) => resolve({ status, lines, stderr: stderr.slice(0, 500) }));
  });
}

describe("soceval cases / findings --format jsonl stream from the store", () => {
  beforeAll(async () => {
    for (const db of [small, big]) {
      const store = await Store.open(db);
      try {
        await seedFixture(store);
        if (db === big) {
          await store.run(`INSERT INTO findings (run_id, case_id, agent, epoch, seq, scorer, kind, severity, detail, step)
            SELECT '${FIXTURE_RUN}', 'bulk-' || lpad(i::VARCHAR, 7, '0'), 'playbook', 0, 0, 'policy', 'tool_error',
              'low', repeat('a tool call failed and the agent went on ', 5) || i, i::INTEGER FROM range(${FINDINGS}) t(i)`);
          await store.run(`INSERT INTO case_results
            SELECT * EXCLUDE (i) REPLACE (case_id || '~' || i AS case_id)
            FROM case_results, range(${COPIES}) t(i)`);
        }
      } finally {
        store.close();
      }
    }
  }, 60_000);

  it("writes the same bytes as the listing held in memory did", async () => {
    const cases = await soceval(
      ["cases", "--run", "latest", "--rate", "verdict_agreement", "--format", "jsonl", "--db", small],
      dir,
    );
    expect(cases.status, cases.stderr).toBe(0);
    const casesRows = await query<Record<string, unknown>>(small, CASES_SQL);
    expect(casesRows.length).toBeGreaterThan(0);
    expect(cases.stdout).toBe(casesRows.map((r) => `${JSON.stringify(r)}\n`).join(""));

    const findings = await soceval(["findings", "--run", "latest", "--format", "jsonl", "--db", small], dir);
    expect(findings.status, findings.stderr).toBe(0);
    const findingRows = await query<Record<string, unknown>>(small, FINDINGS_SQL);
    expect(findingRows.length).toBeGreaterThan(0);
    expect(findings.stdout).toBe(findingRows.map((r) => `${JSON.stringify(r)}\n`).join(""));
  });

  // Held whole, 200,000 findings need well over 64 MB of V8 heap (the version that read every row
  // first ran out of memory at 96 MB); streamed, the command needs about 30 MB whatever the count.
  it("lists 200,000 findings within a 64 MB heap", async () => {
    const [row] = await query<{ n: number }>(
      big,
      `SELECT count(*)::INTEGER AS n FROM findings WHERE run_id = '${FIXTURE_RUN}'`,
    );
    const n = row?.n ?? 0;
    expect(n).toBeGreaterThan(FINDINGS);
    const r = await countLines(["findings", "--run", "latest", "--format", "jsonl", "--db", big], 64);
    expect(r.status, r.stderr).toBe(0);
    expect(r.lines).toBe(n);
  }, 60_000);

  it("lists every investigation behind a rate of a run this large within a 64 MB heap; the table still shows 200", async () => {
    const table = await soceval(["cases", "--run", "latest", "--rate", "verdict_agreement", "--db", big], dir);
    expect(table.status, table.stderr).toBe(0);
    const totals = table.stdout.match(/investigations that count against it: (.*)\n/)?.[1] ?? "";
    const counted = [...totals.matchAll(/ (\d+) of \d+/g)].reduce((s, m) => s + Number(m[1]), 0);
    expect(counted).toBeGreaterThan(200_000);
    expect(table.stdout).toContain(`the first 200 of ${counted} shown; --format jsonl lists every one`);
    const r = await countLines(
      ["cases", "--run", "latest", "--rate", "verdict_agreement", "--format", "jsonl", "--db", big],
      64,
    );
    expect(r.status, r.stderr).toBe(0);
    expect(r.lines).toBe(counted);
  }, 60_000);
  // a full disk behind a redirect is a runtime failure: one line and exit 3, not Node's stack trace and exit 1
  it.skipIf(!existsSync("/dev/full"))(
    "says so in one line and exits 3 when stdout is a full disk",
    async () => {
      for (const args of [
        ["findings", "--run", "latest", "--format", "jsonl", "--db", big],
        ["cases", "--run", "latest", "--rate", "verdict_agreement", "--format", "jsonl", "--db", big],
      ]) {
        const full = openSync("/dev/full", "w");
        const r = await new Promise<{ status: number | null; stderr: string }>((resolve) => {
          const child = spawn(process.execPath, [CLI, ...args], { cwd: dir, stdio: ["ignore", full, "pipe"] });
          let stderr = "";
          child.stderr?.on("data", (d: Buffer) => {
            stderr += d.toString();
          });
          child.on("close", (status) => resolve({ status, stderr }));
        });
        closeSync(full);
        expect(r.status, r.stderr).toBe(3);
        expect(r.stderr).toMatch(/^soceval: .*ENOSPC.*\n$/);
      }
    },
    60_000,
  );
});
