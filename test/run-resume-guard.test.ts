import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { cpSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { Store } from "../src/store/db.js";
import { query, soceval } from "./helpers/cli.js";

const dir = mkdtempSync(join(tmpdir(), "soceval-resume-guard-"));
cpSync("test/fixtures/mini", dir, { recursive: true });
const run = (args: string[]) => soceval(args, dir);
const db = join(dir, "guard.duckdb");
let runId = "";

/** What the store holds, to show a refused resume changed nothing. */
const snapshot = () =>
  query<{ runs: number; t: number; status: string }>(
    db,
    "SELECT (SELECT count(*) FROM runs) AS runs, (SELECT count(*) FROM transcripts) AS t, (SELECT any_value(status) FROM runs) AS status",
  );

beforeAll(async () => {
  const r = await run(["run", "suite.yaml", "--db", db, "--limit", "10", "--quiet"]);
  expect(r.status, r.stderr).toBe(0);
  const store = await Store.open(db);
  // as a run stopped part-way leaves it: its last cases not stored, its status not finished
  await store.run("UPDATE runs SET status = 'interrupted'");
  for (const t of ["case_results", "transcripts", "tool_calls", "findings"])
    await store.run(`DELETE FROM ${t} WHERE case_id >= 'mini-006'`);
  runId = (await store.query<{ run_id: string }>("SELECT run_id FROM runs"))[0]!.run_id;
  store.close();
}, 60_000);

describe("run --resume refuses a run made differently", () => {
  const edited = (name: string, change: (suite: string) => string) => {
    writeFileSync(join(dir, name), change(readFileSync(join(dir, "suite.yaml"), "utf8")));
    return name;
  };

  it.each([
    ["more epochs", ["suite.yaml", "--limit", "10", "--epochs", "2"], /epochs 1, now 2/],
    ["another limit", ["suite.yaml", "--limit", "5"], /limit 10, now 5/],
    ["no limit", ["suite.yaml"], /limit 10, now none/],
    ["a shard", ["suite.yaml", "--limit", "10", "--shard", "1/2"], /shard none, now 1\/2/],
    [
      "other agents",
      ["suite.yaml", "--limit", "10", "--agent", "playbook", "playbook-no-ti"],
      /agents playbook, now playbook, playbook-no-ti/,
    ],
  ])("%s", async (_what, args, message) => {
    const before = await snapshot();
    const r = await run(["run", ...args, "--db", db, "--resume", "--quiet"]);
    expect(r.status, r.stderr).toBe(2);
    expect(r.stderr).toMatch(new RegExp(`run ${runId} was made differently: .*${message.source}`));
    expect(r.stderr).toMatch(/Resume with the command that started it, or start a new run/);
    expect(await snapshot()).toEqual(before);
  });

  it("a changed seed or fault injection in the suite file", async () => {
    const seed = edited("seed.suite.yaml", (s) => s.replace("seed: 3", "seed: 4"));
    const faults = edited(
      "faults.suite.yaml",
      (s) => `${s}faults:\n  - { tool: get_signins, kind: timeout, rate: 0.5 }\n`,
    );
    // the same suite file edited in place: a named run id is checked against the file as it is now
    writeFileSync(join(dir, "suite.yaml.orig"), readFileSync(join(dir, "suite.yaml")));
    // another file of the same suite name is checked by what it sets, not by where it is
    for (const [file, message] of [
      [seed, /seed 3, now 4/],
      [faults, /the suite's faults changed/],
    ] as const) {
      const r = await run(["run", file, "--limit", "10", "--db", db, "--resume", runId, "--quiet"]);
      expect(r.status, r.stderr).toBe(2);
      expect(r.stderr).toMatch(message);
    }
    writeFileSync(join(dir, "suite.yaml"), readFileSync(join(dir, seed)));
    const s = await run(["run", "suite.yaml", "--limit", "10", "--db", db, "--resume", "--quiet"]);
    expect(s.stderr).toMatch(/seed 3, now 4/);
    writeFileSync(join(dir, "suite.yaml"), readFileSync(join(dir, faults)));
    const f = await run(["run", "suite.yaml", "--limit", "10", "--db", db, "--resume", "--quiet"]);
    expect(f.stderr).toMatch(/the suite's faults changed/);
    writeFileSync(join(dir, "suite.yaml"), readFileSync(join(dir, "suite.yaml.orig")));
    expect((await snapshot())[0]!.t).toBe(6);
  });

  it("resumes it from a checkout at another path (a CI retry on another runner), and records where it went on", async () => {
    const moved = mkdtempSync(join(tmpdir(), "soceval-resume-moved-"));
    cpSync(dir, moved, { recursive: true });
    const movedDb = join(moved, "guard.duckdb");
    const r = await soceval(["run", "suite.yaml", "--db", movedDb, "--limit", "10", "--resume", "--quiet"], moved);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/4 replayed, 6 already stored/);
    const [row] = await query<{ run_id: string; suite_path: string; dataset: string; status: string }>(
      movedDb,
      "SELECT run_id, suite_path, dataset, status FROM runs",
    );
    expect(row).toEqual({
      run_id: runId,
      suite_path: join(moved, "suite.yaml"),
      dataset: join(moved, "cases.jsonl"),
      status: "finished",
    });
    // a suite of another name is another suite, wherever it is
    const renamed = readFileSync(join(dir, "suite.yaml"), "utf8").replace(/^name: .*$/m, "name: another-suite");
    writeFileSync(join(moved, "renamed.suite.yaml"), renamed);
    const other = await soceval(
      ["run", "renamed.suite.yaml", "--db", movedDb, "--limit", "10", "--resume", runId, "--quiet"],
      moved,
    );
    expect(other.status, other.stderr).toBe(2);
    expect(other.stderr).toMatch(/suite mini-shadow, now another-suite/);
  });

  it("and resumes it when the command is the one that started it", async () => {
    const r = await run(["run", "suite.yaml", "--db", db, "--limit", "10", "--resume", "--quiet"]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/4 replayed, 6 already stored/);
    expect(await snapshot()).toEqual([{ runs: 1, t: 10, status: "finished" }]);
  });
});

describe("run --resume and fault draws per epoch", () => {
  /** A run as an earlier soceval left it: stopped part-way, its replay_config without `fault_draws`. */
  const olderRun = async (epochs: number) => {
    const file = join(dir, `older-${epochs}.suite.yaml`);
    writeFileSync(
      file,
      `${readFileSync(join(dir, "suite.yaml"), "utf8")}faults:\n  - { tool: get_signins, kind: timeout, rate: 0.5 }\n`,
    );
    const out = join(dir, `older-${epochs}.duckdb`);
    const args = ["run", file, "--db", out, "--limit", "6", "--epochs", String(epochs), "--quiet"];
    const first = await run(args);
    expect(first.status, first.stderr).toBe(0);
    const store = await Store.open(out);
    expect((await store.query<{ d: string }>("SELECT replay_config->>'fault_draws' AS d FROM runs"))[0]!.d).toBe(
      "per_epoch",
    );
    await store.run(
      "UPDATE runs SET status = 'interrupted', replay_config = json_object('faults', replay_config->'faults', 'limit', 6)",
    );
    for (const t of ["case_results", "transcripts", "tool_calls", "findings"])
      await store.run(`DELETE FROM ${t} WHERE case_id >= 'mini-004'`);
    store.close();
    return run([...args, "--resume"]);
  };

  it("refuses a multi-epoch run with faults from before each epoch drew its own: it would mix two kinds of draw", async () => {
    const r = await olderRun(2);
    expect(r.status, r.stderr).toBe(2);
    expect(r.stderr).toMatch(/made by an earlier soceval, whose epochs all drew the same faults/);
  });

  it("resumes a single-epoch one: epoch 0 draws as it always did", async () => {
    const r = await olderRun(1);
    expect(r.status, r.stderr).toBe(0);
  });
});

describe("run refuses what would store a case twice", () => {
  it.each([
    ["worker threads", []],
    ["the main thread", ["--workers", "0"]],
  ])("a case id repeated in the dataset (%s): exit 2 at the line it repeats, no run left", async (_how, extra) => {
    const lines = readFileSync(join(dir, "cases.jsonl"), "utf8").trim().split("\n");
    writeFileSync(join(dir, "dup.jsonl"), `${[...lines.slice(0, 5), lines[2]!, ...lines.slice(5)].join("\n")}\n`);
    const suite = readFileSync(join(dir, "suite.yaml"), "utf8").replace("dataset: cases.jsonl", "dataset: dup.jsonl");
    writeFileSync(join(dir, "dup.suite.yaml"), suite);
    const out = join(dir, `dup-${extra.length}.duckdb`);
    const r = await run(["run", "dup.suite.yaml", "--db", out, "--quiet", ...extra]);
    expect(r.status, r.stderr).toBe(2);
    expect(r.stderr).toMatch(/dup\.jsonl:6: id: duplicate case id "mini-002" \(first on line 3\)/);
    expect(existsSync(out)).toBe(false);
  });

  it("an agent named twice", async () => {
    const r = await run(["run", "suite.yaml", "--db", join(dir, "twice.duckdb"), "--agent", "playbook", "playbook"]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/--agent: "playbook" named twice/);
  });
});

describe("the store a run needs", () => {
  it("--resume on a store that is not there: exit 2, and no empty store left behind", async () => {
    const missing = join(dir, "typo.duckdb");
    const r = await run(["run", "suite.yaml", "--db", missing, "--resume", "--quiet"]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/typo\.duckdb: no soceval store here/);
    expect(existsSync(missing)).toBe(false);
  });

  it("a DuckDB file that is not a soceval store: exit 2, not a catalog error", async () => {
    const foreign = join(dir, "foreign.duckdb");
    const { DuckDBInstance } = await import("@duckdb/node-api");
    const db = await DuckDBInstance.create(foreign);
    const conn = await db.connect();
    await conn.run("CREATE TABLE t (x INTEGER)");
    conn.closeSync();
    db.closeSync();
    // neither a reader nor a command that writes into an existing store makes it one of ours
    for (const args of [
      ["report"],
      ["runs", "list"],
      ["findings", "--run", "latest"],
      ["runs", "delete", "x"],
      ["run", "suite.yaml", "--resume"],
      ["run", "suite.yaml", "--quiet"],
    ]) {
      const r = await run([...args, "--db", foreign]);
      expect(r.status, args.join(" ")).toBe(2);
      expect(r.stderr).toMatch(/foreign\.duckdb: not a soceval store \(it holds no runs table\)/);
    }
    const tables = await (async () => {
      const d = await DuckDBInstance.create(foreign, { access_mode: "READ_ONLY" });
      const c = await d.connect();
      const rows = (await c.runAndReadAll("SELECT table_name FROM duckdb_tables()")).getRowObjects();
      c.closeSync();
      d.closeSync();
      return rows.map((r) => r.table_name);
    })();
    expect(tables).toEqual(["t"]);
  });

  it("a store from an earlier soceval: read-only commands read it as it is, a writing one brings it up to date", async () => {
    const old = join(dir, "older.duckdb");
    expect((await run(["run", "suite.yaml", "--db", old, "--limit", "2", "--quiet"])).status).toBe(0);
    // as a store written before prompt-cache tokens and the schema version existed, holding a prose
    // answer the way that version stored it: raw text in a JSON column
    const s = await Store.open(old);
    await s.run("ALTER TABLE model_calls DROP COLUMN tokens_cached_in");
    await s.run("DROP TABLE soceval_schema");
    const [t] = await s.query<{ run_id: string; case_id: string }>("SELECT run_id, case_id FROM transcripts LIMIT 1");
    await s.run("DELETE FROM transcripts WHERE case_id = ?", [t!.case_id]);
    s.close();
    const { DuckDBInstance } = await import("@duckdb/node-api");
    const raw = async (sql: string, write = false) => {
      const db = await DuckDBInstance.create(old, write ? {} : { access_mode: "READ_ONLY" });
      const conn = await db.connect();
      try {
        return (await conn.runAndReadAll(sql)).getRowObjectsJson();
      } finally {
        conn.closeSync();
        db.closeSync();
      }
    };
    {
      const db = await DuckDBInstance.create(old);
      const conn = await db.connect();
      const appender = await conn.createAppender("transcripts");
      for (const v of [t!.run_id, t!.case_id, "playbook"]) appender.appendVarchar(v);
      appender.appendInteger(0);
      appender.appendVarchar("I cannot help with that.");
      for (let i = 0; i < 3; i++) appender.appendNull();
      appender.endRow();
      appender.closeSync();
      conn.closeSync();
      db.closeSync();
    }
    const sha = () => createHash("sha256").update(readFileSync(old)).digest("hex");
    const before = sha();
    for (const args of [
      ["report", "--format", "json"],
      ["runs", "list"],
      ["findings", "--run", "latest"],
      ["export", "--run", "latest", "--out", join(dir, "older.jsonl")],
    ]) {
      const r = await run([...args, "--db", old]);
      expect(r.status, `${args.join(" ")}: ${r.stderr}`).toBe(0);
    }
    // read, not changed: it may be someone else's file, or not writable at all
    expect(sha()).toBe(before);
    const exported = readFileSync(join(dir, "older.jsonl"), "utf8")
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    expect(exported.find((x) => x.case_id === t!.case_id)?.output).toBe("I cannot help with that.");
    const missing =
      "SELECT count(*)::INTEGER AS n FROM duckdb_columns() WHERE table_name = 'model_calls' AND column_name = 'tokens_cached_in'";
    expect(await raw(missing)).toEqual([{ n: 0 }]);
    // a command that writes gains the column for good and repairs the answer in place
    (await Store.open(old, { existing: true })).close();
    expect(await raw(missing)).toEqual([{ n: 1 }]);
    expect(await raw(`SELECT json_type(output) AS t FROM transcripts WHERE case_id = '${t!.case_id}'`)).toEqual([
      { t: "VARCHAR" },
    ]);
  });

  it("a store another process holds: exit 3, naming the process, not a raw lock error", async () => {
    const held = join(dir, "held.duckdb");
    const holder = spawn(
      process.execPath,
      [
        "--input-type=module",
        "-e",
        `import { DuckDBInstance } from "@duckdb/node-api";
         const i = await DuckDBInstance.create(${JSON.stringify(held)}); await i.connect();
         process.stdout.write("holding\\n"); setTimeout(() => {}, 60000);`,
      ],
      { cwd: process.cwd(), stdio: ["ignore", "pipe", "inherit"] },
    );
    try {
      await new Promise<void>((r) => holder.stdout!.once("data", () => r()));
      for (const args of [
        ["runs", "list", "--db", held],
        ["run", "suite.yaml", "--db", held, "--quiet"],
        ["runs", "merge", held, "--db", join(dir, "merged-held.duckdb")],
      ]) {
        const r = await run(args);
        expect(r.status, args.join(" ")).toBe(3);
        expect(r.stderr).toContain(`held.duckdb: in use by another process (PID ${holder.pid})`);
      }
    } finally {
      holder.kill();
    }
  });
});

describe("runs list and runs delete", () => {
  const store = join(dir, "list.duckdb");
  const ids = async () =>
    (await query<{ run_id: string }>(store, "SELECT run_id FROM runs ORDER BY run_id")).map((r) => r.run_id);

  it("gives the command that finishes an interrupted run, flags included, and that command does", async () => {
    const db = join(dir, "interrupted.duckdb");
    expect((await run(["run", "suite.yaml", "--db", db, "--limit", "5", "--epochs", "2", "--quiet"])).status).toBe(0);
    const s = await Store.open(db);
    // as a Ctrl-C leaves it: some investigations stored, the run marked interrupted
    await s.run(
      "DELETE FROM case_results WHERE case_id IN (SELECT DISTINCT case_id FROM case_results ORDER BY 1 LIMIT 2)",
    );
    await s.run("DELETE FROM transcripts WHERE (case_id, epoch) NOT IN (SELECT (case_id, epoch) FROM case_results)");
    await s.run("UPDATE runs SET status = 'interrupted'");
    const [{ id }] = (await s.query<{ id: string }>("SELECT run_id AS id FROM runs")) as [{ id: string }];
    s.close();
    const list = await run(["runs", "list", "--db", db]);
    const command = `run ${join(dir, "suite.yaml")} --resume ${id} --epochs 2 --limit 5 --db ${db}`;
    expect(list.stdout).toContain(
      `interrupted: stopped by Ctrl-C or a cancel (SIGTERM); what it stored is kept. Finish it:\n  soceval ${command}\n`,
    );
    const finished = await run(command.split(" "));
    expect(finished.status, finished.stderr).toBe(0);
    expect((await run(["runs", "list", "--db", db])).stdout).not.toContain("interrupted");
  });

  it("shows a run a killed process left 'running' as stopped, and deletes runs whole", async () => {
    for (const limit of ["3", "4"])
      expect((await run(["run", "suite.yaml", "--db", store, "--limit", limit, "--quiet"])).status).toBe(0);
    // by their --limit: two runs started in one second have ids that need not sort by start
    const [killed, kept] = (await query<{ run_id: string }>(store, "SELECT run_id FROM runs ORDER BY cases_total")).map(
      (r) => r.run_id,
    );
    const s = await Store.open(store);
    await s.run("UPDATE runs SET status = 'running', finished_at = NULL WHERE run_id = ?", [killed]);
    s.close();
    const list = await run(["runs", "list", "--db", store]);
    expect(list.stdout).toMatch(new RegExp(`${killed}.*stopped\\*`));
    expect(list.stdout).toMatch(/\* stopped without finishing \(killed or crashed\): continue it with .*--resume/);
    // the command that finishes it, --limit included: a bare --resume would be refused for leaving it out
    expect(list.stdout).toContain(
      `  soceval run ${join(dir, "suite.yaml")} --resume ${killed} --limit 3 --db ${store}\n`,
    );
    // the JSON and every other reader say the same, never "running" for a process that is gone
    const json = JSON.parse((await run(["runs", "list", "--db", store, "--format", "json"])).stdout);
    expect(json.find((r: { run_id: string }) => r.run_id === killed).status).toBe("stopped");
    const bless = await run(["baseline", "bless", "--run", killed!, "--name", "k", "--db", store]);
    expect(bless.status).toBe(2);
    // the whole command that finishes it, with the flags a resume must repeat (this run's --limit)
    expect(bless.stderr).toBe(
      `soceval: run ${killed} is stopped by a kill or crash: only a finished run can be a baseline; ` +
        `finish it: soceval run ${join(dir, "suite.yaml")} --resume ${killed} --limit 3 --db ${store}\n`,
    );
    const gate = await run(["gate", "suite.yaml", "--baseline-run", killed!, "--db", store, "--quiet"]);
    expect(gate.status).toBe(2);
    expect(gate.stderr).toBe(
      `soceval: run ${killed} is stopped by a kill or crash: the gate judges finished runs only; ` +
        `finish it: soceval run ${join(dir, "suite.yaml")} --resume ${killed} --limit 3 --db ${store}\n`,
    );
    const del = await run(["runs", "delete", killed!, "--db", store]);
    expect(del.status, del.stderr).toBe(0);
    expect(del.stdout).toMatch(`deleted 1 run: ${killed}`);
    expect(await ids()).toEqual([kept]);
    const [left] = await query<{ n: number }>(
      store,
      `SELECT (SELECT count(*) FROM cases WHERE run_id = '${killed}') + (SELECT count(*) FROM transcripts WHERE run_id = '${killed}')
            + (SELECT count(*) FROM tool_calls WHERE run_id = '${killed}') + (SELECT count(*) FROM case_results WHERE run_id = '${killed}') AS n`,
    );
    expect(left!.n).toBe(0);
    expect((await run(["runs", "list", "--db", store])).stdout).not.toMatch(/stopped/);
  });

  it("refuses to delete a run a baseline names, or one that is not there, deleting nothing", async () => {
    const [kept] = await ids();
    expect((await run(["baseline", "bless", "--run", kept!, "--name", "main", "--db", store])).status).toBe(0);
    const held = await run(["runs", "delete", kept!, "--db", store]);
    expect(held.status).toBe(2);
    expect(held.stderr).toMatch(`run ${kept} is baseline "main"`);
    const missing = await run(["runs", "delete", "nope", "--db", store]);
    expect(missing.status).toBe(2);
    expect(await ids()).toEqual([kept]);
  });

  it("removes a baseline (its run stays), after which the run can be deleted", async () => {
    const [kept] = await ids();
    const unknown = await run(["baseline", "delete", "--name", "mian", "--db", store]);
    expect(unknown.status).toBe(2);
    expect(unknown.stderr).toMatch(/--name: no baseline "mian" in .* \(it has: main\)/);
    const removed = await run(["baseline", "delete", "--name", "main", "--db", store]);
    expect(removed.status, removed.stderr).toBe(0);
    expect(removed.stdout).toMatch(`baseline main: playbook removed (run ${kept} stays)`);
    expect(await ids()).toEqual([kept]);
    expect((await run(["baseline", "list", "--db", store])).stdout).toMatch(/no baselines/);
    expect((await run(["runs", "delete", kept!, "--db", store])).status).toBe(0);
    expect(await ids()).toEqual([]);
  });
});

describe("a report judges a run by the exit criteria it was run against", () => {
  it("keeps the run's pass/fail after the suite's criteria change, and says they changed", async () => {
    const store = join(dir, "criteria.duckdb");
    const strict =
      "exit_criteria:\n  shadow:\n    - { metric: verdict_agreement, op: '>=', threshold: 0.99, bound: lower }\n";
    writeFileSync(join(dir, "criteria.suite.yaml"), `${readFileSync(join(dir, "suite.yaml"), "utf8")}${strict}`);
    expect((await run(["run", "criteria.suite.yaml", "--db", store, "--quiet"])).status).toBe(0);
    const report = async () => {
      const r = await run(["report", "--db", store, "--format", "json", "--check", "shadow"]);
      const doc = JSON.parse(r.stdout);
      const shadow = doc.phases.find((p: { phase: string }) => p.phase === "shadow");
      return { status: r.status, note: doc.statistics.criteria_note, threshold: shadow.criteria[0].threshold };
    };
    const before = await report();
    expect(before).toEqual({ status: 1, note: null, threshold: 0.99 });
    // the bar is lowered afterwards: the stored run still fails the bar it was run against
    writeFileSync(
      join(dir, "criteria.suite.yaml"),
      readFileSync(join(dir, "criteria.suite.yaml"), "utf8").replace("0.99", "0.1"),
    );
    const after = await report();
    expect(after.status).toBe(1);
    expect(after.threshold).toBe(0.99);
    expect(after.note).toMatch(
      /exit criteria in .*criteria\.suite\.yaml changed since this run; it is judged by those it was run against/,
    );
    const [stored] = await query<{ c: string }>(store, "SELECT exit_criteria::VARCHAR AS c FROM runs");
    expect(JSON.parse(stored!.c).find((p: { phase: string }) => p.phase === "shadow").source).toBe("suite");
  });
});
