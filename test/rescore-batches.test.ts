import { cpSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { rescoreRun } from "../src/scoring/rescore.js";
import { Store } from "../src/store/db.js";
import { soceval } from "./helpers/cli.js";

const dir = mkdtempSync(join(tmpdir(), "soceval-rescore-batches-"));
cpSync("test/fixtures/mini", dir, { recursive: true });
const db = join(dir, "store.duckdb");

beforeAll(async () => {
  // two epochs: each case has two transcripts, which a batch must keep together; without threat
  // intelligence the playbook misses context, so there are findings to rebuild
  const r = await soceval(
    ["run", "suite.yaml", "--db", db, "--agent", "playbook-no-ti", "--epochs", "2", "--quiet"],
    dir,
  );
  expect(r.status, r.stderr).toBe(0);
}, 60_000);

/** Every scored row of the run, in a fixed order, without the run id. */
async function scored(store: Store): Promise<string[]> {
  const results = await store.query<{ r: string }>(
    "SELECT to_json(c)::VARCHAR AS r FROM (SELECT * EXCLUDE (run_id) FROM case_results ORDER BY case_id, agent, epoch) c",
  );
  const findings = await store.query<{ r: string }>(
    "SELECT to_json(f)::VARCHAR AS r FROM (SELECT * EXCLUDE (run_id) FROM findings ORDER BY case_id, agent, epoch, seq) f",
  );
  return [...results, ...findings].map((x) => x.r);
}

describe("rescore, a few cases at a time", () => {
  it("scores every stored transcript once, whatever the batch, and gives the rows a whole-run rescore gives", async () => {
    const store = await Store.open(db);
    try {
      const asRun = await scored(store);
      expect(asRun.length).toBeGreaterThan(80);
      // rows removed and changed by hand come back in batches of 3 cases (6 transcripts), as in one
      await store.run("DELETE FROM findings WHERE seq = 0");
      await store.run("UPDATE case_results SET agree = NOT agree");
      const o = await rescoreRun(store, "latest", 3);
      expect(o.transcripts).toBe(80);
      expect(o.changes.results_changed).toBe(80);
      expect(await scored(store)).toEqual(asRun);
      const again = await rescoreRun(store, "latest", 1);
      expect(again.transcripts).toBe(80);
      expect(again.changes.results_changed).toBe(0);
      expect(await scored(store)).toEqual(asRun);
    } finally {
      store.close();
    }
  });
});
