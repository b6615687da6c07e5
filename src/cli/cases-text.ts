import Table from "cli-table3";
import { P95_BEHIND } from "../analytics/cases-behind.js";
import { metricInfo } from "../analytics/catalogue.js";
import { itemsNoun, itemsText } from "../analytics/items-behind.js";
import { printable } from "../io/printable.js";
import { showCommand } from "../io/shell.js";
import { formatValue, runRef } from "../report/format.js";
import { answerLabel, type OutputStatus } from "../schema/output-status.js";
import { auditCell } from "./audit-text.js";
import { type Violation, violationKind, violationsText } from "./cases-columns.js";

export type CaseRow = {
  run_id: string;
  case_id: string;
  agent: string;
  epoch: number;
  label_verdict: string | null;
  verdict: string | null;
  escalate: boolean | null;
  title: string | null;
  /** an item ratio's only: the row's items against it, and all its items */
  items?: number;
  items_total?: number;
  /** audit_completeness's only: the row's share, and its missing items (null: scored before they were recorded) */
  audit_completeness?: number;
  audit_missing?: string[] | null;
  /** the violation rates' only (one kind's: that kind's): the policy findings that make it count, by kind */
  violations?: Violation[] | null;
  /** a p95's only: the investigation's value of it, in ms */
  ms?: number | null;
  /** failed_rate's only: the transcript's error (null: no transcript, or none recorded) */
  error?: string | null;
  /** what a null verdict stands for: an output that failed the schema, or none at all */
  output_status: OutputStatus;
};
/** Per agent: rows against the rate of `of` rows; for an item ratio, `items` against it of `of` items. */
export type AgentCount = { agent: string; rows: number; of: number; items?: number; p95?: number | null };

/** Rows a terminal table shows; jsonl streams every one. */
export const TABLE_ROWS = 200;

/** The terminal table of `soceval cases`, then the count per agent and how to open one case. */
export function casesText(rate: string, rows: CaseRow[], counts: AgentCount[], itemRatio: boolean, db: string): string {
  const extra = extraCells(rate, itemRatio);
  const t = new Table({
    head: ["case", "agent", "epoch", "analyst", "agent verdict", "escalated", ...extra.map((e) => e.head), "alert"],
    // the extra columns wrap, as the title does, so the table is hardly wider than without them
    colWidths: [null, null, null, null, null, null, ...extra.map((e) => e.width), extra.length ? 44 : 60],
    wordWrap: true,
    style: process.stdout.isTTY ? {} : { head: [], border: [] },
  });
  // the alert title is attacker-controlled: no control character reaches the terminal
  for (const r of rows.slice(0, TABLE_ROWS))
    t.push([
      printable(r.case_id),
      r.agent,
      r.epoch,
      r.label_verdict ?? "",
      answerLabel(r.verdict, r.output_status),
      r.escalate === null ? "" : r.escalate ? "yes" : "no",
      ...extra.map((e) => e.cell(r)),
      printable(r.title ?? ""),
    ]);
  const label = metricInfo(rate)?.label ?? rate;
  // an agent with nothing in the rate's denominator has no rate, as the report's "—"
  const totals = counts
    .map((c) => {
      if (Number(c.of) === 0) return `${c.agent} none to measure`;
      if (c.p95 !== undefined) return `${c.agent} ${c.rows} of ${c.of} (p95 ${formatValue(c.p95, "ms")})`;
      if (!itemRatio) return `${c.agent} ${c.rows} of ${c.of}`;
      const n = Number(c.rows);
      const audit = rate === "audit_completeness" ? `; mean completeness ${meanFromItems(c)}` : "";
      return `${c.agent} ${c.items} of ${c.of} (in ${n} investigation${n === 1 ? "" : "s"}${audit})`;
    })
    .join("; ");
  const first = rows[0];
  const all = counts.reduce((n, c) => n + Number(c.rows), 0);
  // a hand-off is neither right nor wrong: the rate counts it, nothing counts against
  const what = itemRatio
    ? itemsNoun(rate)
    : P95_BEHIND.has(rate)
      ? "investigations at or above it"
      : rate === "human_handoff_rate"
        ? "investigations it counts"
        : "investigations that count against it";
  return (
    `${rows.length > 0 ? `${t.toString()}\n` : ""}` +
    // a terminal table of thousands of rows is read by no one: the count stays exact
    (rows.length > TABLE_ROWS ? `the first ${TABLE_ROWS} of ${all} shown; --format jsonl lists every one\n` : "") +
    `${label}, ${what}: ${totals || "none stored"}\n` +
    (first
      ? `one case whole, steps and evidence: ${printable(showCommand(first.case_id, `--run ${runRef(first.run_id, db)}`))}\n`
      : "")
  );
}

type Extra = { head: string; width: number; cell: (r: CaseRow) => string };

/** The columns a rate's rows carry beyond their verdicts (cases-columns.ts selects them). */
function extraCells(rate: string, itemRatio: boolean): Extra[] {
  if (rate === "audit_completeness")
    return [
      { head: "audit items", width: 16, cell: (r) => auditCell(Number(r.audit_completeness)) },
      {
        head: "missing",
        width: 22,
        // the count is stored, the names only since soceval recorded them: a rescore records them
        cell: (r) => (r.audit_missing ? r.audit_missing.join(", ") : "not recorded (soceval rescore)"),
      },
    ];
  // a ratio of items counts items, not the investigation: each row says how many it holds
  if (itemRatio)
    return [{ head: "against it", width: 22, cell: (r) => itemsText(rate, Number(r.items), Number(r.items_total)) }];
  if (rate === "failed_rate") return [{ head: "why", width: 34, cell: (r) => whyFailed(r.error) }];
  if (P95_BEHIND.has(rate)) return [{ head: "time", width: 12, cell: (r) => formatValue(r.ms, "ms") }];
  if (rate === "policy_violation_rate" || rate === "high_severity_violation_rate" || violationKind(rate))
    return [{ head: "violations", width: 26, cell: (r) => violationsText(r.violations) }];
  return [];
}

/**
 * The report's mean audit completeness, from the items: each investigation holds six, so the mean
 * of its shares is 1 − missing ÷ all, shown as the sum that makes it.
 */
function meanFromItems(c: AgentCount): string {
  const missing = Number(c.items ?? 0);
  const all = Number(c.of);
  return `1 − ${missing}/${all} = ${(100 * (1 - missing / all)).toFixed(2)}%`;
}

/** A failed investigation's error as a table cell: its start, which names the cause; jsonl has all of it. */
function whyFailed(error: string | null | undefined): string {
  if (!error) return "no error recorded";
  const line = printable(error.replace(/\s+/g, " ").trim());
  return line.length > 200 ? `${line.slice(0, 199)}…` : line;
}
