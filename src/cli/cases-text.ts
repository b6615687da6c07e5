import Table from "cli-table3";
import { metricInfo } from "../analytics/catalogue.js";
import { itemsNoun, itemsText } from "../analytics/items-behind.js";
import { printable } from "../io/printable.js";
import { showCommand } from "../io/shell.js";
import { runRef } from "../report/format.js";

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
};
/** Per agent: rows against the rate of `of` rows; for an item ratio, `items` against it of `of` items. */
export type AgentCount = { agent: string; rows: number; of: number; items?: number };

/** Rows a terminal table shows; jsonl streams every one. */
export const TABLE_ROWS = 200;

/** The terminal table of `soceval cases`, then the count per agent and how to open one case. */
export function casesText(rate: string, rows: CaseRow[], counts: AgentCount[], itemRatio: boolean, db: string): string {
  const t = new Table({
    head: [
      "case",
      "agent",
      "epoch",
      "analyst",
      "agent verdict",
      "escalated",
      ...(itemRatio ? ["against it"] : []),
      "alert",
    ],
    // the items column wraps, as the title does, so the table is hardly wider than without it
    colWidths: [null, null, null, null, null, null, ...(itemRatio ? [22] : []), itemRatio ? 44 : 60],
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
      r.verdict ?? "no output",
      r.escalate === null ? "" : r.escalate ? "yes" : "no",
      // a ratio of items counts items, not the investigation: each row says how many it holds
      ...(itemRatio ? [itemsText(rate, Number(r.items), Number(r.items_total))] : []),
      printable(r.title ?? ""),
    ]);
  const label = metricInfo(rate)?.label ?? rate;
  // an agent with nothing in the rate's denominator has no rate, as the report's "—"
  const totals = counts
    .map((c) => {
      if (Number(c.of) === 0) return `${c.agent} none to measure`;
      if (!itemRatio) return `${c.agent} ${c.rows} of ${c.of}`;
      const n = Number(c.rows);
      return `${c.agent} ${c.items} of ${c.of} (in ${n} investigation${n === 1 ? "" : "s"})`;
    })
    .join("; ");
  const first = rows[0];
  const all = counts.reduce((n, c) => n + Number(c.rows), 0);
  // a hand-off is neither right nor wrong: the rate counts it, nothing counts against
  const what = itemRatio
    ? itemsNoun(rate)
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
