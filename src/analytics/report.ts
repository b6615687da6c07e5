import { InputError } from "../io/errors.js";
import { MISSING_TRANSCRIPT } from "../scoring/import.js";
import type { Store } from "../store/db.js";
import { statusForReader } from "../store/run-status.js";
import { breakdownRow, breakdownRows, type Dim, overallMetrics, overallRows } from "./breakdowns.js";
import { casesBehind } from "./cases-behind.js";
import { TRAP_MIN_CASES } from "./catalogue.js";
import { confusionMatrices, emptyConfusion, KAPPA_K, kappaCells, kappaUnits, NO_ANSWER } from "./confusion.js";
import { criteriaForRun, evaluatePhases, type PhaseCriteria } from "./criteria.js";
import { datasetCasesHash } from "./dataset-cases-hash.js";
import { notMeasured, readinessFound, readinessMetrics, reviewMetrics } from "./external.js";
import { modelUsage } from "./model-usage.js";
import { providerFailures, providerFailureWarning } from "./provider-failures.js";
import { reachWarning } from "./reach-warning.js";
import type { AgentReport, BreakdownRow, Estimate, ReportDoc, ReportRun, RunInfo } from "./report-schema.js";
import { type ResumeRow, resumeFlags } from "./resume-hint.js";
import { round } from "./round.js";
import { loadRunInfo, resolveRunId, runAgents } from "./run.js";
import { evidenceSources } from "./sources.js";
import { BOOTSTRAP_REPLICATES } from "./stats/bootstrap.js";
import { kappaInterval, measuredKappa, perfectKappaLower } from "./stats/kappa.js";
import { minDetectableDifference } from "./stats/mdd.js";
import { findingsByTrap, violationRates, violationsByKind } from "./violations.js";
import { WORST_CASES, worstCases } from "./worst-cases.js";

export type ReportOptions = { agents?: string[]; worst?: number };

/**
 * Seed text for every bootstrap of a run: its content (dataset and suite seed), not its id, so the
 * same results give the same intervals on every machine, in a rerun, and in a merge of its shards.
 */
export function runSeed(run: RunInfo): string {
  return `${run.dataset_hash ?? run.run_id}:${run.seed ?? 0}`;
}

/**
 * The exit-criteria report as data: every metric per agent with its interval, breakdowns, the
 * worst cases and each phase's criteria evaluated. All aggregation happens in DuckDB; this
 * function only arranges rows and runs the statistics that need them.
 */
export async function buildReport(store: Store, runRef: string, opts: ReportOptions = {}): Promise<ReportDoc> {
  const runId = await resolveRunId(store, runRef);
  const run = await loadRunInfo(store, runId);
  // what RunInfo (the report's contract) leaves out; SELECT *: a store opened read-only may predate a column
  const [runRow] = await store.query<{ exit_criteria?: string | null; rescores?: string | null } & ResumeRow>(
    "SELECT * FROM runs WHERE run_id = ?",
    [runId],
  );
  const criteria = criteriaForRun(
    run.suite_path,
    runRow?.exit_criteria ? (JSON.parse(runRow.exit_criteria) as PhaseCriteria[]) : null,
  );
  const stored = await runAgents(store, run);
  // a mistyped name must not shrink the report silently (`--check` would then judge fewer agents)
  const unknown = (opts.agents ?? []).filter((a) => !stored.includes(a));
  if (unknown.length > 0) {
    // an agent the run ran whose every investigation was cut short is no typo: its spend is in
    // the run-wide report, which is where to send the reader
    const ran = unknown.filter((a) => run.agents.includes(a));
    const why = ran.length
      ? `; ${ran.map((a) => `"${a}"`).join(", ")} ran but stored no result (investigations cut short, e.g. by a Ctrl-C): the report without --agent shows what their model calls cost, and --resume finishes them`
      : "";
    throw new InputError(
      `--agent: run ${runId} has no results for ${unknown.map((a) => `"${a}"`).join(", ")} (it has: ${stored.join(", ")})${why}`,
    );
  }
  const agents = opts.agents?.length ? stored.filter((a) => opts.agents!.includes(a)) : stored;

  const multiEpoch = (run.epochs ?? 1) > 1;
  const [
    overall,
    aggs,
    confusion,
    kunits,
    rates,
    kinds,
    traps,
    sources,
    usage,
    worst,
    behind,
    readiness,
    reviews,
    info,
    outages,
    readinessSeen,
  ] = await Promise.all([
    overallRows(store, runId),
    breakdownRows(store, runId),
    confusionMatrices(store, runId),
    kappaUnits(store, runId, multiEpoch),
    violationRates(store, runId),
    violationsByKind(store, runId),
    findingsByTrap(store, runId),
    evidenceSources(store, runId),
    modelUsage(store, runId),
    worstCases(store, runId, agents, opts.worst ?? WORST_CASES),
    casesBehind(store, runId, multiEpoch),
    readinessMetrics(store, run.workflow),
    reviewMetrics(store, runId),
    agentInfo(store, runId),
    providerFailures(store, runId),
    readinessFound(store, run.workflow),
  ]);
  const seed = runSeed({ ...run, dataset_hash: await datasetCasesHash(run.dataset, run.dataset_hash) });
  const [storedCases] = await store.query<{ n: number }>(
    "SELECT count(DISTINCT case_id)::INTEGER AS n FROM case_results WHERE run_id = ?",
    [runId],
  );
  const casesStored = Number(storedCases?.n ?? 0);
  // a replay's provider failures are replayed by a resume too, which must repeat the run's flags
  const replayFailed = run.kind !== "imported" && [...outages.values()].some((f) => f.failed > 0);
  const resumeWith = run.status === "finished" && !replayFailed ? "" : resumeFlags(run, runRow, store.path);

  const reports: Record<string, AgentReport> = {};
  for (const agent of agents) {
    const all = overall.find((r) => r.agent === agent);
    if (!all) continue;
    const rows = aggs.filter((r) => r.agent === agent);
    const conf = confusion.get(agent) ?? emptyConfusion();
    const byDim = (dim: Dim): BreakdownRow[] => rows.filter((r) => r.dim === dim).map(breakdownRow);
    const trapRows = byDim("trap_tag");
    const metrics: Record<string, Estimate> = {
      ...overallMetrics(all),
      verdict_kappa: kappaEstimate(kappaCells(conf), kunits.get(agent) ?? [], `${seed}:${agent}:kappa`),
      ...rates.get(agent),
      trap_tags_covered: {
        value: trapRows.filter((t) => t.cases >= TRAP_MIN_CASES).length,
        lower: null,
        upper: null,
        n: trapRows.length,
        method: "point",
      },
      ...readiness,
      analyst_acceptance_rate: notMeasured(),
      ...reviews.metrics.get(agent),
    };
    metrics.min_detectable_difference = mdd(metrics.verdict_agreement!, Math.max(1, Number(all.epochs__n)));
    const meta = info.get(agent);
    reports[agent] = {
      agent,
      provider: meta?.provider ?? null,
      model: meta?.model ?? null,
      agent_hash: meta?.agent_hash ?? null,
      cases: Math.round(Number(all.rows__n) / Math.max(1, Number(all.epochs__n))),
      investigations: Number(all.rows__n),
      metrics,
      confusion: conf,
      violations: kinds.get(agent) ?? [],
      breakdowns: {
        workflow: byDim("workflow"),
        alert_severity: byDim("alert_severity"),
        trap_tag: trapRows,
        evidence_source: byDim("evidence_source"),
        epoch: multiEpoch ? byDim("epoch") : [],
      },
      evidence_sources: sources.get(agent) ?? [],
      model_usage: usage.get(agent) ?? null,
      provider_failures: outages.get(agent) ?? { failed: 0, investigations: 0, missing: 0 },
      findings_by_trap: traps.get(agent) ?? [],
      worst_cases: worst.get(agent) ?? [],
      cases_behind: behind.get(agent) ?? [],
    };
  }
  const incomplete =
    incompleteWarning(run, casesStored, resumeWith) ??
    (run.kind === "imported" ? await unansweredWarning(store, runId) : null);
  const unreached = await reachWarning(store, runId, run, sources);
  const phases = evaluatePhases(
    criteria.phases,
    Object.values(reports).map((r) => ({ agent: r.agent, metrics: r.metrics })),
  );
  return round({
    schema: "soceval.report/v1",
    run: {
      ...run,
      cases_stored: casesStored,
      agents_without_results: [...usage]
        .filter(([agent, u]) => !stored.includes(agent) && u.replaced_calls > 0)
        .map(([agent, u]) => ({ agent, replaced_calls: u.replaced_calls, replaced_cost_usd: u.replaced_cost_usd })),
      incomplete,
      warnings: [
        ...(incomplete ? [incomplete] : []),
        ...rescoredWarning(runRow?.rescores ?? null, run.git_revision),
        ...Object.values(reports).flatMap(
          (r) =>
            providerFailureWarning(r.agent, r.provider_failures, {
              run_id: runId,
              kind: run.kind,
              suite_path: run.suite_path,
              resume_flags: resumeWith,
              db: store.path,
            }) ?? [],
        ),
        ...(unreached ? [unreached] : []),
        ...(reviews.problem ? [reviews.problem] : []),
      ],
    } satisfies ReportRun,
    statistics: { confidence: 0.95, bootstrap_replicates: BOOTSTRAP_REPLICATES, seed, criteria_note: criteria.note },
    agents: reports,
    phases,
    readiness: readinessSeen,
  });
}

/**
 * Null for a finished run. Otherwise (running after a kill, interrupted, failed) the one line every
 * format of the report leads with: its numbers are real but cover only part of the dataset.
 */
export function incompleteWarning(run: RunInfo, casesStored: number, resumeWith = ""): string | null {
  if (run.status === "finished") return null;
  const cases = `${casesStored} case${casesStored === 1 ? "" : "s"}`;
  const finish =
    run.kind === "replay" || run.kind === null
      ? `finish it with: soceval run ${run.suite_path ?? "<suite>"}${resumeWith ? ` ${resumeWith}` : ""} --resume ${run.run_id}`
      : "score the transcripts again with soceval score";
  return `incomplete run (status ${statusForReader(run.status)}): results cover only the ${cases} stored so far; ${finish}`;
}

/**
 * A run re-scored after it was made: its findings and results come from the scorers of a later
 * revision than the replay's, which the report must say so its numbers stay traceable.
 */
export function rescoredWarning(rescores: string | null, replayedAt: string | null): string[] {
  const list = (rescores ? JSON.parse(rescores) : []) as {
    at: string;
    git_revision: string | null;
    findings_removed: number;
    findings_added: number;
    /** absent in rescores recorded before soceval counted them */
    findings_reworded?: number;
    results_changed: number;
  }[];
  const last = list.at(-1);
  if (!last) return [];
  const times = list.length === 1 ? "" : ` (${list.length} rescores, the last shown)`;
  return [
    `re-scored ${last.at.slice(0, 16).replace("T", " ")} UTC with the scorers of revision ${last.git_revision ?? "unknown"} ` +
      `(the replay ran at ${replayedAt ?? "an unknown revision"})${times}: ${last.findings_removed} findings went, ` +
      `${last.findings_added} came, ${last.findings_reworded ? `${last.findings_reworded} reworded, ` : ""}${last.results_changed} investigations scored differently`,
  ];
}

/** An imported run whose transcripts leave cases of the dataset unanswered: those count as failed, unmeasured. */
async function unansweredWarning(store: Store, runId: string): Promise<string | null> {
  const [r] = await store.query<{ missing: number; cases: number }>(
    "SELECT count(DISTINCT case_id) FILTER (WHERE error = ?) AS missing, count(DISTINCT case_id) AS cases FROM transcripts WHERE run_id = ?",
    [MISSING_TRANSCRIPT, runId],
  );
  if (!r?.missing) return null;
  return (
    `${r.missing} of ${r.cases} cases have no transcript in the imported file; they count as failed ` +
    "investigations (no output) in every rate, and are left out of cost, tokens and time, which nobody measured for them"
  );
}

function kappaEstimate(cells: number[], units: Parameters<typeof kappaInterval>[0], seed: string): Estimate {
  const n = cells.reduce((s, c) => s + c, 0);
  // no valid verdict from the agent, or one analyst verdict throughout: not measured, as a rate over nothing
  const value = measuredKappa(cells, KAPPA_K, NO_ANSWER);
  if (value === null) return { value: null, lower: null, upper: null, n, method: "bootstrap" };
  if (value === 1) {
    const count = units.reduce((s, u) => s + u.multiplicity, 0);
    return { value, lower: perfectKappaLower(cells, KAPPA_K, count), upper: 1, n, x: n, method: "rule_of_three" };
  }
  const ci = kappaInterval(units, KAPPA_K, seed);
  return { value, lower: ci?.lower ?? null, upper: ci?.upper ?? null, n, method: "bootstrap" };
}

/**
 * With independent errors two agents at agreement p disagree on ≈ 2p(1-p) of cases. Counted in
 * cases: repeated epochs of a case do not make a difference easier to detect.
 */
function mdd(agreement: Estimate, epochs: number): Estimate {
  const p = agreement.value;
  const n = Math.round(agreement.n / epochs);
  const value = p === null ? null : minDetectableDifference(n, Math.max(2 * p * (1 - p), 1 / Math.max(n, 1)));
  return { value, lower: null, upper: null, n, method: "connor" };
}

async function agentInfo(
  store: Store,
  runId: string,
): Promise<Map<string, { provider: string | null; model: string | null; agent_hash: string | null }>> {
  const rows = await store.query<{
    agent: string;
    provider: string | null;
    model: string | null;
    agent_hash: string | null;
  }>("SELECT agent, provider, model, agent_hash FROM run_agents WHERE run_id = ? ORDER BY agent", [runId]);
  return new Map(rows.map((r) => [r.agent, r]));
}
