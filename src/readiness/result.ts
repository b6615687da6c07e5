import { z } from "zod";
import { Phase } from "../schema/suite.js";
import { AutomationLevel } from "./matrix.js";

/** The stable JSON of `soceval readiness score --format json`; HTML and Markdown render the same document. */

const Answered = {
  question: z.string(),
  text: z.string(),
  answer: z.string().describe("the answer as the questionnaire shows it"),
  note: z.string().optional(),
};

export const Reason = z.strictObject({ ...Answered, short: z.string().describe("the question in a few words") });

export const LostPoints = z.strictObject({
  ...Answered,
  points: z
    .number()
    .describe("area points this answer costs, to a tenth; an area's add up to exactly 100 less its score"),
});

export const AreaResult = z.strictObject({
  id: z.string(),
  name: z.string(),
  weight: z.number(),
  score: z.number().describe("0-100"),
  lost: z.array(LostPoints).describe("the answers that cost points, costliest first"),
});

export const Blocker = z.strictObject({
  gate: z.string(),
  blocker: z.string(),
  why: z.string(),
  ...Answered,
});

export const NextStep = z.strictObject({
  kind: z.enum(["gate", "answer"]),
  question: z.string(),
  area: z.string(),
  step: z.string(),
  answer: z.string(),
  gain: z
    .number()
    .nullable()
    .describe(
      "overall points gained by the best answer; null for a gate to clear (it unblocks once every gate is cleared)",
    ),
});

export const CandidateResult = z.strictObject({
  rank: z.number().int().positive().describe("equal status and overall score share a rank"),
  tie: z.boolean().describe("another candidate has the same rank; tied candidates are listed by name"),
  candidate: z.string(),
  workflow: z.string(),
  file: z.string(),
  answers_hash: z.string(),
  organisation: z.string().optional(),
  synthetic: z.boolean().optional(),
  overall: z.number().describe("0-100, weighted over the areas"),
  blocked: z.boolean(),
  blockers: z.array(Blocker),
  areas: z.array(AreaResult),
  recommended_phase: Phase,
  phase_reason: z.string(),
  max_automation: AutomationLevel,
  automation_meaning: z.string(),
  strengths: z.array(Reason),
  weaknesses: z.array(Reason),
  next_steps: z.array(NextStep),
});

export const ReadinessDoc = z.strictObject({
  kind: z.literal("soceval.readiness"),
  version: z.literal(1),
  scored_at: z.string(),
  matrix: z.strictObject({ file: z.string(), version: z.string() }),
  candidates: z.array(CandidateResult).describe("ranked: unblocked first, then by overall score"),
});

export type AreaResult = z.infer<typeof AreaResult>;
export type Blocker = z.infer<typeof Blocker>;
export type NextStep = z.infer<typeof NextStep>;
export type CandidateResult = z.infer<typeof CandidateResult>;
export type ReadinessDoc = z.infer<typeof ReadinessDoc>;
