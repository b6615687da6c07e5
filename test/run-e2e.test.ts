import { type ChildProcess, spawn } from "node:child_process";
import { copyFileSync, cpSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Store } from "../src/store/db.js";
import { CLI, query, soceval } from "./helpers/cli.js";
import { pointGptAt } from "./servers/agents.js";
import { startResponder } from "./servers/responder.js";

const dir = mkdtempSync(join(tmpdir(), "soceval-run-"));
cpSync("test/fixtures/mini", dir, { recursive: true });

const run = (args: string[]) => soceval(args, dir);

/** An agent that looks up sign-ins for the alert's account, then submits; or tries a respond tool. */
function investigator(messages: { role: string; content?: unknown }[]) {
  const last = messages[messages.length - 1]!;
  // the alert's account: in the system prompt's alert block, which comes first
  const user = JSON.stringify(messages).match(/[\w-]+\d+@corp\.example/)?.[0];
  if (last.role === "user" && user) {
    return {
      type: "tool_calls" as const,
      calls: [
        { name: "get_signins", arguments: { user } },
        { name: "disable_account", arguments: { user } },
      ],
    };
  }
  const ids = [...JSON.stringify(messages).matchAll(/"id\\?":\\?"(s-\d{3}a)/g)].map((m) => m[1]!);
  return {
    type: "submit" as const,
    output: {
      verdict: "benign_positive",
      confidence: 0.7,
      escalate: false,
      summary: "Sign-in looks routine.",
      hypotheses: [{ kind: "benign", explanation: "known device", evidence: ids.slice(0, 1) }],
      recommended_actions: [],
      evidence: ids.slice(0, 1),
      missing_sources: [],
      human_only: false,
    },
  };
}

/**
 * The test agent (agents/gpt.yaml) under another name, talking to `url`, and a suite `<suite>.suite.yaml`
 * that offers it: each test gets the model server it needs without touching the fixture's agent.
 */
function agentAt(name: string, url: string, suite: string): void {
  const agent = readFileSync(join(dir, "agents/gpt.yaml"), "utf8")
    .replace(server.url, url)
    .replace("name: gpt-test", `name: ${name}`);
  writeFileSync(join(dir, `agents/${name}.yaml`), agent);
  const suiteText = readFileSync(join(dir, "suite.yaml"), "utf8").replace("agents/gpt.yaml", `agents/${name}.yaml`);
  writeFileSync(join(dir, `${suite}.suite.yaml`), suiteText);
}

let server: Awaited<ReturnType<typeof startResponder>>;
beforeAll(async () => {
  server = await startResponder(investigator, 120);
  pointGptAt(dir, server.url);
});
afterAll(() => server.close());

describe("soceval run (end to end)", () => {
  it("replays every case with the playbook agent and stores transcripts, tool calls and results", async () => {
    const db = join(dir, "a.duckdb");
    const r = await run(["run", "suite.yaml", "--db", db]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/playbook/);
    const [row] = await query<{ t: number; r: number; k: number; runs: number }>(
      db,
      `SELECT (SELECT count(*) FROM transcripts) t, (SELECT count(*) FROM case_results) r,
              (SELECT count(*) FROM tool_calls) k, (SELECT count(*) FROM runs WHERE status = 'finished') runs`,
    );
    expect(row).toMatchObject({ t: 40, r: 40, runs: 1 });
    expect(row!.k).toBeGreaterThanOrEqual(80);
    // the summary's critical misses ("x/n") are the investigations the hinted command lists
    const misses = r.stdout.match(/│ (\d+)\/(\d+) \(/);
    const hint = r.stdout.match(/the cases behind a figure: soceval (cases [^(]+?) \(/)?.[1];
    expect(hint).toContain(`--db ${db}`);
    const listed = await run([...hint!.split(" "), "--format", "jsonl"]);
    expect(listed.status, listed.stderr).toBe(0);
    expect(listed.stdout.split("\n").filter(Boolean)).toHaveLength(Number(misses![1]));
    const counted = await run(hint!.split(" "));
    expect(counted.stdout).toContain(`count against it: playbook ${misses![1]} of ${misses![2]}`);
    const list = await run(["runs", "list", "--db", db, "--format", "json"]);
    expect(JSON.parse(list.stdout)[0]).toMatchObject({ suite: "mini-shadow", status: "finished", results: 40 });
    const out = join(dir, "t.jsonl");
    expect((await run(["export", "--run", "latest", "--db", db, "--out", out])).status).toBe(0);
    const lines = readFileSync(out, "utf8")
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    expect(lines).toHaveLength(40);
    expect(lines[0]).toHaveProperty("steps");
    expect(lines[0].output).toHaveProperty("verdict");
    // JSON columns are stored as JSON text; what users read back is JSON again
    expect(typeof lines[0].steps[0].input).toBe("object");
    const cases = join(dir, "exported-cases.jsonl");
    expect((await run(["export", "--run", "latest", "--db", db, "--out", cases, "--table", "cases"])).status).toBe(0);
    const firstCase = JSON.parse(readFileSync(cases, "utf8").split("\n")[0]!);
    expect(typeof firstCase.alert.title).toBe("string");
    expect(typeof firstCase.label.verdict).toBe("string");
    const [titled] = await query<{ title: string }>(db, "SELECT alert->>'title' AS title FROM cases LIMIT 1");
    expect(titled!.title).toBe(firstCase.alert.title);
    expect(
      (
        await run([
          "export",
          "--run",
          "latest",
          "--db",
          db,
          "--out",
          join(dir, "r.parquet"),
          "--format",
          "parquet",
          "--table",
          "case_results",
        ])
      ).status,
    ).toBe(0);
  });

  it("writes the format the output file is named for, and refuses a name it cannot honour", async () => {
    const db = join(dir, "formats.duckdb");
    expect((await run(["run", "suite.yaml", "--db", db, "--limit", "5", "--quiet"])).status).toBe(0);
    const parquet = join(dir, "t.parquet");
    const r = await run(["export", "--run", "latest", "--db", db, "--out", parquet]);
    expect(r.status, r.stderr).toBe(0);
    const [n] = await query<{ n: number }>(db, `SELECT count(*) AS n FROM read_parquet('${parquet}')`);
    expect(n!.n).toBe(5);
    const csv = await run(["export", "--run", "latest", "--db", db, "--out", join(dir, "t.csv")]);
    expect(csv.status).toBe(2);
    expect(csv.stderr).toMatch(/--out .*t\.csv: the format comes from its extension/);
    const pdf = await run(["report", "--db", db, "--out", join(dir, "r.pdf")]);
    expect(pdf.status).toBe(2);
    expect(pdf.stderr).toMatch(/--out .*r\.pdf: the format comes from its extension \(\.html, \.md, \.json\)/);
    expect(existsSync(join(dir, "r.pdf"))).toBe(false);
  });

  it("keeps a model's prose answer as a JSON string that export, Parquet and show can read", async () => {
    const prose = await startResponder(() => ({ type: "text", text: 'I cannot help with that. "Sorry"' }));
    agentAt("gpt-prose", prose.url, "prose");
    const db = join(dir, "prose.duckdb");
    try {
      const r = await run(["run", "prose.suite.yaml", "--db", db, "--agent", "gpt-prose", "--limit", "2", "--quiet"]);
      expect(r.status, r.stderr).toBe(0);
    } finally {
      await prose.close();
    }
    const stored = await query<{ o: string; t: string }>(
      db,
      "SELECT output::VARCHAR AS o, json_type(output) AS t FROM transcripts",
    );
    expect(stored).toEqual([
      { o: '"I cannot help with that. \\"Sorry\\""', t: "VARCHAR" },
      { o: '"I cannot help with that. \\"Sorry\\""', t: "VARCHAR" },
    ]);
    const jsonl = join(dir, "prose.jsonl");
    const e = await run(["export", "--run", "latest", "--db", db, "--out", jsonl]);
    expect(e.status, e.stderr).toBe(0);
    const outputs = readFileSync(jsonl, "utf8")
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l).output);
    expect(outputs).toEqual(['I cannot help with that. "Sorry"', 'I cannot help with that. "Sorry"']);
    const parquet = join(dir, "prose.parquet");
    expect((await run(["export", "--run", "latest", "--db", db, "--out", parquet])).status).toBe(0);
    const [back] = await query<{ o: string }>(
      db,
      `SELECT output::VARCHAR AS o FROM read_parquet('${parquet}') LIMIT 1`,
    );
    expect(back!.o).toBe('"I cannot help with that. \\"Sorry\\""');
    const caseId = JSON.parse(readFileSync(jsonl, "utf8").split("\n")[0]!).case_id as string;
    const shown = await run(["show", caseId, "--db", db, "--agent", "gpt-prose"]);
    expect(shown.status, shown.stderr).toBe(0);
    expect(shown.stdout).toContain("I cannot help with that.");
  });

  it("an empty final answer is a failed investigation, counted as case_results counts it", async () => {
    const empty = await startResponder(() => ({ type: "text", text: "" }));
    agentAt("gpt-empty", empty.url, "blank");
    const db = join(dir, "blank.duckdb");
    const r = await run(["run", "blank.suite.yaml", "--db", db, "--agent", "gpt-empty", "--limit", "2", "--quiet"]);
    await empty.close();
    expect(r.status).toBe(3);
    expect(r.stdout).toMatch(/2 replayed, 2 failed/);
    expect(r.stderr).toMatch(/every case failed, the first with: no answer: the model's final message was empty/);
    const rows = await query<{ failed: boolean }>(db, "SELECT failed FROM case_results");
    expect(rows).toEqual([{ failed: true }, { failed: true }]);
  });

  it("a refusal holding escape sequences is quoted with them shown, not sent to the terminal", async () => {
    const refusing = await startResponder(() => ({ type: "refusal", text: "no \u001b[2J\u001b]0;owned\u0007" }));
    agentAt("gpt-refuses", refusing.url, "refuses");
    const db = join(dir, "refuses.duckdb");
    const r = await run(["run", "refuses.suite.yaml", "--db", db, "--agent", "gpt-refuses", "--limit", "1", "--quiet"]);
    await refusing.close();
    expect(r.status).toBe(3);
    expect(r.stderr).toContain(
      "every case failed, the first with: no answer: the model refused: no \\x1b[2J\\x1b]0;owned\\x07\n",
    );
    expect(r.stderr).not.toContain("\u001b");
  });

  it("an agent that reaches its own max_steps on every case exits 3, saying every case failed and why", async () => {
    // a run with no triage output at all has measured nothing to judge, whatever the cause (README: run)
    const looping = await startResponder((messages) => {
      const user = JSON.stringify(messages).match(/[\w-]+\d+@corp\.example/)?.[0] ?? "user0@corp.example";
      return { type: "tool_calls", calls: [{ name: "get_signins", arguments: { user } }] };
    });
    agentAt("gpt-loop", looping.url, "loop");
    writeFileSync(
      join(dir, "agents/gpt-loop.yaml"),
      `${readFileSync(join(dir, "agents/gpt-loop.yaml"), "utf8")}limits: { max_steps: 3 }\n`,
    );
    const db = join(dir, "loop.duckdb");
    const r = await run(["run", "loop.suite.yaml", "--db", db, "--agent", "gpt-loop", "--limit", "2", "--quiet"]);
    await looping.close();
    expect(r.status).toBe(3);
    expect(r.stdout).toMatch(/2 replayed, 2 failed/);
    expect(r.stderr).toMatch(/every case failed, the first with: limit: no triage output within max_steps 3/);
    // not a provider failure: nothing to retry
    expect(r.stderr).not.toContain("--retry-failed");
  });

  it("enforces shadow mode: an agent's respond-tool call is denied, never executed, and reported", async () => {
    const db = join(dir, "shadow.duckdb");
    const r = await run(["run", "suite.yaml", "--db", db, "--agent", "gpt-test", "--limit", "5"]);
    expect(r.status, r.stderr).toBe(0);
    const calls = await query<{ tool: string; status: string; scope: string }>(
      db,
      "SELECT tool, status, scope FROM tool_calls WHERE tool = 'disable_account'",
    );
    expect(calls).toHaveLength(5);
    expect(calls.every((c) => c.status === "denied" && c.scope === "respond")).toBe(true);
    const findings = await query<{ n: number }>(db, "SELECT count(*) n FROM findings WHERE kind = 'tool_out_of_scope'");
    expect(findings[0]!.n).toBe(5);
    const model = await query<{ n: number; cost: number }>(
      db,
      "SELECT count(*) n, sum(cost_usd) AS cost FROM model_calls",
    );
    expect(model[0]!.n).toBe(10);
    expect(model[0]!.cost).toBeGreaterThan(0);
    // the report names the calls, tokens and price behind its cost figures (Markdown escapes "$")
    const md = await run(["report", "--db", db, "--format", "md"]);
    expect(md.stdout).toMatch(
      /gpt-test: 10 model calls \(10 attempts; 0 needed a retry\) · [\d,]+ tokens in \/ [\d,]+ out · \\\$[\d.]+ at \\\$1\.0000 in \/ \\\$2\.0000 out per million tokens/,
    );
  });

  it("records model answers with --record and replays them without the model (replay provider)", async () => {
    const db = join(dir, "record.duckdb");
    const rec = join(dir, "recordings.jsonl");
    const live = await run(["run", "suite.yaml", "--db", db, "--agent", "gpt-test", "--limit", "6", "--record", rec]);
    expect(live.status, live.stderr).toBe(0);
    expect(readFileSync(rec, "utf8").trim().split("\n")).toHaveLength(12);
    const replayAgent = readFileSync(join(dir, "agents/gpt.yaml"), "utf8")
      .replace("provider: openai-compatible", "provider: replay")
      .replace("name: gpt-test", "name: gpt-replay")
      .replace(/base_url: .*\n/, "");
    writeFileSync(join(dir, "agents/replay.yaml"), `${replayAgent}recordings: ../recordings.jsonl\n`);
    writeFileSync(
      join(dir, "replay.suite.yaml"),
      "name: replay\nworkflow: workflow.yaml\ndataset: cases.jsonl\nagents: [agents/replay.yaml]\nseed: 3\n",
    );
    const before = server.requests();
    const replay = await run(["run", "replay.suite.yaml", "--db", db, "--limit", "6"]);
    expect(replay.status, replay.stderr).toBe(0);
    expect(server.requests()).toBe(before); // not one request reached the model server
    const rows = await query<{ agent: string; v: string }>(
      db,
      "SELECT agent, string_agg(case_id || ':' || verdict || ':' || tool_calls, ',' ORDER BY case_id) v FROM case_results GROUP BY agent ORDER BY agent",
    );
    expect(rows).toHaveLength(2);
    expect(rows[0]!.v).toBe(rows[1]!.v);
    // two cases past the recorded six: said on stderr by case, not only counted as "2 failed"
    const ids = readFileSync(join(dir, "cases.jsonl"), "utf8")
      .split("\n")
      .slice(6, 8)
      .map((l) => (JSON.parse(l) as { id: string }).id);
    const more = await run(["run", "replay.suite.yaml", "--db", join(dir, "record-more.duckdb"), "--limit", "8"]);
    expect(more.status, more.stderr).toBe(0);
    expect(more.stderr).toContain(
      `soceval: 2 of 8 investigations of agent gpt-replay found no recorded response in ${rec} (${ids.join(", ")}): ` +
        `their requests are not the recorded ones, and they count as failed. Record them with the live agent ` +
        `(soceval run replay.suite.yaml --agent <live agent> --record ${rec})`,
    );
    // recorded in one epoch, replayed in two: the second is a miss, named as such, and the command
    // that records it asks for both epochs (recording one again would miss the same way)
    const twiceDb = join(dir, "record-twice.duckdb");
    const twice = await run(["run", "replay.suite.yaml", "--db", twiceDb, "--limit", "6", "--epochs", "2"]);
    expect(twice.status, twice.stderr).toBe(0);
    expect(twice.stderr).toContain(
      `soceval: 6 of 12 investigations of agent gpt-replay found no recorded response in ${rec} (`,
    );
    expect(twice.stderr).toContain(
      "their requests are not the recorded ones, or their epoch was never recorded, and they count as failed. " +
        `Record them with the live agent (soceval run replay.suite.yaml --agent <live agent> --epochs 2 --record ${rec})`,
    );
    expect(server.requests()).toBe(before);
  });

  it("resumes a run killed with SIGKILL: every case stored exactly once", async () => {
    const db = join(dir, "kill.duckdb");
    const child: ChildProcess = spawn(
      process.execPath,
      [CLI, "run", "suite.yaml", "--db", db, "--agent", "gpt-test", "--concurrency", "2"],
      { cwd: dir, stdio: ["ignore", "pipe", "pipe"] },
    );
    // wait until a good part is stored (progress lines come every 10%), then kill hard
    await new Promise<void>((resolve, reject) => {
      let err = "";
      child.stderr!.on("data", (d: Buffer) => {
        err += d.toString();
        if (/\((7|8|9)\d%\)/.test(err)) resolve();
      });
      child.on("exit", () => reject(new Error(`run ended before it could be killed: ${err}`)));
    });
    child.kill("SIGKILL");
    await new Promise((r) => child.once("exit", r));
    // what a killed run left on disk: the database and its write-ahead log
    copyFileSync(db, join(dir, "kill-snapshot.duckdb"));
    if (existsSync(`${db}.wal`)) copyFileSync(`${db}.wal`, join(dir, "kill-snapshot.duckdb.wal"));
    const before = await query<{ n: number }>(join(dir, "kill-snapshot.duckdb"), "SELECT count(*) n FROM transcripts");
    expect(before[0]!.n).toBeGreaterThan(0);
    expect(before[0]!.n).toBeLessThan(40);
    const r = await run(["run", "suite.yaml", "--db", db, "--agent", "gpt-test", "--resume"]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/already stored/);
    const rows = await query<{ n: number; d: number; runs: number; status: string }>(
      db,
      `SELECT count(*) n, count(DISTINCT case_id) d, (SELECT count(*) FROM runs) runs,
              (SELECT any_value(status) FROM runs) status FROM transcripts`,
    );
    expect(rows[0]).toMatchObject({ n: 40, d: 40, runs: 1, status: "finished" });
    const results = await query<{ n: number }>(db, "SELECT count(*) n FROM case_results");
    expect(results[0]!.n).toBe(40);
  });

  it("on Ctrl-C stores the cases finished, marks the run interrupted, and --resume finishes it", async () => {
    const db = join(dir, "sigint.duckdb");
    const child = spawn(
      process.execPath,
      [CLI, "run", "suite.yaml", "--db", db, "--agent", "gpt-test", "--concurrency", "2"],
      {
        cwd: dir,
        stdio: ["ignore", "pipe", "pipe"],
      },
    );
    let err = "";
    let out = "";
    child.stdout!.on("data", (d: Buffer) => {
      out += d.toString();
    });
    await new Promise<void>((resolve) => {
      child.stderr!.on("data", (d: Buffer) => {
        err += d.toString();
        if (/\((2|3)\d%\)/.test(err)) resolve();
      });
    });
    child.kill("SIGINT");
    const code = await new Promise<number | null>((r) => child.once("exit", r));
    expect(code).toBe(3);
    expect(err).toMatch(/interrupted; continue it with --resume/);
    const mid = await query<{ n: number; status: string; run_id: string }>(
      db,
      "SELECT (SELECT count(*) FROM transcripts) n, (SELECT any_value(status) FROM runs) status, (SELECT any_value(run_id) FROM runs) run_id",
    );
    expect(mid[0]!.status).toBe("interrupted");
    expect(mid[0]!.n).toBeGreaterThan(0);
    expect(mid[0]!.n).toBeLessThan(40);
    // stdout alone says so, with what is stored and the command that finishes it
    const line = out.split("\n").find((l) => l.includes("INTERRUPTED"));
    expect(line).toContain(`run ${mid[0]!.run_id} INTERRUPTED: ${mid[0]!.n} of 40 investigations stored`);
    const command = line!.slice(line!.indexOf("soceval run ") + "soceval ".length).split(" ");
    expect(command).toEqual(["run", "suite.yaml", "--resume", mid[0]!.run_id, "--agent", "gpt-test", "--db", db]);
    const r = await run(command);
    expect(r.status, r.stderr).toBe(0);
    const done = await query<{ n: number; errors: number }>(
      db,
      "SELECT count(DISTINCT case_id) n, (SELECT count(*) FROM transcripts WHERE error IS NOT NULL) errors FROM case_results",
    );
    // nothing was cut short by the interrupt and stored as a failure
    expect(done[0]).toEqual({ n: 40, errors: 0 });
  });

  it("after Ctrl-C starts no new case, and cuts the ones in flight short without storing them", async () => {
    const starts: number[] = [];
    let stopAt = Number.POSITIVE_INFINITY;
    let stopped: () => void = () => {};
    const whenStopped = new Promise<void>((r) => {
      stopped = r;
    });
    const slow = await startResponder((messages) => {
      // a case's first model call carries only the system prompt and the alert
      if (messages.length <= 2) starts.push(Date.now());
      if (starts.length === 3 && stopAt === Number.POSITIVE_INFINITY) {
        stopAt = Date.now();
        stopped();
      }
      return investigator(messages);
    }, 300);
    try {
      agentAt("gpt-slow", slow.url, "slow");
      const db = join(dir, "slow.duckdb");
      const child = spawn(
        process.execPath,
        [CLI, "run", "slow.suite.yaml", "--db", db, "--agent", "gpt-slow", "--concurrency", "2", "--quiet"],
        { cwd: dir, stdio: ["ignore", "pipe", "pipe"] },
      );
      await whenStopped;
      child.kill("SIGINT");
      expect(await new Promise<number | null>((r) => child.once("exit", r))).toBe(3);
      // the signal takes a moment to arrive; nothing may start after that
      const late = starts.filter((t) => t > stopAt + 150);
      expect(late).toEqual([]);
      // each case that started is either stored whole or was cut short: then it is no result, and
      // only the calls it had made are kept (the interrupted one among them), for their cost
      const [stored] = await query<{ n: number; failed: number; cut: number; status: string }>(
        db,
        `SELECT (SELECT count(*) FROM transcripts)::INTEGER AS n,
                (SELECT count(*) FROM transcripts WHERE error IS NOT NULL)::INTEGER AS failed,
                (SELECT count(DISTINCT case_id) FROM replaced_model_calls WHERE error = 'interrupted')::INTEGER AS cut,
                (SELECT any_value(status) FROM runs) AS status`,
      );
      expect(stored!.cut).toBeGreaterThan(0);
      expect(stored).toEqual({ n: starts.length - stored!.cut, failed: 0, cut: stored!.cut, status: "interrupted" });
    } finally {
      await slow.close();
    }
  });

  it("a second Ctrl-C quits at once and prints the whole command that finishes the run", async () => {
    let started!: () => void;
    const first = new Promise<void>((r) => {
      started = r;
    });
    const slow = await startResponder((messages) => {
      started();
      return investigator(messages);
    }, 400);
    try {
      agentAt("gpt-quit", slow.url, "quit");
      const db = join(dir, "quit.duckdb");
      const args = ["run", "quit.suite.yaml", "--db", db, "--agent", "gpt-quit", "--limit", "6", "--quiet"];
      const child = spawn(process.execPath, [CLI, ...args], { cwd: dir, stdio: ["ignore", "pipe", "pipe"] });
      let stderr = "";
      child.stderr.on("data", (d: Buffer) => {
        stderr += d.toString();
      });
      await first;
      // the first stop now cuts the cases in flight short at once, so the second must follow it
      // closely; a second SIGINT sent that soon can merge with the first one still pending, while
      // a SIGTERM (the same stop to soceval) is a signal of its own
      child.kill("SIGINT");
      child.kill("SIGTERM");
      expect(await new Promise<number | null>((r) => child.once("exit", r))).toBe(3);
      const command = stderr.match(/soceval: stopped; finish it with: soceval (.+)\n/)?.[1];
      expect(command, stderr).toBe(`${args.join(" ")} --resume`);
      const finished = await run(command!.split(" "));
      expect(finished.status, finished.stderr).toBe(0);
      const [row] = await query<{ n: number; status: string }>(
        db,
        "SELECT (SELECT count(*) FROM transcripts) AS n, (SELECT any_value(status) FROM runs) AS status",
      );
      expect(row).toEqual({ n: 6, status: "finished" });
    } finally {
      await slow.close();
    }
  });

  it("when every case fails, exits 3 and names a findings command that shows why", async () => {
    // an agent whose model server answers 500: each case is retried, recorded as failed, and the run goes on
    const broken = await startResponder(() => {
      throw new Error("model overloaded");
    });
    agentAt("gpt-500", broken.url, "500");
    const db = join(dir, "500.duckdb");
    const r = await run(["run", "500.suite.yaml", "--db", db, "--agent", "gpt-500", "--limit", "2", "--quiet"]);
    await broken.close();
    expect(r.status).toBe(3);
    // the cause, straight away: no need to dig to learn what the server said
    expect(r.stderr).toMatch(/every case failed, the first with: .*model overloaded/);
    const hint = r.stderr.match(/see `soceval (findings [^`]+)`/)?.[1];
    expect(hint).toContain(`--db ${db}`);
    const shown = await run([...hint!.split(" "), "--format", "jsonl"]);
    expect(shown.status, shown.stderr).toBe(0);
    const kinds = shown.stdout
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l).kind);
    expect(kinds).toEqual(["agent_error", "agent_error"]);
    // the report leads with the outage, and will not judge a phase on it
    const report = await run(["report", "--db", db, "--format", "md", "--check", "shadow"]);
    expect(report.status).toBe(3);
    expect(report.stdout).toMatch(
      /^> \*\*Warning: agent gpt-500: the provider failed 2 of 2 investigations \(100\.0%\)/,
    );
    expect(report.stderr).toMatch(
      /cannot judge --check shadow: the provider failed 2 of 2 investigations of agent gpt-500/,
    );
    // the replay it names repeats the flags the run was made with: a bare --resume is refused for them
    const replay = report.stderr.match(/replay them with soceval (run .*) \(more than/)?.[1];
    expect(replay).toMatch(/^run \S*500\.suite\.yaml --resume \S+ --retry-failed --agent gpt-500 --limit 2 --db /);
    // a whole run against a server that is not there stops after its first cases, storing nothing
    agentAt("gpt-down", "http://127.0.0.1:9/v1", "down");
    const fast = join(dir, "down-all.duckdb");
    const all = await run(["run", "down.suite.yaml", "--db", fast, "--agent", "gpt-down", "--concurrency", "2"]);
    expect(all.status).toBe(3);
    expect(all.stderr).toMatch(
      /agent "gpt-down" cannot reach its model: the first 3 cases all failed to connect \(.*127\.0\.0\.1:9.*\)\. Nothing was stored/,
    );
    // the store this run created is removed with it: nothing is left at --db
    expect(existsSync(fast)).toBe(false);
    // and so does a smoke test smaller than that: one case, or two, that could not connect
    for (const limit of ["1", "2"]) {
      const small = join(dir, `down-${limit}.duckdb`);
      const r = await run(["run", "down.suite.yaml", "--db", small, "--agent", "gpt-down", "--limit", limit]);
      expect(r.status).toBe(3);
      expect(r.stderr).toMatch(
        limit === "1" ? /its first case failed to connect/ : /the first 2 cases all failed to connect/,
      );
      expect(r.stderr).toMatch(/connection failed to http:\/\/127\.0\.0\.1:9\/v1/);
      expect(existsSync(small)).toBe(false);
    }
  });

  it("after provider failures, prints the command that replays only those, and that command does", async () => {
    // the model server is down for one case's requests (500 on every attempt) and fine for the rest
    let outage = true;
    const patchy = await startResponder((messages) => {
      if (outage && /user3@corp\.example/.test(JSON.stringify(messages))) throw new Error("overloaded");
      return investigator(messages);
    });
    try {
      agentAt("gpt-patchy", patchy.url, "patchy");
      const db = join(dir, "patchy.duckdb");
      const r = await run(["run", "patchy.suite.yaml", "--db", db, "--agent", "gpt-patchy", "--limit", "6", "--quiet"]);
      expect(r.status, r.stderr).toBe(0);
      expect(r.stdout).toMatch(/6 replayed, 1 failed/);
      const hint = r.stderr.match(
        /the provider failed 1 of 6 investigations of agent gpt-patchy \(they count as failed answers\); once it answers, replay only those: soceval (run .+)\n/,
      )?.[1];
      expect(hint, r.stderr).toMatch(
        /^run patchy\.suite\.yaml --resume \S+ --retry-failed --agent gpt-patchy --limit 6 --db /,
      );
      // a plain --resume looks for an unfinished run, and says where the failures are instead
      const plain = hint!.replace(/--resume \S+ --retry-failed/, "--resume").split(" ");
      const refused = await run(plain);
      expect(refused.status).toBe(2);
      expect(refused.stderr).toMatch(
        /--resume: no unfinished run of .*patchy\.suite\.yaml in .*; its newest run, \S+, finished with 1 investigation the provider failed: add --retry-failed to replay those/,
      );
      outage = false;
      const again = await run(hint!.split(" "));
      expect(again.status, again.stderr).toBe(0);
      expect(again.stdout).toMatch(
        /1 replayed \(1 of them earlier provider failures, retried\), 5 already stored, 0 failed/,
      );
      expect(again.stderr).not.toMatch(/the provider failed/);
    } finally {
      await patchy.close();
    }
  });

  it("a model that refuses the key (401) stops the run after its first cases, storing nothing", async () => {
    const { createServer } = await import("node:http");
    const denying = createServer((_req, res) => {
      res.writeHead(401, { "content-type": "application/json" });
      res.end(JSON.stringify({ error: { message: "invalid api key", type: "invalid_request_error" } }));
    });
    await new Promise<void>((r) => denying.listen(0, "127.0.0.1", r));
    const url = `http://127.0.0.1:${(denying.address() as { port: number }).port}/v1`;
    agentAt("gpt-401", url, "401");
    const db = join(dir, "401.duckdb");
    const r = await run(["run", "401.suite.yaml", "--db", db, "--agent", "gpt-401", "--concurrency", "1"]);
    await new Promise((r) => denying.close(r));
    expect(r.status).toBe(3);
    expect(r.stderr).toMatch(
      /agent "gpt-401" cannot use its model: the first 3 cases were all refused by the server \(provider: .*HTTP 401: invalid api key\)\. Nothing was stored; check the API key/,
    );
    expect(existsSync(db)).toBe(false);
  });

  it("a resume whose model cannot be reached stops, keeps what the run had, and stores no failures", async () => {
    const db = join(dir, "resume-down.duckdb");
    const args = ["run", "suite.yaml", "--db", db, "--agent", "gpt-test", "--limit", "8", "--quiet"];
    expect((await run(args)).status).toBe(0);
    const store = await Store.open(db);
    await store.run("UPDATE runs SET status = 'interrupted'");
    for (const t of ["case_results", "transcripts", "tool_calls", "model_calls", "findings"])
      await store.run(`DELETE FROM ${t} WHERE case_id >= 'mini-004'`);
    store.close();
    // the same agent file, its server moved away: OPENAI_BASE_URL overrides its base_url
    const r = await soceval([...args, "--resume"], dir, { OPENAI_BASE_URL: "http://127.0.0.1:9/v1" });
    expect(r.status).toBe(3);
    expect(r.stderr).toMatch(/cannot reach its model: the first \d cases all failed to connect \(.*127\.0\.0\.1:9/);
    expect(r.stderr).toMatch(/is kept; once the model answers, continue it with --resume --retry-failed/);
    const [left] = await query<{ t: number; errors: number; status: string }>(
      db,
      `SELECT count(*) AS t, count(*) FILTER (WHERE error IS NOT NULL) AS errors,
              (SELECT any_value(status) FROM runs) AS status FROM transcripts`,
    );
    expect(left).toEqual({ t: 4, errors: 0, status: "failed" });
    const again = await run([...args, "--resume", "--retry-failed"]);
    expect(again.status, again.stderr).toBe(0);
    expect(again.stdout).toMatch(/4 replayed, 4 already stored/);
  });

  it("--resume --retry-failed replays the cases a provider failure cut short, once each", async () => {
    let down = true;
    const flaky = await startResponder((messages) => {
      if (down) throw new Error("overloaded");
      return investigator(messages);
    });
    try {
      agentAt("gpt-flaky", flaky.url, "flaky");
      const db = join(dir, "flaky.duckdb");
      const args = ["run", "flaky.suite.yaml", "--db", db, "--agent", "gpt-flaky", "--limit", "6", "--quiet"];
      expect((await run([...args, "--retry-failed"])).status).toBe(2); // only with --resume
      const first = await run(args);
      expect(first.status).toBe(3); // every case failed: HTTP 500 after its retries
      down = false;
      const again = await run([...args, "--resume", "--retry-failed"]);
      expect(again.status, again.stderr).toBe(0);
      expect(again.stdout).toMatch(/6 replayed \(6 of them earlier provider failures, retried\), 0 failed/);
      const [row] = await query<{ runs: number; t: number; keys: number; errors: number; cases: number }>(
        db,
        `SELECT (SELECT count(*) FROM runs) AS runs, count(*) AS t, count(DISTINCT case_id) AS keys,
                count(*) FILTER (WHERE error IS NOT NULL) AS errors, (SELECT count(*) FROM cases) AS cases
         FROM transcripts`,
      );
      expect(row).toEqual({ runs: 1, t: 6, keys: 6, errors: 0, cases: 6 });
    } finally {
      await flaky.close();
    }
  });

  it("splits a run into disjoint shards that together cover every case", async () => {
    const ids: string[][] = [];
    for (const s of ["1/3", "2/3", "3/3"]) {
      const db = join(dir, `shard-${s.replace("/", "of")}.duckdb`);
      const r = await run(["run", "suite.yaml", "--db", db, "--shard", s, "--quiet"]);
      expect(r.status, r.stderr).toBe(0);
      ids.push((await query<{ case_id: string }>(db, "SELECT case_id FROM case_results")).map((x) => x.case_id));
    }
    const all = ids.flat();
    expect(new Set(all).size).toBe(all.length);
    expect(all).toHaveLength(40);
    expect((await run(["run", "suite.yaml", "--db", join(dir, "x.duckdb"), "--shard", "4/3"])).status).toBe(2);
  });

  it("rejects a malformed suite with exit 2 and names the file, line and field", async () => {
    writeFileSync(
      join(dir, "bad.suite.yaml"),
      "name: x\nworkflow: workflow.yaml\ndataset: cases.jsonl\nagents: [agents/playbook.yaml]\nepochz: 2\n",
    );
    const r = await run(["run", "bad.suite.yaml", "--db", join(dir, "bad.duckdb")]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/bad\.suite\.yaml:5: epochz: unknown field/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    // a misspelt required key: the typo is what gets named, on its own line
    writeFileSync(
      join(dir, "typo.suite.yaml"),
      "nme: x\nworkflow: workflow.yaml\ndataset: cases.jsonl\nagents: [agents/playbook.yaml]\n",
    );
    const typo = await run(["run", "typo.suite.yaml", "--db", join(dir, "bad.duckdb")]);
    expect(typo.status).toBe(2);
    expect(typo.stderr).toContain(
      'typo.suite.yaml:1: nme: unknown field "nme" (did you mean "name"? It is required and missing)',
    );
    // a name that must refer to something declared elsewhere is reported the same way
    writeFileSync(
      join(dir, "faults.suite.yaml"),
      "name: x\nworkflow: workflow.yaml\ndataset: cases.jsonl\nagents: [agents/playbook.yaml]\n" +
        "faults:\n  - { tool: get_signins, kind: timeout, rate: 0.1 }\n  - { tool: get_signin, kind: error, rate: 0.1 }\n",
    );
    const faults = await run(["run", "faults.suite.yaml", "--db", join(dir, "bad.duckdb")]);
    expect(faults.status).toBe(2);
    expect(faults.stderr).toContain('faults.suite.yaml:7: faults[1].tool: unknown tool "get_signin"');
  });

  it("refuses an unset API key, an empty dataset, or --record with no model, before any run is stored", async () => {
    writeFileSync(
      join(dir, "agents/keyed.yaml"),
      readFileSync(join(dir, "agents/gpt.yaml"), "utf8")
        .replace("name: gpt-test", "name: keyed")
        .replace("provider: openai-compatible", "provider: openai\napi_key_env: SOCEVAL_TEST_UNSET_KEY"),
    );
    writeFileSync(
      join(dir, "keyed.suite.yaml"),
      "name: keyed\nworkflow: workflow.yaml\ndataset: cases.jsonl\nagents: [agents/keyed.yaml]\n",
    );
    writeFileSync(join(dir, "empty.jsonl"), "\n");
    writeFileSync(
      join(dir, "empty.suite.yaml"),
      "name: empty\nworkflow: workflow.yaml\ndataset: empty.jsonl\nagents: [agents/playbook.yaml]\n",
    );
    const db = join(dir, "refused.duckdb");
    const keyed = await run(["run", "keyed.suite.yaml", "--db", db]);
    expect(keyed.status).toBe(2);
    expect(keyed.stderr).toMatch(/SOCEVAL_TEST_UNSET_KEY is not set/);
    const empty = await run(["run", "empty.suite.yaml", "--db", db]);
    expect(empty.status).toBe(2);
    expect(empty.stderr).toMatch(/empty\.jsonl: no cases to replay/);
    // nothing but white space (a CRLF file's blank lines, an indented empty line) holds no case either
    writeFileSync(join(dir, "blank.jsonl"), "\r\n  \r\n\t\n");
    writeFileSync(
      join(dir, "blank.suite.yaml"),
      "name: blank\nworkflow: workflow.yaml\ndataset: blank.jsonl\nagents: [agents/playbook.yaml]\n",
    );
    const blank = await run(["run", "blank.suite.yaml", "--db", db]);
    expect(blank.status, blank.stderr).toBe(2);
    expect(blank.stderr).toMatch(/blank\.jsonl: no cases to replay/);
    const record = await run(["run", "suite.yaml", "--db", db, "--record", join(dir, "rec.jsonl")]);
    expect(record.status).toBe(2);
    expect(record.stderr).toMatch(/--record: the playbook agent calls no model/);
    // nothing half-made is left to become `latest`, not even the empty store the run opened
    expect(existsSync(db)).toBe(false);
    // nor the folders it made for a nested --db
    const nested = await run(["run", "keyed.suite.yaml", "--db", join(dir, "nd", "a", "b.duckdb")]);
    expect(nested.status).toBe(2);
    expect(existsSync(join(dir, "nd"))).toBe(false);
  });

  it("stops at a malformed case line with exit 2, naming file:line:field", async () => {
    const lines = readFileSync(join(dir, "cases.jsonl"), "utf8").split("\n");
    lines[2] = lines[2]!.replace('"severity": "medium"', '"severity": "urgent"');
    writeFileSync(join(dir, "broken.jsonl"), lines.join("\n"));
    writeFileSync(
      join(dir, "broken.suite.yaml"),
      "name: broken\nworkflow: workflow.yaml\ndataset: broken.jsonl\nagents: [agents/playbook.yaml]\n",
    );
    const db = join(dir, "broken.duckdb");
    const r = await run(["run", "broken.suite.yaml", "--db", db, "--concurrency", "1"]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/broken\.jsonl:3: alert\.severity/);
    // no half-written run is left behind for a report to read as a result, nor the store it opened
    expect(existsSync(db)).toBe(false);
  });
});
