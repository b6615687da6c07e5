import { z } from "zod";
import { OutputStatus } from "../schema/output-status.js";
import { Estimate, WorstCaseFinding, WorstCaseStep } from "./report-schema.js";

/** `soceval compare --format json`: stable keys, documented in reports/README.md. */
export const Side = z.strictObject({
  label: z.string().describe("agent, or agent@run when the same agent appears in two runs"),
  run_id: z.string(),
  agent: z.string(),
  provider: z.string().nullable(),
  model: z.string().nullable(),
  agent_hash: z.string().nullable(),
  dataset_hash: z.string().nullable(),
  cases: z.number(),
  investigations: z.number(),
  metrics: z.record(z.string(), Estimate),
});

export const PairedMetric = z.strictObject({
  metric: z.string(),
  higher_is_better: z.boolean(),
  n: z.number().describe("paired cases where the metric is defined for both"),
  units: z.number().describe("resampling units: incidents, or cases without an incident id"),
  baseline: z.number().nullable(),
  candidate: z.number().nullable(),
  diff: z.number().nullable().describe("candidate − baseline"),
  lower: z
    .number()
    .nullable()
    .describe("95% paired interval of diff: Tango's score interval for rates, t for cost and time, by incident"),
  upper: z.number().nullable(),
  mcnemar_p: z
    .number()
    .nullable()
    .describe(
      "exact McNemar p over units (incidents, or lone cases): the units each agent got more of right; binary metrics only",
    ),
  candidate_only: z
    .number()
    .nullable()
    .describe("cases where only the candidate has the outcome, a case having it when it holds in most of its epochs"),
  baseline_only: z.number().nullable(),
  candidate_only_cases: z
    .array(z.string())
    .nullable()
    .describe("the case ids candidate_only counts, in order; null for cost and time"),
  baseline_only_cases: z.array(z.string()).nullable().describe("the case ids baseline_only counts, in order"),
  candidate_only_units: z
    .number()
    .nullable()
    .describe(
      "units (incidents, or lone cases) more of whose cases have the outcome for the candidate, each case by its majority of epochs: what mcnemar_p counts",
    ),
  baseline_only_units: z.number().nullable(),
  min_detectable_difference: z.number().nullable(),
  failed_more: z
    .enum(["candidate", "baseline"])
    .nullable()
    .describe(
      "cost and time: the side that failed materially more of this metric's own pairs (a case whose cost or time nobody measured is in none); null for rates, which the pairing's failed_rate decides",
    ),
});

export const Pairing = z.strictObject({
  baseline: z.string(),
  candidate: z.string(),
  cases: z.number(),
  metrics: z.array(PairedMetric),
});

/** One side's investigation of a disagreement, as stored: what it answered and why. */
export const DisagreementAnswer = z.strictObject({
  label: z.string(),
  run_id: z.string(),
  agent: z.string(),
  epochs_run: z.number().describe("epochs of this case stored for the side"),
  epochs_agree: z.number().describe("of those, how many agree with the analyst's verdict"),
  verdict: z.string().nullable(),
  confidence: z.number().nullable(),
  escalate: z.boolean().nullable(),
  human_only: z.boolean().nullable(),
  failed: z.boolean().describe("no output at all (error, timeout, no answer)"),
  schema_valid: z.boolean().nullable().describe("false: an output that failed the schema, shown as far as readable"),
  output_status: OutputStatus,
  error: z.string().nullable(),
  summary: z.string().nullable(),
  hypotheses: z.array(
    z.strictObject({ kind: z.string().nullable(), explanation: z.string().nullable(), evidence: z.array(z.string()) }),
  ),
  recommended_actions: z.array(
    z.strictObject({
      action: z.string().nullable(),
      target: z.string().nullable(),
      requires_approval: z.boolean().nullable(),
      rationale: z.string().nullable(),
      evidence: z.array(z.string()),
      rollback: z.string().nullable(),
    }),
  ),
  missing_sources: z.array(z.string()),
  findings: z.array(WorstCaseFinding),
  steps: z.array(WorstCaseStep).describe("tool and model calls in order; findings[].step indexes them"),
  required_evidence: z
    .array(
      z.strictObject({
        id: z.string(),
        gathered: z.boolean().describe("as missed_context scores it: false where it raised a missed_context finding"),
        step: z
          .number()
          .nullable()
          .describe("first ok call of a workflow tool that returned it; null when not gathered"),
      }),
    )
    .describe("the analyst's label.required_evidence in this side's run"),
});

export const Disagreement = z.strictObject({
  case_id: z.string(),
  incident_id: z.string().nullable(),
  title: z.string().nullable(),
  alert_severity: z.string().nullable(),
  label_verdict: z.string().nullable(),
  answers: z.array(
    z.strictObject({
      label: z.string(),
      verdict: z.string().nullable(),
      escalate: z.boolean().nullable(),
      agree: z.boolean().nullable(),
      output_status: OutputStatus.describe("what a null verdict stands for: invalid (failed the schema) or none"),
    }),
  ),
  detail: z
    .strictObject({
      epoch: z.number().describe("the epoch shown, the one the row compares (the first)"),
      answers: z.array(DisagreementAnswer).describe("one per side, in the order of sides"),
    })
    .describe("why each side decided: its answer, findings, tool calls and the required evidence"),
});

export const CompareDoc = z.strictObject({
  schema: z.literal("soceval.compare/v1"),
  seed: z.string(),
  sides: z.array(Side),
  pairings: z.array(Pairing),
  disagreements: z.array(Disagreement),
  disagreements_total: z.number(),
  disagreements_query: z
    .string()
    .describe(
      "SQL for `soceval query` listing every such case in the page's order, each side's answer at answers[].idx (its index in sides)",
    ),
  notes: z.array(z.string()),
});

export type Side = z.infer<typeof Side>;
export type PairedMetric = z.infer<typeof PairedMetric>;
export type Pairing = z.infer<typeof Pairing>;
export type Disagreement = z.infer<typeof Disagreement>;
export type DisagreementAnswer = z.infer<typeof DisagreementAnswer>;
export type CompareDoc = z.infer<typeof CompareDoc>;
