import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { AUDIT_ITEMS } from "../scorers/audit-items.js";
import type { Investigation } from "../src/analytics/investigation.js";
import type { ReportDoc } from "../src/analytics/report-schema.js";
import { Store } from "../src/store/db.js";
import { jsonLines, query, reportJson, soceval } from "./helpers/cli.js";

/**
 * Audit completeness followed to its investigations: the audit items `cases` and `show` name must
 * add up to the report's mean for the same run, per slice, and be the items the scorer found
 * missing. The bundled playbook leaves a complete trail, so the run here is the export of a bundled
 * run (two epochs) with gaps cut into it, scored back as another platform's transcripts: a query
 * without its time, a failed query that says nothing, a hypothesis citing nothing, an action the
 * catalogue does not hold.
 */
const dir = mkdtempSync(join(tmpdir(), "soceval-cases-audit-"));
const db = join(dir, "a.duckdb");
const suite = resolve("suites/phishing-triage/shadow.suite.yaml");
const AGENTS = ["vendor-x"];
const KEYS: string[] = AUDIT_ITEMS.map((i) => i.key);

type Line = {
  run_id: string;
  case_id: string;
  agent: string;
  epoch: number;
  items: number;
  items_total: number;
  audit_completeness: number;
  audit_missing: string[] | null;
};
type Exported = {
  agent: string;
  steps: { type: string; status?: string; time?: string; note?: string; evidence_ids?: string[] }[];
  output: { hypotheses: { evidence: string[] }[]; recommended_actions: { action: string }[] } | null;
};
let doc: ReportDoc;
let runId = "";

const cases = (args: string[], store = db) =>
  soceval(["cases", "--run", "latest", "--db", store, "--rate", "audit_completeness", ...args], dir);

const lines = async (args: string[], store = db) => jsonLines<Line>(await cases([...args, "--format", "jsonl"], store));

const sum = (ls: Line[]) => ls.reduce((n, l) => n + l.items, 0);

const report = (store: string) => reportJson(store, dir);

/** Gaps in a transcript's audit trail, each kind on its own stride so that some lines have several. */
function cutGaps(t: Exported, i: number): Exported {
  const calls = t.steps.filter((s) => s.type === "tool_call");
  if (i % 3 === 0 && calls[0]) delete calls[0].time;
  if (i % 5 === 0 && calls[1]) Object.assign(calls[1], { status: "error", evidence_ids: [], note: undefined });
  if (i % 4 === 0 && t.output?.hypotheses[0]) t.output.hypotheses[0].evidence = [];
  if (i % 7 === 0 && t.output?.recommended_actions[0]) t.output.recommended_actions[0].action = "call_the_ceo";
  return { ...t, agent: "vendor-x" };
}

beforeAll(async () => {
  const base = join(dir, "base.duckdb");
  const r = await soceval(["run", suite, "--db", base, "--epochs", "2", "--quiet"], dir);
  expect(r.status, r.stderr).toBe(0);
  const exported = join(dir, "export.jsonl");
  const ex = await soceval(["export", "--run", "latest", "--db", base, "--format", "jsonl", "--out", exported], dir);
  expect(ex.status, ex.stderr).toBe(0);
  const cut = readFileSync(exported, "utf8")
    .split("\n")
    .filter(Boolean)
    .map((l, i) => JSON.stringify(cutGaps(JSON.parse(l) as Exported, i)));
  const transcripts = join(dir, "vendor-x.jsonl");
  writeFileSync(transcripts, `${cut.join("\n")}\n`);
  const scored = await soceval(
    [
      "score",
      "--workflow",
      resolve("suites/phishing-triage/workflow.yaml"),
      "--dataset",
      resolve("datasets/phishing-triage/cases.jsonl"),
      "--transcripts",
      transcripts,
      "--agent",
      "vendor-x",
      "--db",
      db,
    ],
    dir,
  );
  expect(scored.status, scored.stderr).toBe(0);
  doc = await report(db);
  runId = doc.run.run_id;
}, 120_000);

describe("soceval cases --rate audit_completeness, on transcripts with gaps in their trail", () => {
  it("lists every investigation below 1.0 with the items it lacks; they reconcile exactly with the report's mean", async () => {
    const listed = await lines([]);
    for (const agent of AGENTS) {
      const e = doc.agents[agent]!.metrics.audit_completeness!;
      const behind = doc.agents[agent]!.cases_behind.find((b) => b.metric === "audit_completeness")!;
      const mine = listed.filter((l) => l.agent === agent);
      // every kind of gap cut above is there to be found
      expect(mine.length, agent).toBeGreaterThan(0);
      for (const key of ["query_trail", "hypotheses_cited", "catalogued_actions"])
        expect(
          mine.some((l) => l.audit_missing!.includes(key)),
          key,
        ).toBe(true);
      const stored = await query<{ case_id: string; epoch: number }>(
        db,
        `SELECT case_id, epoch FROM case_results WHERE run_id = '${runId}' AND agent = '${agent}'
           AND audit_completeness < 1 ORDER BY case_id, epoch`,
      );
      expect(mine.map((l) => [l.case_id, l.epoch])).toEqual(stored.map((s) => [s.case_id, s.epoch]));
      for (const l of mine) {
        expect(l.run_id).toBe(runId);
        expect(l.items_total).toBe(6);
        // each row's items are the ones it names, and its completeness is the share it does not
        expect(l.audit_missing!.length).toBe(l.items);
        expect(l.audit_completeness).toBe((6 - l.items) / 6);
        expect(l.audit_missing!.every((k) => KEYS.includes(k))).toBe(true);
      }
      // the sum over the listed rows of missing items ÷ (6 × n) is 1 − the mean: an integer the
      // report's six-place rounding of the mean cannot hide
      const missing = sum(mine);
      expect(missing).toBe(Math.round(6 * e.n * (1 - e.value!)));
      expect(Math.abs(1 - missing / (6 * e.n) - e.value!)).toBeLessThan(5e-7);
      expect(behind).toMatchObject({ counts: "items", item_counts: "complement", items: missing, rows: mine.length });
      // the report's own query lists the same rows, with the same items by name
      const rows = await query<{ case_id: string; epoch: number; items: number; audit_missing: string[] }>(
        db,
        behind.query,
      );
      expect(rows.map((r) => [r.case_id, r.epoch, Number(r.items), r.audit_missing])).toEqual(
        mine.map((l) => [l.case_id, l.epoch, l.items, l.audit_missing]),
      );
    }
  });

  it("ends the table with the items per agent and the mean they make", async () => {
    const r = await cases([]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/│ \d of 6 \(\d+\.\d%\)/);
    expect(r.stdout).toContain("query_trail");
    const totals = AGENTS.map((agent) => {
      const a = doc.agents[agent]!;
      const e = a.metrics.audit_completeness!;
      const b = a.cases_behind.find((m) => m.metric === "audit_completeness")!;
      const all = 6 * e.n;
      const mean = (100 * (1 - b.items! / all)).toFixed(2);
      // the mean the line shows is the report's, to the places both print
      expect(Number(mean)).toBeCloseTo(100 * e.value!, 2);
      return `${agent} ${b.items} of ${all} (in ${b.rows} investigations; mean completeness 1 − ${b.items}/${all} = ${mean}%)`;
    });
    expect(r.stdout).toContain(`Audit completeness, audit items missing: ${totals.join("; ")}\n`);
  });

  it("keeps every filter: each slice is the store's, and the slices add up to the whole", async () => {
    const whole = await lines([]);
    const direct = async (where: string) =>
      Number(
        (
          await query<{ n: number }>(
            db,
            `SELECT coalesce(sum(len(audit_missing)), 0)::INTEGER AS n FROM case_results r
             WHERE run_id = '${runId}' AND ${where}`,
          )
        )[0]!.n,
      );
    const severities = ["critical", "high", "medium", "low", "informational"];
    const [agent, workflow, tag, source, e0, e1, ...bySeverity] = await Promise.all(
      [
        ["--agent", "vendor-x"],
        ["--workflow", "phishing-triage"],
        ["--tag", "trap:source_unavailable"],
        ["--source", "sandbox.detonation"],
        ["--epoch", "0"],
        ["--epoch", "1"],
        ...severities.map((s) => ["--severity", s]),
      ].map((f) => lines(f)),
    );
    expect(agent).toEqual(whole.filter((l) => l.agent === "vendor-x"));
    expect(workflow).toEqual(whole);
    expect(sum(tag!)).toBe(await direct("list_contains(tags, 'trap:source_unavailable')"));
    expect(sum(source!)).toBe(
      await direct(`EXISTS (SELECT 1 FROM cases c WHERE c.run_id = r.run_id AND c.case_id = r.case_id
        AND list_contains(c.evidence_sources, 'sandbox.detonation'))`),
    );
    expect([sum(e0!), sum(e1!)]).toEqual([await direct("epoch = 0"), await direct("epoch = 1")]);
    expect(sum(e0!) + sum(e1!)).toBe(sum(whole));
    for (const [i, s] of severities.entries())
      expect(sum(bySeverity[i]!), s).toBe(await direct(`alert_severity = '${s}'`));
    expect(bySeverity.reduce((n, slice) => n + sum(slice), 0)).toBe(sum(whole));
  });
});

describe("the bundled phishing baseline's audit items", () => {
  const one = join(dir, "one.duckdb");
  beforeAll(async () => {
    const r = await soceval(["run", suite, "--db", one, "--quiet"], dir);
    expect(r.status, r.stderr).toBe(0);
  }, 60_000);

  it("gives the count the READMEs quote", async () => {
    const r = await cases([], one);
    expect(r.status, r.stderr).toBe(0);
    const said = readFileSync("README.md", "utf8")
      .replace(/\s+/g, " ")
      .match(/\("(playbook \d+ of \d+ \(in \d+ investigations; mean completeness [^"]+%\))"\)/)![1]!;
    expect(r.stdout).toContain(`Audit completeness, audit items missing: ${said}\n`);
    const base = await report(one);
    const e = base.agents.playbook!.metrics.audit_completeness!;
    const [, pct, n, items, rows] = readFileSync("reports/README.md", "utf8")
      .replace(/\s+/g, " ")
      .match(
        /audit completeness ([\d.]+)% over (\d+) investigations is `items` (\d+) of [\d,]+, in (\d+) investigations/,
      )!;
    expect([(100 * e.value!).toFixed(1), e.n]).toEqual([pct, Number(n)]);
    expect(said).toContain(`playbook ${items} of ${6 * e.n} (in ${rows} investigations;`);
  });

  it("show names each investigation's missing items, as stored, in text and JSON", async () => {
    // a case whose first epoch lacks a query's time and another's note, and more
    const [c] = await query<{ case_id: string; audit_missing: string[]; audit_completeness: number }>(
      db,
      `SELECT case_id, audit_missing, audit_completeness FROM case_results
       WHERE epoch = 0 AND list_contains(audit_missing, 'query_trail') AND len(audit_missing) > 1
       ORDER BY case_id LIMIT 1`,
    );
    const show = (args: string[]) =>
      soceval(["show", c!.case_id, "--run", "latest", "--db", db, "--epoch", "0", ...args], dir);
    const json = await show(["--format", "json"]);
    expect(json.status, json.stderr).toBe(0);
    const t = (JSON.parse(json.stdout) as Investigation).transcripts[0]!;
    expect(t.result).toMatchObject({ audit_completeness: c!.audit_completeness, audit_missing: c!.audit_missing });
    const text = await show([]);
    expect(text.status, text.stderr).toBe(0);
    const present = 6 - c!.audit_missing.length;
    expect(text.stdout).toContain(`audit   ${present} of 6 items present (${((100 * present) / 6).toFixed(1)}%)\n`);
    for (const key of c!.audit_missing) expect(text.stdout).toMatch(new RegExp(`\\n {8}missing ${key}: `));
    // a broken query trail points at its steps: a query without its time, or one that did not
    // answer and does not say why (an answered query that found nothing is not one)
    const gaps = [...text.stdout.matchAll(/step (\d+): (no time|\w+ without a note)/g)];
    expect(gaps.length).toBeGreaterThan(0);
    for (const [, at, why] of gaps) {
      const s = t.steps[Number(at)]!;
      expect(s.type).toBe("tool_call");
      if (s.type !== "tool_call") continue;
      if (why === "no time") expect(s.time).toBeFalsy();
      else
        expect([why, s.status !== "ok", s.evidence_ids.length, s.note ?? ""]).toEqual([
          `${s.status} without a note`,
          true,
          0,
          "",
        ]);
    }
    const full = await query<{ case_id: string }>(
      one,
      "SELECT case_id FROM case_results WHERE audit_completeness = 1 LIMIT 1",
    );
    const complete = await soceval(["show", full[0]!.case_id, "--run", "latest", "--db", one], dir);
    expect(complete.stdout).toContain("audit   complete: 6 of 6 items present (100.0%)\n");
  });

  it("reads a store scored before the items were recorded: the count stands, the names say how to get them", async () => {
    const old = join(dir, "old.duckdb");
    copyFileSync(db, old);
    const s = await Store.open(old);
    await s.run("ALTER TABLE case_results DROP COLUMN audit_missing");
    await s.run("UPDATE soceval_schema SET version = 2");
    s.close();
    const before = await cases([], db);
    const r = await cases([], old);
    expect(r.status, r.stderr).toBe(0);
    const countLine = (out: string) => out.split("\n").find((l) => l.startsWith("Audit completeness,"));
    expect(countLine(r.stdout)).toBe(countLine(before.stdout));
    expect(r.stdout).toContain("not recorded");
    // the names are gone with the column; each row's count, worked back from its completeness, stays
    const unnamed = await lines([], old);
    expect(unnamed.every((l) => l.audit_missing === null)).toBe(true);
    expect(unnamed.map((l) => [l.case_id, l.epoch, l.items])).toEqual(
      (await lines([], db)).map((l) => [l.case_id, l.epoch, l.items]),
    );
    const caseId = (await lines([], old))[0]!.case_id;
    const shown = await soceval(["show", caseId, "--run", "latest", "--db", old, "--epoch", "0"], dir);
    expect(shown.status, shown.stderr).toBe(0);
    expect(shown.stdout).toContain("missing items not recorded (scored by an earlier soceval; `soceval rescore --run");
    // a rescore records them from the stored transcripts: the same items a replay recorded
    const re = await soceval(["rescore", "--run", "latest", "--db", old], dir);
    expect(re.status, re.stderr).toBe(0);
    expect(await lines([], old)).toEqual(await lines([], db));
  });
});
