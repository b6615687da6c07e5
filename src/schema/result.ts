import { z } from "zod";

/**
 * One row of `case_results`: what the scorers measured for one (case, agent, epoch). Column names
 * are a public contract (users query them by name). Nullable means "not defined for this case",
 * e.g. escalation fields on an unlabeled case, fp_closed on an analyst true positive.
 */
const UNMEASURED =
  "null when nothing was measured: a case the imported file has no transcript for (never 0, which would pull means and quantiles down)";

export const CaseResult = z.strictObject({
  run_id: z.string(),
  case_id: z.string(),
  agent: z.string(),
  epoch: z.number().int(),
  workflow: z.string(),
  incident_id: z.string().nullable(),
  tags: z.array(z.string()),
  alert_severity: z.string(),
  label_verdict: z.string().nullable(),
  label_escalate: z.boolean().nullable(),
  verdict: z.string().nullable().describe("agent verdict; null when no valid output"),
  escalate: z.boolean().nullable(),
  confidence: z.number().nullable(),
  human_only: z.boolean().nullable(),
  agree: z.boolean().nullable().describe("verdict equals the analyst's (false when no valid output)"),
  escalation_match: z.boolean().nullable(),
  critical_miss: z
    .boolean()
    .nullable()
    .describe("analyst true positive the agent neither escalated nor marked human-only"),
  hallucinated: z.boolean(),
  hallucination_count: z.number().int(),
  missed_context: z.boolean().describe("at least one required evidence id not gathered"),
  required_total: z.number().int(),
  required_gathered: z.number().int(),
  required_cited: z.number().int(),
  policy_violations: z.number().int(),
  high_severity_violations: z.number().int(),
  schema_valid: z.boolean(),
  failed: z
    .boolean()
    .describe(
      "no output at all: provider error, limit hit before an answer or missing transcript (an error beside an output is not a failure)",
    ),
  tool_calls: z.number().int(),
  tool_errors: z.number().int(),
  playbook_completed: z.boolean(),
  audit_completeness: z.number(),
  time_to_triage_ms: z.number().nullable().describe(UNMEASURED),
  time_to_first_required_ms: z.number().nullable(),
  tokens_in: z.number().int().nullable().describe(UNMEASURED),
  tokens_out: z.number().int().nullable().describe(UNMEASURED),
  cost_usd: z.number().nullable().describe(UNMEASURED),
  fp_closed: z.boolean().nullable().describe("analyst benign/FP case the agent closed correctly without escalation"),
  analyst_minutes: z.number().nullable(),
  minutes_saved: z.number().nullable(),
  audit_missing: z
    .array(z.string())
    .nullable()
    .describe(
      "the audit items the investigation lacks, by key (scorers/audit-items.ts); null when scored by a soceval that did not record them (`soceval rescore` records them)",
    ),
});

export type CaseResult = z.infer<typeof CaseResult>;
