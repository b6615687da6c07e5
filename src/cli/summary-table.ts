import Table from "cli-table3";
import type { AgentSummary } from "../analytics/summary.js";

const pct = (x: number | null) => (x === null ? "—" : `${(100 * x).toFixed(1)}%`);

/** The per-agent headline table `run`, `score` and `gate` print; plain borders off a terminal. */
export function summaryTable(rows: AgentSummary[]): string {
  const t = new Table({
    head: ["agent", "cases", "agreement", "critical misses", "hallucination", "policy viol.", "failed", "total cost"],
    style: process.stdout.isTTY ? {} : { head: [], border: [] },
  });
  for (const r of rows)
    t.push([
      r.agent,
      // with epochs, misses and failures count investigations: say so beside the cases
      r.investigations === r.cases ? r.cases : `${r.cases} (${r.investigations} investigations)`,
      pct(r.agreement),
      // the count a SOC lead follows up, and the rate `start` and the report give
      r.true_positives
        ? `${r.critical_misses}/${r.true_positives} (${pct(r.critical_misses / r.true_positives)})`
        : "—",
      pct(r.hallucination_rate),
      pct(r.policy_violation_rate),
      r.failed,
      totalCost(r),
    ]);
  return `${t.toString()}\n`;
}

/** The run's cost, and over how many investigations when some (a transcript an import lacks) cost what nobody knows. */
function totalCost(r: AgentSummary): string {
  if (r.cost_measured === 0) return "not measured";
  const total = `$${r.cost_usd.toFixed(4)}`;
  return r.cost_measured === r.investigations ? total : `${total} (${r.cost_measured} of ${r.investigations} measured)`;
}
