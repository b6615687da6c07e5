import { appendFileSync, copyFileSync, cpSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { Store } from "../src/store/db.js";
import { mergeShards } from "../src/store/merge-shards.js";
import { resolveRunId } from "../src/store/run-ref.js";
import { query, soceval } from "./helpers/cli.js";

const dir = mkdtempSync(join(tmpdir(), "soceval-merge-"));
cpSync("test/fixtures/mini", dir, { recursive: true });
const run = (args: string[]) => soceval(args, dir);
const shardDb = (i: number) => join(dir, `shard${i}.duckdb`);

/** Every case's scored outcome, without the run it belongs to. */
const outcomes = (db: string) =>
  query<{ row: string }>(
    db,
    `SELECT case_id || ':' || agent || ':' || epoch || ':' || coalesce(verdict, '-') || ':' || agree || ':' ||
            tool_calls || ':' || policy_violations AS row
     FROM case_results ORDER BY case_id, agent, epoch`,
  );

beforeAll(async () => {
  for (const i of [1, 2, 3]) {
    const r = await run(["run", "suite.yaml", "--shard", `${i}/3`, "--db", shardDb(i), "--quiet"]);
    expect(r.status, r.stderr).toBe(0);
  }
  // shard 3/3 again, later, with another agent and epochs: the slice of another run
  const other = ["--agent", "playbook-no-ti", "--epochs", "2", "--db", join(dir, "shard3b.duckdb"), "--quiet"];
  const b = await run(["run", "suite.yaml", "--shard", "3/3", ...other]);
  expect(b.status, b.stderr).toBe(0);
  const whole = await run(["run", "suite.yaml", "--db", join(dir, "whole.duckdb"), "--quiet"]);
  expect(whole.status, whole.stderr).toBe(0);
}, 60_000);

describe("soceval runs merge", () => {
  it("merges a run's shards into one run that holds every case once, scored as the unsharded run", async () => {
    const db = join(dir, "merged.duckdb");
    const r = await run(["runs", "merge", shardDb(1), shardDb(2), shardDb(3), "--db", db]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/3 shards of mini-shadow merged, 40 results/);
    const runs = await query<{ shard: string | null; status: string; cases_total: number; n: number }>(
      db,
      "SELECT shard, status, cases_total, (SELECT count(DISTINCT case_id) FROM cases) AS n FROM runs",
    );
    expect(runs).toEqual([{ shard: null, status: "finished", cases_total: 40, n: 40 }]);
    // the shards' faults and limit come along, so a gate can hold a baseline made from it to them
    const config = async (d: string) =>
      (await query<{ c: string }>(d, "SELECT replay_config::VARCHAR AS c FROM runs ORDER BY started_at LIMIT 1"))[0]!.c;
    expect(await config(db)).toBe(await config(shardDb(1)));
    expect(JSON.parse(await config(db))).toMatchObject({ fault_draws: "per_epoch" });
    expect(await outcomes(db)).toEqual(await outcomes(join(dir, "whole.duckdb")));
    // every step came along: the merged run holds as many tool calls as the unsharded one
    const count = async (d: string) => (await query<{ n: number }>(d, "SELECT count(*) AS n FROM tool_calls"))[0]!.n;
    expect(await count(db)).toBe(await count(join(dir, "whole.duckdb")));
    const report = await run(["report", "--db", db, "--format", "json"]);
    expect(report.status, report.stderr).toBe(0);
    expect(JSON.parse(report.stdout).agents.playbook.cases).toBe(40);
    // bootstraps are seeded by content, so the merged run's intervals are the unsharded run's, to the digit
    const whole = await run(["report", "--db", join(dir, "whole.duckdb"), "--format", "json"]);
    expect(JSON.parse(report.stdout).agents.playbook.metrics).toEqual(JSON.parse(whole.stdout).agents.playbook.metrics);
  });

  it("records which shard runs a merged run holds, and runs list shows it", async () => {
    const db = join(dir, "provenance.duckdb");
    expect((await run(["runs", "merge", shardDb(1), shardDb(2), shardDb(3), "--db", db])).status).toBe(0);
    const shardRuns = await Promise.all(
      [1, 2, 3].map(async (i) => (await query<{ run_id: string }>(shardDb(i), "SELECT run_id FROM runs"))[0]!.run_id),
    );
    const [merged] = await query<{ m: string }>(db, "SELECT merged_from::VARCHAR AS m FROM runs");
    expect(JSON.parse(merged!.m)).toEqual(
      [1, 2, 3].map((i) => ({ shard: `${i}/3`, run_id: shardRuns[i - 1], file: shardDb(i) })),
    );
    const table = await run(["runs", "list", "--db", db]);
    expect(table.stdout).toMatch(/merged 1\/3 2\/3 3\/3/);
    const json = JSON.parse((await run(["runs", "list", "--db", db, "--format", "json"])).stdout);
    expect(json[0].merged_from.map((m: { run_id: string }) => m.run_id)).toEqual(shardRuns);
    // listed by when it was merged (as `latest` ranks it), after its first shard started, and that is the time it shows
    expect(new Date(json[0].made_at).getTime()).toBeGreaterThan(new Date(json[0].started_at).getTime());
    expect(table.stdout).toContain(`${new Date(json[0].made_at).toISOString().slice(0, 19)} (merged)`);
    // a shard's own run is not a merge
    const [own] = await query<{ m: string | null }>(shardDb(1), "SELECT merged_from::VARCHAR AS m FROM runs");
    expect(own!.m).toBeNull();
  });

  it("merges a shard written before runs had merged_from (fewer columns, one table fewer)", async () => {
    const older = join(dir, "older2.duckdb");
    copyFileSync(shardDb(2), older);
    const store = await Store.open(older);
    await store.run("ALTER TABLE runs DROP COLUMN merged_from");
    await store.run("ALTER TABLE runs DROP COLUMN exit_criteria");
    // a per-case table too: selecting a column a shard lacks fails even with no rows to copy
    await store.run("ALTER TABLE findings DROP COLUMN step");
    // and a table added since
    await store.run("DROP TABLE replaced_model_calls");
    store.close();
    const { DuckDBInstance } = await import("@duckdb/node-api");
    const check = await DuckDBInstance.create(older, { access_mode: "READ_ONLY" });
    const cols = (
      await (await check.connect()).runAndReadAll("SELECT column_name FROM duckdb_columns() WHERE table_name = 'runs'")
    )
      .getRows()
      .map((r) => r[0]);
    check.closeSync();
    expect(cols).not.toContain("merged_from");
    const db = join(dir, "with-older.duckdb");
    const r = await run(["runs", "merge", shardDb(1), older, shardDb(3), "--db", db]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/40 results/);
  });

  it("says which store it did not use when one holds no shard of the merged run", async () => {
    const db = join(dir, "with-extra.duckdb");
    const r = await run(["runs", "merge", shardDb(1), shardDb(2), shardDb(3), join(dir, "whole.duckdb"), "--db", db]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toContain(`note: ${join(dir, "whole.duckdb")} holds no shard of this run; it was not used`);
    expect(r.stderr).not.toContain("shard1.duckdb holds");
  });

  it("can write the merged run into one of the shard stores", async () => {
    const db = join(dir, "into-shard1.duckdb");
    copyFileSync(shardDb(1), db);
    const r = await run(["runs", "merge", db, shardDb(2), shardDb(3), "--db", db]);
    expect(r.status, r.stderr).toBe(0);
    const [n] = await query<{ n: number }>(
      db,
      "SELECT count(*) AS n FROM case_results WHERE run_id = (SELECT run_id FROM runs WHERE shard IS NULL)",
    );
    expect(n!.n).toBe(40);
  });

  it("refuses to merge the same shard runs twice into one store, naming the merged run", async () => {
    const db = join(dir, "twice.duckdb");
    const first = await run(["runs", "merge", shardDb(1), shardDb(2), shardDb(3), "--db", db]);
    expect(first.status, first.stderr).toBe(0);
    const [merged] = await query<{ run_id: string }>(db, "SELECT run_id FROM runs");
    const again = await run(["runs", "merge", shardDb(1), shardDb(2), shardDb(3), "--db", db]);
    expect(again.status).toBe(2);
    expect(again.stderr).toBe(
      `soceval: ${db} already holds these shards merged, as run ${merged!.run_id}; ` +
        `report on that run, or remove it first (soceval runs delete ${merged!.run_id} --db ${db})\n`,
    );
    expect(await query(db, "SELECT run_id FROM runs")).toEqual([merged]);
  });

  it("refuses a shard a newer soceval wrote, naming it, and writes nothing: what only that one stores would be dropped", async () => {
    const newer = join(dir, "newer2.duckdb");
    copyFileSync(shardDb(2), newer);
    const store = await Store.open(newer);
    await store.run("ALTER TABLE transcripts ADD COLUMN later_column VARCHAR");
    await store.run("UPDATE soceval_schema SET version = version + 1");
    const [{ v } = { v: 0 }] = await store.query<{ v: number }>("SELECT max(version) AS v FROM soceval_schema");
    store.close();
    const db = join(dir, "with-newer.duckdb");
    const r = await run(["runs", "merge", shardDb(1), newer, shardDb(3), "--db", db]);
    expect(r.status, r.stderr).toBe(2);
    expect(r.stderr).toBe(
      `soceval: ${newer}: written by a newer soceval (store layout ${v}; this one writes layout ${v - 1}), whose runs this one cannot merge whole; merge with the newer soceval\n`,
    );
    expect(existsSync(db)).toBe(false);
  });

  it("merges a shard replayed on another machine, from a checkout at another path", async () => {
    const elsewhere = mkdtempSync(join(tmpdir(), "soceval-merge-elsewhere-"));
    cpSync("test/fixtures/mini", elsewhere, { recursive: true });
    const there = join(elsewhere, "shard2.duckdb");
    const r2 = await soceval(["run", "suite.yaml", "--shard", "2/3", "--db", there, "--quiet"], elsewhere);
    expect(r2.status, r2.stderr).toBe(0);
    const db = join(dir, "two-machines.duckdb");
    // refused before as "made with other suite (<elsewhere>/suite.yaml, not <dir>/suite.yaml)"
    const r = await run(["runs", "merge", shardDb(1), there, shardDb(3), "--db", db]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/3 shards of mini-shadow merged, 40 results/);
    expect(await outcomes(db)).toEqual(await outcomes(join(dir, "whole.duckdb")));
  });

  it("refuses a missing shard, naming it, and writes nothing", async () => {
    const db = join(dir, "partial.duckdb");
    const r = await run(["runs", "merge", shardDb(1), shardDb(3), "--db", db]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/shard 2\/3 missing \(have 1\/3 in .*shard1\.duckdb, 3\/3 in .*shard3\.duckdb\)/);
    expect(existsSync(db)).toBe(false);
  });

  it("names a shard made with other agents or epochs, rather than calling the others missing", async () => {
    const db = join(dir, "mixed.duckdb");
    const r = await run(["runs", "merge", shardDb(1), shardDb(2), join(dir, "shard3b.duckdb"), "--db", db]);
    expect(r.status, r.stderr).toBe(2);
    expect(r.stderr).not.toMatch(/missing/);
    expect(r.stderr).toMatch(
      /shard 3\/3 in \S*shard3b\.duckdb was made with other agents \(playbook-no-ti [0-9a-f]{8}, not playbook [0-9a-f]{8}\)\/epochs \(2, not 1\) than shards 1\/3, 2\/3; pass the shards of one run/,
    );
    expect(r.stderr.trim().split("\n")).toHaveLength(1);
    expect(existsSync(db)).toBe(false);
  });

  it("names a shard replayed with --limit or other faults: the merged run would not be the one run", async () => {
    const limited = join(dir, "shard3-limit.duckdb");
    expect(
      (await run(["run", "suite.yaml", "--shard", "3/3", "--limit", "5", "--db", limited, "--quiet"])).status,
    ).toBe(0);
    const r = await run(["runs", "merge", shardDb(1), shardDb(2), limited, "--db", join(dir, "m-limit.duckdb")]);
    expect(r.status, r.stderr).toBe(2);
    expect(r.stderr).toMatch(
      /shard 3\/3 in \S*shard3-limit\.duckdb was made with other --limit \(5, not none\) than shards 1\/3, 2\/3/,
    );
    expect(existsSync(join(dir, "m-limit.duckdb"))).toBe(false);

    // the same suite file, its faults edited between shards (and put back)
    const suite = join(dir, "suite.yaml");
    const original = readFileSync(suite, "utf8");
    appendFileSync(suite, "faults: [{ tool: get_signins, kind: timeout, rate: 0.5 }]\n");
    const withFaults = join(dir, "shard3-faults.duckdb");
    const f = await run(["run", "suite.yaml", "--shard", "3/3", "--db", withFaults, "--quiet"]).finally(() =>
      writeFileSync(suite, original),
    );
    expect(f.status, f.stderr).toBe(0);
    const m = await run(["runs", "merge", shardDb(1), shardDb(2), withFaults, "--db", join(dir, "m-faults.duckdb")]);
    expect(m.status, m.stderr).toBe(2);
    expect(m.stderr).toMatch(
      /shard 3\/3 in \S*shard3-faults\.duckdb was made with other faults \(\[\{"tool":"get_signins","kind":"timeout","rate":0\.5\}\], not \[\]\) than shards 1\/3, 2\/3/,
    );
  });

  it("reads a store named twice once, and says so", async () => {
    const db = join(dir, "named-twice.duckdb");
    const r = await run(["runs", "merge", shardDb(1), shardDb(2), shardDb(3), shardDb(3), "--db", db]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/note: \S*shard3\.duckdb was named more than once; it is read once/);
    expect(r.stdout).toMatch(/3 shards of mini-shadow merged, 40 results/);
  });

  it("refuses shards that overlap as bad input (exit 2), and writes nothing", async () => {
    // shard 2's store, with shard 1's cases stored under its run as well
    const overlapping = join(dir, "overlap2.duckdb");
    copyFileSync(shardDb(2), overlapping);
    const store = await Store.open(overlapping);
    const [{ run_id } = { run_id: "" }] = await store.query<{ run_id: string }>("SELECT run_id FROM runs");
    await store.run(`ATTACH '${shardDb(1)}' AS s1 (READ_ONLY)`);
    for (const t of ["cases", "transcripts", "case_results"])
      await store.run(`INSERT INTO ${t} SELECT * REPLACE (? AS run_id) FROM s1.${t}`, [run_id]);
    await store.run("DETACH s1");
    store.close();
    const db = join(dir, "overlap-merged.duckdb");
    const r = await run(["runs", "merge", shardDb(1), overlapping, shardDb(3), "--db", db]);
    expect(r.status, r.stderr).toBe(2);
    expect(r.stderr).toMatch(/the shards overlap: a case is stored in more than one of .*; nothing was merged/);
    expect(existsSync(db)).toBe(false);

    // the bounded buffer pool a merge writes under is the store's own again after it, refused or not
    // (set again from DuckDB's printed value, so to its rounding: 18.8 GiB comes back as 18.7)
    const into = await Store.open(join(dir, "overlap-settings.duckdb"));
    const setting = async () => {
      const [s] = await into.query<{ limit: string; threshold: string }>(
        "SELECT current_setting('memory_limit') AS limit, current_setting('checkpoint_threshold') AS threshold",
      );
      return { gib: Number.parseFloat(s!.limit) * (s!.limit.endsWith("MiB") ? 1 / 1024 : 1), threshold: s!.threshold };
    };
    const before = await setting();
    await expect(mergeShards(into, [shardDb(1), overlapping, shardDb(3)])).rejects.toThrow(/the shards overlap/);
    const refused = await setting();
    await mergeShards(into, [shardDb(1), shardDb(2), shardDb(3)]);
    for (const after of [refused, await setting()]) {
      expect(after.gib).toBeCloseTo(before.gib, 0);
      expect(after.gib).toBeGreaterThan(0.5);
      expect(after.threshold).toBe(before.threshold);
    }
    into.close();
  });

  it("names the case a dataset lists twice when its two lines fell in two shards, and how to find them", async () => {
    const [a, b, ...rest] = readFileSync(join(dir, "cases.jsonl"), "utf8").split("\n");
    const id = (JSON.parse(a!) as { id: string }).id;
    // lines 1 and 2 share an id: shard 1/2 takes line 1, shard 2/2 line 2, and neither sees it twice
    const twin = JSON.stringify({ ...JSON.parse(b!), id });
    writeFileSync(join(dir, "twice.jsonl"), [a, twin, ...rest].join("\n"));
    writeFileSync(
      join(dir, "twice.suite.yaml"),
      readFileSync(join(dir, "suite.yaml"), "utf8").replace("dataset: cases.jsonl", "dataset: twice.jsonl"),
    );
    const dbs = [1, 2].map((i) => join(dir, `twice-${i}.duckdb`));
    for (const [i, db] of dbs.entries()) {
      const r = await run(["run", "twice.suite.yaml", "--shard", `${i + 1}/2`, "--db", db, "--quiet"]);
      expect(r.status, r.stderr).toBe(0);
    }
    const db = join(dir, "twice-merged.duckdb");
    const r = await run(["runs", "merge", ...dbs, "--db", db]);
    expect(r.status, r.stderr).toBe(2);
    expect(r.stderr).toContain(`case "${id}": a case id the dataset lists twice falls in two shards' slices`);
    expect(r.stderr).toContain(
      `soceval dataset validate ${join(dir, "twice.jsonl")}\` names its lines; nothing was merged`,
    );
    expect(existsSync(db)).toBe(false);
  });

  it("`--run latest` is the merged run in a store that also holds its shards", async () => {
    // the store of the last shard to start: its run started after the merged run's first shard
    const db = join(dir, "into-shard3.duckdb");
    copyFileSync(shardDb(3), db);
    const r = await run(["runs", "merge", shardDb(1), shardDb(2), db, "--db", db]);
    expect(r.status, r.stderr).toBe(0);
    const [merged] = await query<{ run_id: string; first: boolean }>(
      db,
      "SELECT run_id, started_at < (SELECT max(started_at) FROM runs) AS first FROM runs WHERE shard IS NULL",
    );
    // the merged run keeps its first shard's start: it did not start after shard 3
    expect(merged!.first).toBe(true);
    const store = await Store.open(db, { readOnly: true });
    const latest = await resolveRunId(store, "latest");
    store.close();
    expect(latest).toBe(merged!.run_id);
    const listed = JSON.parse((await run(["runs", "list", "--db", db, "--format", "json"])).stdout);
    expect(listed[0].run_id).toBe(merged!.run_id);
    const report = await run(["report", "--db", db, "--format", "json"]);
    expect(JSON.parse(report.stdout).run.run_id).toBe(merged!.run_id);
  });

  it("refuses a shard that did not finish, and says how to finish it", async () => {
    const stopped = join(dir, "stopped2.duckdb");
    copyFileSync(shardDb(2), stopped);
    const store = await Store.open(stopped);
    await store.run("UPDATE runs SET status = 'interrupted'");
    store.close();
    const r = await run(["runs", "merge", shardDb(1), stopped, shardDb(3), "--db", join(dir, "m2.duckdb")]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/stopped2\.duckdb: shard 2\/3 \(run \S+\) is interrupted; finish it first: .*--resume/);
  });

  it("names a command that finishes a stopped shard made with --agent and --epochs, which resume accepts", async () => {
    const flags = ["--agent", "playbook-no-ti", "--epochs", "2", "--quiet"];
    const dbs = [1, 2].map((i) => join(dir, `flagged${i}.duckdb`));
    for (const [i, db] of dbs.entries()) {
      const r = await run(["run", "suite.yaml", "--shard", `${i + 1}/2`, "--db", db, ...flags]);
      expect(r.status, r.stderr).toBe(0);
    }
    const store = await Store.open(dbs[1]!);
    await store.run("UPDATE runs SET status = 'interrupted'");
    store.close();
    const refused = await run(["runs", "merge", ...dbs, "--db", join(dir, "m-flagged.duckdb")]);
    expect(refused.status).toBe(2);
    const command = refused.stderr.match(/finish it first: soceval (run .*)$/m)?.[1];
    expect(command).toMatch(/--agent playbook-no-ti --epochs 2 --shard 2\/2 --db /);
    // the command as printed: a resume with any flag missing would be refused as another run
    const resumed = await run(command!.split(" "));
    expect(resumed.status, resumed.stderr).toBe(0);
    const merged = await run(["runs", "merge", ...dbs, "--db", join(dir, "m-flagged.duckdb")]);
    expect(merged.status, merged.stderr).toBe(0);
  });

  it("refuses stores that hold no sharded run, or do not exist", async () => {
    const none = await run(["runs", "merge", join(dir, "whole.duckdb"), "--db", join(dir, "m3.duckdb")]);
    expect(none.status).toBe(2);
    expect(none.stderr).toMatch(/no sharded runs/);
    const missing = await run(["runs", "merge", join(dir, "nope.duckdb"), "--db", join(dir, "m4.duckdb")]);
    expect(missing.status).toBe(2);
    expect(missing.stderr).toMatch(/nope\.duckdb: no such store/);
    // a DuckDB file of another kind among the shards: named, not DuckDB's catalog error (exit 3)
    const other = join(dir, "other.duckdb");
    const { DuckDBInstance } = await import("@duckdb/node-api");
    const db = await DuckDBInstance.create(other);
    const conn = await db.connect();
    await conn.run("CREATE TABLE t (a INTEGER)");
    conn.closeSync();
    db.closeSync();
    const foreign = await run(["runs", "merge", shardDb(1), other, "--db", join(dir, "m5.duckdb")]);
    expect(foreign.status).toBe(2);
    expect(foreign.stderr).toBe(`soceval: ${other}: not a soceval store (it holds no runs table)\n`);
    expect(existsSync(join(dir, "m5.duckdb"))).toBe(false);
    // reading commands do not create an empty store at a mistyped path
    for (const cmd of [
      ["runs", "list"],
      ["findings", "--run", "latest"],
      ["baseline", "list"],
    ]) {
      const typo = await run([...cmd, "--db", join(dir, "typo.duckdb")]);
      expect(typo.status, cmd.join(" ")).toBe(2);
      expect(typo.stderr).toMatch(/typo\.duckdb: no soceval store here/);
    }
    expect(existsSync(join(dir, "typo.duckdb"))).toBe(false);
  });
});
