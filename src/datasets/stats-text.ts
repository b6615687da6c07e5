import Table from "cli-table3";
import { printable } from "../io/printable.js";
import { reachWarnings } from "./reach-text.js";
import type { DatasetStats } from "./stats.js";

// plain borders when piped: escape codes would end up in files and CI logs
const style = () => (process.stdout.isTTY ? {} : { style: { head: [], border: [] } });

const pct = (n: number, of: number) => (of ? `${((100 * n) / of).toFixed(1)}%` : "–");

function countTable(title: string, counts: Record<string, number>, of: number): string {
  const t = new Table({ head: [title, "cases", "share"], ...style() });
  // tags and workflow names are the dataset's own text: their escapes are shown, not obeyed
  for (const [k, n] of Object.entries(counts)) t.push([printable(k), n, pct(n, of)]);
  return t.toString();
}

/** `dataset stats` as text tables, one per dimension, skipping empty ones. */
export function statsText(s: DatasetStats): string {
  const out: string[] = [];
  const minutes = s.analyst_minutes.cases
    ? `, analyst minutes ${s.analyst_minutes.total.toFixed(0)} over ${s.analyst_minutes.cases} cases`
    : "";
  out.push(
    `${s.file}: ${s.cases} cases (${s.labeled} labeled, ${s.cases - s.labeled} unlabeled), ` +
      `${s.incidents} incidents, ${s.evidence_records} evidence records, ${s.adversarial} adversarial${minutes}`,
  );
  out.push(countTable("verdict", s.verdict, s.cases));
  const esc = new Table({ head: ["escalation", "cases", "share"], ...style() });
  esc.push(["escalated", s.escalation.escalated, pct(s.escalation.escalated, s.cases)]);
  esc.push(["not escalated", s.escalation.not_escalated, pct(s.escalation.not_escalated, s.cases)]);
  if (s.escalation.unlabeled) esc.push(["unlabeled", s.escalation.unlabeled, pct(s.escalation.unlabeled, s.cases)]);
  out.push(esc.toString());
  out.push(countTable("workflow", s.workflow, s.cases));
  if (Object.keys(s.tags).length) out.push(countTable("tag", s.tags, s.cases));
  const readBy = s.reach?.read_by;
  const head = ["evidence source", "cases with it", "coverage", "unavailable in"];
  const src = new Table({ head: readBy ? [...head, `read by (${s.reach!.workflow})`] : head, ...style() });
  const names = new Set([...Object.keys(s.evidence_sources), ...Object.keys(s.unavailable)]);
  // a tool whose source no case holds returns nothing: listed, with 0 cases, beside the rest
  for (const name of Object.keys(readBy ?? {})) names.add(name);
  for (const name of names) {
    const have = s.evidence_sources[name]?.cases ?? 0;
    const row = [printable(name), have, pct(have, s.cases), s.unavailable[name] ?? 0];
    src.push(readBy ? [...row, readBy[name]?.join(", ") ?? "no tool"] : row);
  }
  if (names.size) out.push(src.toString());
  for (const w of s.reach ? reachWarnings(s.reach) : []) out.push(w);
  return `${out.join("\n")}\n`;
}
