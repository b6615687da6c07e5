import type { CriterionResult } from "../analytics/report-schema.js";

const READINESS =
  "no readiness score for this workflow in the store: score its answers into the same store with `soceval readiness score <answers.yaml> --db <store>`";

/**
 * Metrics a replay never measures come from elsewhere; "no data in the run" would leave a SOC lead
 * with a phase that can never be met and no idea what would measure it.
 */
const SUPPLIED_BY: Record<string, string> = {
  readiness_score: READINESS,
  readiness_blockers: READINESS,
  analyst_acceptance_rate:
    "no analyst reviews of this run: shadow mode collects none; load analysts' verdicts on its recommendations into an analyst_reviews table (run_id, case_id, agent, accepted) in the store",
};

/** A criterion's note, saying for an unmeasured one what would measure it. */
export function criterionNote(c: CriterionResult): string | null {
  return (c.status === "not measured" ? SUPPLIED_BY[c.metric] : undefined) ?? c.note;
}
