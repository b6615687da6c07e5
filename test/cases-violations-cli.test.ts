import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { violationsText } from "../src/cli/cases-columns.js";
import { Store } from "../src/store/db.js";
import { FIXTURE_RUN, seedFixture } from "./fixtures/report/run.js";
import { jsonLines, query, soceval } from "./helpers/cli.js";

/**
 * The violation rates' rows name their violations: a reader of `cases --rate policy_violation_rate`
 * sees which kinds each investigation holds without a second command, and the counts are the
 * stored policy_violations (high_severity_violations) of the row.
 */
const dir = mkdtempSync(join(tmpdir(), "soceval-cases-violations-"));
const db = join(dir, "v.duckdb");
const run = (args: string[]) => soceval(["cases", "--run", "latest", "--db", db, ...args], dir);

type Line = { case_id: string; agent: string; epoch: number; violations?: { kind: string; count: number }[] };

const lines = async (args: string[]) => jsonLines<Line>(await run([...args, "--format", "jsonl"]));

beforeAll(async () => {
  const store = await Store.open(db);
  try {
    await seedFixture(store);
    // the playbook's c07 fails open twice and bypasses an approval: two kinds, one of them twice
    const key = `'${FIXTURE_RUN}', 'c07', 'playbook', 0`;
    await store.run(`INSERT INTO findings (run_id, case_id, agent, epoch, seq, scorer, kind, severity, detail)
      VALUES (${key}, 1, 'policy', 'fail_open', 'high', 'again'), (${key}, 2, 'policy', 'approval_bypass', 'medium', 'x')`);
    await store.run(`UPDATE case_results SET policy_violations = policy_violations + 2,
      high_severity_violations = high_severity_violations + 1
      WHERE run_id = '${FIXTURE_RUN}' AND case_id = 'c07' AND agent = 'playbook'`);
  } finally {
    store.close();
  }
});

describe("soceval cases on a violation rate", () => {
  for (const [rate, column] of [
    ["policy_violation_rate", "policy_violations"],
    ["high_severity_violation_rate", "high_severity_violations"],
  ] as const)
    it(`names each ${rate} row's violations by kind; their counts are its ${column}`, async () => {
      const listed = await lines(["--rate", rate]);
      const stored = await query<{ case_id: string; agent: string; n: number }>(
        db,
        `SELECT case_id, agent, ${column} AS n FROM case_results WHERE ${column} > 0 ORDER BY agent, case_id`,
      );
      expect(listed.map((l) => [l.agent, l.case_id])).toEqual(stored.map((s) => [s.agent, s.case_id]));
      for (const l of listed) {
        const n = stored.find((s) => s.agent === l.agent && s.case_id === l.case_id)!.n;
        expect(
          l.violations!.reduce((k, v) => k + v.count, 0),
          `${l.agent} ${l.case_id}`,
        ).toBe(n);
      }
      const c07 = listed.find((l) => l.agent === "playbook" && l.case_id === "c07")!;
      expect(c07.violations).toEqual(
        rate === "policy_violation_rate"
          ? [
              { kind: "fail_open", count: 2 },
              { kind: "approval_bypass", count: 1 },
            ]
          : [{ kind: "fail_open", count: 2 }],
      );
      // a filter keeps its rows and their violations
      expect(await lines(["--rate", rate, "--agent", "playbook"])).toEqual(
        listed.filter((l) => l.agent === "playbook"),
      );
    });

  it("shows them in the table, with a count where a kind occurs more than once", async () => {
    const r = await run(["--rate", "policy_violation_rate"]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout.split("\n")[1]).toContain("violations");
    const c07 = r.stdout.slice(r.stdout.indexOf("│ c07 ")).split("├")[0]!;
    expect(c07).toContain("fail_open ×2,");
    expect(c07).toContain("approval_bypass");
    // the model's injection, on its own: no count
    const c01 = r.stdout.slice(r.stdout.lastIndexOf("│ c01 ")).split("├")[0]!;
    expect(c01).toMatch(/│ injection_followed +│/);
    expect(violationsText([{ kind: "fail_open", count: 1 }])).toBe("fail_open");
  });

  it("one kind's rate counts that kind's findings per row, which add up to the report's findings", async () => {
    const listed = await lines(["--rate", "fail_open"]);
    const stored = await query<{ agent: string; case_id: string; n: number }>(
      db,
      "SELECT agent, case_id, count(*)::INTEGER AS n FROM findings WHERE kind = 'fail_open' GROUP BY ALL ORDER BY ALL",
    );
    expect(listed.map((l) => [l.agent, l.case_id, l.violations])).toEqual(
      stored.map((s) => [s.agent, s.case_id, [{ kind: "fail_open", count: s.n }]]),
    );
    // c07's approval bypass is another kind's: not listed here
    expect(listed.find((l) => l.agent === "playbook" && l.case_id === "c07")!.violations).toEqual([
      { kind: "fail_open", count: 2 },
    ]);
    const r = await run(["--rate", "violation_rate.fail_open"]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout.slice(r.stdout.indexOf("│ c07 ")).split("├")[0]!).toContain("fail_open ×2");
  });

  it("adds nothing to the other rates' rows", async () => {
    for (const l of await lines(["--rate", "critical_miss_rate"])) expect(l).not.toHaveProperty("violations");
    const head = (await run(["--rate", "critical_miss_rate"])).stdout.split("\n")[1]!;
    expect(head).toContain("agent verdict");
    expect(head).not.toContain("violations");
  });
});
