import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import type { ReportDoc } from "../src/analytics/report-schema.js";
import { jsonLines, query, reportJson, soceval } from "./helpers/cli.js";

/**
 * The two item ratios followed to their investigations on a bundled suite: phishing-triage injects
 * tool faults (timeouts, rate limits, errors) and some cases' required evidence is not gathered, so
 * both ratios have items against them. What `soceval cases` lists must add up to the report's
 * numbers for the same run, per agent, whatever slice of it a filter takes.
 */
const dir = mkdtempSync(join(tmpdir(), "soceval-cases-items-"));
const db = join(dir, "i.duckdb");
const suite = resolve("suites/phishing-triage/shadow.suite.yaml");
const AGENTS = ["playbook", "playbook-no-detonation"];
const RATIOS = [
  { rate: "context_recall", side: "complement", words: "required items not gathered" },
  { rate: "tool_error_rate", side: "numerator", words: "tool calls failed" },
] as const;

type Line = { run_id: string; case_id: string; agent: string; epoch: number; items: number; items_total: number };
let doc: ReportDoc;
let runId = "";

const cases = (args: string[]) => soceval(["cases", "--run", "latest", "--db", db, ...args], dir);

const lines = async (args: string[]) => jsonLines<Line>(await cases([...args, "--format", "jsonl"]));

const sum = (ls: Line[]) => ls.reduce((n, l) => n + l.items, 0);

beforeAll(async () => {
  // two epochs: the tool faults fall differently in each, so --epoch has something to separate
  const r = await soceval(["run", suite, "--db", db, "--agent", ...AGENTS, "--epochs", "2", "--quiet"], dir);
  expect(r.status, r.stderr).toBe(0);
  doc = await reportJson(db, dir);
  runId = doc.run.run_id;
}, 120_000);

describe("soceval cases on an item ratio, on a bundled suite", () => {
  it("lists the investigations holding items against each ratio; their items are the report's x or n − x", async () => {
    for (const { rate, side } of RATIOS) {
      const listed = await lines(["--rate", rate]);
      for (const agent of AGENTS) {
        const a = doc.agents[agent]!;
        const e = a.metrics[rate]!;
        const behind = a.cases_behind.find((b) => b.metric === rate)!;
        const mine = listed.filter((l) => l.agent === agent);
        const against = side === "numerator" ? e.x! : e.n - e.x!;
        // the suite's faults and misses are there to be found: an empty listing would prove nothing
        expect(against, `${agent} ${rate}`).toBeGreaterThan(0);
        expect(sum(mine), `${agent} ${rate}`).toBe(against);
        expect(behind).toMatchObject({ counts: "items", item_counts: side, items: against, rows: mine.length });
        expect(new Set(mine.map((l) => l.case_id)).size).toBe(behind.cases);
        for (const l of mine) {
          expect(l.run_id).toBe(runId);
          expect(l.items).toBeGreaterThan(0);
          expect(l.items).toBeLessThanOrEqual(l.items_total);
        }
        // the report's own query lists the same rows with the same items
        const rows = await query<{ case_id: string; epoch: number; items: number }>(db, behind.query);
        expect(rows.map((r) => [r.case_id, r.epoch, Number(r.items)])).toEqual(
          mine.map((l) => [l.case_id, l.epoch, l.items]),
        );
      }
    }
  });

  it("says in the table how many items each investigation holds, and the total per agent", async () => {
    for (const { rate, side, words } of RATIOS) {
      const r = await cases(["--rate", rate]);
      expect(r.status, r.stderr).toBe(0);
      // a cell wraps: its words are on two lines of the table
      expect(r.stdout).toMatch(new RegExp(`│ \\d+ of \\d+ ${words.split(" ")[0]}`));
      const totals = AGENTS.map((agent) => {
        const e = doc.agents[agent]!.metrics[rate]!;
        const rows = doc.agents[agent]!.cases_behind.find((b) => b.metric === rate)!.rows;
        return `${agent} ${side === "numerator" ? e.x : e.n - e.x!} of ${e.n} (in ${rows} investigations)`;
      });
      const label = rate === "context_recall" ? "Context recall" : "Tool error rate";
      expect(r.stdout).toContain(`${label}, ${words}: ${totals.join("; ")}\n`);
    }
  });

  it("gives the count the READMEs quote for the bundled phishing baseline", async () => {
    const one = join(dir, "one.duckdb");
    const r = await soceval(["run", suite, "--db", one, "--quiet"], dir);
    expect(r.status, r.stderr).toBe(0);
    const listed = await soceval(["cases", "--run", "latest", "--db", one, "--rate", "tool_error_rate"], dir);
    expect(listed.status, listed.stderr).toBe(0);
    const said = readFileSync("README.md", "utf8")
      .replace(/\s+/g, " ")
      .match(/\("(playbook \d+ of \d+ \(in \d+ investigations\))"\)/)![1]!;
    expect(listed.stdout).toContain(`Tool error rate, tool calls failed: ${said}\n`);
    const [, pct, n, items, rows] = readFileSync("reports/README.md", "utf8")
      .replace(/\s+/g, " ")
      .match(/tool-error rate ([\d.]+)% of ([\d,]+) calls is `items` (\d+), in (\d+) investigations/)!;
    expect(`playbook ${items} of ${n!.replace(/,/g, "")} (in ${rows} investigations)`).toBe(said);
    expect(((100 * Number(items)) / Number(n!.replace(/,/g, ""))).toFixed(1)).toBe(pct);
  });

  it("keeps every filter: the slices add up to the whole, each as the store has it", async () => {
    for (const { rate, side } of RATIOS) {
      const whole = await lines(["--rate", rate]);
      const [num, den] =
        rate === "context_recall" ? ["required_gathered", "required_total"] : ["tool_errors", "tool_calls"];
      const items = side === "numerator" ? num : `${den} - ${num}`;
      // straight from the store, without soceval's SQL: the items of the slice a filter names
      const direct = async (where: string) =>
        Number(
          (
            await query<{ n: number }>(
              db,
              `SELECT coalesce(sum(${items}), 0)::INTEGER AS n FROM case_results r WHERE run_id = '${runId}' AND ${where}`,
            )
          )[0]!.n,
        );
      const severities = ["critical", "high", "medium", "low", "informational"];
      const [agent, workflow, tag, source, ...slices] = await Promise.all(
        [
          ["--agent", "playbook"],
          ["--workflow", "phishing-triage"],
          ["--tag", "trap:source_unavailable"],
          ["--source", "sandbox.detonation"],
          ["--epoch", "0"],
          ["--epoch", "1"],
          ...severities.map((s) => ["--severity", s]),
        ].map((f) => lines(["--rate", rate, ...f])),
      );
      expect(agent).toEqual(whole.filter((l) => l.agent === "playbook"));
      expect(workflow).toEqual(whole);
      expect(sum(tag!)).toBe(await direct("list_contains(tags, 'trap:source_unavailable')"));
      expect(sum(source!)).toBe(
        await direct(`EXISTS (SELECT 1 FROM cases c WHERE c.run_id = r.run_id AND c.case_id = r.case_id
          AND list_contains(c.evidence_sources, 'sandbox.detonation'))`),
      );
      const [e0, e1, ...bySeverity] = slices as Line[][];
      expect([sum(e0!), sum(e1!)]).toEqual([await direct("epoch = 0"), await direct("epoch = 1")]);
      expect(sum(e0!) + sum(e1!)).toBe(sum(whole));
      for (const [i, s] of severities.entries())
        expect(sum(bySeverity[i]!), `${rate} ${s}`).toBe(await direct(`alert_severity = '${s}'`));
      expect(bySeverity.reduce((n, slice) => n + sum(slice), 0)).toBe(sum(whole));
      for (const slice of [tag, source, ...slices])
        expect(slice!.every((l) => whole.some((w) => w.case_id === l.case_id && w.epoch === l.epoch))).toBe(true);
    }
  });
});
