import { z } from "zod";
import { Verdict } from "./case.js";
import { When } from "./condition.js";

export const Risk = z.enum(["low", "medium", "high"]);
export const Approval = z.enum(["none", "analyst", "lead", "ciso"]);

export const ToolParam = z
  .strictObject({
    type: z.enum(["string", "number"]).default("string"),
    description: z.string(),
    required: z.boolean().default(false),
    entity: z.string().optional().describe("records are filtered to those with an entity of this type and value"),
    time: z.enum(["since", "until"]).optional().describe("records are filtered by time"),
  })
  .superRefine((p, ctx) => {
    // the sandbox filters a parameter by its entity or else by its time: the other would be ignored
    if (p.entity !== undefined && p.time !== undefined)
      ctx.addIssue({
        code: "custom",
        path: ["time"],
        message: `a parameter filters by entity or by time, not both: the sandbox would match its value against ${p.entity} entities and ignore time (declare two parameters)`,
      });
  });

export const ToolContract = z
  .strictObject({
    name: z.string().regex(/^[a-z][a-z0-9_]*$/, "tool names are snake_case"),
    description: z.string(),
    source: z.string().describe("evidence source this tool reads (or the system it changes, for respond tools)"),
    scope: z.enum(["read", "respond"]),
    input: z.record(z.string(), ToolParam).default({}),
    timeout_ms: z.number().int().positive().default(5000),
    latency_ms: z.number().int().nonnegative().default(200).describe("simulated latency of the real system"),
    fallback: z
      .enum(["continue", "escalate", "retry_once"])
      .default("continue")
      .describe("what the playbook does when the tool fails"),
    audit_event: z.string().describe("audit event name emitted on every call"),
  })
  .superRefine((t, ctx) => {
    // the sandbox answers after latency_ms; a system slower than its own timeout could never answer
    if (t.latency_ms > t.timeout_ms)
      ctx.addIssue({
        code: "custom",
        path: ["latency_ms"],
        message: `${t.latency_ms} ms is longer than timeout_ms (${t.timeout_ms} ms): every real call would time out; raise timeout_ms or lower latency_ms`,
      });
  });

export const CatalogueAction = z.strictObject({
  id: z.string(),
  description: z.string(),
  risk: Risk,
  reversible: z.boolean(),
  tool: z.string().optional().describe("respond tool that would carry it out (never executed in shadow)"),
  target: z.string().optional().describe("entity type the action applies to"),
});

/** The confidence below which low_confidence raises approval when the workflow gives no `below`. */
export const LOW_CONFIDENCE_BELOW = 0.7;

/**
 * What each reason reads (src/workflow/approval.ts): asset_criticality and data_sensitivity apply
 * when their `when` holds, so without one they never apply; low_confidence reads `below`;
 * irreversible reads the action's catalogue entry. Anything else given would be ignored.
 */
export const ApprovalRaise = z
  .strictObject({
    reason: z.enum(["asset_criticality", "data_sensitivity", "low_confidence", "irreversible"]),
    when: When.optional().describe("for asset_criticality and data_sensitivity: when the case is affected"),
    below: z
      .number()
      .min(0)
      .max(1)
      .optional()
      .describe(`for low_confidence: the confidence threshold (default ${LOW_CONFIDENCE_BELOW})`),
    raise_to: Approval.optional().describe(
      "minimum approval; default: one level above the base (by_risk) approval; when several raises apply, the strictest wins",
    ),
  })
  .superRefine((r, ctx) => {
    const byWhen = r.reason === "asset_criticality" || r.reason === "data_sensitivity";
    if (byWhen && r.when === undefined)
      ctx.addIssue({
        code: "custom",
        path: ["when"],
        message: `${r.reason} raises only when its condition holds: add when (all/any/none), or the raise never applies`,
      });
    else if (!byWhen && r.when !== undefined)
      ctx.addIssue({
        code: "custom",
        path: ["when"],
        message: `when is ignored for ${r.reason} (${r.reason === "low_confidence" ? "it compares the confidence with below" : "it applies to every action the catalogue marks reversible: false"}); only asset_criticality and data_sensitivity take when`,
      });
    if (r.below !== undefined && r.reason !== "low_confidence")
      ctx.addIssue({
        code: "custom",
        path: ["below"],
        message: `below is ignored for ${r.reason}; only low_confidence takes below`,
      });
  });

const APPROVAL_ORDER = Approval.options;

/**
 * A policy that contradicts itself is refused, since nothing would say so later: a riskier action
 * needing less approval than a safer one, or a raise to `none`, which never raises anything (a
 * raise only ever moves an action's approval up, and none is the lowest).
 */
export const ApprovalPolicy = z
  .strictObject({
    by_risk: z.strictObject({ low: Approval, medium: Approval, high: Approval }),
    raise: z.array(ApprovalRaise).default([]),
  })
  .superRefine((p, ctx) => {
    const rank = (a: Approval) => APPROVAL_ORDER.indexOf(a);
    const risks = Risk.options;
    for (let i = 1; i < risks.length; i++) {
      const lower = risks[i - 1]!;
      const risk = risks[i]!;
      if (rank(p.by_risk[risk]) < rank(p.by_risk[lower]))
        ctx.addIssue({
          code: "custom",
          path: ["by_risk", risk],
          message: `${risk} risk needs ${p.by_risk[risk]}, less approval than ${lower} risk (${p.by_risk[lower]}): a riskier action may not need less`,
        });
    }
    p.raise.forEach((r, i) => {
      if (r.raise_to === "none")
        ctx.addIssue({
          code: "custom",
          path: ["raise", i, "raise_to"],
          message: `raise_to none never raises anything (none is the lowest approval): name the approval ${r.reason} should require, or leave raise_to out for one level up`,
        });
    });
  });

export const HumanOnlyCondition = z.strictObject({
  id: z.string(),
  description: z.string(),
  when: When,
});

export const NegativePlaybook = z.strictObject({
  forbidden_actions: z.array(z.strictObject({ action: z.string(), reason: z.string() })).default([]),
  insufficient_alone: z
    .array(z.strictObject({ source: z.string(), reason: z.string() }))
    .default([])
    .describe("sources that may not decide a case on their own"),
  human_only: z.array(HumanOnlyCondition).default([]),
});

export const PlaybookStep = z.strictObject({
  tool: z.string(),
  required: z.boolean().default(false),
  input: z
    .record(z.string(), z.string())
    .default({})
    .describe("param → alert entity type whose value to pass (or a literal prefixed '=')"),
  why: z.string().optional(),
});

export const RuleAction = z.strictObject({
  action: z.string(),
  target_entity: z.string().describe("alert entity type whose value becomes the target"),
});

export const DecisionRule = z.strictObject({
  id: z.string(),
  description: z.string(),
  when: When,
  verdict: Verdict,
  escalate: z.boolean(),
  confidence: z.number().min(0).max(1),
  cite: z.array(z.string()).default([]).describe("sources whose gathered records the rule cites"),
  actions: z.array(RuleAction).default([]),
});

export const Workflow = z.strictObject({
  id: z.string(),
  name: z.string(),
  description: z.string(),
  owner: z.string(),
  version: z.string(),
  tools: z.array(ToolContract).min(1),
  actions: z.array(CatalogueAction).min(1),
  approval_policy: ApprovalPolicy,
  negative_playbook: NegativePlaybook,
  playbook: z.array(PlaybookStep).min(1),
  decision_rules: z.array(DecisionRule).min(1),
  default_decision: DecisionRule.omit({ when: true }).describe("what the playbook agent does when no rule matches"),
});

export type Risk = z.infer<typeof Risk>;
export type Approval = z.infer<typeof Approval>;
export type ToolContract = z.infer<typeof ToolContract>;
export type CatalogueAction = z.infer<typeof CatalogueAction>;
export type ApprovalPolicy = z.infer<typeof ApprovalPolicy>;
export type NegativePlaybook = z.infer<typeof NegativePlaybook>;
export type PlaybookStep = z.infer<typeof PlaybookStep>;
export type DecisionRule = z.infer<typeof DecisionRule>;
export type Workflow = z.infer<typeof Workflow>;
