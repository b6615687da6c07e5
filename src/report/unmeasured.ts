import type { CriterionResult, ReportDoc, ReportReadiness } from "../analytics/report-schema.js";
import { blockersText, readinessUnmeasured } from "./readiness-note.js";

/**
 * Metrics a replay never measures come from elsewhere; "no data in the run" would leave a SOC lead
 * with a phase that can never be met and no idea what would measure it.
 */
const SUPPLIED_BY: Record<string, (r: ReportReadiness | undefined, db?: string) => string> = {
  readiness_score: readinessUnmeasured,
  readiness_blockers: readinessUnmeasured,
  analyst_acceptance_rate: () =>
    "no analyst reviews of this run: shadow mode collects none; load analysts' verdicts on its recommendations into an analyst_reviews table (run_id, case_id, agent, accepted) in the store",
};

/**
 * A criterion's note, saying for an unmeasured one what would measure it, and for a blocked
 * workflow which gates block it.
 */
export function criterionNote(c: CriterionResult, readiness?: ReportReadiness, db?: string): string | null {
  if (c.status === "not measured") return SUPPLIED_BY[c.metric]?.(readiness, db) ?? c.note;
  const blocked = c.metric === "readiness_blockers" ? blockersText(readiness) : "";
  return blocked ? `blocked by ${blocked}` : c.note;
}

/**
 * What would measure each unmeasured criterion of the report, each note once with the metrics it is
 * about: the Markdown has no criteria table to carry the notes, and a pull-request comment that says
 * only "no data" leaves the reader no way to get the data.
 */
export function unmeasuredNotes(doc: ReportDoc, db?: string): { metrics: string; note: string }[] {
  const byNote = new Map<string, Set<string>>();
  for (const p of doc.phases)
    for (const c of p.criteria) {
      if (c.status !== "not measured") continue;
      const note = criterionNote(c, doc.readiness, db);
      if (!note) continue;
      const metrics = byNote.get(note) ?? new Set<string>();
      metrics.add(c.metric);
      byNote.set(note, metrics);
    }
  return [...byNote].map(([note, metrics]) => ({ metrics: [...metrics].join(", "), note }));
}
