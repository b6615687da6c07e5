import { z } from "zod";
import { Verdict } from "./case.js";

export const Hypothesis = z.strictObject({
  kind: z.enum(["benign", "malicious"]),
  explanation: z.string(),
  evidence: z.array(z.string()).default([]).describe("evidence ids supporting this hypothesis"),
});

export const RecommendedAction = z.strictObject({
  action: z.string().describe("action id from the workflow's action catalogue"),
  target: z.string(),
  requires_approval: z.boolean(),
  rationale: z.string(),
  evidence: z.array(z.string()).default([]),
  rollback: z.string().optional().describe("how to undo the action; required for high-risk actions"),
});

export const TriageOutput = z.strictObject({
  verdict: Verdict,
  confidence: z.number().min(0).max(1),
  escalate: z.boolean(),
  summary: z.string(),
  hypotheses: z.array(Hypothesis).default([]),
  recommended_actions: z.array(RecommendedAction).default([]),
  evidence: z.array(z.string()).default([]).describe("top-level list of cited evidence ids"),
  missing_sources: z.array(z.string()).default([]),
  human_only: z.boolean().default(false).describe("the agent hands the case to a person"),
});

export type Hypothesis = z.infer<typeof Hypothesis>;
export type RecommendedAction = z.infer<typeof RecommendedAction>;
export type TriageOutput = z.infer<typeof TriageOutput>;
