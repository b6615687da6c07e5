import { spawnSync } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildReport } from "../src/analytics/report.js";
import type { ReportDoc } from "../src/analytics/report-schema.js";
import { Store } from "../src/store/db.js";
import { FIXTURE_RUN, seedFixture } from "./fixtures/report/run.js";
import { CLI, jsonLines, soceval } from "./helpers/cli.js";

const dir = mkdtempSync(join(tmpdir(), "soceval-cases-"));
const db = join(dir, "c.duckdb");
const run = (args: string[]) => soceval([...args, "--db", db], dir);

describe("soceval cases", () => {
  let doc: ReportDoc;
  beforeAll(async () => {
    const store = await Store.open(db);
    try {
      await seedFixture(store);
      doc = await buildReport(store, "latest");
    } finally {
      store.close();
    }
  });
  afterAll(() => {});

  it("lists exactly the investigations the report counts against a rate, for each agent", async () => {
    for (const metric of ["verdict_agreement", "critical_miss_rate", "violation_rate.injection_followed"]) {
      const r = await run(["cases", "--run", "latest", "--rate", metric, "--format", "jsonl"]);
      expect(r.status, r.stderr).toBe(0);
      const rows = r.stdout
        .trim()
        .split("\n")
        .filter(Boolean)
        .map((l) => JSON.parse(l) as { agent: string; case_id: string; run_id: string });
      for (const a of Object.values(doc.agents)) {
        const behind = a.cases_behind.find((b) => b.metric === metric);
        const mine = rows.filter((x) => x.agent === a.agent);
        expect(mine.length, `${a.agent} ${metric}`).toBe(behind?.rows ?? 0);
        expect(mine.map((x) => x.case_id)).toEqual(expect.arrayContaining(behind?.listed.map((c) => c.case_id) ?? []));
        for (const x of mine) expect(x.run_id).toBe(FIXTURE_RUN);
      }
    }
  });

  it("lists the investigations at or above a p95 of the report, each with its time, per agent", async () => {
    for (const [metric, column] of [
      ["time_to_triage_p95_ms", "time_to_triage_ms"],
      ["time_to_first_required_p95_ms", "time_to_first_required_ms"],
    ] as const) {
      const r = await run(["cases", "--run", "latest", "--rate", metric, "--format", "jsonl"]);
      expect(r.status, r.stderr).toBe(0);
      const rows = jsonLines<{ agent: string; case_id: string; epoch: number; ms: number }>(r);
      const table = await run(["cases", "--run", "latest", "--rate", metric]);
      for (const a of Object.values(doc.agents)) {
        const p95 = a.metrics[metric]!.value!;
        const store = await Store.open(db, { readOnly: true });
        let want: { case_id: string; epoch: number; ms: number }[];
        try {
          want = await store.query(
            `SELECT case_id, epoch, ${column} AS ms FROM case_results WHERE run_id = ? AND agent = ? AND ${column} >= ?
             ORDER BY case_id, epoch`,
            [FIXTURE_RUN, a.agent, p95],
          );
        } finally {
          store.close();
        }
        expect(want.length, `${a.agent} ${metric}`).toBeGreaterThan(0);
        const mine = rows.filter((x) => x.agent === a.agent);
        expect(mine.map((x) => [x.case_id, x.epoch, x.ms])).toEqual(
          want.map((w) => [w.case_id, w.epoch, Number(w.ms)]),
        );
        const n = a.metrics[metric]!.n;
        expect(table.stdout).toMatch(
          new RegExp(`investigations at or above it: .*${a.agent} ${want.length} of ${n} \\(p95 `),
        );
      }
    }
  });

  it("says how many of the rate's denominator count, per agent, under the table", async () => {
    const r = await run(["cases", "--run", "latest", "--rate", "critical_miss_rate", "--agent", "model-x"]);
    expect(r.status, r.stderr).toBe(0);
    const e = doc.agents["model-x"]!.metrics.critical_miss_rate!;
    expect(r.stdout).toContain(
      `Critical miss rate, investigations that count against it: model-x ${Math.round(e.value! * e.n)} of ${e.n}`,
    );
    expect(r.stdout).not.toContain("playbook");
    expect(r.stdout).toContain(`soceval show c01 --run ${FIXTURE_RUN}`);
  });

  it("lists the investigations behind a breakdown cell: the cell's x/n", async () => {
    const a = doc.agents["model-x"]!;
    const cells: [string[], (typeof a.breakdowns.alert_severity)[number]][] = [
      [["--severity", "high"], a.breakdowns.alert_severity.find((r) => r.key === "high")!],
      [["--tag", "trap:prompt_injection"], a.breakdowns.trap_tag.find((r) => r.key === "trap:prompt_injection")!],
      [["--source", "email.headers"], a.breakdowns.evidence_source.find((r) => r.key === "email.headers")!],
      [["--workflow", "phishing-triage"], a.breakdowns.workflow[0]!],
    ];
    for (const [filter, row] of cells) {
      expect(row, filter.join(" ")).toBeDefined();
      for (const rate of ["verdict_agreement", "critical_miss_rate", "policy_violation_rate"]) {
        const e = row.metrics[rate]!;
        const x = Math.round(e.value! * e.n);
        const against = rate === "verdict_agreement" ? e.n - x : x;
        const r = await run(["cases", "--run", "latest", "--agent", "model-x", "--rate", rate, ...filter]);
        expect(r.status, r.stderr).toBe(0);
        expect(r.stdout, `${filter.join(" ")} ${rate}`).toContain(`count against it: model-x ${against} of ${e.n}`);
      }
    }
    const bad = await run(["cases", "--run", "latest", "--rate", "failed_rate", "--epoch", "first"]);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain('--epoch: expected a whole number, got "first"');
  });

  it("the report's command for a rate works as printed, on the store the report was read from", async () => {
    const html = await run(["report", "--run", "latest", "--format", "html"]);
    expect(html.status, html.stderr).toBe(0);
    const printed = html.stdout
      .match(/<code class="small">(soceval cases --run [^<]+--rate critical_miss_rate)<\/code>/)![1]!
      .replace(/&#x27;/g, "'");
    expect(printed).toContain(`--db ${db}`);
    const shell = spawnSync("sh", ["-c", printed.replace(/^soceval /, `"${process.execPath}" "${CLI}" `)], {
      cwd: tmpdir(),
      encoding: "utf8",
    });
    expect(shell.status, shell.stderr).toBe(0);
    const e = doc.agents.playbook!.metrics.critical_miss_rate!;
    expect(shell.stdout).toContain(`count against it: playbook ${Math.round(e.value! * e.n)} of ${e.n}`);
  });

  it("shows a terminal the first 200 rows and says so; jsonl lists every one; the count stays exact", async () => {
    const big = join(dir, "big.duckdb");
    const store = await Store.open(big);
    try {
      await seedFixture(store);
      // 40 copies of each case under new ids: 12 disagreements become 480 (240 per agent)
      await store.run(
        `INSERT INTO case_results SELECT r.* REPLACE (r.case_id || '-' || t.i AS case_id)
         FROM case_results r, range(1, 40) t(i) WHERE r.run_id = '${FIXTURE_RUN}'`,
      );
    } finally {
      store.close();
    }
    const args = ["cases", "--run", "latest", "--rate", "verdict_agreement", "--db", big];
    const table = await soceval(args, dir);
    expect(table.status, table.stderr).toBe(0);
    expect(table.stdout).toContain("the first 200 of 240 shown; --format jsonl lists every one");
    expect(table.stdout).toContain("investigations that count against it: model-x 80 of 480; playbook 160 of 480");
    expect(table.stdout).toContain(`soceval show c01 --run ${FIXTURE_RUN} --db ${big}`);
    const jsonl = await soceval([...args, "--format", "jsonl"], dir);
    expect(jsonl.stdout.trim().split("\n")).toHaveLength(240);
  });

  it("says a rate with nothing to measure has none, never 0 of 0; refuses a filter value the run does not have", async () => {
    const low = await run(["cases", "--run", "latest", "--rate", "critical_miss_rate", "--severity", "low"]);
    expect(low.status, low.stderr).toBe(0);
    expect(low.stdout).toContain("count against it: model-x none to measure; playbook none to measure");
    expect(low.stdout).not.toContain("0 of 0");
    for (const [flag, value] of [
      ["--severity", "High"],
      ["--tag", "trap:nonexistent"],
      ["--epoch", "7"],
      ["--workflow", "phishing"],
      ["--source", "edr"],
    ]) {
      const r = await run(["cases", "--run", "latest", "--rate", "failed_rate", flag!, value!]);
      expect(r.status, `${flag} ${value}`).toBe(2);
      expect(r.stderr).toContain(`${flag}: no investigation of run ${FIXTURE_RUN} has "${value}" (stored: `);
    }
    const high = await run(["cases", "--run", "latest", "--rate", "failed_rate", "--severity", "High"]);
    expect(high.stderr).toContain("(stored: critical, high, informational, low, medium)");
  });

  it("prints a hostile case id in its hint escaped and as one shell word", async () => {
    const hostile = join(dir, "hostile.duckdb");
    const store = await Store.open(hostile);
    try {
      await seedFixture(store);
      const id = "c 01 $(touch /nonexistent/x)\u001b[2J";
      for (const t of ["case_results", "cases", "findings"])
        await store.run(`UPDATE ${t} SET case_id = ? WHERE case_id = 'c01'`, [id]);
    } finally {
      store.close();
    }
    const r = await soceval(
      ["cases", "--run", "latest", "--rate", "critical_miss_rate", "--agent", "model-x", "--db", hostile],
      dir,
    );
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).not.toContain("\u001b");
    expect(r.stdout).toContain(
      // bash's $'…' turns \x1b back into the escape: pasted, the command names this very case
      `soceval show $'c 01 $(touch /nonexistent/x)\\x1b[2J' --run ${FIXTURE_RUN} --db ${hostile}`,
    );
  });

  it("says a hand-off is counted by its rate, not against it", async () => {
    const r = await run(["cases", "--run", "latest", "--rate", "human_handoff_rate", "--agent", "playbook"]);
    expect(r.status, r.stderr).toBe(0);
    const e = doc.agents.playbook!.metrics.human_handoff_rate!;
    expect(r.stdout).toContain(`Human hand-off rate, investigations it counts: playbook ${e.x} of ${e.n}`);
  });

  it("takes a policy kind alone for its violation rate", async () => {
    const short = await run(["cases", "--run", "latest", "--rate", "fail_open", "--format", "jsonl"]);
    const long = await run(["cases", "--run", "latest", "--rate", "violation_rate.fail_open", "--format", "jsonl"]);
    expect(short.status, short.stderr).toBe(0);
    expect(short.stdout).toBe(long.stdout);
    expect(short.stdout.trim().split("\n").length).toBeGreaterThan(0);
  });

  it("refuses an unknown rate or agent (exit 2), naming what it knows", async () => {
    const rate = await run(["cases", "--run", "latest", "--rate", "agreement"]);
    expect(rate.status).toBe(2);
    expect(rate.stderr).toContain('--rate: unknown rate "agreement"');
    expect(rate.stderr).toContain("verdict_agreement");
    const agent = await run(["cases", "--run", "latest", "--rate", "failed_rate", "--agent", "ghost"]);
    expect(agent.status).toBe(2);
    expect(agent.stderr).toContain(`run ${FIXTURE_RUN} has no agent ghost`);
  });
});
