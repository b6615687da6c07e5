import { Verdict } from "../schema/case.js";
import type { Store } from "../store/db.js";
import type { Confusion } from "./report-schema.js";
import type { UnitType } from "./stats/bootstrap.js";

const VERDICTS = Verdict.options;
const K = VERDICTS.length;

/** Confusion matrices per agent: analyst verdict × agent verdict (plus no_output), counted in SQL. */
export async function confusionMatrices(store: Store, runId: string): Promise<Map<string, Confusion>> {
  const rows = await store.query<{ agent: string; analyst: string; verdict: string; n: number }>(
    `SELECT agent, label_verdict AS analyst, coalesce(verdict, 'no_output') AS verdict, count(*) AS n
     FROM case_results WHERE run_id = ? AND label_verdict IS NOT NULL
     GROUP BY ALL ORDER BY ALL`,
    [runId],
  );
  const agentCols = [...VERDICTS, "no_output"];
  const out = new Map<string, Confusion>();
  for (const r of rows) {
    let m = out.get(r.agent);
    if (!m) {
      m = { analyst: [...VERDICTS], agent: agentCols, counts: VERDICTS.map(() => agentCols.map(() => 0)) };
      out.set(r.agent, m);
    }
    const i = VERDICTS.indexOf(r.analyst as Verdict);
    const j = agentCols.indexOf(r.verdict);
    if (i >= 0 && j >= 0) m.counts[i]![j] = r.n;
  }
  return out;
}

export function emptyConfusion(): Confusion {
  const agentCols = [...VERDICTS, "no_output"];
  return { analyst: [...VERDICTS], agent: agentCols, counts: VERDICTS.map(() => agentCols.map(() => 0)) };
}

/**
 * Kappa's table: the three verdicts plus "no output" as a fourth category that only the agent
 * uses (its analyst row is all zero), so an investigation without an answer counts against
 * agreement in kappa as it does in verdict_agreement, instead of dropping out. KAPPA_K × KAPPA_K, row-major.
 */
export const KAPPA_K = K + 1;
/** Kappa's column for an investigation without an answer. */
export const NO_ANSWER = K;

export function kappaCells(c: Confusion): number[] {
  return [...c.counts.flatMap((row) => row.slice(0, KAPPA_K)), ...new Array<number>(KAPPA_K).fill(0)];
}

/**
 * Resampling units for the kappa bootstrap: per incident (or per case, over its epochs) the
 * kappaCells counts of its labeled investigations; units with identical counts grouped with a
 * multiplicity. A lone case of a single-epoch run is its own unit, so those skip the per-unit
 * grouping and are counted straight into one-hot types.
 */
export async function kappaUnits(store: Store, runId: string, multiEpoch: boolean): Promise<Map<string, UnitType[]>> {
  const agentSide = (j: number) => (j < K ? `verdict = '${VERDICTS[j]}'` : "verdict IS NULL");
  const cond = (i: number, j: number) => `label_verdict = '${VERDICTS[i]}' AND ${agentSide(j)}`;
  const pairs = VERDICTS.flatMap((_, i) => Array.from({ length: KAPPA_K }, (_, j) => [i, j] as const));
  const names = pairs.map(([i, j]) => `c${i}${j}`);
  const counted = pairs.map(([i, j]) => `count_if(${cond(i, j)}) AS c${i}${j}`).join(", ");
  // the analyst's "no output" row is always empty: zeros after the counted cells
  const padding = new Array<number>(KAPPA_K).fill(0);
  const answered = "run_id = ? AND label_verdict IS NOT NULL";
  const grouped = await store.query<Record<string, number> & { agent: string; m: number }>(
    `SELECT agent, ${names.join(", ")}, count(*) AS m FROM (
       SELECT agent, ${counted} FROM case_results WHERE ${answered} AND (incident_id IS NOT NULL OR ${multiEpoch})
       GROUP BY agent, coalesce(incident_id, case_id))
     GROUP BY ALL ORDER BY ALL`,
    [runId],
  );
  const single = await store.query<{ agent: string; label_verdict: string; verdict: string | null; m: number }>(
    `SELECT agent, label_verdict, verdict, count(*) AS m FROM case_results
     WHERE ${answered} AND incident_id IS NULL AND NOT ${multiEpoch} GROUP BY ALL ORDER BY ALL`,
    [runId],
  );
  const out = new Map<string, UnitType[]>();
  const add = (agent: string, values: number[], m: number) => {
    const list = out.get(agent) ?? [];
    list.push({ values, multiplicity: m });
    out.set(agent, list);
  };
  for (const r of grouped) add(r.agent, [...names.map((n) => Number(r[n])), ...padding], Number(r.m));
  for (const r of single) {
    const i = VERDICTS.indexOf(r.label_verdict as Verdict);
    const j = r.verdict === null ? K : VERDICTS.indexOf(r.verdict as Verdict);
    if (i >= 0 && j >= 0)
      add(r.agent, [...names.map((_, c) => (c === i * KAPPA_K + j ? 1 : 0)), ...padding], Number(r.m));
  }
  return out;
}
