import { copyFileSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { AUDIT_ITEMS } from "../scorers/audit-items.js";
import type { Investigation } from "../src/analytics/investigation.js";
import type { ReportDoc } from "../src/analytics/report-schema.js";
import { Store } from "../src/store/db.js";
import { query, soceval } from "./helpers/cli.js";

/**
 * Audit completeness followed to its investigations on a bundled suite: the audit items `cases`
 * and `show` name must add up to the report's mean for the same run, per agent and per slice, and
 * be the items the scorer found missing.
 */
const dir = mkdtempSync(join(tmpdir(), "soceval-cases-audit-"));
const db = join(dir, "a.duckdb");
const suite = resolve("suites/phishing-triage/shadow.suite.yaml");
const AGENTS = ["playbook", "playbook-no-detonation"];
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
let doc: ReportDoc;
let runId = "";

const cases = (args: string[], store = db) =>
  soceval(["cases", "--run", "latest", "--db", store, "--rate", "audit_completeness", ...args], dir);

async function lines(args: string[], store = db): Promise<Line[]> {
  const r = await cases([...args, "--format", "jsonl"], store);
  expect(r.status, r.stderr).toBe(0);
  return r.stdout
    .split("\n")
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Line);
}

const sum = (ls: Line[]) => ls.reduce((n, l) => n + l.items, 0);

async function report(store: string): Promise<ReportDoc> {
  const out = join(dir, `${Math.random().toString(36).slice(2)}.json`);
  const rep = await soceval(["report", "--db", store, "--run", "latest", "--format", "json", "--out", out], dir);
  expect(rep.status, rep.stderr).toBe(0);
  return JSON.parse(readFileSync(out, "utf8"));
}

beforeAll(async () => {
  // two agents and two epochs, so the count is per agent and --epoch has something to separate
  const r = await soceval(["run", suite, "--db", db, "--agent", ...AGENTS, "--epochs", "2", "--quiet"], dir);
  expect(r.status, r.stderr).toBe(0);
  doc = await report(db);
  runId = doc.run.run_id;
}, 120_000);

describe("soceval cases --rate audit_completeness, on a bundled suite", () => {
  it("lists every investigation below 1.0 with the items it lacks; they reconcile exactly with the report's mean", async () => {
    const listed = await lines([]);
    for (const agent of AGENTS) {
      const e = doc.agents[agent]!.metrics.audit_completeness!;
      const behind = doc.agents[agent]!.cases_behind.find((b) => b.metric === "audit_completeness")!;
      const mine = listed.filter((l) => l.agent === agent);
      // the suite's queries that return nothing and say nothing are there to be found
      expect(mine.length, agent).toBeGreaterThan(0);
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
        ["--agent", "playbook"],
        ["--workflow", "phishing-triage"],
        ["--tag", "trap:source_unavailable"],
        ["--source", "sandbox.detonation"],
        ["--epoch", "0"],
        ["--epoch", "1"],
        ...severities.map((s) => ["--severity", s]),
      ].map((f) => lines(f)),
    );
    expect(agent).toEqual(whole.filter((l) => l.agent === "playbook"));
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
    const [c] = await query<{ case_id: string; audit_missing: string[]; audit_completeness: number }>(
      one,
      "SELECT case_id, audit_missing, audit_completeness FROM case_results WHERE audit_completeness < 1 ORDER BY case_id LIMIT 1",
    );
    const json = await soceval(["show", c!.case_id, "--run", "latest", "--db", one, "--format", "json"], dir);
    expect(json.status, json.stderr).toBe(0);
    const t = (JSON.parse(json.stdout) as Investigation).transcripts[0]!;
    expect(t.result).toMatchObject({ audit_completeness: c!.audit_completeness, audit_missing: c!.audit_missing });
    const text = await soceval(["show", c!.case_id, "--run", "latest", "--db", one], dir);
    expect(text.status, text.stderr).toBe(0);
    const present = 6 - c!.audit_missing.length;
    expect(text.stdout).toContain(`audit   ${present} of 6 items present (${((100 * present) / 6).toFixed(1)}%)\n`);
    for (const key of c!.audit_missing) expect(text.stdout).toMatch(new RegExp(`\\n {8}missing ${key}: `));
    // a broken query trail points at its steps: each one a tool call that returned nothing and said nothing
    const steps = [...text.stdout.matchAll(/step (\d+): neither evidence nor a note/g)].map((m) => Number(m[1]));
    expect(steps.length).toBeGreaterThan(0);
    for (const step of steps) {
      const s = t.steps[step]!;
      expect(s.type === "tool_call" && s.evidence_ids.length === 0 && !s.note).toBe(true);
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
    copyFileSync(one, old);
    const s = await Store.open(old);
    await s.run("ALTER TABLE case_results DROP COLUMN audit_missing");
    await s.run("UPDATE soceval_schema SET version = 2");
    s.close();
    const before = await cases([], one);
    const r = await cases([], old);
    expect(r.status, r.stderr).toBe(0);
    const countLine = (out: string) => out.split("\n").find((l) => l.startsWith("Audit completeness,"));
    expect(countLine(r.stdout)).toBe(countLine(before.stdout));
    expect(r.stdout).toContain("not recorded");
    expect((await lines([], old)).every((l) => l.audit_missing === null && l.items === 1)).toBe(true);
    const caseId = (await lines([], old))[0]!.case_id;
    const shown = await soceval(["show", caseId, "--run", "latest", "--db", old], dir);
    expect(shown.status, shown.stderr).toBe(0);
    expect(shown.stdout).toContain("missing items not recorded (scored by an earlier soceval; `soceval rescore --run");
    // a rescore records them from the stored transcripts: the same items a replay recorded
    const re = await soceval(["rescore", "--run", "latest", "--db", old], dir);
    expect(re.status, re.stderr).toBe(0);
    expect(await lines([], old)).toEqual(await lines([], one));
  });
});
