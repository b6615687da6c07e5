import { describe, expect, it } from "vitest";
import { goodOutput, score, transcript } from "../test/fixtures/scoring/phishing.js";

/**
 * Audit completeness of an answer that failed the schema: the trail holds what the answer wrote,
 * so `show` never prints hypotheses citing evidence and then calls them missing.
 */
describe("audit items of an answer that failed the schema", () => {
  const audit = (output: unknown) => score({ transcript: transcript({ output }) }).result;

  it("lacks only what it did not write: no confidence is the confidence item alone", () => {
    const { confidence: _, ...noConfidence } = goodOutput();
    const r = audit(noConfidence);
    expect(r.schema_valid).toBe(false);
    expect(r.audit_missing).toEqual(["confidence"]);
    expect(r.audit_completeness).toBe(5 / 6);
  });

  it("an invalid verdict leaves a complete trail; an action without its approval decision lacks that item", () => {
    expect(audit({ ...goodOutput(), verdict: "malicious" }).audit_missing).toEqual([]);
    const out = goodOutput();
    const { requires_approval: _, ...undecided } = out.recommended_actions[0]!;
    out.recommended_actions[0] = undecided as (typeof out.recommended_actions)[0];
    expect(audit(out).audit_missing).toEqual(["approval_decisions"]);
  });

  it("near miss: a text answer, or none, has no fields to audit", () => {
    const missing = ["hypotheses_cited", "catalogued_actions", "confidence", "approval_decisions"];
    expect(audit("I think it is phishing, ev-hdr-1.").audit_missing).toEqual(missing);
    expect(audit(null).audit_missing).toEqual(missing);
  });
});

describe("a hypothesis tied to evidence in its explanation", () => {
  const hypotheses = (explanation: string) => {
    const out = goodOutput();
    out.hypotheses = [{ kind: "malicious", explanation, evidence: [] }];
    return score({ transcript: transcript({ output: out }) }).result.audit_missing;
  };

  it("quoting the record's id ties it, as a citation in its list would", () => {
    expect(hypotheses("The click in ev-click-1 followed the phish.")).toEqual([]);
  });

  it("near miss: an explanation quoting no id is untied", () => {
    expect(hypotheses("The user clicked the phish.")).toEqual(["hypotheses_cited"]);
  });
});
