import { createHash } from "node:crypto";
import { chmodSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { DuckDBInstance } from "@duckdb/node-api";
import { beforeAll, describe, expect, it } from "vitest";
import { blessBaseline } from "../src/gate/baseline.js";
import { Store } from "../src/store/db.js";
import { FIXTURE_RUN, seedFixture } from "./fixtures/report/run.js";
import { MODE_BOUND_USER, soceval } from "./helpers/cli.js";
import { cloneRun } from "./helpers/clone-run.js";

const dir = mkdtempSync(join(tmpdir(), "soceval-gate-stored-"));
const db = join(dir, "s.duckdb");
const run = (args: string[]) => soceval([...args, "--db", db], dir);

beforeAll(async () => {
  const store = await Store.open(db);
  try {
    await seedFixture(store);
    // the same agents on a new dataset version where the analysts relabeled two cases
    await cloneRun(store, FIXTURE_RUN, "run-relabeled");
    await store.run("UPDATE runs SET dataset_hash = 'ffff0000eeee' WHERE run_id = 'run-relabeled'");
    await store.run(
      `UPDATE case_results SET label_verdict = 'true_positive', label_escalate = true, agree = (verdict = 'true_positive')
       WHERE run_id = 'run-relabeled' AND case_id IN ('c03', 'c04')`,
    );
    await blessBaseline(store, FIXTURE_RUN, "main", ["playbook"]);
  } finally {
    store.close();
  }
});

describe("soceval gate on stored runs", () => {
  it("refuses runs made on different dataset versions (exit 2), naming both hashes", async () => {
    const r = await run([
      "gate",
      "--baseline-run",
      FIXTURE_RUN,
      "--candidate-run",
      "run-relabeled",
      "--agent",
      "playbook",
      "--baseline-agent",
      "playbook",
    ]);
    expect(r.status, r.stdout).toBe(2);
    expect(r.stderr).toMatch(/another version/);
    expect(r.stderr).toMatch(/d41d8cd9/);
    expect(r.stderr).toMatch(/ffff0000eeee/);
    expect(r.stdout).not.toMatch(/Right → wrong/);
  });

  it("refuses a named baseline from another dataset version for a stored candidate too", async () => {
    const r = await run(["gate", "--baseline", "main", "--candidate-run", "run-relabeled", "--agent", "playbook"]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/d41d8cd9.*ffff0000eeee/);
  });

  it("a gate that judges nothing replaces the report files an earlier gate left, saying why, so CI never reads them as this one's", async () => {
    const out = mkdtempSync(join(tmpdir(), "soceval-gate-stale-"));
    const files = { junit: join(out, "junit.xml"), summary: join(out, "gate.md"), json: join(out, "verdict.json") };
    for (const f of Object.values(files)) writeFileSync(f, "an earlier gate's passing verdict\n");
    const r = await run(
      ["gate", "--baseline", "main", "--candidate-run", "run-relabeled", "--agent", "playbook"].concat([
        "--junit",
        files.junit,
        "--summary",
        files.summary,
        "--json",
        files.json,
      ]),
    );
    expect(r.status).toBe(2);
    const junit = readFileSync(files.junit, "utf8");
    expect(junit).toMatch(/<error message="gate did not judge \(exit 2\): [^"]*another version/);
    expect(junit).toContain('errors="1"');
    expect(readFileSync(files.summary, "utf8")).toMatch(
      /^## soceval gate: not judged\n\nThe gate stopped before a verdict \(exit 2\): .*another version/,
    );
    expect(JSON.parse(readFileSync(files.json, "utf8"))).toMatchObject({ status: "not_judged", exit_code: 2 });
    // refused flags too, before any store is read
    const bad = await run(["gate", "--candidate-run", FIXTURE_RUN, "--junit", files.junit]);
    expect(bad.status).toBe(2);
    expect(readFileSync(files.junit, "utf8")).toContain("give --baseline &lt;name&gt; or --baseline-run &lt;id&gt;");
  });

  it("a not-judged summary shows the placeholders of its commands in Markdown, where GitHub drops <id> as HTML", async () => {
    const summary = join(mkdtempSync(join(tmpdir(), "soceval-gate-md-")), "gate.md");
    const r = await run(["gate", "--candidate-run", FIXTURE_RUN, "--summary", summary]);
    expect(r.status).toBe(2);
    expect(r.stderr).toBe("soceval: gate: give --baseline <name> or --baseline-run <id>\n");
    expect(readFileSync(summary, "utf8")).toBe(
      "## soceval gate: not judged\n\nThe gate stopped before a verdict (exit 2): gate: give --baseline \\<name\\> or --baseline-run \\<id\\>\n",
    );
  });

  it("a usage error commander refuses (an unknown option, an extra argument) replaces an earlier gate's report files too", async () => {
    const out = mkdtempSync(join(tmpdir(), "soceval-gate-usage-"));
    const files = { junit: join(out, "junit.xml"), summary: join(out, "gate.md"), json: join(out, "verdict.json") };
    const flags = ["--junit", files.junit, "--summary", files.summary, "--json", files.json];
    for (const [extra, reason] of [
      [["--workers", "0"], "unknown option '--workers'"],
      [["suite.yaml", "extra.yaml"], "too many arguments for 'gate'. Expected 1 argument but got 2."],
    ] as const) {
      for (const f of Object.values(files)) writeFileSync(f, "an earlier gate's passing verdict\n");
      const r = await run(["gate", "--baseline", "main", ...flags, ...extra]);
      expect(r.status).toBe(2);
      expect(r.stderr).toContain(`error: ${reason}`);
      expect(JSON.parse(readFileSync(files.json, "utf8"))).toEqual({
        status: "not_judged",
        exit_code: 2,
        error: reason,
      });
      expect(readFileSync(files.summary, "utf8")).toMatch(/^## soceval gate: not judged\n/);
      expect(readFileSync(files.junit, "utf8")).toContain('errors="1"');
    }
    // help is no error: it writes nothing
    for (const f of Object.values(files)) writeFileSync(f, "kept\n");
    const help = await run(["gate", "--help", ...flags]);
    expect(help.status).toBe(0);
    expect(readFileSync(files.summary, "utf8")).toBe("kept\n");
  });

  it.skipIf(MODE_BOUND_USER === null)(
    "refuses a report file in a folder it cannot write before judging (exit 2), not after, with the verdict lost (exit 3)",
    async () => {
      const store = await Store.open(db);
      try {
        await cloneRun(store, FIXTURE_RUN, "run-ro-out");
      } finally {
        store.close();
      }
      // a read-only checkout: root writes through a folder's mode, so the CLI runs as nobody there
      const ro = mkdtempSync(join(tmpdir(), "soceval-gate-ro-"));
      chmodSync(ro, 0o555);
      chmodSync(tmpdir(), 0o711);
      chmodSync(dir, 0o755);
      const user = MODE_BOUND_USER!;
      const args = ["gate", "--baseline", "main", "--candidate-run", "run-ro-out", "--agent", "playbook", "--db", db];
      const judged = await soceval(args, dir, {}, user);
      expect(judged.status, judged.stderr).toBe(1);
      const r = await soceval([...args, "--summary", join(ro, "summary.md")], dir, {}, user);
      expect(r.status, r.stderr).toBe(2);
      expect(r.stderr).toBe(`soceval: --summary ${join(ro, "summary.md")}: cannot write in ${ro} (EACCES)\n`);
      expect(r.stdout).toBe("");
    },
  );

  it.skipIf(MODE_BOUND_USER === null)(
    "says why a gate that runs its candidate needs to write a read-only store, and how to go on",
    async () => {
      // root writes through a file's mode: the CLI runs as nobody there
      chmodSync(tmpdir(), 0o711);
      chmodSync(dir, 0o755);
      chmodSync(db, 0o644);
      const user = MODE_BOUND_USER!;
      if (!user.uid) chmodSync(db, 0o444);
      try {
        const suite = resolve("test/fixtures/mini/suite.yaml");
        const r = await soceval(["gate", suite, "--baseline", "main", "--db", db, "--quiet"], dir, {}, user);
        expect(r.status, r.stderr).toBe(2);
        expect(r.stderr).toMatch(
          /: cannot open the DuckDB store \(IO Error: .*Permission denied\); the gate stores its candidate's run there: give --db a writable copy, or judge a stored run with --candidate-run, which only reads\n$/,
        );
      } finally {
        chmodSync(db, 0o644);
      }
    },
  );

  it("names another workflow, not another dataset version, when the baseline came from another suite", async () => {
    const suite = resolve("test/fixtures/mini/suite.yaml");
    const r = await run(["gate", suite, "--baseline", "main", "--quiet"]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/another workflow/);
    expect(r.stderr).toMatch(/workflow phishing-triage/);
    expect(r.stderr).toMatch(/workflow mini/);
    expect(r.stderr).not.toMatch(/another version/);
  });

  it("a --db that holds no store (a mistyped path, a CI cache miss) is bad input and stays absent", async () => {
    const missing = join(dir, "no-such", "store.duckdb");
    for (const args of [
      ["gate", "--baseline", "main", "--candidate-run", "latest", "--db", missing],
      ["gate", "--baseline-run", "latest", "--candidate-run", "latest", "--db", missing],
    ]) {
      const r = await soceval(args, dir);
      expect(r.status, r.stderr).toBe(2);
      expect(r.stderr).toBe(
        `soceval: ${missing}: no soceval store here (run \`soceval run <suite>\` first, or pass --db)\n`,
      );
      expect(existsSync(missing)).toBe(false);
    }
  });

  it("an output file that cannot be written (a folder) is bad input before judging, not 'cannot judge'", async () => {
    const folder = mkdtempSync(join(tmpdir(), "soceval-gate-out-"));
    const r = await run(["gate", "--baseline", "main", "--candidate-run", FIXTURE_RUN, "--summary", folder]);
    expect(r.status, r.stderr).toBe(2);
    expect(r.stderr).toBe(`soceval: --summary ${folder}: is a directory; name a file\n`);
    expect(r.stdout).toBe("");
  });

  it("refuses to judge a run that did not finish, as bless does, instead of passing on part of the cases", async () => {
    const store = await Store.open(db);
    try {
      await cloneRun(store, FIXTURE_RUN, "run-killed");
      await store.run("UPDATE runs SET status = 'running', finished_at = NULL WHERE run_id = 'run-killed'");
    } finally {
      store.close();
    }
    const r = await run(["gate", "--baseline", "main", "--candidate-run", "run-killed", "--agent", "playbook"]);
    expect(r.status).toBe(2);
    // a run whose suite file is unknown: every flag the resume must repeat is spelled out
    expect(r.stderr).toBe(
      "soceval: run run-killed is stopped by a kill or crash: the gate judges finished runs only; " +
        `finish it: soceval run <suite> --resume run-killed --agent playbook model-x --epochs 1 --db ${db}\n`,
    );
  });

  it("titles a stored candidate's verdict with its suite's name, not a path", async () => {
    const store = await Store.open(db);
    try {
      await cloneRun(store, FIXTURE_RUN, "run-again");
    } finally {
      store.close();
    }
    const r = await run(["gate", "--baseline", "main", "--candidate-run", "run-again", "--agent", "playbook"]);
    // judged (exit 1, not 2): a dozen unchanged cases cannot show the default 2-point margins
    expect(r.status, r.stderr).toBe(1);
    expect(r.stdout).toMatch(
      /\| margin:verdict_agreement \| 0\.667 \| 0\.667 \| 0 \[-0\.\d+, 0\.\d+\] .*too few cases/,
    );
    expect(r.stdout).toContain("### soceval gate — fixture-phishing:");
    // no suite file to read the rules from: the verdict says whose rules judged it
    expect(r.stdout).toContain(
      "> Judged by soceval's default gate rules: the candidate run records no suite file to read a gate block from.",
    );
  });

  it("judges a stored run whose suite file is gone by the defaults, and says so", async () => {
    const store = await Store.open(db);
    try {
      await cloneRun(store, FIXTURE_RUN, "run-moved");
      await store.run("UPDATE runs SET suite_path = ? WHERE run_id = 'run-moved'", [join(dir, "gone.suite.yaml")]);
    } finally {
      store.close();
    }
    const r = await run(["gate", "--baseline", "main", "--candidate-run", "run-moved", "--agent", "playbook"]);
    expect(r.status, r.stderr).toBe(1); // judged; its dozen cases are too few for the default margins
    expect(r.stdout).toContain(
      `> Judged by soceval's default gate rules: the candidate run's suite file ${join(dir, "gone.suite.yaml")} is not there, ` +
        "so its gate block could not be read (put the suite back at that path to judge by its rules).",
    );
  });

  it("refuses a suite and --candidate-run together: the suite replayed a new candidate and the stored run was ignored", async () => {
    const before = await run(["runs", "list", "--format", "json"]);
    const r = await run(["gate", "suite.yaml", "--baseline", "main", "--candidate-run", FIXTURE_RUN, "--quiet"]);
    expect(r.status).toBe(2);
    expect(r.stderr).toBe(
      `soceval: gate: give a suite to run or --candidate-run ${FIXTURE_RUN}, not both (a stored run is judged by its own suite's gate rules)\n`,
    );
    expect((await run(["runs", "list", "--format", "json"])).stdout).toBe(before.stdout);
  });

  it("takes the baseline run's agent of the candidate's name, as --baseline-agent's help says; else asks with the right flag", async () => {
    const store = await Store.open(db);
    try {
      await cloneRun(store, FIXTURE_RUN, "run-both");
    } finally {
      store.close();
    }
    // both runs hold playbook and model-x: the baseline side was refused for having two agents
    const r = await run(["gate", "--baseline-run", FIXTURE_RUN, "--candidate-run", "run-both", "--agent", "playbook"]);
    expect(r.status, r.stderr).toBe(1); // judged; its dozen cases are too few for the default margins
    expect(r.stdout).toContain(
      `Candidate \`playbook\` (run \`run-both\`) vs baseline \`playbook\` (run \`${FIXTURE_RUN}\`)`,
    );
    // a side it cannot choose for the user names the flag that chooses it
    const noAgent = await run(["gate", "--baseline-run", FIXTURE_RUN, "--candidate-run", "run-both"]);
    expect(noAgent.status).toBe(2);
    expect(noAgent.stderr).toBe(
      "soceval: run run-both has agents playbook, model-x: name the one to compare with --agent\n",
    );
    const typo = await run([
      "gate",
      "--baseline-run",
      FIXTURE_RUN,
      "--candidate-run",
      "run-both",
      "--agent",
      "model-x",
      "--baseline-agent",
      "playbok",
    ]);
    expect(typo.stderr).toBe(
      `soceval: --baseline-agent: run ${FIXTURE_RUN} has no agent "playbok" (has playbook, model-x)\n`,
    );
  });

  it("baseline bless and delete name the agents there are when --agent names none of them", async () => {
    const bless = await run(["baseline", "bless", "--run", FIXTURE_RUN, "--name", "typo", "--agent", "playbok"]);
    expect(bless.status).toBe(2);
    expect(bless.stderr).toBe(`soceval: --agent: run ${FIXTURE_RUN} has no agent "playbok" (has model-x, playbook)\n`);
    const del = await run(["baseline", "delete", "--name", "main", "--agent", "playbok"]);
    expect(del.status).toBe(2);
    expect(del.stderr).toBe('soceval: --agent: baseline "main" has no agent "playbok" (has playbook)\n');
    expect((await run(["baseline", "list"])).stdout).toMatch(/^main\tplaybook\t/m);
  });

  it("refuses to judge a run's agent against itself, which would pass whatever it did", async () => {
    const r = await run([
      "gate",
      "--baseline-run",
      FIXTURE_RUN,
      "--candidate-run",
      FIXTURE_RUN,
      "--agent",
      "playbook",
      "--baseline-agent",
      "playbook",
    ]);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain(`both name agent playbook of run ${FIXTURE_RUN}; the gate would compare it with itself`);
  });

  it("query runs one statement, and refuses none or several instead of printing one result and dropping the rest", async () => {
    const several = await run(["query", "select 1 as a; select 2 as b"]);
    expect(several.status).toBe(2);
    expect(several.stderr).toContain("query: one statement at a time");
    const none = await run(["query", " ; "]);
    expect(none.status).toBe(2);
    expect(none.stderr).toContain("query: no SQL given");
    const bad = await run(["query", "select from"]);
    expect(bad.stderr).toBe("soceval: query: Parser Error: syntax error at end of input\n");
    expect((await run(["query", "select 1 as a;"])).status).toBe(0);
  });

  it("judges stored runs reading only: while another process reads the store, and leaving the file as it was", async () => {
    const store = await Store.open(db);
    try {
      await cloneRun(store, FIXTURE_RUN, "run-shared");
    } finally {
      store.close();
    }
    const sha = () => createHash("sha256").update(readFileSync(db)).digest("hex");
    const before = sha();
    // another CI job reporting from the same store: it holds the file read-only, as every reader does
    const reader = await DuckDBInstance.create(db, { access_mode: "READ_ONLY" });
    try {
      const r = await run(["gate", "--baseline", "main", "--candidate-run", "run-shared", "--agent", "playbook"]);
      // judged (exit 1, not 2 or 3): a dozen unchanged cases cannot show the default 2-point margins
      expect(r.status, r.stderr).toBe(1);
      expect(r.stdout).toContain("too few cases");
    } finally {
      reader.closeSync();
    }
    expect(sha()).toBe(before);
  });

  it("lists every exit code in --help, 2 included", async () => {
    const r = await soceval(["gate", "--help"], dir);
    expect(r.status).toBe(0);
    const help = r.stdout.replace(/\s+/g, " ");
    for (const code of ["0 pass", "1 regression", "2 bad input", "3 cannot judge"]) expect(help).toContain(code);
  });
});
