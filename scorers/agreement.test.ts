import { describe, expect, it } from "vitest";
import { goodOutput, phishCase, score, transcript } from "../test/fixtures/scoring/phishing.js";

const labeled = (verdict: "true_positive" | "benign_positive" | "false_positive", escalate: boolean) =>
  phishCase({ label: { verdict, escalate, actions: [], required_evidence: ["ev-hdr-1", "ev-click-1"] } });

describe("agreement", () => {
  it("verdict_mismatch when the verdict differs from the analyst's; not when it matches", () => {
    const miss = score({ transcript: transcript({ output: goodOutput({ verdict: "benign_positive" }) }) });
    expect(miss.kinds).toContain("verdict_mismatch");
    expect(miss.findings.find((f) => f.kind === "verdict_mismatch")?.severity).toBe("low");
    expect(miss.result.agree).toBe(false);
    const hit = score();
    expect(hit.kinds).not.toContain("verdict_mismatch");
    expect(hit.result.agree).toBe(true);
  });

  it("critical_miss when an analyst true positive is not escalated, even with the right verdict", () => {
    const s = score({ transcript: transcript({ output: goodOutput({ escalate: false }) }) });
    expect(s.kinds).toContain("critical_miss");
    expect(s.findings.find((f) => f.kind === "critical_miss")?.severity).toBe("high");
    expect(s.findings.find((f) => f.kind === "critical_miss")?.detail).toBe(
      "analyst true positive that the agent recognised but neither escalated nor handed to a human",
    );
    expect(s.result.critical_miss).toBe(true);
    expect(s.result.escalation_match).toBe(false);
  });

  it("no critical_miss when the agent escalates or hands the case to a person", () => {
    expect(score().result.critical_miss).toBe(false);
    const handOff = score({ transcript: transcript({ output: goodOutput({ escalate: false, human_only: true }) }) });
    expect(handOff.kinds).not.toContain("critical_miss");
  });

  it("a true positive with no valid output is a critical miss and a disagreement", () => {
    const s = score({ transcript: transcript({ output: null, error: "provider 500" }) });
    expect(s.result).toMatchObject({ critical_miss: true, agree: false, escalation_match: false, verdict: null });
    expect(s.kinds).toContain("critical_miss");
    expect(s.kinds).not.toContain("verdict_mismatch");
  });

  it("a benign case left unescalated is no critical miss", () => {
    const s = score({
      case: labeled("benign_positive", false),
      transcript: transcript({ output: goodOutput({ verdict: "benign_positive", escalate: false }) }),
    });
    expect(s.result).toMatchObject({ agree: true, escalation_match: true, critical_miss: false });
  });

  it("an unlabeled case leaves agreement values null and raises no agreement findings", () => {
    const s = score({
      case: phishCase({ label: undefined }),
      transcript: transcript({ output: goodOutput({ verdict: "false_positive", escalate: false }) }),
    });
    expect(s.result).toMatchObject({ agree: null, escalation_match: null, critical_miss: null, label_verdict: null });
    expect(s.kinds).not.toContain("verdict_mismatch");
    expect(s.kinds).not.toContain("critical_miss");
  });
});
