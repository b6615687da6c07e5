import type { Disagreement, DisagreementAnswer } from "../analytics/compare-schema.js";
import { answerLabel } from "../schema/output-status.js";
import { CLIP, clip } from "./format.js";

/**
 * A disagreement's drill-down as the compare page shows it: each side's answer, findings and calls,
 * then the analyst's required evidence side by side. Every text field is model or alert text
 * (attacker-controlled): clipped here, escaped by the template.
 */
export function disagreementDetailView(d: Disagreement) {
  const answers = d.detail.answers;
  const multiEpoch = answers.some((a) => a.epochs_run > 1);
  // the analyst's list is the case's; two dataset versions may differ, so every id either side was asked for
  const required = [...new Set(answers.flatMap((a) => a.required_evidence.map((q) => q.id)))];
  return {
    summary: answers.map((a) => `${a.label}: ${gatheredCount(a)}, ${plural(a.findings.length, "finding")}`).join(" · "),
    epoch_note: multiEpoch
      ? `Epoch ${d.detail.epoch} shown, the one the row compares; ${answers
          .map((a) => `${a.label} agreed with the analyst in ${a.epochs_agree} of ${a.epochs_run} epochs`)
          .join(", ")}.`
      : "",
    labels: answers.map((a) => a.label),
    required: required.map((id) => ({
      id,
      cells: answers.map((a) => {
        const q = a.required_evidence.find((x) => x.id === id);
        if (!q) return { text: "not required in this run", cls: "muted" };
        if (!q.gathered) return { text: "not gathered", cls: "not-met" };
        return { text: q.step === null ? "gathered" : `gathered (step ${q.step})`, cls: "" };
      }),
    })),
    answers: answers.map(answerView),
  };
}

function answerView(a: DisagreementAnswer) {
  const summary = clip(a.summary ?? "", CLIP.text);
  const error = clip(a.error ?? "", CLIP.cell);
  return {
    label: a.label,
    run_id: a.run_id,
    // a side without an answer is the first thing to say, not a row of dashes
    outcome: a.failed
      ? "No output: this side gave no answer"
      : a.schema_valid === false
        ? "Its output failed the schema; shown as far as it is readable"
        : "",
    error: error.text,
    error_more: error.more,
    // an answer that failed the schema is stored with no verdict, as no answer is
    verdict: answerLabel(a.verdict, a.output_status),
    confidence: a.confidence === null ? "—" : a.confidence.toFixed(2),
    escalate: a.escalate === null ? "—" : a.escalate ? "yes" : "no",
    human_only: a.human_only === null ? "—" : a.human_only ? "yes" : "no",
    summary: summary.text,
    summary_more: summary.more,
    hypotheses: a.hypotheses.map((h) => {
      const explanation = clip(h.explanation ?? "", CLIP.cell);
      return {
        kind: h.kind ?? "",
        explanation: explanation.text,
        explanation_more: explanation.more,
        evidence: h.evidence.join(", "),
      };
    }),
    actions: a.recommended_actions.map((x) => {
      const target = clip(x.target ?? "", CLIP.cell);
      const rationale = clip(x.rationale ?? "", CLIP.cell);
      const rollback = clip(x.rollback ?? "", CLIP.cell);
      return {
        action: x.action ?? "",
        target: target.text,
        target_more: target.more,
        approval: x.requires_approval === null ? "" : x.requires_approval ? "needs approval" : "no approval",
        rationale: rationale.text,
        rationale_more: rationale.more,
        rollback: rollback.text,
        rollback_more: rollback.more,
        evidence: x.evidence.join(", "),
      };
    }),
    missing_sources: a.missing_sources.join(", "),
    findings: a.findings.map((f) => {
      const detail = clip(f.detail ?? "", CLIP.cell);
      return {
        scorer: f.scorer ?? "",
        kind: f.kind,
        severity: f.severity ?? "",
        detail: detail.text,
        detail_more: detail.more,
        evidence_id: f.evidence_id ?? "",
        step: f.step === null ? "" : String(f.step),
      };
    }),
    steps: a.steps.map((s) => ({
      index: s.index,
      tool: s.tool ?? s.type,
      model: s.type === "model_call",
      status: s.status ?? "",
      status_cls: s.status === "ok" || s.status === null ? "" : "not-met",
      evidence_ids: s.evidence_ids.join(", "),
    })),
  };
}

function gatheredCount(a: DisagreementAnswer): string {
  const n = a.required_evidence.length;
  const gathered =
    n === 0 ? "no required evidence" : `${a.required_evidence.filter((q) => q.gathered).length}/${n} required gathered`;
  return a.failed ? `no output, ${gathered}` : gathered;
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"}`;
