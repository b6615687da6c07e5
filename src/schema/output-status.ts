import { z } from "zod";

/**
 * What an investigation answered, in one word a CI reader can branch on: an answer that failed the
 * triage schema and no answer at all are both stored with a null verdict, and only
 * `case_results.schema_valid` and `failed` tell them apart.
 */
export const OutputStatus = z
  .enum(["valid", "invalid", "none"])
  .describe(
    "valid: an output that passed the triage schema; invalid: an output that failed it (stored with no verdict); none: no output at all (provider error, limit hit before an answer, missing transcript)",
  );

export type OutputStatus = z.infer<typeof OutputStatus>;

/**
 * The status of one case_results row aliased `r` (`""` for an unqualified one), as SQL. A row a
 * LEFT JOIN did not find reads as none: nothing was answered there.
 */
export function outputStatusSql(r: string): string {
  const col = (c: string) => (r ? `${r}.${c}` : c);
  return `CASE WHEN ${col("schema_valid")} THEN 'valid' WHEN NOT coalesce(${col("failed")}, true) THEN 'invalid' ELSE 'none' END`;
}

/** outputStatusSql for a case_results row read into JS (null: no row, nothing was answered). */
export function outputStatusOf(r: { schema_valid?: boolean | null; failed?: boolean | null } | null): OutputStatus {
  return r?.schema_valid ? "valid" : r?.failed === false ? "invalid" : "none";
}

/**
 * The status of a case over its epochs (an aggregate over case_results rows), consistent with the
 * verdict shown beside it, the commonest valid one: valid when any epoch answered validly, else
 * invalid when any answered at all, else none.
 */
export const OUTPUT_STATUS_OVER_EPOCHS = outputStatusOverEpochsSql();

/**
 * OUTPUT_STATUS_OVER_EPOCHS over the rows that meet `filter` alone (the epochs that count against a
 * rate, say), with the columns of a case_results row aliased `r` (`""` for unqualified ones).
 */
export function outputStatusOverEpochsSql(filter?: string, r = ""): string {
  const col = (c: string) => (r ? `${r}.${c}` : c);
  const where = filter ? ` FILTER (WHERE ${filter})` : "";
  return `CASE WHEN bool_or(${col("schema_valid")})${where} THEN 'valid' WHEN bool_or(NOT ${col("failed")})${where} THEN 'invalid' ELSE 'none' END`;
}

/** What a listing shows for an answer: its verdict, or why it has none. */
export function answerLabel(verdict: string | null | undefined, status: OutputStatus): string {
  return verdict ?? (status === "invalid" ? "invalid output" : "no output");
}
