import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { CLI, query, soceval } from "./helpers/cli.js";

const SUITE = resolve("suites/phishing-triage/shadow.suite.yaml");

/**
 * The CLI with a file-size limit standing in for a full disk: DuckDB's write of its log fails the
 * same way, without root or a mount. The signal such a write raises is ignored, so the write returns
 * an error. `blocks`: the shell's ulimit -f.
 */
function underLimit(args: string[], cwd: string, blocks: number) {
  const words = [process.execPath, CLI, ...args].map((a) => `"${a}"`).join(" ");
  return spawnSync("sh", ["-c", `trap '' XFSZ; ulimit -f ${blocks}; exec ${words}`], { cwd, encoding: "utf8" });
}

describe("a command whose store cannot grow (a full disk)", () => {
  it("run: says the run stopped, that what it stored is kept, and the command that finishes it; that command does", async () => {
    const dir = mkdtempSync(join(tmpdir(), "soceval-disk-full-"));
    const db = join(dir, "s.duckdb");
    const r = underLimit(["run", SUITE, "--epochs", "8", "--db", db, "--quiet"], dir, 6000);
    expect(r.status, r.stderr).toBe(3);
    const lines = r.stderr.trim().split("\n");
    // the write that fails is the batch's checkpoint into the store (DuckDB then gives the store up,
    // and the run is marked once it is opened again) or, for a small batch, its log
    expect(lines[0]).toContain(db);
    const [, runId, n, command] =
      lines[1]!.match(
        /^soceval: run (\S+) stopped; the (\d+) investigations? it stored (?:is|are) kept\. Once the cause is fixed, finish it: soceval (run .*)$/,
      ) ?? [];
    expect(command, r.stderr).toBe(`run ${SUITE} --resume ${runId} --epochs 8 --db ${db}`);
    const [stopped] = await query<{ status: string; n: number }>(
      db,
      "SELECT status, (SELECT count(*) FROM transcripts)::INTEGER AS n FROM runs",
    );
    expect(stopped).toEqual({ status: "failed", n: Number(n) });
    // later, from the store alone: runs list says the same
    const list = await soceval(["runs", "list", "--db", db], dir);
    expect(list.stdout).toContain(
      `failed: stopped by an error (a full disk, say); what it stored is kept. Once the cause is fixed, finish it:\n  soceval ${command}\n`,
    );

    const resumed = await soceval(command!.split(" "), dir);
    expect(resumed.status, resumed.stderr).toBe(0);
    const [done] = await query<{ status: string; n: number; keys: number }>(
      db,
      `SELECT status, (SELECT count(*) FROM transcripts)::INTEGER AS n,
              (SELECT count(DISTINCT (case_id, epoch)) FROM transcripts)::INTEGER AS keys FROM runs`,
    );
    expect(done).toEqual({ status: "finished", n: 2560, keys: 2560 });
  }, 120_000);

  it("score: says an import cannot be resumed, and the commands that remove it and score it again; they do", async () => {
    const dir = mkdtempSync(join(tmpdir(), "soceval-disk-full-score-"));
    const replayed = join(dir, "replayed.duckdb");
    const transcripts = join(dir, "t.jsonl");
    expect((await soceval(["run", SUITE, "--epochs", "8", "--db", replayed, "--quiet"], dir)).status).toBe(0);
    expect((await soceval(["export", "--run", "latest", "--db", replayed, "--out", transcripts], dir)).status).toBe(0);
    const db = join(dir, "s.duckdb");
    const args = ["score", "--workflow", resolve("suites/phishing-triage/workflow.yaml")]
      .concat(["--dataset", resolve("datasets/phishing-triage/cases.jsonl"), "--transcripts", transcripts])
      .concat(["--agent", "vendor-x", "--db", db]);
    const r = underLimit(args, dir, 2000);
    expect(r.status, r.stderr).toBe(3);
    const lines = r.stderr.trim().split("\n");
    expect(lines[0]).toContain(`${db}.wal`);
    const [, runId, remove, again] =
      lines[1]!.match(
        /^soceval: run (\S+) stopped with the \d+ investigations? it stored; an import cannot be resumed\. Once the cause is fixed, remove it \(soceval (runs delete .*)\) and score the transcripts again: soceval (score .*)$/,
      ) ?? [];
    expect(remove, r.stderr).toBe(`runs delete ${runId} --db ${db}`);
    expect(again).toBe(args.join(" "));
    expect((await soceval(remove!.split(" "), dir)).status).toBe(0);
    const scored = await soceval(again!.split(" "), dir);
    expect(scored.status, scored.stderr).toBe(0);
    const runs = await query<{ status: string; n: number }>(
      db,
      "SELECT status, (SELECT count(*) FROM case_results c WHERE c.run_id = r.run_id)::INTEGER AS n FROM runs r",
    );
    expect(runs).toEqual([{ status: "finished", n: 2560 }]);
  }, 120_000);

  it("gate: names its stopped candidate run, the command that finishes it and the one that judges it; they do", async () => {
    const dir = mkdtempSync(join(tmpdir(), "soceval-disk-full-gate-"));
    const db = join(dir, "s.duckdb");
    expect((await soceval(["run", SUITE, "--epochs", "8", "--db", db, "--quiet"], dir)).status).toBe(0);
    expect((await soceval(["baseline", "bless", "--name", "main", "--run", "latest", "--db", db], dir)).status).toBe(0);
    // room for about half a candidate beside the baseline (the shell's blocks are 512 bytes)
    const blocks = Math.ceil((statSync(db).size + 3_000_000) / 512);
    const verdict = join(dir, "verdict.json");
    const args = ["gate", SUITE, "--baseline", "main", "--epochs", "8", "--db", db, "--quiet", "--json", verdict];
    const r = underLimit(args, dir, blocks);
    expect(r.status, r.stderr).toBe(3);
    const [, runId, finish, judge] =
      r.stderr.match(
        /\nsoceval: the gate's candidate run (\S+) stopped; the \d+ investigations it stored are kept\. Once the cause is fixed, finish it: soceval (run .*); then judge it: soceval (gate .*)\n$/,
      ) ?? [];
    expect(finish, r.stderr).toBe(`run ${SUITE} --resume ${runId} --epochs 8 --db ${db}`);
    expect(judge).toBe(`gate --candidate-run ${runId} --baseline main --db ${db}`);
    // the verdict file a CI job keeps says the same
    expect(JSON.parse(readFileSync(verdict, "utf8")).error).toContain(`then judge it: soceval ${judge}`);

    expect((await soceval(finish!.split(" "), dir)).status).toBe(0);
    const judged = await soceval(judge!.split(" "), dir);
    expect(judged.status, judged.stderr).toBe(0);
    expect(judged.stdout).toContain(`run \`${runId}\``);
    expect(judged.stdout).toContain("PASS");
  }, 120_000);

  it("start: names the suite's stopped run and the command that finishes it", async () => {
    const dir = mkdtempSync(join(tmpdir(), "soceval-disk-full-start-"));
    const r = underLimit(["start", "--suites", SUITE, "--out", join(dir, "reports")], dir, 1000);
    expect(r.status, r.stderr).toBe(3);
    const last = r.stderr.trim().split("\n").at(-1)!;
    const [, runId, command] =
      last.match(
        /^soceval: run (\S+) stopped; the \d+ investigations? it stored (?:is|are) kept\. .*: soceval (run .*)$/,
      ) ?? [];
    expect(command, r.stderr).toBe(`run ${SUITE} --resume ${runId}`);
    const resumed = await soceval(command!.split(" "), dir);
    expect(resumed.status, resumed.stderr).toBe(0);
    const runs = await query<{ status: string; n: number }>(
      join(dir, ".soceval/soceval.duckdb"),
      "SELECT status, (SELECT count(*) FROM transcripts t WHERE t.run_id = r.run_id)::INTEGER AS n FROM runs r",
    );
    expect(runs).toEqual([{ status: "finished", n: 320 }]);
  }, 120_000);

  it("a new store there is no room to start: exit 3, as any full-disk write, and no empty file or folder left", () => {
    const dir = mkdtempSync(join(tmpdir(), "soceval-disk-full-new-"));
    const db = join(dir, "made", "for", "it.duckdb");
    for (const args of [
      ["run", SUITE, "--limit", "2", "--quiet", "--db", db],
      ["score", "--workflow", "w.yaml", "--dataset", "d.jsonl", "--transcripts", "t.jsonl", "--agent", "a", "--db", db],
    ]) {
      const r = underLimit(args, dir, 4);
      expect(r.status, r.stderr).toBe(3);
      expect(r.stderr).toMatch(
        new RegExp(`^soceval: ${db}: cannot open the DuckDB store: no room to write it \\(IO Error: `),
      );
      // an empty file there would read as "an empty file, not a soceval store" to the next command
      expect(existsSync(join(dir, "made")), args[0]).toBe(false);
    }
  });

  it("dataset import: a full disk under --out is exit 3, as any full-disk write, and the previous file stays", () => {
    const dir = mkdtempSync(join(tmpdir(), "soceval-disk-full-import-"));
    const out = join(dir, "cases.jsonl");
    writeFileSync(out, "the previous import\n");
    const input = resolve("test/fixtures/datasets/ocsf-findings.jsonl");
    const r = underLimit(["dataset", "import", "ocsf", input, "--out", out], dir, 1);
    expect(r.status, r.stderr).toBe(3);
    expect(r.stderr).toMatch(new RegExp(`^soceval: ${out}: cannot write \\(E(FBIG|NOSPC)\\)\n$`));
    expect(readFileSync(out, "utf8")).toBe("the previous import\n");
    expect(readdirSync(dir)).toEqual(["cases.jsonl"]);
  });
  it("dataset generate: a full disk is exit 3 naming the file, and the previous dataset and manifest stay whole", () => {
    const dir = mkdtempSync(join(tmpdir(), "soceval-disk-full-generate-"));
    const made = underLimit(
      ["dataset", "generate", "--workflow", "phishing-triage", "--count", "2", "--out", dir],
      dir,
      100000,
    );
    expect(made.status, made.stderr).toBe(0);
    const cases = join(dir, "phishing-triage", "cases.jsonl");
    const manifest = join(dir, "phishing-triage", "manifest.json");
    const before = [readFileSync(cases, "utf8"), readFileSync(manifest, "utf8")];
    const r = underLimit(["dataset", "generate", "--workflow", "phishing-triage", "--out", dir], dir, 200);
    expect(r.status, r.stderr).toBe(3);
    expect(r.stderr).toBe(`soceval: ${cases}: cannot write (EFBIG)\n`);
    expect([readFileSync(cases, "utf8"), readFileSync(manifest, "utf8")]).toEqual(before);
    expect(readdirSync(join(dir, "phishing-triage")).sort()).toEqual(["cases.jsonl", "manifest.json"]);
  });
});
