import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { Store } from "../src/store/db.js";
import { FIXTURE_RUN, seedFixture } from "./fixtures/report/run.js";
import { soceval } from "./helpers/cli.js";

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
});
