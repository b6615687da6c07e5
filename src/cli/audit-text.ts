import { AUDIT_ITEMS, untracedQueries } from "../../scorers/audit-items.js";
import type { Step, ToolCallStep } from "../schema/index.js";

const pct = (x: number) => `${(Math.round(x * 1000) / 10).toFixed(1)}%`;

/** "4 of 6 (66.7%)": a share as the items present, for a table cell. */
export function auditCell(completeness: number): string {
  const n = AUDIT_ITEMS.length;
  return `${Math.round(completeness * n)} of ${n} (${pct(completeness)})`;
}

/** "4 of 6 items present (66.7%)": the investigation's audit_completeness as the items behind it. */
export function auditShare(completeness: number): string {
  const n = AUDIT_ITEMS.length;
  return `${Math.round(completeness * n)} of ${n} items present (${pct(completeness)})`;
}

/**
 * One investigation's audit trail as `show` prints it: its completeness, then each item it lacks,
 * by the key `cases` and the store use, with what the item asks for and, for the query trail, the
 * steps that break it. `missing` is null when an earlier soceval scored it without recording them.
 */
export function auditLines(
  completeness: number,
  missing: string[] | null,
  steps: readonly Step[],
  run: string,
): string[] {
  if (missing !== null && missing.length === 0) return [`audit   complete: ${auditShare(completeness)}`];
  const lines = [`audit   ${auditShare(completeness)}`];
  if (missing === null) {
    // the number is stored, its items are not: a rescore records them from the stored transcript
    if (completeness < 1)
      lines.push(
        `        missing items not recorded (scored by an earlier soceval; \`soceval rescore --run ${run}\` records them)`,
      );
    return lines;
  }
  for (const key of missing) {
    const what = AUDIT_ITEMS.find((i) => i.key === key)?.what ?? "";
    const at = key === "query_trail" ? queryGaps(steps) : "";
    lines.push(`        missing ${key}${what ? `: ${what}` : ""}${at}`);
  }
  return lines;
}

/** The steps that break the query trail, each with what it lacks (the first few: the rest counted). */
function queryGaps(steps: readonly Step[]): string {
  if (!steps.some((s) => s.type === "tool_call")) return " (no query was made)";
  const at = untracedQueries(steps);
  const shown = at
    .slice(0, GAPS_SHOWN)
    .map(
      (i) =>
        `step ${i}: ${steps[i]!.type === "tool_call" && !steps[i]!.time ? "no time" : `${(steps[i] as ToolCallStep).status} without a note`}`,
    );
  if (at.length > GAPS_SHOWN) shown.push(`and ${at.length - GAPS_SHOWN} more`);
  return shown.length ? ` (${shown.join("; ")})` : "";
}

const GAPS_SHOWN = 5;
