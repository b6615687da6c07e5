import { spawnSync } from "node:child_process";
import { appendFileSync, cpSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { Store } from "../src/store/db.js";

const CLI = join(process.cwd(), "bin/soceval.js");
const dir = mkdtempSync(join(tmpdir(), "soceval-score-"));
cpSync("test/fixtures/mini", dir, { recursive: true });
const db = join(dir, "s.duckdb");

function soceval(args: string[]) {
  const r = spawnSync(process.execPath, [CLI, ...args, "--db", db], { cwd: dir, encoding: "utf8" });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

async function query<T>(sql: string, params: unknown[] = []): Promise<T[]> {
  const store = await Store.open(db);
  try {
    return await store.query<T>(sql, params);
  } finally {
    store.close();
  }
}

type MiniCase = {
  id: string;
  evidence: { id: string; source: string }[];
  label: { verdict: string; escalate: boolean; required_evidence: string[] };
};
const cases: MiniCase[] = readFileSync(join(dir, "cases.jsonl"), "utf8")
  .split("\n")
  .filter(Boolean)
  .map((l) => JSON.parse(l));

/** What a vendor platform might export: an honest investigation per case, in DESIGN.md's transcript format. */
function vendorTranscript(c: MiniCase) {
  const ids = (source: string) => c.evidence.filter((e) => e.source === source).map((e) => e.id);
  const required = c.label.required_evidence;
  return {
    case_id: c.id,
    steps: [
      { type: "model_call", tokens_in: 900, tokens_out: 120, latency_ms: 700, cost_usd: 0.0004 },
      {
        type: "tool_call",
        tool: "get_signins",
        status: "ok",
        evidence_ids: ids("idp.signins"),
        time: "t",
        latency_ms: 150,
      },
      {
        type: "tool_call",
        tool: "get_ip_reputation",
        status: "ok",
        evidence_ids: ids("ti.ip"),
        time: "t",
        latency_ms: 80,
      },
    ],
    output: {
      verdict: c.label.verdict,
      confidence: 0.8,
      escalate: c.label.escalate,
      summary: "Reviewed the sign-in and the IP reputation.",
      hypotheses: [{ kind: "malicious", explanation: "see evidence", evidence: required }],
      recommended_actions: [],
      evidence: required,
    },
    error: null,
  };
}

const transcripts = cases.slice(1).map(vendorTranscript); // the first case gets no transcript
transcripts[0]!.output.evidence = [...transcripts[0]!.output.evidence, "s-999z"];
transcripts[1]!.output.summary += " Also beaconing to 198.51.100.77.";
const orphan = { ...vendorTranscript(cases[2]!), case_id: "not-in-dataset" };
writeFileSync(join(dir, "vendor.jsonl"), `${[...transcripts, orphan].map((t) => JSON.stringify(t)).join("\n")}\n`);
const scoreArgs = ["score", "--workflow", "workflow.yaml", "--dataset", "cases.jsonl", "--agent", "vendor-x"];

describe("soceval score / findings / rescore (end to end)", () => {
  let runId = "";

  it("scores an exported transcript file as an imported run, reporting missing and unknown cases", async () => {
    const r = soceval([...scoreArgs, "--transcripts", "vendor.jsonl"]);
    expect(r.stderr).toMatch(/1 case\(s\) had no transcript and count as failed: mini-000/);
    expect(r.stderr).toMatch(/not-in-dataset \(vendor\.jsonl:40\)/);
    expect(r.status).toBe(0);
    const [run] = await query<{ run_id: string; kind: string; status: string; cases_total: number }>(
      "SELECT run_id, kind, status, cases_total FROM runs",
    );
    expect(run).toMatchObject({ kind: "imported", status: "finished", cases_total: cases.length });
    runId = run!.run_id;
    const results = await query<{ case_id: string; agent: string; failed: boolean; hallucinated: boolean }>(
      "SELECT case_id, agent, failed, hallucinated FROM case_results ORDER BY case_id",
    );
    expect(results).toHaveLength(cases.length);
    expect(new Set(results.map((x) => x.agent))).toEqual(new Set(["vendor-x"]));
    expect(results.filter((x) => x.failed).map((x) => x.case_id)).toEqual(["mini-000"]);
    expect(results.filter((x) => x.hallucinated).map((x) => x.case_id)).toEqual(["mini-001", "mini-002"]);
    // the report says so too, in every format, not only score's stderr
    const report = soceval(["report", "--run", runId, "--format", "json"]);
    expect(JSON.parse(report.stdout).run.incomplete).toBe(
      `1 of ${cases.length} cases have no transcript in the imported file; they count as failed investigations (no output) in every rate, and are left out of cost, tokens and time, which nobody measured for them`,
    );
  });

  it("show lists a cited id the case holds no record of, beside the records it does hold", () => {
    const r = soceval(["show", "mini-001", "--run", runId]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^ {2}s-999z {2}no such record in the case · cited$/m);
    const j = JSON.parse(soceval(["show", "mini-001", "--run", runId, "--format", "json"]).stdout);
    expect(j.dataset_line.not_in_case).toEqual([{ id: "s-999z", returned_by_steps: [], cited: true }]);
  });

  it("lists findings filtered by kind and case, as a table or JSONL", () => {
    const h = soceval(["findings", "--run", "latest", "--kind", "hallucinated_evidence", "--format", "jsonl"]);
    expect(h.status).toBe(0);
    const rows = h.stdout
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    expect(rows).toEqual([expect.objectContaining({ case_id: "mini-001", evidence_id: "s-999z", severity: "high" })]);
    const table = soceval(["findings", "--run", runId, "--case", "mini-002"]);
    expect(table.stdout).toContain("fabricated_indicator");
    expect(table.stdout).toContain("198.51.100.77");
    expect(table.stdout).not.toContain("mini-001");
    const bad = soceval(["findings", "--run", "latest", "--kind", "made_up"]);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/--kind: unknown finding kind "made_up"/);
  });

  it("rescore rebuilds case_results and findings from the stored transcripts", async () => {
    const before = await query<{ n: number }>("SELECT count(*) AS n FROM findings WHERE run_id = ?", [runId]);
    await query("DELETE FROM findings WHERE run_id = ? AND kind = 'hallucinated_evidence'", [runId]);
    await query("UPDATE case_results SET hallucinated = false WHERE run_id = ?", [runId]);
    const r = soceval(["rescore", "--run", "latest"]);
    expect(r.status).toBe(0);
    // the finding deleted by hand comes back; hallucinated, unset by hand, is set again on two investigations
    expect(r.stdout).toContain("re-scored 40 transcripts; what changed");
    expect(r.stdout).toMatch(/findings newly raised: 1 hallucinated_evidence \(\w+\)/);
    expect(r.stdout).toMatch(/ {2}2 investigations scored differently \(2 hallucinated\)/);
    expect(r.stdout).not.toContain("no longer raised");
    // a finding whose severity changed keeps every count per kind, and is still reported
    await query("UPDATE findings SET severity = 'low' WHERE run_id = ? AND kind = 'hallucinated_evidence'", [runId]);
    const sev = soceval(["rescore", "--run", "latest"]);
    expect(sev.stdout).toMatch(/no longer raised: 1 hallucinated_evidence \(low\)/);
    expect(sev.stdout).toMatch(/newly raised: 1 hallucinated_evidence \((?!low)\w+\)/);
    // the same finding in other words (an earlier scorer's text) went nowhere and came from nowhere
    await query("UPDATE findings SET detail = 'older wording' WHERE run_id = ? AND kind = 'hallucinated_evidence'", [
      runId,
    ]);
    const words = soceval(["rescore", "--run", "latest"]);
    expect(words.stdout).toMatch(
      /findings reworded \(same case, step and evidence; new text\): 1 hallucinated_evidence \(\w+\)/,
    );
    expect(words.stdout).not.toMatch(/no longer raised|newly raised/);
    // a fabricated indicator is named in its text alone: other text there is another finding
    await query("UPDATE findings SET detail = 'named 203.0.113.9' WHERE run_id = ? AND kind = 'fabricated_indicator'", [
      runId,
    ]);
    const other = soceval(["rescore", "--run", "latest"]);
    expect(other.stdout).toMatch(/no longer raised: 1 fabricated_indicator/);
    expect(other.stdout).toMatch(/newly raised: 1 fabricated_indicator/);
    expect(other.stdout).not.toContain("reworded");
    const again = soceval(["rescore", "--run", "latest"]);
    expect(again.stdout).toContain("nothing changed: every finding and result is as it was");
    // the run records each rescore, and its report says the numbers come from later scorers
    const [rec] = await query<{ r: string }>("SELECT rescores::VARCHAR AS r FROM runs WHERE run_id = ?", [runId]);
    expect(JSON.parse(rec!.r).map((x: { findings_added: number }) => x.findings_added)).toEqual([1, 1, 0, 1, 0]);
    expect(JSON.parse(rec!.r).map((x: { findings_reworded: number }) => x.findings_reworded)).toEqual([0, 0, 1, 0, 0]);
    expect(soceval(["runs", "list"]).stdout).toMatch(new RegExp(`${runId}.*finished \\(rescored\\)`));
    const warned = JSON.parse(soceval(["report", "--run", runId, "--format", "json"]).stdout).run.warnings;
    expect(warned.join("\n")).toMatch(
      /re-scored .* UTC with the scorers of revision .* \(5 rescores, the last shown\): 0 findings went, 0 came/,
    );
    const after = await query<{ n: number }>("SELECT count(*) AS n FROM findings WHERE run_id = ?", [runId]);
    expect(after[0]!.n).toBe(before[0]!.n);
    const h = await query<{ case_id: string }>(
      "SELECT case_id FROM case_results WHERE run_id = ? AND hallucinated ORDER BY case_id",
      [runId],
    );
    expect(h.map((x) => x.case_id)).toEqual(["mini-001", "mini-002"]);
    const failed = await query<{ n: number }>("SELECT count(*) AS n FROM case_results WHERE run_id = ? AND failed", [
      runId,
    ]);
    expect(failed[0]!.n).toBe(1);
    const scratch = await query<{ n: number }>("SELECT count(*) AS n FROM case_results WHERE run_id LIKE '%~rescore'");
    expect(scratch[0]!.n).toBe(0);
  });

  it("rescore: a finding an older scorer listed first went; the findings after it, unchanged, neither went nor came", async () => {
    // as stored by scorers that raised one more finding, ahead of the others, on mini-002
    const [{ n }] = (await query<{ n: number }>(
      "SELECT count(*)::INTEGER AS n FROM findings WHERE run_id = ? AND case_id = 'mini-002'",
      [runId],
    )) as [{ n: number }];
    expect(n).toBeGreaterThan(0);
    await query("UPDATE findings SET seq = seq + 1 WHERE run_id = ? AND case_id = 'mini-002'", [runId]);
    await query(
      `INSERT INTO findings (run_id, case_id, agent, epoch, seq, scorer, kind, severity, detail)
       SELECT run_id, case_id, agent, epoch, 0, 'policy', 'unknown_action', 'medium', 'recommended an action an older catalogue lacked'
       FROM case_results WHERE run_id = ? AND case_id = 'mini-002'`,
      [runId],
    );
    const r = soceval(["rescore", "--run", "latest"]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/findings no longer raised: 1 unknown_action \(medium\)\n/);
    expect(r.stdout).not.toMatch(/newly raised|reworded/);
  });

  it("refuses to rescore against a dataset that changed since the run", () => {
    appendFileSync(join(dir, "cases.jsonl"), "\n");
    const r = soceval(["rescore", "--run", "latest"]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/cases\.jsonl: changed since run/);
  });

  it("a malformed transcript line is bad input naming file, line and field", () => {
    writeFileSync(
      join(dir, "broken.jsonl"),
      `${JSON.stringify(transcripts[2])}\n{"case_id": "x", "agent": "a", "steps": 5}\n`,
    );
    const r = soceval([...scoreArgs, "--transcripts", "broken.jsonl"]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/broken\.jsonl:2: steps: /);
  });

  it("refuses a transcript file that is empty or answers another dataset, storing no run", async () => {
    const before = await query<{ n: number }>("SELECT count(*) AS n FROM runs");
    writeFileSync(join(dir, "none.jsonl"), "");
    const empty = soceval([...scoreArgs, "--transcripts", "none.jsonl"]);
    expect(empty.status).toBe(2);
    expect(empty.stderr).toMatch(/none\.jsonl: no transcripts/);
    writeFileSync(join(dir, "elsewhere.jsonl"), `${JSON.stringify({ ...transcripts[2], case_id: "phish-0001" })}\n`);
    const other = soceval([...scoreArgs, "--transcripts", "elsewhere.jsonl"]);
    expect(other.status).toBe(2);
    expect(other.stderr).toMatch(/elsewhere\.jsonl: no transcript names a case of .*\(line 1 names "phish-0001"\)/);
    expect(await query<{ n: number }>("SELECT count(*) AS n FROM runs")).toEqual(before);
  });
  it("refuses a transcript without steps; of a file with two agents' transcripts, scores the one --agent picks", async () => {
    const { steps: _steps, ...noSteps } = transcripts[2]!;
    writeFileSync(join(dir, "nosteps.jsonl"), `${JSON.stringify(noSteps)}\n`);
    const r = soceval([...scoreArgs, "--transcripts", "nosteps.jsonl"]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/nosteps\.jsonl:1: steps: required field missing/);
    const two = [
      { ...transcripts[2], agent: "vendor-a" },
      { ...transcripts[3], agent: "vendor-b" },
      { ...transcripts[2], agent: "vendor-b" },
    ];
    writeFileSync(join(dir, "two.jsonl"), `${two.map((t) => JSON.stringify(t)).join("\n")}\n`);
    const m = soceval([...scoreArgs, "--transcripts", "two.jsonl"]);
    expect(m.status).toBe(2);
    expect(m.stderr).toMatch(
      /two\.jsonl: holds the transcripts of 2 agents \(vendor-a, vendor-b\); --agent picks the one to score/,
    );
    const b = soceval([...scoreArgs.slice(0, -1), "vendor-b", "--transcripts", "two.jsonl"]);
    expect(b.status, b.stderr).toBe(0);
    expect(b.stderr).toMatch(
      /note: 1 transcript\(s\) of agent vendor-a in two\.jsonl were not scored; score them with --agent vendor-a/,
    );
    const rows = await query<{ agent: string; n: number }>(
      `SELECT agent, count(*) FILTER (WHERE NOT failed)::INTEGER AS n FROM case_results
       WHERE run_id = (SELECT run_id FROM runs ORDER BY started_at DESC LIMIT 1) GROUP BY agent`,
    );
    expect(rows).toEqual([{ agent: "vendor-b", n: 2 }]);
  });

  it("an epoch a case lacks counts as failed for that case, as a missing case does", async () => {
    const all = cases.map(vendorTranscript);
    const extra = { ...vendorTranscript(cases[0]!), epoch: 1 };
    writeFileSync(join(dir, "epochs.jsonl"), `${[...all, extra].map((t) => JSON.stringify(t)).join("\n")}\n`);
    const r = soceval([...scoreArgs, "--transcripts", "epochs.jsonl"]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toMatch(
      new RegExp(
        `${cases.length - 1} investigation\\(s\\) \\(case and epoch\\) had no transcript and count as failed: mini-001 \\(epoch 1\\)`,
      ),
    );
    const rows = await query<{ epoch: number; n: number; failed: number }>(
      `SELECT epoch, count(*)::INTEGER AS n, count(*) FILTER (WHERE failed)::INTEGER AS failed FROM case_results
       WHERE run_id = (SELECT run_id FROM runs ORDER BY started_at DESC LIMIT 1) GROUP BY epoch ORDER BY epoch`,
    );
    expect(rows).toEqual([
      { epoch: 0, n: cases.length, failed: 0 },
      { epoch: 1, n: cases.length, failed: cases.length - 1 },
    ]);
  });
  it("stores a tool call's scope as the workflow has it, whatever the other platform wrote", async () => {
    const t = vendorTranscript(cases[1]!);
    t.steps.push({
      type: "tool_call",
      tool: "disable_account",
      status: "ok",
      evidence_ids: [],
      scope: "read",
    } as never);
    writeFileSync(join(dir, "scope.jsonl"), `${JSON.stringify(t)}\n`);
    const r = soceval([...scoreArgs, "--transcripts", "scope.jsonl"]);
    expect(r.status, r.stderr).toBe(0);
    const rows = await query<{ scope: string }>(
      `SELECT scope FROM tool_calls WHERE tool = 'disable_account'
       AND run_id = (SELECT run_id FROM runs ORDER BY started_at DESC LIMIT 1)`,
    );
    expect(rows).toEqual([{ scope: "respond" }]);
  });
});
