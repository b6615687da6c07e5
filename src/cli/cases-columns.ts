/**
 * What a listed investigation says beyond its verdicts, for the rates whose count alone would send
 * the reader to a second command: which audit items it lacks. SQL select items over `r`, the
 * case_results row, each with a leading comma; "" for the other rates.
 */
export function extraColumns(rate: string): string {
  if (rate === "audit_completeness") return ", r.audit_completeness, r.audit_missing";
  return "";
}
