import { copyFileSync, cpSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import type { ReportDoc } from "../src/analytics/report-schema.js";
import { Store } from "../src/store/db.js";
import { query, soceval } from "./helpers/cli.js";

/**
 * A vendor export where every transcript costs the same, scored whole and with some lines removed:
 * a case with no transcript has no measured cost, tokens or time, and must not pull them down.
 */
const dir = mkdtempSync(join(tmpdir(), "soceval-unmeasured-"));
cpSync("test/fixtures/mini", dir, { recursive: true });
const db = join(dir, "s.duckdb");
const run = (args: string[], store = db) => soceval([...args, "--db", store], dir);

const COST = 0.0123;
type MiniCase = { id: string; label: { verdict: string; escalate: boolean } };
const cases: MiniCase[] = readFileSync(join(dir, "cases.jsonl"), "utf8")
  .split("\n")
  .filter(Boolean)
  .map((l) => JSON.parse(l));
const latency = (i: number) => 1000 + 37 * i;
const lines = cases.map((c, i) => ({
  case_id: c.id,
  steps: [{ type: "model_call", tokens_in: 1000, tokens_out: 100, latency_ms: latency(i), cost_usd: COST }],
  output: {
    verdict: c.label.verdict,
    confidence: 0.8,
    escalate: c.label.escalate,
    summary: "Reviewed the alert.",
    hypotheses: [],
    recommended_actions: [],
    evidence: [],
  },
  error: null,
}));
const DROPPED = new Set([2, 17, 31]);
const write = (file: string, keep: (i: number) => boolean) =>
  writeFileSync(
    join(dir, file),
    `${lines
      .filter((_, i) => keep(i))
      .map((l) => JSON.stringify(l))
      .join("\n")}\n`,
  );
write("full.jsonl", () => true);
write("partial.jsonl", (i) => !DROPPED.has(i));

/** DuckDB's quantile_cont: linear interpolation between the closest ranks. */
function quantile(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  const h = (s.length - 1) * p;
  const lo = Math.floor(h);
  return s[lo]! + (h - lo) * ((s[lo + 1] ?? s[lo]!) - s[lo]!);
}
const measured = cases.map((_, i) => latency(i)).filter((_, i) => !DROPPED.has(i));

/** `soceval score` of a transcripts file as agent vx, which must succeed; with the run it made. */
async function score(file: string, store = db) {
  const r = await run(
    ["score", "--workflow", "workflow.yaml", "--dataset", "cases.jsonl", "--agent", "vx", "--transcripts", file],
    store,
  );
  expect(r.status, r.stderr).toBe(0);
  return { ...r, runId: r.stdout.match(/run (\S+): /)![1]! };
}

async function report(runId: string, store = db): Promise<ReportDoc> {
  const out = join(dir, `report-${runId}-${Math.random().toString(36).slice(2)}.json`);
  const r = await run(["report", "--run", runId, "--format", "json", "--out", out], store);
  expect(r.status, r.stderr).toBe(0);
  return JSON.parse(readFileSync(out, "utf8")) as ReportDoc;
}

let full = "";
let partial = "";
let partialStdout = "";
beforeAll(async () => {
  full = (await score("full.jsonl")).runId;
  const r = await score("partial.jsonl");
  partialStdout = r.stdout;
  partial = r.runId;
});

describe("an import with missing transcripts", () => {
  it("reports the cost every transcript carries, and the time quantiles of the measured ones, n counting them", async () => {
    const m = (await report(partial)).agents.vx!.metrics;
    const n = cases.length - DROPPED.size;
    expect(m.cost_per_investigation).toMatchObject({ value: COST, n });
    expect(m.tokens_per_investigation).toMatchObject({ value: 1100, n });
    expect(m.cost_usd_total!.value).toBeCloseTo(COST * n, 10);
    expect(m.cost_usd_total!.n).toBe(n);
    expect(m.tokens_total).toMatchObject({ value: 1100 * n, n });
    expect(m.time_to_triage_p50_ms).toMatchObject({ value: quantile(measured, 0.5), n });
    expect(m.time_to_triage_p95_ms!.value).toBeCloseTo(quantile(measured, 0.95), 6);
    // the missing ones still count as failed answers
    expect(m.failed_rate).toMatchObject({ x: DROPPED.size, n: cases.length });
    // the run's summary says what its total is over
    expect(partialStdout).toContain(`(${n} of ${cases.length} measured)`);
    const rows = await query<{ n: number; cost: number; time: number; tokens: number }>(
      db,
      `SELECT count(*) AS n, count(cost_usd) AS cost, count(time_to_triage_ms) AS time, count(tokens_in) AS tokens
       FROM case_results WHERE run_id = '${partial}' AND failed`,
    );
    expect(rows[0]).toEqual({ n: DROPPED.size, cost: 0, time: 0, tokens: 0 });
  });

  it("compare shows no cost or time difference from a full import of the same transcripts", async () => {
    const r = await run(["compare", "--runs", full, partial, "--format", "json"]);
    expect(r.status, r.stderr).toBe(0);
    const metrics = JSON.parse(r.stdout).pairings[0].metrics as { metric: string; diff: number; n: number }[];
    for (const key of ["cost_per_investigation", "time_to_triage_mean_ms"])
      expect(metrics.find((x) => x.metric === key)).toMatchObject({ diff: 0, n: cases.length - DROPPED.size });
  });

  it("the gate's cost budget compares the measured cost of both sides", async () => {
    const out = join(dir, "gate.json");
    await run(["gate", "--baseline-run", full, "--candidate-run", partial, "--agent", "vx", "--json", out]);
    const verdict = JSON.parse(readFileSync(out, "utf8")) as { rules: { rule: string; diff: number | null }[] };
    expect(verdict.rules.find((x) => x.rule === "budget:cost_per_investigation")).toMatchObject({
      baseline: COST,
      candidate: COST,
      diff: 0,
    });
  });

  it("rescore keeps them unmeasured, and an export scores back to the same numbers", async () => {
    const r = await run(["rescore", "--run", partial]);
    expect(r.status, r.stderr).toBe(0);
    expect((await report(partial)).agents.vx!.metrics.cost_per_investigation).toMatchObject({ value: COST });
    const exported = await run(["export", "--run", partial, "--out", "exported.jsonl"]);
    expect(exported.status, exported.stderr).toBe(0);
    const again = await score("exported.jsonl");
    // the placeholder of a missing transcript is read back as missing, not as a transcript
    expect(again.stderr).toMatch(new RegExp(`${DROPPED.size} case\\(s\\) had no transcript`));
    const m = (await report("latest")).agents.vx!.metrics;
    expect(m.cost_per_investigation).toMatchObject({ value: COST, n: cases.length - DROPPED.size });
    expect(m.time_to_triage_p50_ms!.value).toBe(quantile(measured, 0.5));
  });

  it("a store written before: read as unmeasured, and made so by the next command that writes", async () => {
    const old = join(dir, "old.duckdb");
    copyFileSync(db, old);
    // as an earlier soceval left it: zeros where nothing was measured, layout 3
    const store = await Store.open(old);
    await store.run(
      `UPDATE case_results SET cost_usd = 0, tokens_in = 0, tokens_out = 0, time_to_triage_ms = 0
       WHERE run_id = '${partial}' AND failed`,
    );
    await store.run("DELETE FROM soceval_schema; INSERT INTO soceval_schema VALUES (3)");
    store.close();
    expect((await report(partial, old)).agents.vx!.metrics.cost_per_investigation).toMatchObject({
      value: COST,
      n: cases.length - DROPPED.size,
    });
    (await Store.open(old)).close();
    const [row] = await query<{ cost: number }>(
      old,
      `SELECT count(cost_usd) AS cost FROM case_results WHERE run_id = '${partial}'`,
    );
    expect(row!.cost).toBe(cases.length - DROPPED.size);
  });
});
