import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import type { CompareDoc, Disagreement } from "../src/analytics/compare-schema.js";
import { query, soceval } from "./helpers/cli.js";

/**
 * The compare page's "Why" under each disagreement, on a real replay of the bundled phishing data,
 * checked against the stored rows with SQL of its own: what each side answered, its findings, its
 * calls, and the required evidence it gathered (from its ok tool calls, not from the scorer's
 * findings the code reads), in both modes: two agents of one run, and two runs of two epochs.
 */
const dir = mkdtempSync(join(tmpdir(), "soceval-cmp-detail-"));
const db = join(dir, "c.duckdb");
const suite = resolve("suites/phishing-triage/shadow.suite.yaml");

type Out = { json: CompareDoc; html: string; md: string };

async function compare(runs: string[]): Promise<Out> {
  const files = { json: join(dir, "c.json"), html: join(dir, "c.html"), md: join(dir, "c.md") };
  for (const [format, out] of Object.entries(files)) {
    const r = await soceval(["compare", "--db", db, "--runs", ...runs, "--format", format, "--out", out], dir);
    expect(r.status, r.stderr).toBe(0);
  }
  return {
    json: JSON.parse(readFileSync(files.json, "utf8")),
    html: readFileSync(files.html, "utf8"),
    md: readFileSync(files.md, "utf8"),
  };
}

const q = (s: string) => `'${s.replace(/'/g, "''")}'`;

/** What one side stored for one case at epoch 0, straight from the tables. */
async function stored(run: string, agent: string, caseId: string) {
  const key = `run_id = ${q(run)} AND agent = ${q(agent)} AND case_id = ${q(caseId)}`;
  const [t] = await query<{ verdict: string | null; summary: string | null; hyps: number; actions: number }>(
    db,
    `SELECT output->>'verdict' AS verdict, output->>'summary' AS summary,
       coalesce(json_array_length(output->'hypotheses'), 0) AS hyps,
       coalesce(json_array_length(output->'recommended_actions'), 0) AS actions
     FROM transcripts WHERE ${key} AND epoch = 0`,
  );
  const findings = await query<{ kind: string; detail: string }>(
    db,
    `SELECT kind, detail FROM findings WHERE ${key} AND epoch = 0 ORDER BY seq`,
  );
  const calls = await query<{ tool: string; status: string; ids: string[] }>(
    db,
    `SELECT tool, status, evidence_ids AS ids FROM tool_calls WHERE ${key} AND epoch = 0 ORDER BY step`,
  );
  const required = await query<{ id: string; gathered: boolean }>(
    db,
    `WITH req AS (SELECT unnest(from_json(label->'required_evidence', '["VARCHAR"]')) AS id
                  FROM cases WHERE run_id = ${q(run)} AND case_id = ${q(caseId)})
     SELECT id, EXISTS (SELECT 1 FROM tool_calls WHERE ${key} AND epoch = 0 AND status = 'ok'
                          AND list_contains(evidence_ids, req.id)) AS gathered FROM req`,
  );
  const [epochs] = await query<{ n: number; agree: number; gathered: number }>(
    db,
    `SELECT count(*) AS n, count(*) FILTER (WHERE agree) AS agree,
       any_value(required_gathered) FILTER (WHERE epoch = 0) AS gathered FROM case_results WHERE ${key}`,
  );
  return { t: t!, findings, calls, required, epochs: epochs! };
}

/** The page's "Why" rows, in table order. */
const whyRows = (html: string) =>
  html
    .split('<tr class="why">')
    .slice(1)
    .map((s) => s.slice(0, s.indexOf("</tr>\n")));

async function expectMatchesStore(out: Out) {
  const rows: Disagreement[] = out.json.disagreements;
  expect(rows.length).toBeGreaterThan(0);
  expect(rows.length).toBe(Math.min(50, out.json.disagreements_total));
  const why = whyRows(out.html);
  expect(why).toHaveLength(rows.length);
  for (const [i, row] of rows.entries()) {
    expect(row.detail.epoch).toBe(0);
    expect(row.detail.answers.map((a) => a.label)).toEqual(out.json.sides.map((s) => s.label));
    let findings = 0;
    let calls = 0;
    let missed = 0;
    for (const [s, a] of row.detail.answers.entries()) {
      const side = out.json.sides[s]!;
      expect(a.run_id).toBe(side.run_id);
      const db = await stored(side.run_id, side.agent, row.case_id);
      expect(a.verdict).toBe(db.t.verdict);
      expect(a.summary).toBe(db.t.summary);
      expect(a.hypotheses).toHaveLength(Number(db.t.hyps));
      expect(a.recommended_actions).toHaveLength(Number(db.t.actions));
      expect(a.findings.map((f) => [f.kind, f.detail])).toEqual(db.findings.map((f) => [f.kind, f.detail]));
      const toolSteps = a.steps.filter((x) => x.type === "tool_call");
      expect(toolSteps.map((x) => [x.tool, x.status, x.evidence_ids])).toEqual(
        db.calls.map((c) => [c.tool, c.status, c.ids ?? []]),
      );
      expect(a.required_evidence.map((r) => [r.id, r.gathered])).toEqual(db.required.map((r) => [r.id, r.gathered]));
      expect(a.required_evidence.filter((r) => r.gathered)).toHaveLength(Number(db.epochs.gathered));
      expect([a.epochs_run, a.epochs_agree]).toEqual([Number(db.epochs.n), Number(db.epochs.agree)]);
      findings += db.findings.length;
      calls += a.steps.length;
      missed += db.required.filter((r) => !r.gathered).length;
    }
    // the page shows the same: one finding item and one call row per stored row, each miss marked
    const page = why[i]!;
    expect(page.match(/<span class="sev /g) ?? []).toHaveLength(findings);
    expect(page.match(/<tr><td class="num">\d+<\/td>/g) ?? []).toHaveLength(calls);
    expect(page.match(/>not gathered</g) ?? []).toHaveLength(missed);
  }
}

/** The PR comment stays a summary: one pointer line, no case's answer, finding or call in it. */
function expectShortMarkdown(out: Out) {
  expect(out.md.match(/disagreements\[\]\.detail/g)).toHaveLength(1);
  for (const row of out.json.disagreements) {
    expect(out.md).not.toContain(row.case_id);
    for (const a of row.detail.answers) {
      for (const f of a.findings) expect(out.md).not.toContain(f.detail ?? "\u0000");
      for (const s of a.steps) expect(out.md).not.toContain(s.tool ?? "\u0000");
    }
  }
  expect(out.md.split("\n").length).toBeLessThan(60);
}

describe("compare: why each side decided, one run with two agents", () => {
  let out: Out;
  beforeAll(async () => {
    const r = await soceval(
      ["run", suite, "--db", db, "--agent", "playbook", "playbook-no-detonation", "--quiet"],
      dir,
    );
    expect(r.status, r.stderr).toBe(0);
    out = await compare(["latest"]);
  }, 120_000);

  it("shows, under each listed case, what the stored transcripts and findings hold", async () => {
    await expectMatchesStore(out);
    // the detonation-less agent misses the detonation report the analyst needed: the page says so
    expect(out.html).toContain(">not gathered<");
  });

  it("keeps the Markdown short", () => expectShortMarkdown(out));

  it("names the cases behind each only candidate / only baseline count, as the stored results give them", async () => {
    const [pairing] = out.json.pairings;
    for (const m of pairing!.metrics) {
      if (m.candidate_only === null) {
        expect([m.candidate_only_cases, m.baseline_only_cases], m.metric).toEqual([null, null]);
        continue;
      }
      expect(m.candidate_only_cases, m.metric).toHaveLength(m.candidate_only);
      expect(m.baseline_only_cases, m.metric).toHaveLength(m.baseline_only!);
    }
    // one epoch: a case counts where the candidate missed a true positive the baseline escalated
    const missed = await query<{ case_id: string }>(
      db,
      `SELECT c.case_id FROM case_results c JOIN case_results b USING (run_id, case_id)
       WHERE c.run_id = ${q(out.json.sides[0]!.run_id)} AND c.agent = 'playbook-no-detonation' AND b.agent = 'playbook'
         AND c.label_verdict = 'true_positive' AND coalesce(c.critical_miss, true)
         AND NOT coalesce(b.critical_miss, true) ORDER BY c.case_id`,
    );
    const critical = pairing!.metrics.find((m) => m.metric === "critical_miss_rate")!;
    expect(missed.length).toBeGreaterThan(0);
    expect(critical.candidate_only_cases).toEqual(missed.map((r) => r.case_id));
    // the page lists them under the table
    const table = out.html.slice(out.html.indexOf('<table class="only-cases">'));
    const row = table.slice(
      table.indexOf(">Critical miss rate</th>"),
      table.indexOf("</tr>", table.indexOf(">Critical miss rate</th>")),
    );
    for (const { case_id } of missed.slice(0, 10)) expect(row).toContain(`>${case_id}<`);
  });

  it("uses no script on the page", () => {
    expect(out.html).not.toMatch(/<script\b/i);
    expect(out.html.match(/<details class="why">/g)).toHaveLength(out.json.disagreements.length);
  });
});

describe("compare: why each side decided, two runs of two epochs (baseline first)", () => {
  let out: Out;
  let runs: string[];
  beforeAll(async () => {
    for (const agent of ["playbook", "playbook-no-detonation"]) {
      const r = await soceval(["run", suite, "--db", db, "--agent", agent, "--epochs", "2", "--quiet"], dir);
      expect(r.status, r.stderr).toBe(0);
    }
    runs = (
      await query<{ run_id: string }>(db, "SELECT run_id FROM runs WHERE epochs = 2 ORDER BY started_at, run_id")
    ).map((r) => r.run_id);
    expect(runs).toHaveLength(2);
    out = await compare(runs);
  }, 120_000);

  it("takes each side from its own run and says which epoch is shown", async () => {
    expect(out.json.sides.map((s) => s.run_id)).toEqual(runs);
    await expectMatchesStore(out);
    const a = out.json.disagreements[0]!.detail.answers;
    expect(a.map((x) => x.run_id)).toEqual(runs);
    expect(a.every((x) => x.epochs_run === 2)).toBe(true);
    expect(out.html).toContain("Epoch 0 shown, the one the row compares; playbook agreed with the analyst in");
  });

  it("keeps the Markdown short", () => expectShortMarkdown(out));
});
