import type {
  Case,
  DecisionRule,
  EvidenceRecord,
  Hypothesis,
  RecommendedAction,
  Step,
  TriageOutput,
  Workflow,
} from "../schema/index.js";
import type { ToolSandbox } from "../tools/sandbox.js";
import { findAction, requiredApproval } from "../workflow/approval.js";
import { type Facts, matchingRecords, whenHolds } from "../workflow/conditions.js";
import type { LoadedAgent } from "../workflow/load.js";

export type Decision = Omit<DecisionRule, "when"> & { when?: DecisionRule["when"] };

/**
 * The deterministic SOAR baseline: walk the workflow's playbook, then apply its decision rules to
 * what was gathered. It sees only what its steps return and reasons only as the rules are written,
 * which is exactly why an LLM agent has something to beat.
 */
export function runPlaybook(
  c: Case,
  wf: Workflow,
  agent: LoadedAgent,
  sandbox: ToolSandbox,
): { steps: Step[]; output: TriageOutput } {
  const { steps, gathered, facts, named, forceEscalate } = gatherPlaybook(c, wf, agent, sandbox);
  const rule = pickRule(wf, facts);
  const humanOnly = wf.negative_playbook.human_only.filter((h) => whenHolds(h.when, facts));
  const cited = citedRecords(rule, facts, gathered);
  const citedIds = cited.map((r) => r.id);
  const escalate = rule.escalate || forceEscalate || humanOnly.length > 0;

  const hypotheses: Hypothesis[] = [
    {
      kind: rule.verdict === "true_positive" ? "malicious" : "benign",
      explanation: rule.description,
      evidence: citedIds,
    },
  ];
  const recommended_actions: RecommendedAction[] = rule.actions.flatMap((ra) => {
    const action = findAction(wf, ra.action);
    if (!action) return [];
    const target = c.alert.entities.find((e) => e.type === ra.target_entity)?.value ?? c.alert.title;
    const needed = requiredApproval(wf, action, facts, rule.confidence);
    return [
      {
        action: action.id,
        target,
        requires_approval: needed.approval !== "none",
        rationale: `${rule.description} (rule ${rule.id}; approval: ${needed.reasons.join(", ")})`,
        evidence: citedIds,
        rollback: action.reversible
          ? `Undo ${action.id} on ${target} once the investigation clears it.`
          : `Not reversible: if ${target} is cleared, the owner restores service by hand (${action.description}).`,
      },
    ];
  });

  // a description that already ends a sentence keeps its own stop
  const sentence = /[.!?]$/.test(rule.description) ? rule.description : `${rule.description}.`;
  const summaryParts = [sentence, `Alert: ${c.alert.title}.`];
  if (humanOnly.length)
    summaryParts.push(`Human-only: ${humanOnly.map((h) => h.description.replace(/[.!?]$/, "")).join("; ")}.`);
  if (named.size) summaryParts.push(`Sources not available: ${[...named].join(", ")}.`);

  return {
    steps,
    output: {
      verdict: rule.verdict,
      confidence: rule.confidence,
      escalate,
      summary: summaryParts.join(" "),
      hypotheses,
      recommended_actions,
      evidence: citedIds,
      missing_sources: [...named],
      human_only: humanOnly.length > 0,
    },
  };
}

/**
 * Walk the playbook's steps in the agent's scope, as the sandbox answers them: what was gathered,
 * the sources a failed step left missing, and those whose fallback escalates.
 */
export function gatherPlaybook(
  c: Case,
  wf: Workflow,
  agent: Pick<LoadedAgent, "tools" | "mutate">,
  sandbox: ToolSandbox,
): { steps: Step[]; gathered: EvidenceRecord[]; facts: Facts; named: Set<string>; forceEscalate: boolean } {
  const steps: Step[] = [];
  const gathered: EvidenceRecord[] = [];
  const missing = new Set<string>();
  const named = new Set<string>();
  let forceEscalate = false;
  const skip = new Set(agent.mutate?.skip_tools ?? []);
  const scope = agent.tools;

  for (const step of wf.playbook) {
    if (skip.has(step.tool) || (scope !== "all" && !scope.includes(step.tool))) continue;
    const tool = wf.tools.find((t) => t.name === step.tool)!;
    const input = buildInput(step.input, c);
    let answer = sandbox.call(step.tool, input);
    steps.push(answer.step);
    if (answer.step.status !== "ok" && tool.fallback === "retry_once") {
      answer = sandbox.call(step.tool, input);
      steps.push(answer.step);
    }
    if (answer.step.status === "ok") {
      gathered.push(...answer.records);
      continue;
    }
    missing.add(tool.source);
    if (tool.fallback === "escalate") {
      forceEscalate = true;
      named.add(tool.source);
    }
  }
  return { steps, gathered, facts: { alert: c.alert, evidence: gathered, missing }, named, forceEscalate };
}

/** The decision the playbook agent takes on these facts: the first rule whose conditions hold, else the default. */
export function pickRule(wf: Workflow, facts: Facts): Decision {
  return wf.decision_rules.find((r) => whenHolds(r.when, facts)) ?? wf.default_decision;
}

// a step's input spec is fixed per workflow: list its entries once, not on every case
const specEntries = new WeakMap<Record<string, string>, [string, string][]>();

function buildInput(spec: Record<string, string>, c: Case): Record<string, unknown> {
  let entries = specEntries.get(spec);
  if (!entries) {
    entries = Object.entries(spec);
    specEntries.set(spec, entries);
  }
  const input: Record<string, unknown> = {};
  for (const [param, from] of entries) {
    if (from.startsWith("=")) input[param] = from.slice(1);
    else {
      const v = c.alert.entities.find((e) => e.type === from)?.value;
      if (v !== undefined) input[param] = v;
    }
  }
  return input;
}

function citedRecords(rule: Decision, facts: Facts, gathered: EvidenceRecord[]): EvidenceRecord[] {
  const out = new Map<string, EvidenceRecord>();
  if (rule.when) for (const r of matchingRecords(rule.when, facts)) out.set(r.id, r);
  for (const r of gathered) if (rule.cite.includes(r.source)) out.set(r.id, r);
  return [...out.values()];
}
