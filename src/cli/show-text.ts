import Table from "cli-table3";
import type { Investigation } from "../analytics/investigation.js";
import { printable } from "../io/printable.js";
import { clip } from "../report/format.js";
import { statusForReader } from "../store/run-status.js";
import { auditLines } from "./audit-text.js";

type Transcript = Investigation["transcripts"][number];
type Result = NonNullable<Transcript["result"]>;

/** At most `n` characters (code points, as the reports cut), with "…" when some were left out. */
const cut = (s: string, n: number) => {
  const c = clip(s, n);
  return c.more > 0 ? `${c.text}…` : c.text;
};
const yes = (b: boolean | null | undefined) => (b === null || b === undefined ? "n/a" : b ? "yes" : "no");
const json = (v: unknown) => (v === undefined ? "" : JSON.stringify(v));

/** One case's investigation as text: what the agent saw and did, how it was scored, and why. */
export function investigationText(inv: Investigation, tty: boolean): string {
  // every line is made printable here; the steps table's cells are made printable before it is
  // drawn, since its borders (and a terminal's colours) are ours
  const out: string[] = [];
  const add = (...lines: string[]) => out.push(...lines.map(shownLine));
  const c = inv.case;
  const head = [`case ${c.case_id}`, `workflow ${c.workflow}`];
  if (c.incident_id) head.push(`incident ${c.incident_id}`);
  if (c.tags.length) head.push(`tags ${c.tags.join(", ")}`);
  add(head.join(" · "));
  add(`run ${inv.run.run_id} · suite ${inv.run.suite} · ${inv.run.kind} · ${statusForReader(inv.run.status)}`);
  const d = inv.dataset_line;
  add(d.line !== null ? `dataset ${d.file}, line ${d.line} (unchanged since the run)` : `dataset: ${d.unavailable}`);
  add("", ...alertLines(c.alert), ...labelLines(c.label));
  if (c.unavailable.length) add(`unavailable sources  ${c.unavailable.join(", ")}`);
  for (const t of inv.transcripts) {
    add("", ...transcriptHead(t));
    if (t.steps.length === 0) add("steps   none");
    else out.push(stepsTable(t, tty));
    add(
      ...outputLines(t),
      ...(t.result ? scoreLines(t.result, t.findings) : []),
      ...(t.result ? auditLines(t.result.audit_completeness, t.result.audit_missing, t.steps, inv.run.run_id) : []),
      ...findingLines(t),
    );
  }
  add("", ...evidenceLines(inv));
  return `${out.join("\n")}\n`;
}

/**
 * One line of ours, made printable. A newline inside it came from the data (an alert title, a
 * model's summary): what follows it is indented at least as far as a field's text, so that only
 * soceval's own headings ("label", "output", "scored") start at the left edge and a title such as
 * "x\nlabel   false_positive" cannot pose as the analyst's label.
 */
function shownLine(line: string): string {
  const text = printable(line);
  if (!text.includes("\n")) return text;
  const own = /^ */.exec(text)![0].length;
  return text.replace(/\n/g, `\n${" ".repeat(Math.max(own, FIELD_INDENT))}`);
}

/** Where a field's text starts under its heading ("alert   ", "label   "). */
const FIELD_INDENT = 8;

function alertLines(alert: unknown): string[] {
  const a = (alert ?? {}) as {
    title?: string;
    severity?: string;
    rule?: string;
    source?: string;
    time?: string;
    entities?: { type: string; value: string }[];
    description?: string;
  };
  const lines = [`alert   [${a.severity ?? "?"}] ${a.title ?? ""}`];
  lines.push(`        rule ${a.rule ?? "?"} · source ${a.source ?? "?"} · ${a.time ?? "?"}`);
  if (a.entities?.length) lines.push(`        entities ${a.entities.map((e) => `${e.type} ${e.value}`).join(", ")}`);
  if (a.description) lines.push(`        ${cut(a.description, 300)}`);
  return lines;
}

function labelLines(label: unknown): string[] {
  if (!label) return ["label   none (the case is replayed but not scored against an analyst)"];
  const l = label as {
    verdict: string;
    escalate: boolean;
    actions?: string[];
    required_evidence?: string[];
    analyst?: string;
  };
  const parts = [l.verdict, `escalate ${yes(l.escalate)}`];
  if (l.actions?.length) parts.push(`actions ${l.actions.join(", ")}`);
  if (l.analyst) parts.push(`by ${l.analyst}`);
  const lines = [`label   ${parts.join(" · ")}`];
  lines.push(`        required evidence ${l.required_evidence?.length ? l.required_evidence.join(", ") : "none"}`);
  return lines;
}

function transcriptHead(t: Transcript): string[] {
  const parts = [`── agent ${t.agent}`, `epoch ${t.epoch}`];
  if (t.started_at) parts.push(`started ${t.started_at}`);
  if (t.wall_ms !== null) parts.push(t.wall_ms < 1 ? "under 1 ms" : `${Math.round(t.wall_ms)} ms`);
  return [parts.join(" · ")];
}

function stepsTable(t: Transcript, tty: boolean): string {
  const table = new Table({
    head: ["step", "call", "status", "evidence returned", "input / usage"],
    colWidths: [null, null, null, 30, 60],
    wordWrap: true,
    style: tty ? {} : { head: [], border: [], compact: true },
  });
  t.steps.forEach((s, i) => {
    const row =
      s.type === "tool_call"
        ? [
            String(i),
            `${s.tool}${s.scope === "respond" ? " (respond)" : ""}`,
            // a respond tool never runs in shadow mode: denied is the sandbox's answer, said plainly
            s.status === "denied" && s.scope === "respond" ? "denied (shadow mode)" : s.status,
            s.evidence_ids.join(", "),
            cut(json(s.input) + (s.note ? ` — ${s.note}` : ""), 300),
          ]
        : [
            String(i),
            `model ${s.model ?? ""}`.trim(),
            s.error ? "error" : "ok",
            "",
            (s.usage_reported === false
              ? "tokens and cost unknown (the server reported no usage)"
              : `${s.tokens_in} in${s.tokens_cached_in ? ` (${s.tokens_cached_in} from cache)` : ""} / ${s.tokens_out} out tokens, $${s.cost_usd.toFixed(4)}`) +
              `, ${s.attempts} attempt(s), ${s.latency_ms} ms` +
              (s.retried?.length ? ` — retried after: ${s.retried.join("; ")}` : "") +
              (s.error ? ` — ${s.error}` : ""),
          ];
    table.push(row.map(printable));
  });
  return table.toString();
}

function findingLines(t: Transcript): string[] {
  const lines = [t.findings.length ? `findings (${t.findings.length})` : "findings none"];
  for (const f of t.findings) {
    const at = [`  ${f.severity.padEnd(6)} ${f.kind}`];
    if (f.step !== null) at.push(`step ${f.step}`);
    if (f.evidence_id) at.push(`evidence ${f.evidence_id}`);
    if (f.action) at.push(`action ${f.action}`);
    lines.push(at.join(" · "), `         ${cut(f.detail, 400)}`);
  }
  return lines;
}

function outputLines(t: Transcript): string[] {
  if (t.output === null) return [`output  none${t.error ? ` — ${t.error}` : ""}`];
  const o = t.output as {
    verdict?: string;
    escalate?: boolean;
    confidence?: number;
    human_only?: boolean;
    summary?: string;
    recommended_actions?: { action: string; target: string; requires_approval: boolean }[];
    missing_sources?: string[];
  };
  if (typeof o !== "object" || typeof o.verdict !== "string")
    return [`output  (not the triage format) ${cut(json(t.output), 300)}`];
  // an answer that failed the schema is no verdict to the scorers: said first, in the report's words
  const verdict = t.output_status === "invalid" ? `invalid output (verdict ${o.verdict})` : o.verdict;
  const lines = [
    `output  ${verdict} · escalate ${yes(o.escalate)} · confidence ${o.confidence ?? "?"} · human only ${yes(o.human_only ?? false)}`,
  ];
  // every list and the prose, as the scorers read it: a model often cites in its hypotheses alone
  lines.push(`        cited ${t.cited.length ? t.cited.join(", ") : "nothing"}`);
  for (const a of o.recommended_actions ?? [])
    lines.push(
      `        recommends ${a.action} → ${a.target}${a.requires_approval ? " (asks approval)" : ""} (recorded, not executed)`,
    );
  if (o.missing_sources?.length) lines.push(`        says missing ${o.missing_sources.join(", ")}`);
  if (o.summary) lines.push(`        ${cut(o.summary, 400)}`);
  if (t.error) lines.push(`        error ${t.error}`);
  return lines;
}

function scoreLines(r: Result, findings: { kind: string }[]): string[] {
  // hallucination_count adds up both kinds: an indicator named in the prose is not a cited id
  const ids = findings.filter((f) => f.kind === "hallucinated_evidence").length;
  const indicators = findings.filter((f) => f.kind === "fabricated_indicator").length;
  return [
    `scored  agrees with the analyst ${yes(r.agree)} · escalation matches ${yes(r.escalation_match)} · critical miss ${yes(r.critical_miss)}`,
    `        required evidence ${r.required_gathered} of ${r.required_total} gathered, ${r.required_cited} cited · hallucinated ids ${ids}, fabricated indicators ${indicators}`,
    `        policy violations ${r.policy_violations} (${r.high_severity_violations} high) · tool calls ${r.tool_calls}, ${r.tool_errors} failed · valid output ${yes(r.schema_valid)}`,
  ];
}

function evidenceLines(inv: Investigation): string[] {
  const d = inv.dataset_line;
  if (d.line === null) return [`evidence records  not shown: ${d.unavailable}`];
  if (d.evidence.length === 0 && d.not_in_case.length === 0)
    return ["evidence records  none returned, cited, required or named by a finding"];
  const lines = [`evidence records (returned, cited, required or named by a finding; from ${d.file}:${d.line})`];
  for (const e of d.not_in_case) {
    const marks = [
      "no such record in the case",
      e.returned_by_steps.length ? `listed by step ${e.returned_by_steps.join(", ")}` : null,
      e.cited ? "cited" : null,
    ].filter(Boolean);
    lines.push(`  ${e.id}  ${marks.join(" · ")}`);
  }
  for (const e of d.evidence) {
    const marks = [
      e.returned_by_steps.length ? `returned by step ${e.returned_by_steps.join(", ")}` : "never returned",
      e.cited ? "cited" : null,
      e.required ? "required" : null,
    ].filter(Boolean);
    lines.push(`  ${e.id}  ${e.source}  ${e.time}  ${marks.join(" · ")}`);
    lines.push(`      ${cut(json(e.data), 400)}`);
  }
  return lines;
}
