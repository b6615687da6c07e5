import type { CriterionResult, ReportReadiness } from "../analytics/report-schema.js";
import { blockersText, readinessUnmeasured } from "./readiness-note.js";

/**
 * Metrics a replay never measures come from elsewhere; "no data in the run" would leave a SOC lead
 * with a phase that can never be met and no idea what would measure it.
 */
const SUPPLIED_BY: Record<string, (r: ReportReadiness | undefined) => string> = {
  readiness_score: readinessUnmeasured,
  readiness_blockers: readinessUnmeasured,
  analyst_acceptance_rate: () =>
    "no analyst reviews of this run: shadow mode collects none; load analysts' verdicts on its recommendations into an analyst_reviews table (run_id, case_id, agent, accepted) in the store",
};

/**
 * A criterion's note, saying for an unmeasured one what would measure it, and for a blocked
 * workflow which gates block it.
 */
export function criterionNote(c: CriterionResult, readiness?: ReportReadiness): string | null {
  if (c.status === "not measured") return SUPPLIED_BY[c.metric]?.(readiness) ?? c.note;
  const blocked = c.metric === "readiness_blockers" ? blockersText(readiness) : "";
  return blocked ? `blocked by ${blocked}` : c.note;
}
