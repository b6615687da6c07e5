import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { query, soceval } from "./helpers/cli.js";

/**
 * The report's headline numbers, worked out a second way: straight from what the run stored about
 * each investigation (the agent's answer, the analyst's label, each tool call, each finding), never
 * from `case_results`, where the report reads them. A slip in how a per-case result is derived or
 * aggregated shows here as two different numbers for one metric.
 */
const dir = mkdtempSync(join(tmpdir(), "soceval-metrics-"));
const db = join(dir, "m.duckdb");
const suite = resolve("suites/phishing-triage/shadow.suite.yaml");
const AGENTS = ["playbook", "playbook-no-detonation"];
type Estimate = { value: number | null; n: number };
let report: { agents: Record<string, { metrics: Record<string, Estimate> }> };
let runId = "";

beforeAll(async () => {
  const r = await soceval(["run", suite, "--db", db, "--agent", ...AGENTS, "--quiet"], dir);
  expect(r.status, r.stderr).toBe(0);
  const out = join(dir, "r.json");
  const rep = await soceval(["report", "--db", db, "--run", "latest", "--format", "json", "--out", out], dir);
  expect(rep.status, rep.stderr).toBe(0);
  report = JSON.parse(readFileSync(out, "utf8"));
  runId = (await query<{ run_id: string }>(db, "SELECT run_id FROM runs"))[0]!.run_id;
}, 120_000);

/** One row per investigation, from the transcript's answer and the case's label only. */
const INVESTIGATIONS = `
  SELECT t.agent, t.case_id,
         c.label->>'verdict' AS label_verdict, (c.label->>'escalate')::BOOLEAN AS label_escalate,
         t.output->>'verdict' AS verdict, coalesce((t.output->>'escalate')::BOOLEAN, false) AS escalate,
         coalesce((t.output->>'human_only')::BOOLEAN, false) AS human_only
  FROM transcripts t JOIN cases c USING (run_id, case_id)`;

const rate = (x: number, n: number) => ({ value: n ? x / n : null, n });

type Recomputed = Record<
  | "verdict_agreement"
  | "escalation_precision"
  | "escalation_recall"
  | "critical_miss_rate"
  | "policy_violation_rate"
  | "hallucination_rate"
  | "tool_error_rate",
  { value: number | null; n: number }
>;

async function recomputed(agent: string): Promise<Recomputed> {
  const [r] = await query<Record<string, number>>(
    db,
    `WITH i AS (${INVESTIGATIONS} WHERE t.run_id = '${runId}' AND t.agent = '${agent}')
     SELECT count(*) FILTER (WHERE label_verdict IS NOT NULL) AS labeled,
            count(*) FILTER (WHERE verdict = label_verdict) AS agree,
            count(*) FILTER (WHERE escalate) AS escalated,
            count(*) FILTER (WHERE escalate AND label_escalate) AS escalated_right,
            count(*) FILTER (WHERE label_escalate) AS should_escalate,
            count(*) FILTER (WHERE label_verdict = 'true_positive') AS tps,
            count(*) FILTER (WHERE label_verdict = 'true_positive' AND NOT escalate AND NOT human_only) AS missed_tps,
            count(*) AS investigations
     FROM i`,
  );
  const [f] = await query<Record<string, number>>(
    db,
    `SELECT count(DISTINCT case_id) FILTER (WHERE scorer = 'policy') AS with_violation,
            count(DISTINCT case_id) FILTER (WHERE kind = 'hallucinated_evidence' OR kind = 'fabricated_indicator') AS hallucinated
     FROM findings WHERE run_id = '${runId}' AND agent = '${agent}'`,
  );
  const [c] = await query<Record<string, number>>(
    db,
    `SELECT count(*) AS calls, count(*) FILTER (WHERE status IN ('error', 'timeout')) AS failed
     FROM tool_calls WHERE run_id = '${runId}' AND agent = '${agent}'`,
  );
  return {
    verdict_agreement: rate(r!.agree!, r!.labeled!),
    escalation_precision: rate(r!.escalated_right!, r!.escalated!),
    escalation_recall: rate(r!.escalated_right!, r!.should_escalate!),
    critical_miss_rate: rate(r!.missed_tps!, r!.tps!),
    policy_violation_rate: rate(f!.with_violation!, r!.investigations!),
    hallucination_rate: rate(f!.hallucinated!, r!.investigations!),
    tool_error_rate: rate(c!.failed!, c!.calls!),
  };
}

describe("the report's numbers, recomputed from the stored investigations", () => {
  it.each(AGENTS)("%s: every headline rate and its n", async (agent) => {
    const mine = await recomputed(agent);
    const theirs = report.agents[agent]!.metrics;
    for (const [key, m] of Object.entries(mine)) {
      expect({ key, n: theirs[key]!.n }).toEqual({ key, n: m.n });
      // the report prints 6 significant digits
      const six = m.value === null ? null : Number(m.value.toPrecision(6));
      expect({ key, value: theirs[key]!.value }).toEqual({ key, value: six });
    }
    // the two agents really differ, so a metric read from the wrong agent would not pass
    expect(mine.verdict_agreement.n).toBeGreaterThan(300);
  });

  it("the agents differ where the comparison says they do", async () => {
    const a = await recomputed(AGENTS[0]!);
    const b = await recomputed(AGENTS[1]!);
    expect(a.critical_miss_rate.value).not.toBe(b.critical_miss_rate.value);
    expect(a.verdict_agreement.value).not.toBe(b.verdict_agreement.value);
  });
});
