import { MISSING_TRANSCRIPT } from "../schema/transcript.js";

/**
 * The case_results columns nothing measured for a case an imported file has no transcript for:
 * null since store layout 4. Stores written before held 0 there, which pulled every mean, quantile
 * and paired difference of cost, tokens and time down.
 */
export const UNMEASURED_COLUMNS = ["time_to_triage_ms", "tokens_in", "tokens_out", "cost_usd"] as const;

/**
 * A condition on the case_results row aliased `r`: it stands for a missing transcript (the
 * placeholder `soceval score` stores: that error, no output, no step). `from` qualifies the tables
 * read, for a store read through views of the current layout.
 */
export function missingTranscriptSql(r: string, from = ""): string {
  const same = (t: string) =>
    `${t}.run_id = ${r}.run_id AND ${t}.case_id = ${r}.case_id AND ${t}.agent = ${r}.agent AND ${t}.epoch = ${r}.epoch`;
  return `(EXISTS (SELECT 1 FROM ${from}transcripts mt WHERE ${same("mt")}
      AND mt.error = '${MISSING_TRANSCRIPT.replace(/'/g, "''")}' AND coalesce(mt.output::VARCHAR, 'null') = 'null')
    AND NOT EXISTS (SELECT 1 FROM ${from}tool_calls mc WHERE ${same("mc")})
    AND NOT EXISTS (SELECT 1 FROM ${from}model_calls mm WHERE ${same("mm")}))`;
}
