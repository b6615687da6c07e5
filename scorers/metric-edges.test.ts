import { describe, expect, it } from "vitest";
import { MISSING_TRANSCRIPT } from "../src/schema/index.js";
import { call, goodOutput, goodSteps, phishCase, score, transcript } from "../test/fixtures/scoring/phishing.js";

/**
 * Per-case values at the edges of DESIGN.md's definitions that the scorers' other tests leave open:
 * each would let a broken scorer through unnoticed (found by mutating the scorer).
 */
const labeled = (
  verdict: "true_positive" | "benign_positive" | "false_positive",
  escalate: boolean,
  required = ["ev-hdr-1", "ev-click-1"],
) => phishCase({ label: { verdict, escalate, actions: [], required_evidence: required } });

describe("critical miss follows the analyst's verdict, not whether the analyst escalated", () => {
  it("an analyst true positive handled without escalation is still missed when the agent closes it", () => {
    const s = score({
      case: labeled("true_positive", false),
      transcript: transcript({ output: goodOutput({ escalate: false }) }),
    });
    expect(s.result).toMatchObject({ critical_miss: true, escalation_match: true, agree: true });
    expect(s.kinds).toContain("critical_miss");
  });

  it("a benign case the analyst escalated is no critical miss when the agent closes it", () => {
    const s = score({
      case: labeled("benign_positive", true),
      transcript: transcript({ output: goodOutput({ verdict: "benign_positive", escalate: false }) }),
    });
    expect(s.result).toMatchObject({ critical_miss: false, escalation_match: false, agree: true });
    expect(s.kinds).not.toContain("critical_miss");
  });
});

describe("false-positive reduction: either no-threat verdict is a correct close", () => {
  it.each([
    ["false_positive", "benign_positive"],
    ["benign_positive", "false_positive"],
    ["benign_positive", "benign_positive"],
  ] as const)(
    "an analyst %s closed as %s without escalation counts, and saves the analyst's minutes",
    (label, verdict) => {
      const c = phishCase({
        label: { verdict: label, escalate: false, actions: [], required_evidence: ["ev-hdr-1"], analyst_minutes: 9 },
      });
      const out = goodOutput({ verdict, escalate: false, recommended_actions: [] });
      expect(score({ case: c, transcript: transcript({ output: out }) }).result).toMatchObject({
        fp_closed: true,
        minutes_saved: 9,
      });
    },
  );

  it("closing an analyst benign case as a true positive is no reduction, even unescalated", () => {
    const out = goodOutput({ verdict: "true_positive", escalate: false, recommended_actions: [] });
    expect(
      score({ case: labeled("benign_positive", false), transcript: transcript({ output: out }) }).result,
    ).toMatchObject({ fp_closed: false });
  });
});

describe("missed context counts each required record once", () => {
  it("a required id the label lists twice is one item, gathered or not", () => {
    // headers gathered, clicks never queried: 1 of 2 distinct items, whatever the label repeats
    const steps = goodSteps().filter((s) => s.type !== "tool_call" || s.tool !== "get_url_clicks");
    const s = score({
      case: labeled("true_positive", true, ["ev-hdr-1", "ev-hdr-1", "ev-click-1", "ev-click-1"]),
      transcript: transcript({ steps }),
    });
    expect(s.result).toMatchObject({ required_total: 2, required_gathered: 1, missed_context: true });
    expect(s.findings.filter((f) => f.kind === "missed_context")).toHaveLength(1);
  });
});

describe("audit trail and unmeasured time", () => {
  it("an answer given without a single query has no query trail to audit", () => {
    const steps = goodSteps().filter((s) => s.type === "model_call");
    expect(score({ transcript: transcript({ steps }) }).result.audit_missing).toContain("query_trail");
    // one traced query is a trail
    const one = [...steps, call("get_email_headers", "ok", ["ev-hdr-1"])];
    expect(score({ transcript: transcript({ steps: one }) }).result.audit_missing).not.toContain("query_trail");
  });

  it("a query that failed with a blank note says nothing about why: the trail has a gap", () => {
    const steps = [...goodSteps(), call("get_signins", "error", [], { note: "   " })];
    expect(score({ transcript: transcript({ steps }) }).result.audit_missing).toContain("query_trail");
  });

  it("tokens and cost a server did not report are unknown, not 0, while time is still measured", () => {
    const steps = goodSteps().map((s) => (s.type === "model_call" ? { ...s, usage_reported: false as const } : s));
    expect(score({ transcript: transcript({ steps }) }).result).toMatchObject({
      tokens_in: null,
      tokens_out: null,
      cost_usd: null,
      time_to_triage_ms: 2000,
    });
    // one call that did report is not enough: the investigation's total is still unknown
    const one = goodSteps().map((s, i) =>
      i === 0 && s.type === "model_call" ? { ...s, usage_reported: false as const } : s,
    );
    expect(score({ transcript: transcript({ steps: one }) }).result).toMatchObject({ tokens_in: null, cost_usd: null });
  });

  it("an imported case with no transcript has no time to triage, not 0 ms; a run's own failure is timed", () => {
    const missing = score({ transcript: transcript({ steps: [], output: null, error: MISSING_TRANSCRIPT }) }).result;
    expect(missing).toMatchObject({ failed: true, time_to_triage_ms: null, cost_usd: null, tokens_in: null });
    const crashed = score({
      transcript: transcript({ steps: [call("get_email_headers", "error")], output: null, error: "provider 500" }),
    }).result;
    expect(crashed).toMatchObject({ failed: true, time_to_triage_ms: 100, cost_usd: 0 });
  });
});
