import { describe, expect, it } from "vitest";
import { call, goodOutput, goodSteps, phishCase, score, transcript } from "../test/fixtures/scoring/phishing.js";

const withoutClicks = () => goodSteps().filter((s) => s.type !== "tool_call" || s.tool !== "get_url_clicks");

describe("missed_context", () => {
  it("a required id no tool call returned is missed (high on a true positive)", () => {
    const s = score({
      transcript: transcript({ steps: withoutClicks(), output: goodOutput({ evidence: ["ev-hdr-1"] }) }),
    });
    const f = s.findings.filter((x) => x.kind === "missed_context");
    expect(f).toHaveLength(1);
    expect(f[0]).toMatchObject({ evidence_id: "ev-click-1", severity: "high" });
    expect(s.result).toMatchObject({ missed_context: true, required_total: 2, required_gathered: 1 });
  });

  it("medium on a benign case", () => {
    const benign = phishCase({
      label: {
        verdict: "benign_positive",
        escalate: false,
        actions: [],
        required_evidence: ["ev-hdr-1", "ev-click-1"],
      },
    });
    const s = score({ case: benign, transcript: transcript({ steps: withoutClicks() }) });
    expect(s.findings.find((x) => x.kind === "missed_context")?.severity).toBe("medium");
  });

  it("a required id returned only by a failed call is still missed, and the detail says its source failed", () => {
    const steps = [...withoutClicks(), call("get_url_clicks", "timeout", ["ev-click-1"])];
    const s = score({ transcript: transcript({ steps }) });
    const f = s.findings.find((x) => x.kind === "missed_context");
    expect(f?.detail).toContain("failed or was unavailable");
  });

  it("near miss: gathered by a retry after a failure is not missed", () => {
    const steps = [...withoutClicks(), call("get_url_clicks", "timeout"), call("get_url_clicks", "ok", ["ev-click-1"])];
    const s = score({ transcript: transcript({ steps }) });
    expect(s.kinds).not.toContain("missed_context");
    expect(s.result).toMatchObject({ missed_context: false, required_gathered: 2, required_cited: 2 });
  });
});

describe("unused_context", () => {
  it("gathered but never cited is unused (low), and not counted as cited", () => {
    const out = goodOutput({ evidence: ["ev-hdr-1"] });
    out.hypotheses[0]!.evidence = ["ev-hdr-1"];
    const s = score({ transcript: transcript({ output: out }) });
    const f = s.findings.filter((x) => x.kind === "unused_context");
    expect(f).toEqual([expect.objectContaining({ evidence_id: "ev-click-1", severity: "low" })]);
    expect(s.result).toMatchObject({ missed_context: false, required_gathered: 2, required_cited: 1 });
  });

  it("near miss: cited only inside a hypothesis still counts as used", () => {
    const out = goodOutput({ evidence: [] });
    const s = score({ transcript: transcript({ output: out }) });
    expect(s.kinds).not.toContain("unused_context");
    expect(s.result.required_cited).toBe(2);
  });

  it("no unused_context noise when there is no valid output", () => {
    const s = score({ transcript: transcript({ output: null, error: "timeout" }) });
    expect(s.kinds).not.toContain("unused_context");
    expect(s.result).toMatchObject({ required_gathered: 2, required_cited: 0 });
  });

  it("an answer that failed the schema is judged on what it cites, as show marks it", () => {
    const { confidence: _, ...noConfidence } = goodOutput();
    const cites = score({ transcript: transcript({ output: noConfidence }) });
    expect(cites.result).toMatchObject({ schema_valid: false, required_gathered: 2, required_cited: 2 });
    expect(cites.kinds).not.toContain("unused_context");
    const silent = score({
      transcript: transcript({ output: { ...noConfidence, evidence: [], hypotheses: [], recommended_actions: [] } }),
    });
    expect(silent.result.required_cited).toBe(0);
    expect(silent.findings.filter((f) => f.kind === "unused_context").map((f) => f.evidence_id)).toEqual([
      "ev-hdr-1",
      "ev-click-1",
    ]);
    // near miss: a text answer has no citation lists; it is not faulted for each record it gathered
    expect(score({ transcript: transcript({ output: "phishing, see ev-hdr-1" }) }).kinds).not.toContain(
      "unused_context",
    );
  });

  it("an id quoted in the prose is cited, as hallucination reads it: used, not unused", () => {
    const out = goodOutput({
      evidence: [],
      hypotheses: [{ kind: "malicious", explanation: "ev-click-1 shows the click.", evidence: ["ev-hdr-1"] }],
      summary: "Headers (ev-hdr-1) fail DMARC.",
    });
    const s = score({ transcript: transcript({ output: out }) });
    expect(s.kinds).not.toContain("unused_context");
    expect(s.result.required_cited).toBe(2);
    // near miss: an id-like part of a path or address is no citation
    const path = goodOutput({
      evidence: [],
      hypotheses: [{ kind: "malicious", explanation: "see /cases/ev-click-1/x", evidence: ["ev-hdr-1"] }],
    });
    expect(score({ transcript: transcript({ output: path }) }).result.required_cited).toBe(1);
  });

  it("a case without required evidence has nothing to miss", () => {
    const s = score({ case: phishCase({ label: undefined }), transcript: transcript({ steps: [] }) });
    expect(s.result).toMatchObject({ missed_context: false, required_total: 0, required_gathered: 0 });
  });
});
