import { GateRules } from "../schema/index.js";
import type { Store } from "../store/db.js";

/**
 * The ways `now` lets through more than `then` did, in words a reviewer reads: a margin or limit
 * widened or dropped, a "no new" rule switched off, a budget raised, changed or dropped, more
 * provider failures tolerated. Tightening, and rules added, say nothing.
 */
export function loosenedRules(then: GateRules, now: GateRules): string[] {
  const out: string[] = [];
  for (const m of then.margins) {
    const n = now.margins.find((x) => x.metric === m.metric);
    if (!n) out.push(`margin on ${m.metric} removed (was max_drop ${m.max_drop})`);
    else if (n.max_drop > m.max_drop) out.push(`margin on ${m.metric}: max_drop ${m.max_drop} → ${n.max_drop}`);
  }
  for (const l of then.limits) {
    const n = now.limits.find((x) => x.metric === l.metric);
    if (!n) out.push(`limit on ${l.metric} removed (was max ${l.max})`);
    else if (n.max > l.max) out.push(`limit on ${l.metric}: max ${l.max} → ${n.max}`);
  }
  for (const rule of ["no_new_critical_miss", "no_high_severity_violation"] as const)
    if (then[rule] && !now[rule]) out.push(`${rule}: true → false`);
  const b = then.budget;
  const nb = now.budget;
  if (b && !nb) out.push(`budget on ${b.metric} removed (was max_increase_pct ${b.max_increase_pct})`);
  else if (b && nb && nb.metric !== b.metric) out.push(`budget: ${b.metric} → ${nb.metric}`);
  else if (b && nb) {
    if (nb.max_increase_pct > b.max_increase_pct)
      out.push(`budget on ${b.metric}: max_increase_pct ${b.max_increase_pct} → ${nb.max_increase_pct}`);
    if ((nb.max_increase ?? 0) > (b.max_increase ?? 0))
      out.push(`budget on ${b.metric}: max_increase ${b.max_increase ?? 0} → ${nb.max_increase}`);
  }
  if (now.max_infra_failure_rate > then.max_infra_failure_rate)
    out.push(`max_infra_failure_rate: ${then.max_infra_failure_rate} → ${now.max_infra_failure_rate}`);
  return out;
}

/**
 * How the rules a gate judges by are looser than those its baseline run was made under (stored with
 * the run): a pull request can edit its suite's `gate:` block, and the gate reads the block from the
 * pull request's own checkout. Empty for a baseline stored before runs kept their rules, or imported.
 */
export async function loosenedSince(store: Store, baselineRunId: string, now: GateRules): Promise<string[]> {
  const [row] = await store.query<{ gate_rules: string | null }>("SELECT gate_rules FROM runs WHERE run_id = ?", [
    baselineRunId,
  ]);
  if (!row?.gate_rules) return [];
  const then = GateRules.safeParse(JSON.parse(row.gate_rules));
  return then.success ? loosenedRules(then.data, now) : [];
}
