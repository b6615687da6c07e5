import { metricInfo, type Unit } from "../analytics/catalogue.js";
import { pairedLabel, READING_RULE, type Reading, reading } from "../analytics/compare-reading.js";
import type { CompareDoc, PairedMetric } from "../analytics/compare-schema.js";
import { queryCommand } from "../io/shell.js";
import { answerLabel } from "../schema/output-status.js";
import { storeFlag } from "../store/db.js";
import { renderChart } from "./charts.js";
import { disagreementDetailView } from "./disagreement-view.js";
import { formatDiff, formatP, formatValue, mdCell, runRef } from "./format.js";
import { metricView } from "./report-view.js";
import { stylesheet, trusted } from "./templates.js";

const SIDE_METRICS = [
  "verdict_agreement",
  "critical_miss_rate",
  "escalation_recall",
  "hallucination_rate",
  "policy_violation_rate",
  "false_positive_reduction",
  "failed_rate",
  "cost_per_investigation",
  "tokens_per_investigation",
  "time_to_triage_p50_ms",
  "time_to_triage_p95_ms",
];

const unitOf = (key: string): Unit => (key === "time_to_triage_mean_ms" ? "ms" : (metricInfo(key)?.unit ?? "rate"));
const labelOf = pairedLabel;

const READING_CLASS: Record<Reading, string> = {
  better: "met",
  worse: "not-met",
  borderline: "not-measured",
  "no clear difference": "not-measured",
  "not measured": "not-measured",
  "not comparable": "not-measured",
};

/** `html`: the view of the HTML page (with its chart); else of the Markdown. */
export async function compareView(doc: CompareDoc, html = true, db?: string) {
  const chartValues = doc.sides.map((s) => ({
    agent: s.label,
    cost: s.metrics.cost_per_investigation?.value ?? 0,
    value: s.metrics.verdict_agreement?.value ?? null,
    lower: s.metrics.verdict_agreement?.lower ?? null,
    upper: s.metrics.verdict_agreement?.upper ?? null,
  }));
  return {
    css: stylesheet(),
    title: `Agent comparison — ${doc.sides.map((s) => s.label).join(" vs ")}`,
    seed: doc.seed,
    notes: doc.notes,
    // stated in the HTML page's method section (Markdown writes it out in its own)
    readingRule: READING_RULE,
    columns: SIDE_METRICS.map(labelOf),
    sides: doc.sides.map((s) => ({
      label: s.label,
      run_id: s.run_id,
      provider: s.provider ?? "",
      model: s.model ?? "",
      agent_hash: s.agent_hash ?? "",
      cases: s.cases.toLocaleString("en-US"),
      cells: SIDE_METRICS.map((k) => metricView(k, s.metrics[k])),
    })),
    pairings: doc.pairings.map((p) => ({
      baseline: p.baseline,
      candidate: p.candidate,
      cases: p.cases.toLocaleString("en-US"),
      metrics: p.metrics.map((m) => {
        const unit = unitOf(m.metric);
        const r = reading(m, p);
        return {
          metric: m.metric,
          label: labelOf(m.metric),
          n: m.n.toLocaleString("en-US"),
          units: m.units.toLocaleString("en-US"),
          baseline: formatValue(m.baseline, unit),
          candidate: formatValue(m.candidate, unit),
          diff: formatDiff(m.diff, unit),
          interval: m.lower === null ? "" : `${formatDiff(m.lower, unit)} to ${formatDiff(m.upper, unit)}`,
          // "< 0.001": the template's {{p}} would HTML-escape it, which Markdown shows as a literal "&lt;"
          p: html ? formatP(m.mcnemar_p) : trusted(mdCell(formatP(m.mcnemar_p))),
          discordant: discordant(m),
          // a difference of rates, so in points like the differences beside it, never a rate in %
          mdd: m.min_detectable_difference === null ? "" : points(m.min_detectable_difference),
          judgement: r,
          cls: READING_CLASS[r],
        };
      }),
      // the cases behind each "only candidate / only baseline", so those counts lead to cases
      behind: p.metrics
        .filter((m) => (m.candidate_only_cases?.length ?? 0) + (m.baseline_only_cases?.length ?? 0) > 0)
        .map((m) => ({
          label: labelOf(m.metric),
          candidate: firstCases(m.candidate_only_cases ?? []),
          baseline: firstCases(m.baseline_only_cases ?? []),
        })),
    })),
    chart: html && chartValues.length ? trusted(await renderChart("quality-cost", chartValues)) : null,
    side_labels: doc.sides.map((s) => s.label),
    cases_shown: CASES_SHOWN,
    disagreements: doc.disagreements.map((d) => ({
      case_id: d.case_id,
      title: d.title ?? "",
      severity: d.alert_severity ?? "",
      incident_id: d.incident_id ?? "",
      label_verdict: d.label_verdict ?? "unlabeled",
      answers: d.answers.map((a) => ({
        label: a.label,
        // an answer that failed the schema is stored with no verdict, as no answer at all is
        verdict: answerLabel(a.verdict, a.output_status),
        escalate: a.escalate === null ? "—" : a.escalate ? "escalate" : "close",
        mark: a.agree === null ? "" : a.agree ? "✓" : "✗",
        cls: a.agree ? "" : "not-met",
      })),
      // the page's drill-down; the Markdown (a PR comment) points at it instead
      detail: html ? disagreementDetailView(d) : null,
    })),
    disagreement_columns: 4 + doc.sides.length,
    disagreements_shown: doc.disagreements.length,
    disagreements_total: doc.disagreements_total,
    // the SQL holds single quotes only (ids are [A-Za-z0-9._-]): a double-quoted shell word
    disagreements_command: queryCommand(doc.disagreements_query, storeFlag(db)),
    show_run: runRef(doc.sides[0]?.run_id ?? "", db),
  };
}

/** Cases the page lists behind one count; the JSON holds every one. */
const CASES_SHOWN = 10;

function firstCases(ids: string[]): { n: number; shown: string[]; more: number } {
  return { n: ids.length, shown: ids.slice(0, CASES_SHOWN), more: Math.max(0, ids.length - CASES_SHOWN) };
}

/** An unsigned difference of rates, in percentage points. */
const points = (v: number): string => `${(100 * v).toFixed(1)} pts`;

/**
 * Cases only one side got right, and, where incidents group them differently, the units McNemar's
 * p is computed on, so the p-value can be reproduced from what the report shows.
 */
function discordant(m: PairedMetric): string {
  if (m.candidate_only === null) return "";
  const cases = `${m.candidate_only} / ${m.baseline_only}`;
  const sameUnits = m.candidate_only_units === m.candidate_only && m.baseline_only_units === m.baseline_only;
  return sameUnits ? cases : `${cases} (incidents ${m.candidate_only_units} / ${m.baseline_only_units})`;
}
