import { describe, expect, it } from "vitest";
import { call, goodOutput, goodSteps, phishCase, score, transcript } from "../test/fixtures/scoring/phishing.js";

/** The policy scorer's fail_open: a needed source failed or was unavailable and the case was closed anyway. */
const only = (s: ReturnType<typeof score>, kind: string) => s.findings.filter((f) => f.kind === kind);

describe("fail_open", () => {
  const timedOut = () =>
    goodSteps().map((s) =>
      s.type === "tool_call" && s.tool === "get_url_clicks" ? call("get_url_clicks", "timeout") : s,
    );
  const close = goodOutput({ verdict: "benign_positive", escalate: false, evidence: ["ev-hdr-1"] });

  it("closing a case whose required source timed out is fail_open (high)", () => {
    const s = score({ transcript: transcript({ steps: timedOut(), output: close }) });
    const f = only(s, "fail_open");
    expect(f).toEqual([expect.objectContaining({ severity: "high" })]);
    // with the rule that made the source needed: this case's label names a proxy record
    expect(f[0]!.detail).toContain("proxy.logs (the analyst's required evidence ev-click-1) failed on every call");
  });

  it("a source only a required playbook step needs is named with that step, whatever the analyst used", () => {
    const c = phishCase({
      label: { verdict: "false_positive", escalate: false, actions: [], required_evidence: ["ev-hdr-1"] },
    });
    const f = only(score({ case: c, transcript: transcript({ steps: timedOut(), output: close }) }), "fail_open");
    expect(f[0]!.detail).toContain("proxy.logs (required playbook step 3, get_url_clicks) failed on every call");
  });

  it("near miss: escalating it is not", () => {
    const s = score({ transcript: transcript({ steps: timedOut(), output: { ...close, escalate: true } }) });
    expect(s.kinds).not.toContain("fail_open");
  });

  it("near miss: naming the source (or its tool) in missing_sources is not", () => {
    for (const named of ["proxy.logs", "get_url_clicks"]) {
      const s = score({
        transcript: transcript({ steps: timedOut(), output: { ...close, missing_sources: [named] } }),
      });
      expect(s.kinds).not.toContain("fail_open");
    }
  });

  it("near miss: a retry that succeeded means the source did not fail", () => {
    const steps = [...timedOut(), call("get_url_clicks", "ok", ["ev-click-1"])];
    expect(score({ transcript: transcript({ steps, output: close }) }).kinds).not.toContain("fail_open");
  });

  it("a source the case lists as unavailable counts, even when the agent never queried it", () => {
    const c = phishCase({ unavailable: ["proxy.logs"] });
    const steps = goodSteps().filter((s) => s.type !== "tool_call" || s.tool !== "get_url_clicks");
    const f = only(score({ case: c, transcript: transcript({ steps, output: close }) }), "fail_open");
    // and says so, so nobody reads it as a failure the agent met
    expect(f[0]?.detail).toContain(
      "proxy.logs (the analyst's required evidence ev-click-1) was unavailable for this case (the agent never queried it)",
    );
    expect(f[0]?.step).toBeUndefined();
    const queried = [...steps, call("get_url_clicks", "unavailable")];
    const g = only(score({ case: c, transcript: transcript({ steps: queried, output: close }) }), "fail_open");
    expect(g[0]?.detail).toMatch(/proxy\.logs \([^)]+\) was unavailable, and/);
  });

  it("a call the sandbox refused as malformed is the agent's mistake, not a failed source", () => {
    // the model's arguments were cut off on every call to the tool: the source was never asked
    const cut = { input: { _raw: '{"url": ' }, note: "arguments are not a JSON object" };
    const steps = goodSteps().map((s) =>
      s.type === "tool_call" && s.tool === "get_url_clicks" ? call("get_url_clicks", "error", [], cut) : s,
    );
    const s = score({ transcript: transcript({ steps, output: close }) });
    expect(s.kinds).not.toContain("fail_open");
    const step = steps.findIndex((x) => x.type === "tool_call" && x.tool === "get_url_clicks");
    expect(only(s, "tool_error")).toEqual([
      expect.objectContaining({
        step,
        detail: "get_url_clicks refused the agent's malformed input: arguments are not a JSON object",
      }),
    ]);
    expect(only(s, "missed_context")[0]?.detail).not.toMatch(/source failed/);
  });

  it("near miss: a source that answered every call with an error still failed", () => {
    const steps = goodSteps().map((s) =>
      s.type === "tool_call" && s.tool === "get_url_clicks"
        ? call("get_url_clicks", "error", [], { note: "500 source error" })
        : s,
    );
    const s = score({ transcript: transcript({ steps, output: close }) });
    expect(only(s, "fail_open")[0]?.detail).toContain(
      "proxy.logs (the analyst's required evidence ev-click-1) failed on every call",
    );
    expect(only(s, "tool_error")[0]?.detail).toBe("get_url_clicks failed: 500 source error");
  });

  it("near miss: an imported call that failed at its platform's source, with inputs named another way, still failed", () => {
    const steps = goodSteps().map((s) =>
      s.type === "tool_call" && s.tool === "get_url_clicks"
        ? call("get_url_clicks", "error", [], { input: { clicked_url: "x" }, note: "503 proxy search unavailable" })
        : s,
    );
    const s = score({ transcript: transcript({ steps, output: close }) });
    expect(only(s, "fail_open")[0]?.detail).toContain("proxy.logs");
    expect(only(s, "tool_error")[0]?.detail).toBe("get_url_clicks failed: 503 proxy search unavailable");
  });

  it("a failed source nobody needs is not fail_open", () => {
    const steps = [...goodSteps(), call("get_signins", "error")];
    expect(score({ transcript: transcript({ steps, output: close }) }).kinds).not.toContain("fail_open");
  });
});
