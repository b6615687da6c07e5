import { z } from "zod";
import { OutputStatus } from "../schema/output-status.js";
import { Criterion, Phase } from "../schema/suite.js";

/**
 * The `soceval report --format json` document. Keys are a public contract (CI and dashboards parse
 * them; reports/README.md documents them): add keys, never rename or remove them.
 */
export const Estimate = z.strictObject({
  value: z.number().nullable().describe("point estimate; null when not measured"),
  lower: z.number().nullable().describe("lower end of the 95% interval, when defined"),
  upper: z.number().nullable(),
  n: z.number().describe("observations the metric is over (case×epoch rows, items or pairs)"),
  x: z
    .number()
    .optional()
    .describe("for a proportion: how many of the n count (exact, where value is rounded to 6 digits)"),
  method: z.enum(["wilson", "rule_of_three", "bootstrap", "normal", "point", "connor"]),
});

export const RunInfo = z.strictObject({
  run_id: z.string(),
  suite: z.string().nullable(),
  suite_path: z.string().nullable(),
  workflow: z.string().nullable(),
  workflow_version: z.string().nullable(),
  dataset: z.string().nullable(),
  dataset_hash: z.string().nullable(),
  git_revision: z.string().nullable(),
  seed: z.number().nullable(),
  epochs: z.number().nullable(),
  kind: z.string().nullable(),
  status: z.string().nullable(),
  started_at: z.string().nullable(),
  finished_at: z.string().nullable(),
  cases_total: z.number().nullable(),
  agents: z.array(z.string()),
});

export const BreakdownRow = z.strictObject({
  key: z.string(),
  cases: z.number(),
  n: z.number(),
  metrics: z.record(z.string(), Estimate),
});

export const Confusion = z.strictObject({
  analyst: z.array(z.string()).describe("row labels: the analyst's verdicts"),
  agent: z.array(z.string()).describe("column labels: the agent's verdicts, then no_output"),
  counts: z.array(z.array(z.number())),
});

export const ViolationRow = z.strictObject({
  kind: z.string(),
  severity: z.string(),
  findings: z.number().describe("findings, every epoch's"),
  cases: z.number().describe("distinct cases with at least one such finding (a case once over its epochs)"),
});

export const SourceRow = z.strictObject({
  source: z.string(),
  cases_with_evidence: z.number().describe("cases whose evidence snapshot holds records of this source"),
  cases_unavailable: z.number().describe("cases where the source was down in history"),
  cases_queried: z.number().describe("distinct cases (not case×epoch) with a call to a tool of this source"),
  calls: z.number(),
  ok: z.number(),
  errors: z.number(),
  timeouts: z.number(),
  unavailable: z.number(),
  denied: z.number(),
  records_returned: z.number(),
  failure_rate: Estimate.describe(
    "failed calls (error, timeout) ÷ calls; unavailable (the case's data) and denied (refused) are not failures",
  ),
});

export const TrapFindingRow = z.strictObject({ tag: z.string(), kind: z.string(), findings: z.number() });

export const WorstCaseFinding = z.strictObject({
  scorer: z.string().nullable(),
  kind: z.string(),
  severity: z.string().nullable(),
  detail: z.string().nullable(),
  evidence_id: z.string().nullable(),
  action: z.string().nullable(),
  step: z.number().nullable().describe("index of the transcript step that returned evidence_id, if any"),
});

export const WorstCaseStep = z.strictObject({
  index: z.number(),
  type: z.string(),
  tool: z.string().nullable(),
  status: z.string().nullable(),
  input: z.unknown(),
  evidence_ids: z.array(z.string()),
  latency_ms: z.number().nullable(),
  note: z.string().nullable(),
  tokens_in: z.number().nullable(),
  tokens_out: z.number().nullable(),
  cost_usd: z.number().nullable(),
});

export const WorstCase = z.strictObject({
  anchor: z.string().describe("HTML anchor id of this case in the report"),
  case_id: z.string(),
  epoch: z.number().describe("the case's worst epoch, the one shown; each case is listed once"),
  epochs_bad: z.number().describe("epochs of this case that went wrong (any reason), the shown one included"),
  epochs_run: z.number().describe("epochs of this case stored for the agent"),
  incident_id: z.string().nullable(),
  tags: z.array(z.string()),
  reasons: z.array(z.string()),
  alert: z.unknown().describe("the alert as stored (attacker-controlled text)"),
  label: z.unknown(),
  verdict: z.string().nullable(),
  escalate: z.boolean().nullable(),
  output_status: OutputStatus.describe(
    "of the epoch shown: what a null verdict stands for, an output that failed the schema (invalid) or none",
  ),
  output: z.unknown(),
  error: z.string().nullable(),
  findings: z.array(WorstCaseFinding),
  steps: z.array(WorstCaseStep),
});

/** Which side of a ratio counts against it: what it counts (a miss), or what it does not (a disagreement). */
const Side = z.enum(["numerator", "complement"]);

export const CasesBehind = z.strictObject({
  metric: z.string().describe("a rate of `metrics`: a headline proportion, an item ratio or `violation_rate.<kind>`"),
  counts: z
    .enum(["numerator", "complement", "items"])
    .describe(
      "which rows count against the rate: `numerator` the rows it counts (a miss, a violation), `complement` the rows of its denominator it does not (a disagreement, an escalation missed), `items` the rows holding at least one item against a ratio of items (a required item not gathered, a failed tool call, a missing audit item: audit_completeness is a mean over six items per investigation), how many in `items`",
    ),
  rows: z.number().describe("case×epoch rows that count against the rate"),
  cases: z.number().describe("distinct cases among those rows"),
  items: z
    .number()
    .optional()
    .describe("`counts: items` only: the items those rows hold against the ratio, summed (the report's x or n − x)"),
  item_counts: Side.optional().describe(
    "`counts: items` only: which items count against the ratio, `numerator` the ones it counts (a failed tool call, so `items` is x), `complement` the ones of its denominator it does not (a required item not gathered, so `items` is n − x)",
  ),
  listed: z
    .array(
      z.strictObject({
        case_id: z.string(),
        epochs: z.number().describe("of its epochs, how many count"),
        items: z.number().optional().describe("`counts: items` only: the items against the ratio, over those epochs"),
        output_status: OutputStatus.describe(
          "over the epochs that count: valid when any answered validly, else invalid when any answered (an output that failed the triage schema), else none (no output at all); `soceval cases --format jsonl` gives each row's",
        ),
      }),
    )
    .describe("the first of those cases by id, at most 50"),
  query: z
    .string()
    .describe(
      "SQL for `soceval query` that lists every such row (with its `items`, for a ratio; and its `audit_missing`, for audit_completeness)",
    ),
});

export const ModelUsage = z.strictObject({
  calls: z.number().describe("model calls recorded, failed ones included"),
  failed: z.number().describe("calls that got no answer after every attempt"),
  attempts: z.number().describe("attempts in all, retries included"),
  retried: z.number().describe("calls that needed more than one attempt (a 429, a 5xx, a timeout, a broken body)"),
  tokens_in: z.number(),
  tokens_cached_in: z.number().describe("of tokens_in, read from the provider's prompt cache"),
  tokens_cache_write: z.number().describe("of tokens_in, written to the prompt cache"),
  tokens_out: z.number(),
  cost_usd: z.number(),
  unreported: z
    .number()
    .describe("calls whose answer carried no token usage: their tokens and cost are unknown, not counted above"),
  limit_stops: z.number().describe("investigations a limit (steps, tokens, cost, time) stopped"),
  limit_stops_by: z
    .record(z.string(), z.number())
    .describe(
      "of limit_stops, how many each limit stopped: max_steps, max_tokens, max_cost_usd, max_seconds, params.max_tokens (an answer cut off at the token limit), context_window (a conversation the model's context refused)",
    ),
  replaced_calls: z
    .number()
    .describe(
      "model calls of investigations replayed again: by `--resume --retry-failed`, or cut short by a Ctrl-C (replaced_model_calls)",
    ),
  replaced_cost_usd: z.number().describe("what those cost, on top of cost_usd"),
  price: z
    .record(z.string(), z.number())
    .nullable()
    .describe("USD per million tokens the agent ran with (run_agents.config); null: none, so free"),
});

export const AgentReport = z.strictObject({
  agent: z.string(),
  provider: z.string().nullable(),
  model: z.string().nullable(),
  agent_hash: z.string().nullable(),
  cases: z.number(),
  investigations: z.number(),
  metrics: z.record(z.string(), Estimate),
  confusion: Confusion,
  violations: z.array(ViolationRow),
  breakdowns: z.strictObject({
    workflow: z.array(BreakdownRow),
    alert_severity: z.array(BreakdownRow),
    trap_tag: z.array(BreakdownRow),
    evidence_source: z.array(BreakdownRow),
    epoch: z.array(BreakdownRow).describe("empty when the run has one epoch"),
  }),
  evidence_sources: z.array(SourceRow),
  model_usage: ModelUsage.nullable().describe("null for an agent that made no model calls (the playbook)"),
  provider_failures: z
    .strictObject({
      failed: z.number(),
      investigations: z.number(),
      missing: z
        .number()
        .describe(
          "of failed: investigations of an imported run with no transcript at all (run.incomplete counts them)",
        ),
    })
    .describe(
      "investigations the provider failed (transcript error provider:/internal:; any error of an imported run, and a case it has no transcript for): they count as failed answers in every metric",
    ),
  findings_by_trap: z.array(TrapFindingRow),
  worst_cases: z.array(WorstCase),
  cases_behind: z
    .array(CasesBehind)
    .describe(
      "per rate, the cases that count against it: the headline rates and item ratios, then each violation kind found",
    ),
});

export const CriterionStatus = z.enum(["met", "not met", "not measured"]);

export const CriterionResult = z.strictObject({
  ...Criterion.shape,
  description: z.string().nullable(),
  status: CriterionStatus,
  compared: z.number().nullable().describe("the value held against the threshold (point or bound)"),
  estimate: Estimate.nullable(),
  note: z.string().nullable(),
});

export const PhaseResult = z.strictObject({
  phase: Phase,
  agent: z.string(),
  source: z.enum(["suite", "default"]),
  status: CriterionStatus,
  criteria: z.array(CriterionResult),
});

/**
 * The readiness score the readiness phase was judged on, and where it was looked for: a blocked
 * workflow names its gates, and a score stored under another workflow id shows as such.
 */
export const ReportReadiness = z.strictObject({
  workflow: z.string().nullable().describe("the run's workflow: the id a readiness score is looked up by"),
  candidate: z
    .string()
    .nullable()
    .describe("the scored candidate; null when the store holds no score for the workflow"),
  scored_at: z.string().nullable(),
  blockers: z
    .array(
      z.strictObject({
        gate: z.string().describe("the hard gate's id in the readiness matrix"),
        title: z.string().nullable().describe("its `blocker` text; null for a score stored before soceval kept it"),
      }),
    )
    .describe("the hard gates that block the workflow, in the matrix's order"),
  stored_workflows: z
    .array(z.string())
    .describe(
      "every workflow id the store holds readiness scores for, sorted (an answer file's mistyped id shows here)",
    ),
});

/** The report's run: RunInfo plus what the report can vouch for (a run that did not finish covers fewer cases). */
export const ReportRun = RunInfo.extend({
  cases_stored: z.number().describe("cases with stored results; cases_total is set only when a run ends"),
  incomplete: z
    .string()
    .nullable()
    .describe("null for a finished run; else the warning every format shows: the results are partial"),
  warnings: z
    .array(z.string())
    .describe(
      "every warning the report leads with: `incomplete`, a rescore, one per agent whose provider failed investigations, evidence out of the tools' reach, then an analyst_reviews table without the columns it is read by",
    ),
  agents_without_results: z
    .array(
      z.strictObject({
        agent: z.string(),
        replaced_calls: z.number().describe("its model calls in replaced_model_calls for this run"),
        replaced_cost_usd: z.number().describe("what those cost"),
      }),
    )
    .describe(
      "agents of the run with no stored results whose model calls were replaced (every investigation cut short by a Ctrl-C, not stored; a plain --resume replays them): what they spent, which no agent section shows",
    ),
});

export const ReportDoc = z.strictObject({
  schema: z.literal("soceval.report/v1"),
  run: ReportRun,
  statistics: z.strictObject({
    confidence: z.number(),
    bootstrap_replicates: z.number(),
    seed: z.string(),
    criteria_note: z.string().nullable(),
  }),
  agents: z.record(z.string(), AgentReport),
  phases: z.array(PhaseResult),
  readiness: ReportReadiness,
});

export type Estimate = z.infer<typeof Estimate>;
export type RunInfo = z.infer<typeof RunInfo>;
export type ReportRun = z.infer<typeof ReportRun>;
export type BreakdownRow = z.infer<typeof BreakdownRow>;
export type Confusion = z.infer<typeof Confusion>;
export type ViolationRow = z.infer<typeof ViolationRow>;
export type SourceRow = z.infer<typeof SourceRow>;
export type TrapFindingRow = z.infer<typeof TrapFindingRow>;
export type WorstCase = z.infer<typeof WorstCase>;
export type WorstCaseStep = z.infer<typeof WorstCaseStep>;
export type WorstCaseFinding = z.infer<typeof WorstCaseFinding>;
export type AgentReport = z.infer<typeof AgentReport>;
export type ModelUsage = z.infer<typeof ModelUsage>;
export type CasesBehind = z.infer<typeof CasesBehind>;
export type CriterionResult = z.infer<typeof CriterionResult>;
export type ReportReadiness = z.infer<typeof ReportReadiness>;
export type CriterionStatus = z.infer<typeof CriterionStatus>;
export type PhaseResult = z.infer<typeof PhaseResult>;
export type ReportDoc = z.infer<typeof ReportDoc>;
