import { SUBMIT_TOOL } from "../src/providers/types.js";
import type { Finding } from "../src/schema/index.js";
import { describeValue, extractIndicatorsOfLines, type Indicator, KnownIndicators, mentions } from "./indicators.js";
import { type Citable, citedIds, type ScoreContext, type Scorer, workflowIndex } from "./types.js";

const NAME = "hallucinated-evidence";

/** Where the agent's prose lives; an indicator anywhere here must come from what it was shown. */
function proseFields(o: Citable): { where: string; text: string }[] {
  const fields = [{ where: "summary", text: o.summary }];
  o.hypotheses.forEach((h, i) => {
    fields.push({ where: `hypothesis ${i + 1}`, text: h.explanation });
  });
  for (const a of o.recommended_actions) {
    fields.push({ where: `${a.action} rationale`, text: a.rationale });
    fields.push({ where: `${a.action} target`, text: a.target });
  }
  return fields;
}

/** The first field naming the indicator, for the finding's detail (only computed for fabricated ones). */
function whereIs(fields: { where: string; text: string }[], ind: Indicator): string {
  for (const f of fields) if (mentions(f.text, ind.value)) return f.where;
  return "the output";
}

/** "a" or "an" before a word: the statuses a call can have are "error", "unavailable", "timeout", "denied". */
const article = (word: string): string => (/^[aeiou]/i.test(word) ? "an" : "a");

function whyNotReturned(ctx: ScoreContext, id: string): string {
  const listed = ctx.transcript.steps.find((s) => s.type === "tool_call" && s.evidence_ids.includes(id));
  if (!ctx.case.evidence.some((e) => e.id === id))
    return `no such evidence record exists in this case${listed?.type === "tool_call" ? ` (a call to ${listed.tool} listed it)` : ""}`;
  if (listed?.type === "tool_call") {
    if (listed.status !== "ok")
      return `only ${article(listed.status)} ${listed.status} call to ${listed.tool} listed it, and a failed call returns nothing`;
    if (listed.tool === SUBMIT_TOOL)
      return `only the agent's own answer (${SUBMIT_TOOL}) listed it, and the answer is not a tool call that returns evidence`;
    if (!workflowIndex(ctx.workflow).tools.has(listed.tool))
      return `only a call to ${listed.tool} listed it, which is not a tool of this workflow and so returns no evidence`;
  }
  return "the record exists in the case but no successful tool call returned it";
}

function citedEvidence(ctx: ScoreContext, output: Citable): Finding[] {
  const findings: Finding[] = [];
  for (const id of citedIds(output)) {
    if (ctx.returned.has(id)) continue;
    // the tool call that listed the id, when one did: a reader goes from the finding to that step
    const step = ctx.transcript.steps.findIndex((s) => s.type === "tool_call" && s.evidence_ids.includes(id));
    findings.push({
      scorer: NAME,
      kind: "hallucinated_evidence",
      severity: "high",
      detail: `cites evidence ${id}, which this investigation never retrieved: ${whyNotReturned(ctx, id)}`,
      evidence_id: id,
      ...(step >= 0 ? { step } : {}),
    });
  }
  return findings;
}

function fabricatedIndicators(ctx: ScoreContext, output: Citable): Finding[] {
  const fields = proseFields(output);
  // field by field: templated fields recur across cases and are extracted once
  const candidates = extractIndicatorsOfLines(fields.map((f) => f.text));
  if (candidates.length === 0) return [];

  // Staged so the common case (indicators copied from the alert) never walks the evidence.
  const alert = ctx.case.alert;
  const known = new KnownIndicators()
    .add(alert.title)
    .add(alert.description)
    .add(alert.rule)
    .add(alert.source)
    .add(alert.entities);
  let unknown = candidates.filter((i) => !known.appears(i));
  // the raw alert is large and rarely needed: only normalised when the fields above fall short
  // (adding text never makes an indicator stop appearing, so this filters exactly as one pass)
  if (unknown.length > 0 && alert.raw !== undefined) {
    known.add(alert.raw);
    unknown = unknown.filter((i) => !known.appears(i));
  }
  if (unknown.length === 0) return [];
  for (const r of ctx.case.evidence) if (ctx.returned.has(r.id)) known.add(r.entities).add(r.data);
  unknown = unknown.filter((i) => !known.has(i));
  if (unknown.length === 0) return [];

  const ungathered = new KnownIndicators();
  for (const r of ctx.case.evidence) if (!ctx.returned.has(r.id)) ungathered.add(r.entities).add(r.data);
  return unknown.map((ind) => ({
    scorer: NAME,
    kind: "fabricated_indicator" as const,
    severity: "medium" as const,
    detail:
      `${whereIs(fields, ind)} names ${ind.kind} ${describeValue(ind)}, which appears in neither the alert nor any evidence a successful ` +
      `tool call returned${ungathered.has(ind) ? " (it is only in evidence the agent never gathered)" : ""}`,
  }));
}

/** Citations and indicators the agent could not have seen: the core of "not fooled by a confident summary". */
export const hallucinatedEvidence: Scorer = {
  name: NAME,
  score(ctx) {
    // judged on what the output claims, valid or not (ctx.readable)
    const output = ctx.readable;
    const findings = output ? [...citedEvidence(ctx, output), ...fabricatedIndicators(ctx, output)] : [];
    return { findings, values: { hallucinated: findings.length > 0, hallucination_count: findings.length } };
  },
};
