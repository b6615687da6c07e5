import { z } from "zod";
import { OutputStatus } from "../schema/output-status.js";

/** `soceval gate --json`: the verdict CI parses. Stable keys. */
export const RuleResult = z.strictObject({
  rule: z.string().describe("e.g. margin:verdict_agreement, limit:hallucination_rate, no_new_critical_miss"),
  description: z.string(),
  baseline: z.number().nullable(),
  candidate: z.number().nullable(),
  diff: z.number().nullable(),
  lower: z.number().nullable(),
  upper: z.number().nullable(),
  threshold: z.number().nullable(),
  pass: z.boolean(),
  detail: z.string(),
  cases_needed: z
    .number()
    .optional()
    .describe("a margin on a rate that failed for too few cases: the paired cases it needs with no case changed"),
});

export const FlippedCase = z.strictObject({
  case_id: z.string(),
  incident_id: z.string().nullable(),
  title: z.string().nullable(),
  label_verdict: z.string().nullable(),
  baseline_verdict: z.string().nullable(),
  candidate_verdict: z.string().nullable(),
  baseline_output_status: OutputStatus.describe(
    "what a null baseline_verdict stands for: invalid (an output that failed the schema) or none (no output at all); over several epochs, valid when any epoch answered validly, else invalid when any answered",
  ),
  candidate_output_status: OutputStatus.describe("as baseline_output_status, for candidate_verdict"),
  why: z.array(z.strictObject({ kind: z.string(), severity: z.string(), detail: z.string() })),
});

export const GateVerdict = z.strictObject({
  schema: z.literal("soceval.gate/v1"),
  status: z.enum(["pass", "fail", "infra_failure"]),
  rules_loosened: z
    .array(z.string())
    .describe(
      "how the gate rules judged by are looser than those the baseline run was made under (a pull request's own gate: block), e.g. 'margin on verdict_agreement: max_drop 0.02 → 0.1'; empty when none are, or the baseline predates runs keeping their rules",
    ),
  baseline: z.strictObject({ run_id: z.string(), agent: z.string(), name: z.string().nullable() }),
  candidate: z.strictObject({ run_id: z.string(), agent: z.string() }),
  paired_cases: z.number(),
  rules: z.array(RuleResult),
  regressed: z.array(FlippedCase).describe("right under the baseline, wrong under the candidate"),
  improved: z.array(FlippedCase),
  new_critical_miss: z.array(FlippedCase).describe("analyst true positives the candidate newly leaves unescalated"),
  new_high_violation: z.array(FlippedCase).describe("cases that newly get a high-severity policy violation"),
  worse_on_margin: z
    .array(z.strictObject({ metric: z.string(), cases: z.array(FlippedCase) }))
    .describe(
      "per margin on a rate, the paired cases where it counts for the baseline and not for the candidate: the cases behind its Δ",
    ),
  flaky: z.array(
    z.strictObject({ case_id: z.string(), agent: z.string(), epochs_right: z.number(), epochs: z.number() }),
  ),
  // failed: investigations without an answer, of which `missing`: an imported run's cases with no transcript at all
  infra: z.strictObject({
    failed: z.number(),
    investigations: z.number(),
    missing: z.number(),
    rate: z.number(),
    threshold: z.number(),
  }),
  cases: z.array(
    z.strictObject({
      case_id: z.string(),
      title: z.string().nullable(),
      outcome: z
        .enum(["ok", "regressed", "new_critical_miss", "new_high_violation", "worse_on_margin", "flaky", "failed"])
        .describe("worse_on_margin: among the cases of a margin that failed (worse_on_margin), and no other outcome"),
      output_status: OutputStatus.describe(
        "the candidate's output; over several epochs, valid when any epoch answered validly, else invalid when any answered (outcome failed is a majority of epochs with none)",
      ),
      findings: z.array(z.strictObject({ kind: z.string(), severity: z.string(), detail: z.string() })),
    }),
  ),
});

export type RuleResult = z.infer<typeof RuleResult>;
export type FlippedCase = z.infer<typeof FlippedCase>;
export type GateVerdict = z.infer<typeof GateVerdict>;
