import { InputError } from "../io/errors.js";
import type { Store } from "../store/db.js";
import { statusForReader } from "../store/run-status.js";
import { PROPORTIONS } from "./catalogue.js";
import { failureNote, MEASURED_ONLY } from "./compare-reading.js";
import type { CompareDoc, PairedMetric, Side } from "./compare-schema.js";
import { datasetCasesHash } from "./dataset-cases-hash.js";
import { disagreements } from "./disagreements.js";
import { aggregateSelect, estimatesFrom } from "./metric-sql.js";
import { PAIRED_MEANS, PAIRED_PROPORTIONS } from "./paired-metrics.js";
import { providerFailures, providerFailureWarning } from "./provider-failures.js";
import { type ReplaySetup, runSetup, setupDifferences } from "./replay-setup.js";
import { type ResumeRow, resumeFlags } from "./resume-hint.js";
import { round } from "./round.js";
import { loadRunInfo, resolveRunId, runAgents } from "./run.js";
import { exactMcNemar } from "./stats/mcnemar.js";
import { minDetectableDifference } from "./stats/mdd.js";
import { type PairedUnit, pairedMeanDifference, pairedRateDifference } from "./stats/paired.js";

type SideRef = { run_id: string; agent: string };

/** Paired metrics: per-case value (mean over epochs) and whether higher is better. */
const PAIRED: { metric: string; value: string; defined: string; binary: boolean; higher: boolean }[] = [
  ...PAIRED_PROPORTIONS.map(([metric, higher]) => {
    const p = PROPORTIONS.find((x) => x.key === metric)!;
    return { metric, value: `CASE WHEN ${p.num} THEN 1.0 ELSE 0.0 END`, defined: p.den, binary: true, higher };
  }),
  ...PAIRED_MEANS.map(([metric, value, higher]) => ({ metric, value, defined: "true", binary: false, higher })),
];

/**
 * Resolve which (run, agent) pairs to compare: two runs with one agent each (or `--agents a b`,
 * one per run), or one run and its agents (all, or the named ones). The first side is the baseline.
 */
export async function resolveSides(store: Store, runs: string[], agents: string[] = []): Promise<SideRef[]> {
  if (runs.length === 0 || runs.length > 2) throw new InputError("--runs: give one run (compare its agents) or two");
  const ids = await Promise.all(runs.map((r) => resolveRunId(store, r)));
  const stored = await Promise.all(ids.map(async (id) => runAgents(store, await loadRunInfo(store, id))));
  const check = (i: number, a: string) => {
    if (!stored[i]!.includes(a))
      throw new InputError(
        `--agents: run ${ids[i]} has no results for "${a}" (it has: ${stored[i]!.join(", ") || "none"})`,
      );
    return { run_id: ids[i]!, agent: a };
  };
  if (ids.length === 1) {
    const names = agents.length ? agents : stored[0]!;
    if (names.length < 2)
      throw new InputError(`--runs: run ${ids[0]} has one agent; name a second run to compare against`);
    return names.map((a) => check(0, a));
  }
  if (agents.length === 2) return [check(0, agents[0]!), check(1, agents[1]!)];
  if (agents.length === 1) return [check(0, agents[0]!), check(1, agents[0]!)];
  if (agents.length > 2) throw new InputError("--agents: with two runs, name one agent per run");
  return ids.map((id, i) => {
    if (stored[i]!.length !== 1)
      throw new InputError(`--runs: run ${id} has agents ${stored[i]!.join(", ")}; name one per run with --agents`);
    return { run_id: id, agent: stored[i]![0]! };
  });
}

export async function buildComparison(store: Store, refs: SideRef[]): Promise<CompareDoc> {
  const sameAgentTwice = new Set(refs.map((r) => r.agent)).size < refs.length;
  const runsInfo = new Map<string, Awaited<ReturnType<typeof loadRunInfo>>>();
  for (const r of refs) if (!runsInfo.has(r.run_id)) runsInfo.set(r.run_id, await loadRunInfo(store, r.run_id));
  const sides: Side[] = [];
  for (const ref of refs) {
    const agg = await store.query(`SELECT ${aggregateSelect()} FROM case_results WHERE run_id = ? AND agent = ?`, [
      ref.run_id,
      ref.agent,
    ]);
    const meta = await store.query<{ provider: string | null; model: string | null; agent_hash: string | null }>(
      "SELECT provider, model, agent_hash FROM run_agents WHERE run_id = ? AND agent = ?",
      [ref.run_id, ref.agent],
    );
    const row = agg[0]!;
    sides.push({
      label: sameAgentTwice ? `${ref.agent}@${ref.run_id}` : ref.agent,
      run_id: ref.run_id,
      agent: ref.agent,
      provider: meta[0]?.provider ?? null,
      model: meta[0]?.model ?? null,
      agent_hash: meta[0]?.agent_hash ?? null,
      dataset_hash: runsInfo.get(ref.run_id)?.dataset_hash ?? null,
      cases: Math.round(Number(row.rows__n) / Math.max(1, Number(row.epochs__n))),
      investigations: Number(row.rows__n),
      metrics: estimatesFrom(row),
    });
  }
  // names what was compared (dataset versions, agent configurations), never run ids; the paired
  // intervals draw nothing at random, so two runs with identical results get identical intervals
  // the same cases checked out with CRLF on one machine are no other dataset version
  const cases = await Promise.all(
    sides.map((s) => datasetCasesHash(runsInfo.get(s.run_id)?.dataset ?? null, s.dataset_hash)),
  );
  const seed = `compare:${sides.map((s, i) => `${cases[i] ?? "-"}/${s.agent}/${s.agent_hash ?? "-"}`).join("|")}`;
  const notes: string[] = [];
  const otherDataset = new Set(cases).size > 1;
  for (const [id, info] of runsInfo)
    if (info.status !== "finished")
      notes.push(
        `run ${id} did not finish (status ${statusForReader(info.status)}): only the cases it stored are compared`,
      );
  // as the report leads with them: a side whose provider failed has failed answers in every metric
  for (const [i, ref] of refs.entries()) {
    const f = (await providerFailures(store, ref.run_id)).get(ref.agent);
    const info = runsInfo.get(ref.run_id)!;
    if (!f || f.failed === 0) continue;
    const [row] = await store.query<ResumeRow>("SELECT * FROM runs WHERE run_id = ?", [ref.run_id]);
    const from = { run_id: ref.run_id, kind: info.kind, suite_path: info.suite_path, db: store.path };
    const flags = info.kind === "imported" ? "" : resumeFlags(info, row, store.path);
    const line =
      providerFailureWarning(sides[i]!.label, f, { ...from, resume_flags: flags }) ??
      `agent ${sides[i]!.label}: ${f.missing} of ${f.investigations} investigations have no transcript in the ` +
        `imported file of run ${ref.run_id}; they count as failed answers in every rate, and are left out of ` +
        "the paired cost and time, which nobody measured for them";
    notes.push(`run ${ref.run_id}: ${line}`);
  }
  // the gate refuses a pair made under different setups; compare shows it, but must say so
  const setups = new Map<string, ReplaySetup>();
  for (const id of runsInfo.keys()) setups.set(id, await runSetup(store, id));
  const pairings = [];
  for (let i = 1; i < refs.length; i++) {
    const [a, b] = [refs[0]!.run_id, refs[i]!.run_id];
    const diffs = a === b ? [] : setupDifferences(setups.get(a)!, `run ${b} has`, setups.get(b)!);
    if (diffs.length > 0)
      notes.push(
        `run ${a} and run ${b} were replayed under different setups (${diffs.join("; ")}): a difference ` +
          "between their agents may come from the setup, not the agent (the gate refuses such a pair)",
      );
    const metrics: PairedMetric[] = [];
    for (const m of PAIRED) metrics.push(await pairedMetric(store, refs[0]!, refs[i]!, m));
    const { cases, relabeled } = await pairedCases(store, refs[0]!, refs[i]!);
    if (otherDataset)
      notes.push(
        `${sides[0]!.label} and ${sides[i]!.label} replayed different dataset versions: only cases present in both ` +
          `with the same analyst label are paired; ${relabeled} case${relabeled === 1 ? "" : "s"} left out because ` +
          "the label changed",
      );
    // a comparison (or a gate) over no common case would print "no difference" and mean nothing
    if (cases === 0)
      throw new InputError(
        `${sides[0]!.label} (run ${refs[0]!.run_id}) and ${sides[i]!.label} (run ${refs[i]!.run_id}) share no cases: ` +
          (relabeled
            ? `nothing to compare (${relabeled} case${relabeled === 1 ? "" : "s"} left out because the analyst label changed)`
            : "nothing to compare (were they replayed on the same dataset?)"),
      );
    const pairing = { baseline: sides[0]!.label, candidate: sides[i]!.label, cases, metrics };
    // a lead that failed investigations can produce is not the agent's: the page must not call it better
    const flattered = failureNote(round(pairing));
    if (flattered) notes.push(flattered);
    pairings.push(pairing);
  }
  const { rows, total, query } = await disagreements(store, refs, sides);
  return round({
    schema: "soceval.compare/v1",
    seed,
    sides,
    pairings,
    disagreements: rows,
    disagreements_total: total,
    disagreements_query: query,
    notes,
  });
}

const perCase = (value: string, defined: string) =>
  `SELECT case_id, any_value(coalesce(incident_id, case_id)) AS unit, ${LABEL} AS label,
     avg(${value}) FILTER (WHERE ${defined}) AS v,
     avg(CASE WHEN failed THEN 1.0 ELSE 0.0 END) FILTER (WHERE (${defined}) AND (${value}) IS NOT NULL) AS f
   FROM case_results WHERE run_id = ? AND agent = ? GROUP BY case_id`;

/**
 * Whether a case has a paired rate's outcome, given its share of epochs with it: in most of them
 * (a tie is not most). Every count of cases or incidents in a comparison, and the gate's cases
 * behind a margin, take a case's epochs this way; only the difference and its interval use the share.
 */
export const MAJORITY = (share: string) => `(${share} > 0.5)`;

/** A case's analyst label; two runs on different dataset versions pair a case only where it is the same. */
const LABEL = "any_value(coalesce(label_verdict, '-') || '/' || coalesce(label_escalate::VARCHAR, '-'))";

async function pairedMetric(
  store: Store,
  base: SideRef,
  cand: SideRef,
  m: (typeof PAIRED)[number],
): Promise<PairedMetric> {
  const params = [cand.run_id, cand.agent, base.run_id, base.agent];
  const pairs = `WITH c AS (${perCase(m.value, m.defined)}), b AS (${perCase(m.value, m.defined)}),
    p AS (SELECT case_id, c.unit, c.v AS vc, b.v AS vb, c.f AS fc, b.f AS fb FROM c JOIN b USING (case_id)
          WHERE c.label = b.label AND c.v IS NOT NULL AND b.v IS NOT NULL)`;
  // ma/mb: the unit's cases that have the outcome in most of their epochs, as `c_only`/`b_only`
  // count a case, so an incident's count is its cases' counts, never an epoch share they lack
  const units = await store.query<{
    a: number;
    b: number;
    n: number;
    up: number;
    down: number;
    ma: number;
    mb: number;
    m: number;
  }>(
    `${pairs}, u AS (SELECT unit, sum(vc) AS a, sum(vb) AS b, count(*) AS n,
       sum(greatest(vc - vb, 0)) AS up, sum(greatest(vb - vc, 0)) AS down,
       count(*) FILTER (WHERE ${MAJORITY("vc")}) AS ma, count(*) FILTER (WHERE ${MAJORITY("vb")}) AS mb
       FROM p GROUP BY unit)
     SELECT a, b, n, up, down, ma, mb, count(*) AS m FROM u GROUP BY ALL ORDER BY ALL`,
    params,
  );
  const counts = (
    await store.query<{
      n: number;
      units: number;
      cand: number | null;
      base: number | null;
      c_only: number;
      b_only: number;
    }>(
      `${pairs} SELECT count(*) AS n, count(DISTINCT unit) AS units, avg(vc) AS cand, avg(vb) AS base,
         count(*) FILTER (WHERE ${MAJORITY("vc")} AND NOT ${MAJORITY("vb")}) AS c_only,
         count(*) FILTER (WHERE NOT ${MAJORITY("vc")} AND ${MAJORITY("vb")}) AS b_only
       FROM p`,
      params,
    )
  )[0]!;
  // the cases behind candidate_only and baseline_only, by the same test, so each count has its cases
  const only = m.binary
    ? await store.query<{ case_id: string; cand: boolean }>(
        `${pairs} SELECT case_id, ${MAJORITY("vc")} AS cand FROM p
         WHERE ${MAJORITY("vc")} <> ${MAJORITY("vb")} ORDER BY case_id`,
        params,
      )
    : [];
  const paired = units.map((u): PairedUnit => ({ a: u.a, b: u.b, n: u.n, up: u.up, down: u.down, multiplicity: u.m }));
  const d = m.binary ? pairedRateDifference(paired) : pairedMeanDifference(paired);
  const discordant = counts.c_only + counts.b_only;
  const failedMore = MEASURED_ONLY.includes(m.metric) ? await failedMoreIn(store, pairs, params) : null;
  // McNemar over the same units as the interval: alerts of one incident are not independent, so
  // each incident (or lone case) counts once, for the agent more of whose cases had the outcome,
  // each case by its majority of epochs: a lone case then counts here exactly as in `c_only`
  let unitsCand = 0;
  let unitsBase = 0;
  for (const u of units) {
    if (Number(u.ma) > Number(u.mb)) unitsCand += u.m;
    else if (Number(u.ma) < Number(u.mb)) unitsBase += u.m;
  }
  return {
    metric: m.metric,
    higher_is_better: m.higher,
    n: counts.n,
    units: counts.units,
    baseline: counts.base,
    candidate: counts.cand,
    diff: d?.diff ?? null,
    lower: d?.lower ?? null,
    upper: d?.upper ?? null,
    mcnemar_p: m.binary && counts.n > 0 ? exactMcNemar(unitsCand, unitsBase) : null,
    candidate_only: m.binary ? counts.c_only : null,
    baseline_only: m.binary ? counts.b_only : null,
    candidate_only_cases: m.binary ? only.filter((r) => r.cand).map((r) => r.case_id) : null,
    baseline_only_cases: m.binary ? only.filter((r) => !r.cand).map((r) => r.case_id) : null,
    candidate_only_units: m.binary ? unitsCand : null,
    baseline_only_units: m.binary ? unitsBase : null,
    min_detectable_difference:
      // over the cases the interval counts: correlated alerts of one incident detect less than as many lone cases
      m.binary && counts.n > 0
        ? minDetectableDifference(d?.effective ?? counts.n, Math.max(discordant, 1) / counts.n)
        : null,
    failed_more: failedMore,
  };
}

/**
 * The side that failed materially more of one metric's pairs: its failed-rate interval over those
 * pairs excludes zero. Not the pairing's failed rate: a case an imported file has no transcript for
 * counts as failed there, but no cost or time was measured for it, so it is in no pair of those.
 */
async function failedMoreIn(store: Store, pairs: string, params: string[]): Promise<"candidate" | "baseline" | null> {
  const units = await store.query<{ a: number; b: number; n: number; up: number; down: number; m: number }>(
    `${pairs}, u AS (SELECT unit, sum(fc) AS a, sum(fb) AS b, count(*) AS n,
       sum(greatest(fc - fb, 0)) AS up, sum(greatest(fb - fc, 0)) AS down FROM p GROUP BY unit)
     SELECT a, b, n, up, down, count(*) AS m FROM u GROUP BY ALL ORDER BY ALL`,
    params,
  );
  const d = pairedRateDifference(units.map((u) => ({ ...u, multiplicity: u.m })));
  if (!d || d.lower === null || d.upper === null) return null;
  return d.lower > 0 ? "candidate" : d.upper < 0 ? "baseline" : null;
}

/** Cases both sides answered with the same analyst label, and those left out because the label changed. */
async function pairedCases(store: Store, base: SideRef, cand: SideRef): Promise<{ cases: number; relabeled: number }> {
  const side = `SELECT case_id, ${LABEL} AS label FROM case_results WHERE run_id = ? AND agent = ? GROUP BY case_id`;
  const rows = await store.query<{ cases: number; relabeled: number }>(
    `SELECT count(*) FILTER (WHERE a.label = b.label) AS cases, count(*) FILTER (WHERE a.label <> b.label) AS relabeled
     FROM (${side}) a JOIN (${side}) b USING (case_id)`,
    [base.run_id, base.agent, cand.run_id, cand.agent],
  );
  return { cases: Number(rows[0]?.cases ?? 0), relabeled: Number(rows[0]?.relabeled ?? 0) };
}
