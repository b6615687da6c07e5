import { CASES_LISTED } from "../analytics/cases-behind.js";
import { BREAKDOWN_METRICS, METRICS, metricInfo, type Unit } from "../analytics/catalogue.js";
import type {
  AgentReport,
  BreakdownRow,
  CriterionResult,
  Estimate,
  ModelUsage,
  ReportDoc,
  ReportReadiness,
} from "../analytics/report-schema.js";
import { queryCommand } from "../io/shell.js";
import { Phase } from "../schema/suite.js";
import { sqlString, storeFlag } from "../store/db.js";
import { behindAnchor, behindView } from "./behind-view.js";
import { renderChart } from "./charts.js";
import {
  formatApart,
  formatCount,
  formatInterval,
  formatIntervalShort,
  formatValue,
  OP_TEXT,
  PHASE_LABEL,
  runRef,
  statusClass,
} from "./format.js";
import { blockersText, readinessMismatch } from "./readiness-note.js";
import { stylesheet, trusted } from "./templates.js";
import { criterionNote, unmeasuredNotes } from "./unmeasured.js";
import { caseView } from "./worst-case-view.js";

/** Headline metrics, in the order a SOC lead reads them. */
export const HEADLINE = [
  "verdict_agreement",
  "verdict_kappa",
  "critical_miss_rate",
  "escalation_precision",
  "escalation_recall",
  "hallucination_rate",
  "missed_context_rate",
  "context_recall",
  "policy_violation_rate",
  "high_severity_violation_rate",
  "false_positive_reduction",
  "schema_invalid_rate",
  "failed_rate",
  "tool_error_rate",
  "playbook_completion_rate",
  "audit_completeness",
  "min_detectable_difference",
] as const;

export const OPERATIONS = [
  "cost_per_investigation",
  "tokens_per_investigation",
  "cost_usd_total",
  "time_to_triage_p50_ms",
  "time_to_triage_p95_ms",
  "time_to_first_required_p50_ms",
  "time_to_first_required_p95_ms",
  "minutes_saved_per_case",
  "analyst_minutes_saved",
] as const;

/**
 * The short table of the Markdown report (a PR comment): each of the four scorer families a lead
 * judges by (agreement, hallucinated evidence, missed context, policy) has its rate here.
 */
const MD_METRICS = [
  "verdict_agreement",
  "verdict_kappa",
  "critical_miss_rate",
  "hallucination_rate",
  "missed_context_rate",
  "policy_violation_rate",
  "high_severity_violation_rate",
  "false_positive_reduction",
  "failed_rate",
  "cost_per_investigation",
  "time_to_triage_p95_ms",
];

const CHART_METRICS = [
  "verdict_agreement",
  "critical_miss_rate",
  "hallucination_rate",
  "policy_violation_rate",
  "false_positive_reduction",
];

const READINESS_METRICS = new Set(["readiness_score", "readiness_blockers"]);

const unitOf = (key: string): Unit => metricInfo(key)?.unit ?? "rate";
const labelOf = (key: string): string => metricInfo(key)?.label ?? key;

export function metricView(key: string, e: Estimate | undefined) {
  const unit = unitOf(key);
  return {
    key,
    label: labelOf(key),
    value: formatValue(e?.value, unit),
    interval: formatInterval(e, unit),
    /** the interval as a cell's second line shows it: "0.6–80.6%" */
    short_interval: formatIntervalShort(e, unit),
    n: e ? e.n.toLocaleString("en-US") : "0",
    /** "15/87" for a measured proportion, else "" (the templates then print n) */
    count: formatCount(e),
    method: e?.method ?? "",
    measured: e?.value !== null && e?.value !== undefined,
    description: metricInfo(key)?.description ?? "",
  };
}

function criterionView(c: CriterionResult, readiness?: ReportReadiness, db?: string) {
  const unit = unitOf(c.metric);
  const [compared, threshold] = formatApart(c.compared, c.threshold, unit);
  return {
    metric: c.metric,
    label: labelOf(c.metric),
    description: c.description ?? "",
    value: formatValue(c.estimate?.value, unit),
    interval: formatInterval(c.estimate, unit),
    // what the value is over: "1/12" for a proportion, n for a mean, a percentile or kappa; "—" unmeasured
    n:
      formatCount(c.estimate) || (c.estimate && c.estimate.value !== null ? c.estimate.n.toLocaleString("en-US") : "—"),
    compared,
    threshold: `${OP_TEXT[c.op] ?? c.op} ${threshold}`,
    bound: c.bound === "point" ? "point estimate" : `${c.bound} bound`,
    status: c.status,
    cls: statusClass(c.status),
    note: criterionNote(c, readiness, db) ?? "",
  };
}

/**
 * A criterion in one line with the number it was judged on: what `report --check` prints and the
 * phase matrix shows (why one is not measured is its note, criterionNote). A bound beside a count would read as their quotient, so the bound says what it bounds.
 * A blockers count names its gates: "1" alone leaves the SOC lead to find which one in another report.
 */
export function criterionShortfall(c: CriterionResult, readiness?: ReportReadiness): string {
  const v = criterionView(c);
  if (c.status === "not measured") return `${v.label} not measured, needs ${v.threshold}`;
  const count = formatCount(c.estimate);
  const bound = c.bound === "point" ? count : `${c.bound} bound of ${v.value}${count ? ` = ${count}` : ""}`;
  const gates = c.metric === "readiness_blockers" ? blockersText(readiness) : "";
  const basis = [bound, gates].filter(Boolean).join(", ");
  return `${v.label} ${v.compared}${basis ? ` (${basis})` : ""}, needs ${v.threshold}`;
}

function breakdownView(rows: BreakdownRow[]) {
  return rows.map((r) => ({
    key: r.key,
    cases: r.cases.toLocaleString("en-US"),
    n: r.n.toLocaleString("en-US"),
    cells: BREAKDOWN_METRICS.map((k) => metricView(k, r.metrics[k])),
  }));
}

async function agentView(a: AgentReport, doc: ReportDoc, charts: boolean, index: number, ref: string, db?: string) {
  // a rate with cases against it links to them
  const counted = new Set(a.cases_behind.filter((b) => b.rows > 0).map((b) => b.metric));
  const behindOf = (metric: string) => (counted.has(metric) ? behindAnchor(index, metric) : "");
  const severitiesOf = new Map<string, number>();
  for (const v of a.violations) severitiesOf.set(v.kind, (severitiesOf.get(v.kind) ?? 0) + 1);
  const kindCases = new Map(
    a.cases_behind.filter((b) => b.metric.startsWith("violation_rate.")).map((b) => [b.metric.slice(15), b.cases]),
  );
  const phases = doc.phases
    .filter((p) => p.agent === a.agent)
    .map((p) => ({
      phase: p.phase,
      label: PHASE_LABEL[p.phase],
      status: p.status,
      cls: statusClass(p.status),
      source: p.source,
      criteria: p.criteria.map((c) => criterionView(c, doc.readiness, db)),
    }));
  const trapValues = a.breakdowns.trap_tag.map((r) => ({
    agent: a.agent,
    tag: r.key,
    value: r.metrics.verdict_agreement?.value ?? null,
    lower: r.metrics.verdict_agreement?.lower ?? null,
    upper: r.metrics.verdict_agreement?.upper ?? null,
    n: r.metrics.verdict_agreement?.n ?? null,
  }));
  return {
    agent: a.agent,
    provider: a.provider ?? "",
    model: a.model ?? "",
    agent_hash: a.agent_hash ?? "",
    cases: a.cases.toLocaleString("en-US"),
    investigations: a.investigations.toLocaleString("en-US"),
    headline: HEADLINE.map((k) => ({ ...metricView(k, a.metrics[k]), behind: behindOf(k) })),
    operations: OPERATIONS.map((k) => metricView(k, a.metrics[k])),
    violation_rates: METRICS.filter((m) => m.key.startsWith("violation_rate.")).map((m) =>
      metricView(m.key, a.metrics[m.key]),
    ),
    phases,
    confusion: {
      // the JSON's no_output column also counts answers that failed the schema (stored with no verdict)
      columns: a.confusion.agent.map((c) => (c === "no_output" ? "no valid verdict" : c)),
      rows: a.confusion.analyst.map((label, i) => ({
        label,
        cells: (a.confusion.counts[i] ?? []).map((n, j) => ({ n, diag: i === j })),
      })),
    },
    breakdown_metrics: BREAKDOWN_METRICS.map(labelOf),
    trap_tags: breakdownView(a.breakdowns.trap_tag),
    severities: breakdownView(a.breakdowns.alert_severity),
    workflows: breakdownView(a.breakdowns.workflow),
    sources_breakdown: breakdownView(a.breakdowns.evidence_source),
    epochs: breakdownView(a.breakdowns.epoch),
    findings_by_trap: a.findings_by_trap,
    violations: a.violations.map((v) => ({
      ...v,
      behind: behindOf(`violation_rate.${v.kind}`),
      // the list behind a kind holds its cases of every severity: a row of one severity says so
      behind_all: severitiesOf.get(v.kind)! > 1 ? kindCases.get(v.kind) : undefined,
    })),
    model_usage: a.model_usage ? modelUsageLine(a.model_usage) : null,
    // the findings behind one row of the trap-tag table: `findings` filters by kind, not by tag
    trap_findings_command: queryCommand(
      "SELECT f.case_id, f.epoch, f.severity, f.detail FROM findings f JOIN case_results r USING (run_id, case_id, agent, epoch) " +
        `WHERE f.run_id = ${sqlString(doc.run.run_id)} AND f.agent = ${sqlString(a.agent)} ` +
        "AND list_contains(r.tags, '<tag>') AND f.kind = '<kind>' ORDER BY f.case_id, f.epoch, f.seq",
      storeFlag(db),
    ),
    // the failed calls behind one source's failure rate: `cases --source` selects cases holding the
    // source's evidence, all their calls counted, so it cannot give this column's x/n
    sources_command: queryCommand(
      `SELECT case_id, epoch, step, tool, status, note FROM tool_calls WHERE run_id = ${sqlString(doc.run.run_id)} ` +
        `AND agent = ${sqlString(a.agent)} AND source = '<source>' AND status IN ('error', 'timeout') ORDER BY case_id, epoch, step`,
      storeFlag(db),
    ),
    sources: a.evidence_sources.map((s) => ({
      ...s,
      failure: formatValue(s.failure_rate.value, "rate"),
      failure_interval: formatInterval(s.failure_rate, "rate"),
      failure_short: formatIntervalShort(s.failure_rate, "rate"),
      // failed calls of calls, "1/24"; "" when the source had no calls
      failure_count: formatCount(s.failure_rate),
    })),
    trap_chart: charts && trapValues.length ? trusted(await renderChart("trap-tags", trapValues)) : null,
    violations_chart: charts && a.violations.length ? trusted(await renderChart("violations", a.violations)) : null,
    worst: a.worst_cases.map((w) => caseView(a.agent, w, ref)),
    worst_top: a.worst_cases.slice(0, 3).map((w) => caseView(a.agent, w, ref)),
    behind: behindView(a, ref, (doc.run.epochs ?? 1) > 1, index),
  };
}

/** Everything the report templates show, formatted; no aggregation happens here. Charts only for HTML. */
export async function reportView(doc: ReportDoc, charts = true, db?: string) {
  const ref = runRef(doc.run.run_id, db);
  const agents = await Promise.all(Object.values(doc.agents).map((a, i) => agentView(a, doc, charts, i, ref, db)));
  const names = Object.keys(doc.agents);
  const intervalValues = Object.values(doc.agents).flatMap((a) =>
    CHART_METRICS.map((k) => ({
      agent: a.agent,
      metric: labelOf(k),
      value: a.metrics[k]?.value ?? null,
      lower: a.metrics[k]?.lower ?? null,
      upper: a.metrics[k]?.upper ?? null,
      n: a.metrics[k]?.n ?? null,
    })),
  );
  return {
    css: stylesheet(),
    // the header's case count is what is stored: cases_total is only set when a run ends
    run: {
      ...doc.run,
      cases_total: doc.run.cases_stored,
      ended: ended(doc.run),
      // a run started outside a git checkout has none: an empty cell read as a lost value
      git_revision: doc.run.git_revision ?? "none (not run in a git checkout)",
    },
    title: `Exit-criteria report — ${doc.run.suite ?? doc.run.run_id}`,
    statistics: doc.statistics,
    multi_epoch: (doc.run.epochs ?? 1) > 1,
    // the printed commands' `--run` (and `--db` for another store)
    run_ref: ref,
    cases_listed: CASES_LISTED,
    agent_names: names,
    phase_matrix: Phase.options.map((phase) => ({
      phase,
      label: PHASE_LABEL[phase],
      cells: names.map((agent) => {
        const p = doc.phases.find((x) => x.phase === phase && x.agent === agent);
        const status = p?.status ?? "not measured";
        // each failing criterion with the number it was judged on, so a PR comment needs no other table
        const failing =
          p?.criteria.filter((c) => c.status === "not met").map((c) => criterionShortfall(c, doc.readiness)) ?? [];
        // a phase "not measured" says which of its criteria had no data (the criteria table says what would measure them)
        const unmeasured = p?.criteria.filter((c) => c.status === "not measured").map((c) => c.metric) ?? [];
        // scores stored under another workflow id read as "never scored" unless the cell says so
        const mismatch = unmeasured.some((m) => READINESS_METRICS.has(m)) ? readinessMismatch(doc.readiness) : "";
        return {
          agent,
          status,
          cls: statusClass(status),
          failing: failing.join("; "),
          unmeasured: [[...new Set(unmeasured)].join(", "), mismatch].filter(Boolean).join("; "),
        };
      }),
    })),
    unmeasured_notes: unmeasuredNotes(doc, db),
    md_rows: MD_METRICS.map((k) => ({
      label: labelOf(k),
      cells: Object.values(doc.agents).map((a) => metricView(k, a.metrics[k])),
    })),
    intervals_chart: charts && intervalValues.length ? trusted(await renderChart("intervals", intervalValues)) : null,
    agents,
    unstored: doc.run.agents_without_results.map((u) => ({
      agent: u.agent,
      line: unstoredLine(u),
      command: queryCommand(
        "SELECT case_id, epoch, step, error, tokens_in, tokens_out, cost_usd FROM replaced_model_calls " +
          `WHERE run_id = ${sqlString(doc.run.run_id)} AND agent = ${sqlString(u.agent)} ORDER BY case_id, epoch, step`,
        storeFlag(db),
      ),
    })),
    glossary: METRICS.filter((m) => !m.key.startsWith("violation_rate.")).map((m) => ({
      key: m.key,
      label: m.label,
      description: m.description,
    })),
  };
}

/** How the run ended, for the header: only a finished run "finished"; an interrupted one stopped. */
function ended(run: ReportDoc["run"]): string {
  const at = run.finished_at;
  if (run.status === "finished") return at ? `finished ${at}` : "finished";
  const status = run.status ?? "unknown";
  return at ? `${status} at ${at}, not finished` : `not finished (status ${status})`;
}

const count = (n: number) => n.toLocaleString("en-US");
const usd = (n: number) => `$${n.toFixed(n !== 0 && n < 0.01 ? 6 : 4)}`;

/** The model calls behind the cost figures, in one line: calls, retries, tokens, the price, limit stops. */
export function modelUsageLine(u: ModelUsage): string {
  const calls =
    `${count(u.calls)} model calls (${count(u.attempts)} attempts; ${count(u.retried)} needed a retry` +
    `${u.failed ? `, ${count(u.failed)} got no answer after every attempt` : ""})`;
  const cache = [
    u.tokens_cached_in ? `${count(u.tokens_cached_in)} read from the prompt cache` : "",
    u.tokens_cache_write ? `${count(u.tokens_cache_write)} written to it` : "",
  ].filter(Boolean);
  const tokens = `${count(u.tokens_in)} tokens in${cache.length ? ` (${cache.join(", ")})` : ""} / ${count(u.tokens_out)} out`;
  const p = u.price;
  const rates = p
    ? `${usd(p.input_per_mtok ?? 0)} in / ${usd(p.output_per_mtok ?? 0)} out per million tokens` +
      (p.cached_input_per_mtok !== undefined ? `, ${usd(p.cached_input_per_mtok)} cached` : "") +
      (p.cache_write_per_mtok !== undefined ? `, ${usd(p.cache_write_per_mtok)} cache writes` : "")
    : u.cost_usd > 0
      ? "the cost the transcripts carry (the agent's configuration sets no price)"
      : "no price set (counted as free)";
  // a server that reported no usage: those calls' tokens and cost are unknown, not the 0 summed above
  const unknown = u.unreported
    ? ` · ${count(u.unreported)} call${u.unreported === 1 ? "" : "s"} with no usage reported (tokens and cost unknown)`
    : "";
  const stops = u.limit_stops
    ? ` · ${count(u.limit_stops)} investigation${u.limit_stops === 1 ? "" : "s"} stopped by a limit` +
      (Object.keys(u.limit_stops_by).length
        ? ` (${Object.entries(u.limit_stops_by)
            .sort(([a], [b]) => a.localeCompare(b))
            .map(([limit, n]) => `${limit} ${count(n)}`)
            .join(", ")})`
        : "")
    : "";
  const replaced = u.replaced_calls
    ? ` · ${usd(u.replaced_cost_usd)} more on ${count(u.replaced_calls)} calls of investigations replayed again (--retry-failed, or cut short by a Ctrl-C)`
    : "";
  return `${calls} · ${tokens} · ${usd(u.cost_usd)}${p ? " at " : ": "}${rates}${unknown}${stops}${replaced}`;
}

/**
 * An agent with no stored results still spent money on the investigations a Ctrl-C cut short; it
 * has no section, so this line is the only place the report shows that spend.
 */
function unstoredLine(u: ReportDoc["run"]["agents_without_results"][number]): string {
  const calls = `${count(u.replaced_calls)} model call${u.replaced_calls === 1 ? "" : "s"}`;
  return `no stored results · ${usd(u.replaced_cost_usd)} on ${calls} of investigations cut short by a Ctrl-C or replayed again (not stored: a plain --resume replays them)`;
}
