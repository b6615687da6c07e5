import Table from "cli-table3";
import type { AgentSummary, ReplacedSpend } from "../analytics/summary.js";

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

/**
 * Below the table: the spend its total cost leaves out, so an agent a Ctrl-C cut short everywhere
 * (absent from the table) still shows what it cost.
 */
export function replacedText(rows: ReplacedSpend[]): string {
  return rows
    .map(
      (r) =>
        `${r.agent}: $${r.cost_usd.toFixed(r.cost_usd !== 0 && r.cost_usd < 0.01 ? 6 : 4)} more on ${r.calls} model call${r.calls === 1 ? "" : "s"} ` +
        `of investigations cut short by a Ctrl-C or replayed again, not in the total cost${r.stored ? " above" : " (no results stored)"}\n`,
    )
    .join("");
}
