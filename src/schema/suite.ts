import { z } from "zod";

export const Phase = z.enum(["readiness", "shadow", "assisted", "controlled_automation", "optimization"]);

export const Fault = z.strictObject({
  tool: z.string(),
  kind: z.enum(["timeout", "error", "rate_limit"]),
  rate: z.number().min(0).max(1),
});

export const Criterion = z.strictObject({
  metric: z.string().describe("metric key of `soceval report --format json`"),
  op: z.enum([">=", "<=", ">", "<", "=="]),
  threshold: z.number(),
  bound: z.enum(["point", "lower", "upper"]).default("point").describe("which end of the interval is compared"),
  description: z.string().optional(),
});

export const GateRules = z.strictObject({
  margins: z
    .array(z.strictObject({ metric: z.string(), max_drop: z.number().nonnegative() }))
    .default([])
    .describe("non-inferiority: the paired interval's lower end may not fall below -max_drop"),
  limits: z
    .array(z.strictObject({ metric: z.string(), max: z.number() }))
    .default([])
    .describe("hard limits on the candidate"),
  no_new_critical_miss: z.boolean().default(true),
  no_high_severity_violation: z.boolean().default(true),
  budget: z
    .strictObject({
      metric: z.string(),
      max_increase_pct: z.number().nonnegative(),
      // in the metric's own unit; the larger allowance wins, so a first model against a free baseline
      // (the playbook costs 0) can pass a budget that a percentage of zero never lets it pass
      max_increase: z.number().nonnegative().optional(),
    })
    .optional(),
  max_infra_failure_rate: z.number().min(0).max(1).default(0.1),
});

// The store keeps a run's seed and epochs as 32-bit INTEGER columns: a larger value would be stored
// wrapped (20250106123 as -1224730357), and `--resume`, `runs merge` and the gate, which compare the
// stored value with the suite's, would then refuse the run as made under another setup.
export const INT32_MAX = 2147483647;

export const Suite = z.strictObject({
  name: z.string(),
  description: z.string().optional(),
  workflow: z.string().describe("path to workflow.yaml, relative to the suite file"),
  dataset: z.string().describe("path to cases JSONL, relative to the suite file"),
  agents: z.array(z.string()).min(1).describe("agent files, relative to the suite file"),
  default_agents: z
    .array(z.string())
    .min(1, "list at least one agent (or leave default_agents out: the first agent runs)")
    .optional()
    .describe("agents run without --agent; default: the first"),
  mode: z.literal("shadow").default("shadow"),
  epochs: z.number().int().positive().max(INT32_MAX).default(1),
  concurrency: z.number().int().positive().default(4),
  seed: z
    .number()
    .int()
    .min(-INT32_MAX - 1, "expected a seed from -2147483648 to 2147483647 (the store keeps 32 bits)")
    .max(INT32_MAX, "expected a seed from -2147483648 to 2147483647 (the store keeps 32 bits)")
    .default(1),
  faults: z.array(Fault).default([]),
  limit: z.number().int().positive().optional().describe("replay only the first n cases"),
  exit_criteria: z.partialRecord(Phase, z.array(Criterion)).optional(),
  gate: GateRules.optional(),
});

export type Phase = z.infer<typeof Phase>;
export type Fault = z.infer<typeof Fault>;
export type Criterion = z.infer<typeof Criterion>;
export type GateRules = z.infer<typeof GateRules>;
export type Suite = z.infer<typeof Suite>;
