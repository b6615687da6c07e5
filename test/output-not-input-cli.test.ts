import { cpSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { Store } from "../src/store/db.js";
import { soceval } from "./helpers/cli.js";

// an output named after one of the command's own inputs would replace the suite, dataset or export it read
const dir = mkdtempSync(join(tmpdir(), "soceval-out-input-"));
cpSync("test/fixtures/mini", dir, { recursive: true });
const db = join(dir, "store.duckdb");
const run = (args: string[]) => soceval(args, dir);

/** Run `args`, which must be refused naming `flag` and `what`, and leave `file` as it was. */
async function refused(args: string[], flag: string, what: RegExp, file: string): Promise<string> {
  const before = readFileSync(join(dir, file));
  const r = await run(args);
  expect(r.status, r.stderr + r.stdout).toBe(2);
  expect(r.stderr).toMatch(
    new RegExp(`${flag} \\S+: is ${what.source} \\(\\S*${file.replace(".", "\\.")}\\); writing there would destroy it`),
  );
  expect(readFileSync(join(dir, file)).equals(before)).toBe(true);
  return r.stderr;
}

async function runCount(): Promise<number> {
  const store = await Store.open(db, { readOnly: true });
  try {
    const [r] = await store.query<{ n: number }>("SELECT count(*)::INTEGER AS n FROM runs");
    return r!.n;
  } finally {
    store.close();
  }
}

beforeAll(async () => {
  const r = await run(["run", "suite.yaml", "--db", db, "--agent", "playbook", "playbook-no-ti", "--quiet"]);
  expect(r.status, r.stderr).toBe(0);
  const b = await run(["baseline", "bless", "--run", "latest", "--name", "main", "--agent", "playbook", "--db", db]);
  expect(b.status, b.stderr).toBe(0);
}, 120_000);

describe("an output that is one of the command's inputs is refused", () => {
  it("gate: a report file naming the suite, before the candidate replays; the other files say why", async () => {
    const runs = await runCount();
    await refused(
      ["gate", "suite.yaml", "--baseline", "main", "--db", db, "--summary", "./suite.yaml", "--junit", "j.xml"],
      "--summary",
      /the suite/,
      "suite.yaml",
    );
    expect(await runCount()).toBe(runs);
    expect(readFileSync(join(dir, "j.xml"), "utf8")).toMatch(/not_judged.*--summary \.\/suite\.yaml: is the suite/s);
  });

  it("gate: the suite is kept when it does not load either (no 'not judged' note over it)", async () => {
    writeFileSync(join(dir, "bad.suite.yaml"), "name: [unclosed\n");
    await refused(
      ["gate", "bad.suite.yaml", "--baseline", "main", "--db", db, "--summary", "bad.suite.yaml"],
      "--summary",
      /the suite/,
      "bad.suite.yaml",
    );
  });

  it("gate --candidate-run: a report file naming the stored run's agent file", async () => {
    await refused(
      [
        "gate",
        "--candidate-run",
        "latest",
        "--agent",
        "playbook",
        "--baseline",
        "main",
        "--db",
        db,
        "--json",
        "agents/playbook.yaml",
      ],
      "--json",
      /agent playbook's file/,
      "agents/playbook.yaml",
    );
  });

  it("export: --out naming the run's dataset, through a symlink", async () => {
    symlinkSync("cases.jsonl", join(dir, "cases-link.jsonl"));
    await refused(
      ["export", "--run", "latest", "--db", db, "--out", "cases-link.jsonl"],
      "--out",
      /the suite's dataset/,
      "cases.jsonl",
    );
  });

  it("report and compare: --out naming the workflow or an agent's prompt", async () => {
    await refused(
      ["report", "--db", db, "--out", join(dir, "workflow.yaml"), "--format", "md"],
      "--out",
      /the suite's workflow/,
      "workflow.yaml",
    );
    await refused(
      ["compare", "--runs", "latest", "--db", db, "--out", "prompt.hbs", "--format", "md"],
      "--out",
      /agent gpt-test's prompt/,
      "prompt.hbs",
    );
  });

  it("export and report of a run scored from transcripts: --out naming the transcripts or the dataset", async () => {
    const ex = await run(["export", "--run", "latest", "--db", db, "--out", "t.jsonl"]);
    expect(ex.status, ex.stderr).toBe(0);
    const sc = await run([
      "score",
      "--workflow",
      "workflow.yaml",
      "--dataset",
      "cases.jsonl",
      "--transcripts",
      "t.jsonl",
      "--agent",
      "playbook",
      "--db",
      db,
    ]);
    expect(sc.status, sc.stderr).toBe(0);
    await refused(
      ["export", "--run", "latest", "--db", db, "--out", "t.jsonl"],
      "--out",
      /run \S+'s transcripts/,
      "t.jsonl",
    );
    await refused(
      ["report", "--run", "latest", "--db", db, "--out", "./cases.jsonl", "--format", "md"],
      "--out",
      /run \S+'s dataset/,
      "cases.jsonl",
    );
  });

  it("run --record naming the suite's dataset, before anything is replayed", async () => {
    const runs = await runCount();
    await refused(
      ["run", "suite.yaml", "--db", db, "--record", "cases.jsonl"],
      "--record",
      /the suite's dataset/,
      "cases.jsonl",
    );
    expect(await runCount()).toBe(runs);
  });

  it("readiness score and ask, and dataset import: --out naming the file read", async () => {
    cpSync("readiness/answers/phishing-triage.yaml", join(dir, "answers.yaml"));
    await refused(
      ["readiness", "score", "answers.yaml", "--no-db", "--out", "answers.yaml", "--format", "md"],
      "--out",
      /the answer file/,
      "answers.yaml",
    );
    cpSync("readiness/matrix.yaml", join(dir, "matrix.yaml"));
    await refused(
      ["readiness", "ask", "--matrix", "matrix.yaml", "--out", "matrix.yaml"],
      "--out",
      /the matrix/,
      "matrix.yaml",
    );
    writeFileSync(join(dir, "alerts.csv"), "TimeGenerated,AlertName\n2024-01-01T00:00:00Z,x\n");
    await refused(
      ["dataset", "import", "sentinel", "alerts.csv", "--out", "./alerts.csv"],
      "--out",
      /the input/,
      "alerts.csv",
    );
  });

  it("still writes an output beside the inputs", async () => {
    const r = await run(["export", "--run", "latest", "--db", db, "--out", "out.jsonl"]);
    expect(r.status, r.stderr).toBe(0);
  });
});

describe("dataset validate --workflow", () => {
  it("says a folder is a folder, and names the workflow inside it", async () => {
    const r = await run(["dataset", "validate", "cases.jsonl", "--workflow", "."]);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain("--workflow .: is a directory; name a workflow file (workflow.yaml?)");
  });
});

describe("--db naming a file that is not a DuckDB database", () => {
  it("is refused as bad input, not a DuckDB catalog error (DuckDB opens a JSONL file as a view)", async () => {
    const before = readFileSync(join(dir, "cases.jsonl"));
    for (const args of [
      ["run", "suite.yaml", "--db", "cases.jsonl", "--limit", "2", "--quiet"],
      ["report", "--db", "cases.jsonl"],
    ]) {
      const r = await run(args);
      expect(r.status, r.stderr).toBe(2);
      expect(r.stderr).toContain("cases.jsonl: not a DuckDB database, so not a soceval store");
    }
    expect(readFileSync(join(dir, "cases.jsonl")).equals(before)).toBe(true);
  });
});
