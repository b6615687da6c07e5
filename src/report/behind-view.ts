import { metricInfo } from "../analytics/catalogue.js";
import { itemNoun, itemsOf, itemsShort } from "../analytics/items-behind.js";
import type { AgentReport } from "../analytics/report-schema.js";
import { answerLabel } from "../schema/output-status.js";

/** What makes a row count against each rate, in the words of a triage review. */
const AGAINST_TEXT: Record<string, string> = {
  verdict_agreement: "verdict differs from the analyst's, or no valid verdict (invalid output or no output)",
  critical_miss_rate: "analyst true positive neither escalated nor handed to a person",
  escalation_precision: "escalated where the analyst did not",
  escalation_recall: "the analyst escalated, the agent did not",
  hallucination_rate: "cites evidence or names an indicator no tool returned",
  missed_context_rate: "required evidence not gathered",
  context_recall: "a required evidence item not gathered, counted per item",
  policy_violation_rate: "at least one policy violation",
  high_severity_violation_rate: "at least one high-severity policy violation",
  false_positive_reduction: "analyst benign or false positive not closed as no threat",
  schema_invalid_rate: "output fails the triage schema",
  failed_rate: "no output at all",
  tool_error_rate: "a tool call that failed (error or timeout), counted per call",
  playbook_completion_rate: "a required playbook step not run, or no answer",
  audit_completeness: "an audit item missing (soceval show names it), counted per item",
  human_handoff_rate: "handed to a person (what the rate counts)",
};

/** Rates whose every case has the same missing answer: a note on each would only repeat the rate. */
const SAYS_STATUS = new Set(["schema_invalid_rate", "failed_rate"]);

/**
 * The cases behind each rate of one agent, as the templates show them: counts, the first cases
 * (linked to their write-up when the report embeds it) and the command that lists every one
 * (`soceval cases`, with the rate's own SQL; the JSON report carries that SQL as `query`). A ratio
 * of items counts its items ("7 of 733 required items") and names the investigations holding them.
 */
export function behindView(a: AgentReport, runRef: string, multiEpoch: boolean, agentIndex = 0) {
  const anchors = new Map(a.worst_cases.map((w) => [w.case_id, w.anchor]));
  return a.cases_behind.map((b) => {
    const kind = b.metric.startsWith("violation_rate.") ? b.metric.slice("violation_rate.".length) : null;
    // audit completeness's n is investigations, six audit items each
    const n = itemsOf(b.metric, a.metrics[b.metric]?.n ?? a.investigations);
    const rest = b.cases - b.listed.length;
    const items = b.counts === "items";
    const cases = `${b.cases.toLocaleString("en-US")} case${b.cases === 1 ? "" : "s"}`;
    return {
      metric: b.metric,
      // the rate's row, for the Quality and violation tables to link to
      anchor: behindAnchor(agentIndex, b.metric),
      label: kind ?? metricInfo(b.metric)?.label ?? b.metric,
      what: kind ? "a finding of this policy-violation kind" : (AGAINST_TEXT[b.metric] ?? ""),
      rows: (items ? (b.items ?? 0) : b.rows).toLocaleString("en-US"),
      of: n.toLocaleString("en-US"),
      unit: items ? itemNoun(b.metric, n) : "",
      none: b.rows === 0,
      // nothing in the rate's denominator: "—" as the rate itself prints, never "0 of 0"
      unmeasured: n === 0,
      nothing: `not measured: no ${items ? itemNoun(b.metric, 2) : "investigation"} to count`,
      // with several epochs a case can count in some of them: rows and cases differ
      cases_note: items
        ? `in ${b.rows.toLocaleString("en-US")} investigation${b.rows === 1 ? "" : "s"}${multiEpoch ? `, ${cases}` : ""}`
        : multiEpoch
          ? cases
          : "",
      listed: b.listed.map((c) => ({
        case_id: c.case_id,
        anchor: anchors.get(c.case_id) ?? "",
        note: [
          multiEpoch ? `×${c.epochs}` : "",
          items ? itemsShort(b.metric, c.items ?? 0) : "",
          // a case with no verdict says why, in the words the worst cases and `soceval cases` use;
          // the two rates of missing answers say it for every case already
          c.output_status === "valid" || SAYS_STATUS.has(b.metric) ? "" : answerLabel(null, c.output_status),
        ]
          .filter(Boolean)
          .join(" · "),
      })),
      rest: rest > 0 ? rest.toLocaleString("en-US") : "",
      // agent names and run ids are [A-Za-z0-9._-]: safe as shell words (runRef quotes a --db path)
      command: `soceval cases --run ${runRef} --agent ${a.agent} --rate ${b.metric}`,
    };
  });
}

/** The anchor of a rate's row in one agent's table (metric keys are [a-z_.]: valid in an id). */
export function behindAnchor(agentIndex: number, metric: string): string {
  return `agent-${agentIndex}-behind-${metric}`;
}
