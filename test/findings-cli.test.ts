import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { Store } from "../src/store/db.js";
import { FIXTURE_RUN, seedFixture } from "./fixtures/report/run.js";
import { query, soceval } from "./helpers/cli.js";

const dir = mkdtempSync(join(tmpdir(), "soceval-findings-"));
const db = join(dir, "f.duckdb");
const run = (args: string[]) => soceval([...args, "--db", db], dir);

beforeAll(async () => {
  const store = await Store.open(db);
  try {
    await seedFixture(store);
  } finally {
    store.close();
  }
});

describe("soceval findings", () => {
  it("refuses a case the run does not have (exit 2) instead of saying no findings match", async () => {
    const r = await run(["findings", "--run", "latest", "--case", "nosuch"]);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain(`run ${FIXTURE_RUN} has no case nosuch`);
    const agent = await run(["findings", "--run", "latest", "--agent", "ghost"]);
    expect(agent.status).toBe(2);
    expect(agent.stderr).toContain(`run ${FIXTURE_RUN} has no agent ghost`);
  });

  it("still says no findings match for a case the run has but that has none", async () => {
    const r = await run(["findings", "--run", "latest", "--case", "c08"]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toBe("no findings match\n");
  });

  it("writes run_id, agent and epoch on every JSONL row", async () => {
    const r = await run(["findings", "--run", "latest", "--format", "jsonl"]);
    expect(r.status, r.stderr).toBe(0);
    const rows = r.stdout
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(rows.length).toBeGreaterThan(0);
    for (const row of rows) expect(row).toMatchObject({ run_id: FIXTURE_RUN, epoch: 0, agent: expect.any(String) });
  });

  it("shows the first 200 findings as a table with the exact count, and --format jsonl every one", async () => {
    // a run with thousands of findings: the table took 15 s over 15,000 and grows with the square
    const many = join(dir, "many.duckdb");
    const store = await Store.open(many);
    try {
      await seedFixture(store);
      await store.run(
        `INSERT INTO findings (run_id, case_id, agent, epoch, seq, scorer, kind, severity, detail)
         SELECT '${FIXTURE_RUN}', 'c01', 'playbook', 0, 1000 + i, 'operations', 'tool_error', 'low', 'extra finding ' || i
         FROM range(500) t(i)`,
      );
    } finally {
      store.close();
    }
    const [count] = await query<{ n: bigint }>(many, `SELECT count(*) n FROM findings WHERE run_id = '${FIXTURE_RUN}'`);
    const total = Number(count!.n);
    expect(total).toBeGreaterThan(500);
    const table = await soceval(["findings", "--run", "latest", "--db", many], dir);
    expect(table.status, table.stderr).toBe(0);
    expect(table.stdout.match(/^│ c\d\d /gm)).toHaveLength(200);
    expect(table.stdout).toContain(`the first 200 of ${total} findings shown; --format jsonl lists every one`);
    const jsonl = await soceval(["findings", "--run", "latest", "--db", many, "--format", "jsonl"], dir);
    expect(jsonl.stdout.trim().split("\n")).toHaveLength(total);
  });
});
