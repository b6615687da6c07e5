import { appendFileSync, cpSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import type { Investigation } from "../src/analytics/investigation.js";
import { Store } from "../src/store/db.js";
import { query, soceval } from "./helpers/cli.js";

// a copy of the mini suite, so its dataset can be edited after the run
const dir = mkdtempSync(join(tmpdir(), "soceval-show-"));
cpSync("test/fixtures/mini", dir, { recursive: true });
const db = join(dir, "s.duckdb");
const dataset = join(dir, "cases.jsonl");
const run = (args: string[]) => soceval([...args, "--db", db], dir);

// line 3's alert title carries a terminal escape sequence, as attacker-controlled text can
const ESC = "\u001b[2J\u001b[31mALL CLEAR \u202Efdp.exe";
beforeAll(async () => {
  const lines = readFileSync(dataset, "utf8").split("\n");
  const third = JSON.parse(lines[2]!);
  third.alert.title = ESC;
  lines[2] = JSON.stringify(third);
  // and line 4's analyst label is turned around, so the agent disagrees and the report lists a worst case
  const fourth = JSON.parse(lines[3]!);
  fourth.label.verdict = fourth.label.verdict === "false_positive" ? "true_positive" : "false_positive";
  lines[3] = JSON.stringify(fourth);
  writeFileSync(dataset, lines.join("\n"));
  const r = await soceval(["run", join(dir, "suite.yaml"), "--db", db, "--quiet"], dir);
  expect(r.status, r.stderr).toBe(0);
}, 60_000);

describe("soceval show", () => {
  it("shows one investigation whose steps, evidence and marks are the stored ones, with the case's dataset line", async () => {
    const r = await run(["show", "mini-001", "--format", "json"]);
    expect(r.status, r.stderr).toBe(0);
    const inv = JSON.parse(r.stdout) as Investigation;
    const [latest] = await query<{ run_id: string }>(db, "SELECT run_id FROM runs");
    expect(inv.run.run_id).toBe(latest!.run_id);
    expect(inv.dataset_line).toMatchObject({ file: dataset, line: 2, unavailable: null });
    expect(inv.transcripts).toHaveLength(1);
    const t = inv.transcripts[0]!;
    expect(t).toMatchObject({ agent: "playbook", epoch: 0 });

    // every stored tool call, in order, with the evidence ids it returned
    const calls = await query<{ step: number; tool: string; evidence_ids: string[] }>(
      db,
      "SELECT step, tool, evidence_ids FROM tool_calls WHERE case_id = 'mini-001' ORDER BY step",
    );
    expect(calls.length).toBeGreaterThan(0);
    expect(t.steps.map((s) => (s.type === "tool_call" ? s.tool : "model"))).toEqual(calls.map((c) => c.tool));
    const returned = new Set(calls.flatMap((c) => c.evidence_ids));
    const cited = new Set((t.output as { evidence: string[] }).evidence);
    const required = new Set((inv.case.label as { required_evidence: string[] }).required_evidence);

    // the records come from the dataset line itself, marked by who touched them
    const line = JSON.parse(readFileSync(dataset, "utf8").split("\n")[1]!) as {
      evidence: { id: string; data: unknown }[];
    };
    const touched = line.evidence.filter((e) => returned.has(e.id) || cited.has(e.id) || required.has(e.id));
    expect(inv.dataset_line.evidence.map((e) => e.id)).toEqual(touched.map((e) => e.id));
    for (const e of inv.dataset_line.evidence) {
      expect(e.data).toEqual(line.evidence.find((x) => x.id === e.id)!.data);
      expect(e.cited).toBe(cited.has(e.id));
      expect(e.required).toBe(required.has(e.id));
      const by = calls.filter((c) => c.evidence_ids.includes(e.id)).map((c) => c.step);
      expect(e.returned_by_steps).toEqual(by);
    }
    // the scores are the case_results row
    const [res] = await query<{ agree: boolean; tool_calls: number }>(
      db,
      "SELECT agree, tool_calls FROM case_results WHERE case_id = 'mini-001'",
    );
    expect(t.result).toMatchObject({ agree: res!.agree, tool_calls: res!.tool_calls });
  });

  it("prints it as text, with attacker-controlled control characters escaped", async () => {
    const r = await run(["show", "mini-002", "--run", "latest"]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain(`dataset ${dataset}, line 3 (unchanged since the run)`);
    expect(r.stdout).toContain("── agent playbook · epoch 0");
    expect(r.stdout).toContain("\\x1b[2J\\x1b[31mALL CLEAR [U+202E]fdp.exe");
    expect(r.stdout).not.toContain("\u202E");
    expect(r.stdout).not.toContain("\u001b");
  });

  it("names what it cannot show: an unknown case (with near ids), agent or epoch is bad input", async () => {
    const unknown = await run(["show", "mini-0"]);
    expect(unknown.status).toBe(2);
    expect(unknown.stderr).toContain("no stored run holds case mini-0");
    const near = await run(["show", "mini-00", "--run", "latest"]);
    expect(near.status).toBe(2);
    expect(near.stderr).toMatch(/has no case mini-00 \(did you mean mini-000, mini-001/);
    const agent = await run(["show", "mini-001", "--agent", "ghost"]);
    expect(agent.status).toBe(2);
    expect(agent.stderr).toContain("no investigation of case mini-001 by agent ghost (it has: playbook epoch 0)");
    const epoch = await run(["show", "mini-001", "--epoch", "-1"]);
    expect(epoch.status).toBe(2);
  });

  it("shows no evidence records once the dataset has changed since the run, and says why", async () => {
    const copy = mkdtempSync(join(tmpdir(), "soceval-show-changed-"));
    cpSync(dir, copy, { recursive: true });
    appendFileSync(join(copy, "cases.jsonl"), "\n");
    const changedDb = join(copy, "s.duckdb");
    // the run still names the original dataset: point it at the copy, as a moved checkout would
    const store = await Store.open(changedDb);
    await store.run("UPDATE runs SET dataset = ?", [join(copy, "cases.jsonl")]);
    store.close();
    const r = await soceval(["show", "mini-001", "--db", changedDb, "--format", "json"], copy);
    expect(r.status, r.stderr).toBe(0);
    const inv = JSON.parse(r.stdout) as Investigation;
    expect(inv.dataset_line.line).toBeNull();
    expect(inv.dataset_line.evidence).toEqual([]);
    expect(inv.dataset_line.unavailable).toContain("has changed since the run (sha256 differs)");
    const text = await soceval(["show", "mini-001", "--db", changedDb], copy);
    expect(text.stdout).toContain("evidence records  not shown:");
  });

  it("is what the report's worst cases point to, and each pointer works as printed", async () => {
    const out = join(dir, "report.html");
    const rep = await run(["report", "--run", "latest", "--out", out]);
    expect(rep.status, rep.stderr).toBe(0);
    // the command is one <code>; its ids are wrapped so they never break at a hyphen: copied, it is plain text
    const commands = [...readFileSync(out, "utf8").matchAll(/whole case: <code>soceval (show .+?)<\/code>/g)].map((m) =>
      m[1]!.replace(/<[^>]*>/g, ""),
    );
    expect(commands.length).toBeGreaterThan(0);
    const shown = await run(commands[0]!.split(" "));
    expect(shown.status, shown.stderr).toBe(0);
    const caseId = commands[0]!.split(" ")[1]!;
    expect(shown.stdout.startsWith(`case ${caseId} `)).toBe(true);
  });
});

describe("soceval show without --run", () => {
  it("picks the newest run that holds the case for the --agent (and --epoch) asked for, not the newest run of any agent", async () => {
    const own = mkdtempSync(join(tmpdir(), "soceval-show-agent-"));
    cpSync("test/fixtures/mini", own, { recursive: true });
    const store = join(own, "s.duckdb");
    const suite = join(own, "suite.yaml");
    const first = await soceval(["run", suite, "--db", store, "--quiet"], own);
    expect(first.status, first.stderr).toBe(0);
    // a newer run of another agent only
    const second = await soceval(["run", suite, "--agent", "playbook-no-ti", "--db", store, "--quiet"], own);
    expect(second.status, second.stderr).toBe(0);
    const runs = await query<{ run_id: string; agent: string }>(
      store,
      "SELECT DISTINCT run_id, agent FROM run_agents ORDER BY run_id",
    );
    const playbookRun = runs.find((r) => r.agent === "playbook")!.run_id;

    const r = await soceval(["show", "mini-001", "--agent", "playbook", "--format", "json", "--db", store], own);
    expect(r.status, r.stderr).toBe(0);
    const inv = JSON.parse(r.stdout) as Investigation;
    expect(inv.run.run_id).toBe(playbookRun);
    expect(inv.transcripts.map((t) => t.agent)).toEqual(["playbook"]);

    // without --agent it is still the newest run, and an agent no run has is still named as missing
    const newest = await soceval(["show", "mini-001", "--format", "json", "--db", store], own);
    expect((JSON.parse(newest.stdout) as Investigation).transcripts.map((t) => t.agent)).toEqual(["playbook-no-ti"]);
    const ghost = await soceval(["show", "mini-001", "--agent", "ghost", "--db", store], own);
    expect(ghost.status).toBe(2);
    expect(ghost.stderr).toContain("by agent ghost");
  });
});
