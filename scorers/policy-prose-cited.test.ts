import { describe, expect, it } from "vitest";
import { goodOutput, score, transcript } from "../test/fixtures/scoring/phishing.js";

/**
 * A decision citing its evidence in prose rests on that evidence: "cited" is read as the
 * hallucination scorer reads it (DESIGN: cited anywhere in the output), so a closure quoting the
 * record it relied on is not an unsupported suppression.
 */
describe("policy: evidence cited in the prose", () => {
  const closed = (summary: string) =>
    goodOutput({
      verdict: "false_positive",
      escalate: false,
      summary,
      evidence: [],
      hypotheses: [{ kind: "benign", explanation: "Nothing malicious.", evidence: [] }],
      recommended_actions: [],
    });

  it("a closure quoting a retrieved record is supported", () => {
    const s = score({ transcript: transcript({ output: closed("Headers in ev-hdr-1 pass DMARC; closing.") }) });
    expect(s.kinds).not.toContain("unsupported_suppression");
    expect(s.kinds).not.toContain("hallucinated_evidence");
  });

  it("near miss: quoting nothing, or an id-like part of a path, is still unsupported", () => {
    expect(score({ transcript: transcript({ output: closed("Looks fine; closing.") }) }).kinds).toContain(
      "unsupported_suppression",
    );
    expect(
      score({ transcript: transcript({ output: closed("See /archive/ev-hdr-1/raw; closing.") }) }).kinds,
    ).toContain("unsupported_suppression");
  });
});
