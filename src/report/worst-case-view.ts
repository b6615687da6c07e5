import type { WorstCase } from "../analytics/report-schema.js";
import { showCommand } from "../io/shell.js";
import { answerLabel } from "../schema/output-status.js";
import { CLIP, clip, formatValue } from "./format.js";

/**
 * One worst case as the templates show it. Alert text is attacker-controlled and may be huge: each
 * long field is clipped (`<field>` the shown text, `<field>_more` how many characters were left out).
 */
export function caseView(agent: string, w: WorstCase, runRef: string) {
  const alert = (w.alert ?? {}) as Record<string, unknown>;
  const output = (w.output ?? null) as Record<string, unknown> | null;
  const label = (w.label ?? null) as Record<string, unknown> | null;
  const title = clip(String(alert.title ?? "(untitled alert)"), CLIP.title);
  const description = clip(String(alert.description ?? ""), CLIP.text);
  const summary = clip(output ? String(output.summary ?? "") : "", CLIP.text);
  const error = clip(w.error ?? "", CLIP.cell);
  const alertJson = clip(JSON.stringify(w.alert, null, 2) ?? "", CLIP.json);
  const outputJson = clip(output ? JSON.stringify(output, null, 2) : "", CLIP.json);
  return {
    agent,
    anchor: w.anchor,
    case_id: w.case_id,
    // the whole investigation (every step, the evidence records, the scores) is one command away
    show_command: showCommand(w.case_id, `--run ${runRef} --agent ${agent} --epoch ${w.epoch}`),
    epoch: w.epoch,
    // several epochs: the case is listed once, by its worst epoch, with how many went wrong
    epochs_note: w.epochs_run > 1 ? `epoch ${w.epoch} shown; bad in ${w.epochs_bad} of ${w.epochs_run} epochs` : "",
    incident_id: w.incident_id ?? "",
    tags: w.tags.join(", "),
    reasons: w.reasons.join("; "),
    title: title.text,
    title_more: title.more,
    rule: String(alert.rule ?? ""),
    severity: String(alert.severity ?? ""),
    source: String(alert.source ?? ""),
    description: description.text,
    description_more: description.more,
    alert_json: alertJson.text,
    alert_json_more: alertJson.more,
    label_verdict: String(label?.verdict ?? "unlabeled"),
    label_escalate: label ? (label.escalate ? "yes" : "no") : "—",
    // an answer that failed the schema is stored with no verdict; its output is shown below it
    verdict: answerLabel(w.verdict, w.output_status),
    escalate: w.escalate === null ? "—" : w.escalate ? "yes" : "no",
    summary: summary.text,
    summary_more: summary.more,
    output_json: outputJson.text,
    output_json_more: outputJson.more,
    error: error.text,
    error_more: error.more,
    findings: w.findings.map((f) => {
      const detail = clip(f.detail ?? "", CLIP.cell);
      return {
        kind: f.kind,
        severity: f.severity ?? "",
        detail: detail.text,
        detail_more: detail.more,
        evidence_id: f.evidence_id ?? "",
        action: f.action ?? "",
        step_anchor: f.step === null ? "" : `${w.anchor}-step-${f.step}`,
        step: f.step === null ? "" : String(f.step),
      };
    }),
    steps: w.steps.map((s) => {
      const input = clip(s.input === null || s.input === undefined ? "" : JSON.stringify(s.input), CLIP.cell);
      const note = clip(s.note ?? "", CLIP.cell);
      return {
        anchor: `${w.anchor}-step-${s.index}`,
        index: s.index,
        type: s.type,
        tool: s.tool ?? "",
        status: s.status ?? "",
        status_cls: s.status === "ok" || s.status === null ? "" : "not-met",
        input: input.text,
        input_more: input.more,
        evidence_ids: s.evidence_ids.join(", "),
        latency: formatValue(s.latency_ms, "ms"),
        note: note.text,
        note_more: note.more,
        tokens: s.tokens_in === null ? "" : `${s.tokens_in} in / ${s.tokens_out ?? 0} out`,
      };
    }),
  };
}
