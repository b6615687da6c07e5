import { createHash } from "node:crypto";
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import type { Investigation } from "../src/analytics/investigation.js";
import { Store } from "../src/store/db.js";
import { query, reportJson, soceval } from "./helpers/cli.js";
import { SMALL_SUITE_GATE } from "./helpers/small-gate.js";
import { pointGptAt, routineClose } from "./servers/agents.js";
import { startResponder } from "./servers/responder.js";

/**
 * A team that edits its suite on Windows (git's core.autocrlf checks text out with CRLF, some
 * editors add a BOM) and gates it in CI on Linux (LF): the same files must be the same agent, with
 * the same hash, the same requests to the model and so the same recordings and gate verdict.
 */
const root = mkdtempSync(join(tmpdir(), "soceval-crlf-"));
const lf = join(root, "lf");
const crlf = join(root, "crlf");
const rec = join(root, "recordings.jsonl");
const db = join(root, "ci.duckdb");
const systemPrompts: string[] = [];

/** Every text file of a suite folder as Windows writes it: CRLF, and a BOM on the suite and workflow. */
function windowsCopy(from: string, to: string) {
  cpSync(from, to, { recursive: true });
  const walk = (d: string): string[] =>
    readdirSync(d).flatMap((f) => (statSync(join(d, f)).isDirectory() ? walk(join(d, f)) : [join(d, f)]));
  // the dataset stays as it was: its hash is the file's bytes, and the gate only compares runs made
  // on the same bytes (the tests below check a CRLF dataset on its own)
  for (const f of walk(to).filter((f) => /\.(ya?ml|hbs)$/.test(f))) {
    const bom = /(suite|workflow)\.yaml$/.test(f) ? "\uFEFF" : "";
    writeFileSync(f, bom + readFileSync(f, "utf8").replace(/\n/g, "\r\n"));
  }
}

const agentHashes = async (runId: string) =>
  query<{ agent: string; agent_hash: string }>(
    db,
    `SELECT agent, agent_hash FROM run_agents WHERE run_id = '${runId}' ORDER BY agent`,
  );
const newestRun = async () =>
  (await query<{ run_id: string }>(db, "SELECT run_id FROM runs ORDER BY started_at DESC LIMIT 1"))[0]!.run_id;

beforeAll(async () => {
  const server = await startResponder((messages) => {
    const system = messages.find((m) => m.role === "system")?.content;
    if (typeof system === "string") systemPrompts.push(system);
    return { type: "submit", output: routineClose };
  });
  cpSync("test/fixtures/mini", lf, { recursive: true });
  pointGptAt(lf, server.url);
  const gpt = readFileSync(join(lf, "agents/gpt.yaml"), "utf8");
  const replay = gpt
    .replace("name: gpt-test", "name: gpt-replay")
    .replace("provider: openai-compatible", "provider: replay")
    .replace(/base_url: .*\n/, "");
  writeFileSync(join(lf, "agents/gpt-replay.yaml"), `${replay}recordings: ${JSON.stringify(rec)}\n`);
  const suite = readFileSync(join(lf, "suite.yaml"), "utf8").replace(
    "agents/gpt.yaml,",
    "agents/gpt.yaml, agents/gpt-replay.yaml,",
  );
  writeFileSync(join(lf, "suite.yaml"), suite + SMALL_SUITE_GATE);
  windowsCopy(lf, crlf);
  // recorded on the Windows laptop, against the live model
  const live = await soceval(
    ["run", "suite.yaml", "--agent", "gpt-test", "--record", rec, "--db", db, "--quiet"],
    crlf,
  );
  expect(live.status, live.stderr).toBe(0);
  await server.close();
}, 60_000);

describe("a suite checked out with Windows line endings", () => {
  it("sends the model the prompt with LF line endings", () => {
    expect(systemPrompts.length).toBe(40);
    expect(systemPrompts.some((p) => p.includes("\n"))).toBe(true);
    expect(systemPrompts.filter((p) => p.includes("\r"))).toEqual([]);
  });

  it("replays on Linux from recordings made on Windows, and gates the Windows copy against a baseline blessed on Linux", async () => {
    // CI (LF): every request of the replay agent finds the Windows laptop's recording
    const ci = await soceval(["run", "suite.yaml", "--agent", "gpt-replay", "--db", db, "--quiet"], lf);
    expect(ci.status, ci.stderr).toBe(0);
    expect(ci.stdout).toMatch(/40 replayed, 0 failed/);
    const ciRun = await newestRun();
    const bless = await soceval(["baseline", "bless", "--run", ciRun, "--name", "main", "--db", db], lf);
    expect(bless.status, bless.stderr).toBe(0);
    // the laptop (CRLF) gates its unchanged agent against CI's baseline: the same agent, a pass
    const gate = await soceval(
      ["gate", "suite.yaml", "--baseline", "main", "--agent", "gpt-replay", "--db", db, "--quiet"],
      crlf,
    );
    expect(gate.status, `${gate.stdout}${gate.stderr}`).toBe(0);
    const gateRun = await newestRun();
    expect(gateRun).not.toBe(ciRun);
    expect(await agentHashes(gateRun)).toEqual(await agentHashes(ciRun));
  });

  it("replays from a recordings file checked out with CRLF", async () => {
    const dir = join(root, "crlf-recordings");
    cpSync(crlf, dir, { recursive: true });
    const crlfRec = join(dir, "recordings.jsonl");
    writeFileSync(crlfRec, readFileSync(rec, "utf8").replace(/\n/g, "\r\n"));
    const agent = join(dir, "agents/gpt-replay.yaml");
    writeFileSync(agent, readFileSync(agent, "utf8").replace(JSON.stringify(rec), JSON.stringify(crlfRec)));
    const r = await soceval(
      ["run", "suite.yaml", "--agent", "gpt-replay", "--db", join(root, "rec.duckdb"), "--quiet"],
      dir,
    );
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/40 replayed, 0 failed/);
  });

  it("gates the dataset checked out with CRLF against the baseline blessed on its LF file: the same cases", async () => {
    const dir = join(root, "crlf-data");
    cpSync(crlf, dir, { recursive: true });
    const cases = join(dir, "cases.jsonl");
    // and a byte-order mark, as Notepad saves it
    writeFileSync(cases, `\uFEFF${readFileSync(cases, "utf8").replace(/\n/g, "\r\n")}`);
    const gate = await soceval(
      ["gate", "suite.yaml", "--baseline", "main", "--agent", "gpt-replay", "--db", db, "--quiet"],
      dir,
    );
    expect(gate.status, `${gate.stdout}${gate.stderr}`).toBe(0);
    // judged again from the stored runs, as a CI job given the laptop's run would
    const stored = await soceval(
      ["gate", "--candidate-run", await newestRun(), "--baseline", "main", "--agent", "gpt-replay", "--db", db],
      root,
    );
    expect(stored.status, `${stored.stdout}${stored.stderr}`).toBe(0);
    // a case more is another dataset version still
    const text = readFileSync(cases, "utf8");
    writeFileSync(
      cases,
      `${text}${text
        .split("\r\n")[0]!
        .replace(/^\uFEFF/, "")
        .replace('"id": "mini-000"', '"id": "mini-999"')}\r\n`,
    );
    const other = await soceval(
      ["gate", "suite.yaml", "--baseline", "main", "--agent", "gpt-replay", "--db", db, "--quiet"],
      dir,
    );
    expect(other.status).toBe(2);
    expect(other.stderr).toMatch(/baseline "main" was made on another dataset/);
  });

  it("gates on a machine with only the LF dataset against a baseline blessed on its BOM and CRLF copy", async () => {
    // the laptop: dataset saved by Notepad, a run blessed as the team's baseline in the shared store
    const laptop = join(root, "notepad-laptop");
    cpSync(crlf, laptop, { recursive: true });
    const cases = join(laptop, "cases.jsonl");
    writeFileSync(cases, `\uFEFF${readFileSync(cases, "utf8").replace(/\n/g, "\r\n")}`);
    const ldb = join(root, "notepad.duckdb");
    const run = await soceval(["run", "suite.yaml", "--agent", "gpt-replay", "--db", ldb, "--quiet"], laptop);
    expect(run.status, run.stderr).toBe(0);
    const [{ run_id }] = (await query<{ run_id: string }>(ldb, "SELECT run_id FROM runs")) as [{ run_id: string }];
    const bless = await soceval(["baseline", "bless", "--run", run_id, "--name", "laptop", "--db", ldb], laptop);
    expect(bless.status, bless.stderr).toBe(0);
    // CI: the laptop's files are not here, only the LF checkout
    rmSync(laptop, { recursive: true });
    const gate = await soceval(
      ["gate", "suite.yaml", "--baseline", "laptop", "--agent", "gpt-replay", "--db", ldb, "--quiet"],
      lf,
    );
    expect(gate.status, `${gate.stdout}${gate.stderr}`).toBe(0);
    expect(gate.stderr).not.toMatch(/another dataset/);
  });

  it("reports and compares the dataset checked out with CRLF as the same cases: same intervals, no other dataset version", async () => {
    const dir = join(root, "crlf-report");
    cpSync(crlf, dir, { recursive: true });
    const cases = join(dir, "cases.jsonl");
    // and a byte-order mark, as Notepad saves it
    writeFileSync(cases, `\uFEFF${readFileSync(cases, "utf8").replace(/\n/g, "\r\n")}`);
    // both runs in one store, as CI's and a laptop's would be compared
    const rdb = join(root, "report.duckdb");
    const reports = [];
    for (const d of [lf, dir]) {
      const r = await soceval(
        ["run", "suite.yaml", "--agent", "playbook", "playbook-no-ti", "--db", rdb, "--quiet"],
        d,
      );
      expect(r.status, r.stderr).toBe(0);
      reports.push(await reportJson(rdb, root));
    }
    const [fromLf, fromCrlf] = reports;
    expect(fromCrlf!.run.dataset_hash).not.toBe(fromLf!.run.dataset_hash);
    // an LF dataset draws from its own hash, as before line endings were looked at
    expect(fromLf!.statistics.seed).toBe(`${fromLf!.run.dataset_hash}:3`);
    expect(fromCrlf!.statistics.seed).toBe(fromLf!.statistics.seed);
    for (const agent of ["playbook", "playbook-no-ti"])
      expect(fromCrlf!.agents[agent]!.metrics).toEqual(fromLf!.agents[agent]!.metrics);
    // compared, they replayed the same dataset version: no note says otherwise
    const runs = [fromLf!.run.run_id, fromCrlf!.run.run_id];
    const out = join(root, "compare.json");
    const c = await soceval(
      ["compare", "--runs", ...runs, "--agents", "playbook", "playbook-no-ti", "--db", rdb, "--out", out],
      root,
    );
    expect(c.status, c.stderr).toBe(0);
    const doc = JSON.parse(readFileSync(out, "utf8")) as { notes: string[]; seed: string };
    expect(doc.notes.filter((n) => /different dataset versions/.test(n))).toEqual([]);
    expect(doc.seed).toContain(fromLf!.run.dataset_hash);
    // the laptop's file later saved back with LF: its run's report draws the same intervals still
    writeFileSync(cases, readFileSync(join(lf, "cases.jsonl")));
    const again = await reportJson(rdb, root);
    expect(again.run.run_id).toBe(fromCrlf!.run.run_id);
    expect(again.statistics.seed).toBe(fromLf!.statistics.seed);
  });

  it("shows a case's evidence and rescores a run after its dataset is checked out again with CRLF", async () => {
    const dir = join(root, "renormalized");
    cpSync(lf, dir, { recursive: true });
    const rdb = join(root, "renormalized.duckdb");
    const r = await soceval(["run", "suite.yaml", "--agent", "playbook", "--db", rdb, "--quiet"], dir);
    expect(r.status, r.stderr).toBe(0);
    const cases = join(dir, "cases.jsonl");
    writeFileSync(cases, readFileSync(cases, "utf8").replace(/\n/g, "\r\n"));
    const show = await soceval(["show", "mini-001", "--db", rdb, "--format", "json"], dir);
    expect(show.status, show.stderr).toBe(0);
    const line = (JSON.parse(show.stdout) as Investigation).dataset_line;
    expect(line).toMatchObject({ file: cases, line: 2, unavailable: null });
    expect(line.evidence.length).toBeGreaterThan(0);
    const rescore = await soceval(["rescore", "--run", "latest", "--db", rdb], dir);
    expect(rescore.status, rescore.stderr).toBe(0);
    // a case more is another dataset still, whatever its line endings
    const text = readFileSync(cases, "utf8");
    writeFileSync(cases, `${text}${text.split("\r\n")[0]!.replace('"id": "mini-000"', '"id": "mini-999"')}\r\n`);
    const changed = await soceval(["rescore", "--run", "latest", "--db", rdb], dir);
    expect(changed.status).toBe(2);
    expect(changed.stderr).toContain("rescoring needs the cases it was run on");
  });

  it("scores transcripts exported with CRLF as the same imported agent as their LF file", async () => {
    const sdb = join(root, "score.duckdb");
    const r = await soceval(["run", "suite.yaml", "--agent", "playbook", "--db", sdb, "--quiet"], lf);
    expect(r.status, r.stderr).toBe(0);
    const lfFile = join(root, "transcripts-lf.jsonl");
    const e = await soceval(["export", "--run", "latest", "--out", lfFile, "--db", sdb], root);
    expect(e.status, e.stderr).toBe(0);
    const crlfFile = join(root, "transcripts-crlf.jsonl");
    writeFileSync(crlfFile, readFileSync(lfFile, "utf8").replace(/\n/g, "\r\n"));
    for (const file of [lfFile, crlfFile]) {
      const s = await soceval(
        ["score", "--workflow", join(lf, "workflow.yaml"), "--dataset", join(lf, "cases.jsonl")].concat([
          "--transcripts",
          file,
          "--agent",
          "ext",
          "--db",
          sdb,
        ]),
        root,
      );
      expect(s.status, s.stderr).toBe(0);
    }
    const hashes = await query<{ agent_hash: string }>(sdb, "SELECT agent_hash FROM run_agents WHERE agent = 'ext'");
    // an LF export hashes as it always did: the agent's name and the file's bytes
    const bytes = createHash("sha256").update(readFileSync(lfFile)).digest("hex");
    const lfHash = createHash("sha256").update(`ext\0${bytes}`).digest("hex").slice(0, 16);
    expect(hashes.map((h) => h.agent_hash)).toEqual([lfHash, lfHash]);
  });

  it("resumes a run started on the CRLF files (its dataset saved by Notepad, with a byte-order mark), after they were re-saved with LF", async () => {
    const dir = join(root, "resume");
    cpSync(crlf, dir, { recursive: true });
    const cases = join(dir, "cases.jsonl");
    // as Notepad saves it: CRLF and a byte-order mark
    writeFileSync(cases, `\uFEFF${readFileSync(cases, "utf8").replace(/\n/g, "\r\n")}`);
    const rdb = join(root, "resume.duckdb");
    const first = await soceval(
      ["run", "suite.yaml", "--agent", "gpt-replay", "--limit", "10", "--db", rdb, "--quiet"],
      dir,
    );
    expect(first.status, first.stderr).toBe(0);
    const store = await Store.open(rdb);
    // as a run stopped part-way leaves it: its last cases not stored, its status not finished
    await store.run("UPDATE runs SET status = 'interrupted'");
    for (const t of ["case_results", "transcripts", "tool_calls", "model_calls", "findings"])
      await store.run(`DELETE FROM ${t} WHERE case_id >= 'mini-006'`);
    store.close();
    // an editor (or dos2unix, or a checkout after .gitattributes says eol=lf) saves every file, the
    // dataset too, back with LF and without a BOM
    cpSync(lf, dir, { recursive: true });
    const resumed = await soceval(
      ["run", "suite.yaml", "--agent", "gpt-replay", "--limit", "10", "--db", rdb, "--resume", "--quiet"],
      dir,
    );
    expect(resumed.status, resumed.stderr).toBe(0);
    const [n] = await query<{ n: number; done: number }>(
      rdb,
      "SELECT count(*)::INTEGER AS n, (SELECT count(*) FROM runs WHERE status = 'finished')::INTEGER AS done FROM transcripts",
    );
    expect(n).toEqual({ n: 10, done: 1 });
  });
});
