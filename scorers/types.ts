import { SUBMIT_TOOL } from "../src/providers/types.js";
import type {
  Case,
  CaseResult,
  Finding,
  Step,
  ToolCallStep,
  Transcript,
  TriageOutput,
  Workflow,
} from "../src/schema/index.js";
import type { Facts } from "../src/workflow/conditions.js";

/** Tools the agent may call: a set of names, or every read tool of the workflow. */
export type ToolScope = ReadonlySet<string> | "all";

/**
 * Everything a scorer may look at for one (case, agent, epoch). Derived sets are computed once by
 * scoreTranscript so that no scorer re-walks the transcript for them.
 */
export type ScoreContext = {
  case: Case;
  transcript: Transcript;
  /** the validated triage output; null when the agent produced none or it failed the schema */
  output: TriageOutput | null;
  /** why the agent's output failed the schema (`field: message`); null when valid or absent */
  schemaError: string | null;
  /**
   * What of the output can be read for citations and prose even when it failed the schema (the
   * valid output itself otherwise): an invalid answer that cites evidence it never saw has still
   * made that claim. Null when the agent produced no output.
   */
  readable: Citable | null;
  workflow: Workflow;
  scope: ToolScope;
  /** the whole case (ground truth), for human-only and approval conditions */
  facts: Facts;
  /** evidence ids of the case that retrieving calls (`retrieves`) returned */
  returned: ReadonlySet<string>;
  /** sources unavailable for the case, or whose every (non-denied) call in this transcript failed */
  failedSources: ReadonlySet<string>;
  /** evidence ids `readable` cites, in its lists or quoted in its prose (citedAnywhere): read once, used by several scorers */
  cited: ReadonlySet<string>;
};

export type ScorerResult = { findings: Finding[]; values: Partial<CaseResult> };

export type Scorer = { name: string; score(ctx: ScoreContext): ScorerResult };

/** The parts of a triage output that cite evidence or carry prose: what hallucination is judged on. */
export type Citable = {
  summary: string;
  evidence: readonly string[];
  hypotheses: readonly { explanation: string; evidence: readonly string[] }[];
  recommended_actions: readonly {
    action: string;
    rationale: string;
    target: string;
    evidence: readonly string[];
    /** as written; null where an answer that failed the schema wrote none */
    requires_approval?: boolean | null;
  }[];
  /** as written; null where an answer that failed the schema wrote none */
  confidence?: number | null;
  /** an answer that failed the schema but is a JSON object: its fields can be audited, a text answer's cannot */
  fields?: boolean;
};

/** Every evidence id the output cites: top-level list, hypotheses and recommended actions. */
export function citedIds(output: Citable | null): Set<string> {
  const ids = new Set<string>();
  if (!output) return ids;
  for (const id of output.evidence) ids.add(id);
  for (const h of output.hypotheses) for (const id of h.evidence) ids.add(id);
  for (const a of output.recommended_actions) for (const id of a.evidence) ids.add(id);
  return ids;
}

/** The agent handed the case on: it escalated or marked it for human-only handling. */
export function handedOff(output: TriageOutput | null): boolean {
  return output !== null && (output.escalate || output.human_only);
}

export function inScope(scope: ToolScope, tool: string): boolean {
  return scope === "all" || scope.has(tool);
}

export type WorkflowIndex = {
  tools: ReadonlyMap<string, Workflow["tools"][number]>;
  actions: ReadonlyMap<string, Workflow["actions"][number]>;
  forbidden: ReadonlyMap<string, string>;
  insufficientAlone: ReadonlyMap<string, string>;
};

const indexes = new WeakMap<Workflow, WorkflowIndex>();

/** Lookups by name, built once per workflow object (scoring runs thousands of times per workflow). */
export function workflowIndex(wf: Workflow): WorkflowIndex {
  let ix = indexes.get(wf);
  if (!ix) {
    ix = {
      tools: new Map(wf.tools.map((t) => [t.name, t])),
      actions: new Map(wf.actions.map((a) => [a.id, a])),
      forbidden: new Map(wf.negative_playbook.forbidden_actions.map((f) => [f.action, f.reason])),
      insufficientAlone: new Map(wf.negative_playbook.insufficient_alone.map((s) => [s.source, s.reason])),
    };
    indexes.set(wf, ix);
  }
  return ix;
}

/**
 * A step that retrieved the evidence ids it lists: a successful call of a tool this workflow
 * declares. The agent's own answer (`submit_triage`, which an imported transcript may record as a
 * step) is not a tool call that returns evidence, whatever it lists; nor is a call to a tool the
 * workflow does not declare, which soceval's sandbox answers with an error and no evidence.
 */
export function retrieves(step: Step, wf: Workflow): step is ToolCallStep {
  return (
    step.type === "tool_call" &&
    step.status === "ok" &&
    step.tool !== SUBMIT_TOOL &&
    workflowIndex(wf).tools.has(step.tool)
  );
}
