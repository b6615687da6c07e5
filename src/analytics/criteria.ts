import { existsSync } from "node:fs";
import { resolve } from "node:path";
import { loadYaml } from "../io/yaml.js";
import { type Criterion, Phase, Suite } from "../schema/suite.js";
import { checkSuiteMetrics } from "../workflow/load.js";
import { metricInfo } from "./catalogue.js";
import { DEFAULT_CRITERIA } from "./default-criteria.js";
import type { CriterionResult, CriterionStatus, Estimate, PhaseResult } from "./report-schema.js";

export type PhaseCriteria = { phase: Phase; source: "suite" | "default"; criteria: Criterion[] };

/**
 * The criteria per phase: the suite's own where it declares a phase, the defaults elsewhere. A
 * suite file that is gone (moved, or a run imported elsewhere) falls back to the defaults with a note;
 * a suite that names an unknown metric is bad input.
 */
export function loadCriteria(suitePath: string | null): { phases: PhaseCriteria[]; note: string | null } {
  let declared: Suite["exit_criteria"];
  let note: string | null = null;
  const file = suitePath ? resolve(suitePath) : null;
  if (!file) note = "the run names no suite file; default exit criteria used";
  else if (!existsSync(file)) note = `suite file ${suitePath} not found; default exit criteria used`;
  else {
    const suite = loadYaml(file, Suite);
    checkSuiteMetrics(suite, suitePath!);
    declared = suite.exit_criteria;
  }
  return { phases: phaseCriteria(declared), note };
}

/** A suite's declared criteria (already checked) completed with the defaults for the phases it leaves out. */
export function phaseCriteria(declared: Suite["exit_criteria"]): PhaseCriteria[] {
  return Phase.options.map((phase): PhaseCriteria => {
    const own = declared?.[phase];
    return own
      ? { phase, source: "suite", criteria: own }
      : { phase, source: "default", criteria: DEFAULT_CRITERIA[phase] };
  });
}

/**
 * The criteria a report judges a run by: those stored with the run when it was made, so its
 * pass/fail can be reproduced after the suite file changes (a note says when it has), or, for a
 * run stored before runs carried them, the suite file's as it is now.
 */
export function criteriaForRun(
  suitePath: string | null,
  stored: PhaseCriteria[] | null,
): { phases: PhaseCriteria[]; note: string | null } {
  if (!stored) return loadCriteria(suitePath);
  let now: PhaseCriteria[] | null = null;
  try {
    now = loadCriteria(suitePath).phases;
  } catch {
    // a suite file that no longer loads changes nothing about the run's own criteria
  }
  const changed = now !== null && JSON.stringify(now) !== JSON.stringify(stored);
  return {
    phases: stored,
    note: changed
      ? `the exit criteria ${suitePath ? `in ${suitePath} ` : ""}changed since this run; it is judged by those it was run against (run it again to judge it by the current ones)`
      : null,
  };
}

export function evaluateCriterion(crit: Criterion, metrics: Record<string, Estimate>): CriterionResult {
  const est = metrics[crit.metric] ?? null;
  const base = {
    ...crit,
    description: crit.description ?? metricInfo(crit.metric)?.description ?? null,
    estimate: est,
  };
  if (!est || est.value === null)
    return { ...base, status: "not measured", compared: null, note: unmeasuredWhy(crit, est) };
  let compared = crit.bound === "lower" ? est.lower : crit.bound === "upper" ? est.upper : est.value;
  let note: string | null = null;
  if (compared === null) {
    compared = est.value;
    note = "no interval defined for this metric; the point estimate is compared";
  }
  return { ...base, status: holds(compared, crit.op, crit.threshold) ? "met" : "not met", compared, note };
}

/**
 * κ can go unmeasured over investigations that were there: "no data" would send the reader looking
 * for cases the run has, when what is missing is a second kind of answer on one side.
 */
function unmeasuredWhy(crit: Criterion, est: Estimate | null): string {
  if (crit.metric !== "verdict_kappa" || !est || !(est.n > 0)) return "no data for this metric in the run";
  return (
    `Cohen's κ is not measured over these ${est.n.toLocaleString("en-US")} investigations: the agent gave no ` +
    "valid verdict in any of them (each failed, or failed the triage schema, which verdict_agreement counts as " +
    "disagreements), or the analyst's verdicts are all one, which makes κ 0, or 0/0, whatever the agent did"
  );
}

function holds(v: number, op: Criterion["op"], t: number): boolean {
  switch (op) {
    case ">=":
      return v >= t;
    case "<=":
      return v <= t;
    case ">":
      return v > t;
    case "<":
      return v < t;
    case "==":
      return Math.abs(v - t) < 1e-12;
  }
}

/** A phase is met when every criterion is; one failure makes it not met; otherwise not measured. */
export function phaseStatus(results: CriterionResult[]): CriterionStatus {
  if (results.some((r) => r.status === "not met")) return "not met";
  if (results.length === 0 || results.some((r) => r.status === "not measured")) return "not measured";
  return "met";
}

export function evaluatePhases(
  phases: PhaseCriteria[],
  agents: { agent: string; metrics: Record<string, Estimate> }[],
): PhaseResult[] {
  return phases.flatMap((p) =>
    agents.map((a) => {
      const criteria = p.criteria.map((c) => evaluateCriterion(c, a.metrics));
      return { phase: p.phase, agent: a.agent, source: p.source, status: phaseStatus(criteria), criteria };
    }),
  );
}
