import type { Finding } from "../src/schema/index.js";
import type { Scorer } from "./types.js";

const NAME = "missed-context";

/**
 * The evidence the analyst needed to decide the case: did the agent retrieve it, and did its
 * answer rest on it? Citing a required id that was never retrieved is not "used" (that is a
 * hallucination, scored elsewhere).
 */
export const missedContext: Scorer = {
  name: NAME,
  score(ctx) {
    const required = [...new Set(ctx.case.label?.required_evidence ?? [])];
    // what the answer cites, valid or not, in its lists or its prose, as hallucination and `show`
    // read it: an answer that failed the schema for its confidence still rested on these records
    const cited = ctx.cited;
    const tp = ctx.case.label?.verdict === "true_positive";
    const findings: Finding[] = [];
    let gathered = 0;
    let used = 0;
    for (const id of required) {
      const record = ctx.case.evidence.find((e) => e.id === id);
      const what = record ? `${id} (${record.source})` : id;
      if (!ctx.returned.has(id)) {
        findings.push({
          scorer: NAME,
          kind: "missed_context",
          severity: tp ? "high" : "medium",
          detail: `never retrieved required evidence ${what}${record && ctx.failedSources.has(record.source) ? "; its source failed or was unavailable" : ""}`,
          evidence_id: id,
        });
        continue;
      }
      gathered++;
      if (cited.has(id)) used++;
      else if (ctx.output || ctx.readable?.fields)
        findings.push({
          scorer: NAME,
          kind: "unused_context",
          severity: "low",
          detail: `retrieved required evidence ${what} but did not cite it in the decision`,
          evidence_id: id,
        });
    }
    return {
      findings,
      values: {
        missed_context: gathered < required.length,
        required_total: required.length,
        required_gathered: gathered,
        required_cited: used,
      },
    };
  },
};
