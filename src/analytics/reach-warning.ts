import { OUT_OF_REACH_SHARE } from "../datasets/reach.js";
import type { Store } from "../store/db.js";
import type { SourceRow } from "./report-schema.js";

/**
 * The report's word on evidence out of the tools' reach: when a quarter or more of the stored cases
 * that hold evidence, and that an agent called a tool on, hold none in a source any tool call of the
 * run queried, their verdicts were reached on the alert alone (typically an import whose sources no
 * tool of the workflow reads). The store keeps each case's sources but not the workflow's tools, so
 * "queried by a call of this run" stands in for "read by a tool"; `soceval run` and `dataset
 * validate --workflow` hold the data against the tools themselves.
 * An imported run (`soceval score`) is left out: its platform's tools need not map to sources.
 * Plain text, as every banner: no backticks, which the HTML would show as they are.
 */
export async function reachWarning(
  store: Store,
  runId: string,
  run: { kind: string | null; dataset: string | null },
  sources: Map<string, SourceRow[]>,
): Promise<string | null> {
  if (run.kind === "imported") return null;
  const queried = new Set<string>();
  for (const rows of sources.values()) for (const r of rows) if (r.calls > 0) queried.add(r.source);
  const unqueried = new Map<string, number>();
  for (const rows of sources.values())
    for (const r of rows)
      if (!queried.has(r.source) && r.cases_with_evidence > 0) unqueried.set(r.source, r.cases_with_evidence);
  // every source with evidence was queried somewhere, so no case is blind: the common case costs no scan
  if (unqueried.size === 0) return null;
  // only cases an agent called a tool on: a model that never got to call one (its provider down)
  // says nothing about the tools' reach, and has its own warning
  const [row] = await store.query<{ with_evidence: number; blind: number }>(
    `WITH investigated AS (SELECT DISTINCT case_id FROM case_results WHERE run_id = ? AND tool_calls > 0)
     SELECT count(*) FILTER (WHERE len(evidence_sources) > 0)::INTEGER AS with_evidence,
       count(*) FILTER (WHERE len(evidence_sources) > 0
         AND NOT list_has_any(evidence_sources, CAST(json(?) AS VARCHAR[])))::INTEGER AS blind
     FROM cases JOIN investigated USING (case_id) WHERE run_id = ?`,
    [runId, JSON.stringify([...queried]), runId],
  );
  if (!row || row.with_evidence === 0 || row.blind / row.with_evidence < OUT_OF_REACH_SHARE) return null;
  const top = [...unqueried].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
  const named = top.slice(0, 5).map(([s, n]) => `${s} in ${n} cases`);
  const more = top.length > 5 ? ` and ${top.length - 5} more` : "";
  return (
    `${row.blind} of the ${row.with_evidence} cases with evidence that an agent called a tool on ` +
    `(${((100 * row.blind) / row.with_evidence).toFixed(1)}%) hold none in a source any tool call of this run queried, ` +
    "so their verdicts were reached on the alert alone " +
    `(never queried: ${named.join(", ")}${more}). If no tool of the workflow reads those sources, these figures ` +
    `do not measure an investigation; soceval dataset validate ${run.dataset ?? "<dataset>"} --workflow ` +
    "<the suite's workflow.yaml> says which"
  );
}
