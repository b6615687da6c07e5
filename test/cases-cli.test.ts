import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildReport } from "../src/analytics/report.js";
import type { ReportDoc } from "../src/analytics/report-schema.js";
import { Store } from "../src/store/db.js";
import { FIXTURE_RUN, seedFixture } from "./fixtures/report/run.js";
import { soceval } from "./helpers/cli.js";

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
