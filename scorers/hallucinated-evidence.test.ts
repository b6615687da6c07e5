import { describe, expect, it } from "vitest";
import { call, goodOutput, goodSteps, phishCase, score, transcript } from "../test/fixtures/scoring/phishing.js";

const withSteps = (extra: ReturnType<typeof goodSteps>, output = goodOutput()) =>
  transcript({ steps: [...goodSteps(), ...extra], output });

describe("hallucinated_evidence", () => {
  it("a cited id returned only by a failed call is hallucinated", () => {
    const s = score({
      transcript: withSteps(
        [call("get_signins", "timeout", ["ev-sign-1"])],
        goodOutput({ evidence: ["ev-hdr-1", "ev-click-1", "ev-sign-1"] }),
      ),
    });
    const f = s.findings.find((x) => x.kind === "hallucinated_evidence");
    expect(f).toMatchObject({ severity: "high", evidence_id: "ev-sign-1" });
    expect(f?.detail).toContain("timeout");
    expect(s.result).toMatchObject({ hallucinated: true, hallucination_count: 1 });
  });

  it("the detail names the failed call with the right article (an error, an unavailable, a timeout call)", () => {
    const detail = (status: "error" | "unavailable" | "timeout" | "denied") =>
      score({
        transcript: withSteps([call("get_signins", status, ["ev-sign-1"])], goodOutput({ evidence: ["ev-sign-1"] })),
      }).findings.find((x) => x.kind === "hallucinated_evidence")?.detail;
    expect(detail("error")).toContain("only an error call to get_signins listed it");
    expect(detail("unavailable")).toContain("only an unavailable call to get_signins listed it");
    expect(detail("timeout")).toContain("only a timeout call to get_signins listed it");
    expect(detail("denied")).toContain("only a denied call to get_signins listed it");
  });

  it("a cited id returned only by a denied call is hallucinated", () => {
    const s = score({
      tools: ["get_email_headers", "get_url_reputation", "get_url_clicks"],
      transcript: withSteps([call("get_signins", "denied", ["ev-sign-1"])], goodOutput({ evidence: ["ev-sign-1"] })),
    });
    expect(s.findings.filter((x) => x.kind === "hallucinated_evidence").map((f) => f.evidence_id)).toEqual([
      "ev-sign-1",
    ]);
  });

  it("near miss: the same id returned by an ok call is not hallucinated", () => {
    const s = score({
      transcript: withSteps(
        [call("get_signins", "ok", ["ev-sign-1"])],
        goodOutput({ evidence: ["ev-hdr-1", "ev-click-1", "ev-sign-1"] }),
      ),
    });
    expect(s.kinds).not.toContain("hallucinated_evidence");
    expect(s.result.hallucinated).toBe(false);
  });

  it("an id an ok call claims to return that the case does not hold is hallucinated when cited (imported transcripts)", () => {
    const transcript = withSteps(
      [call("get_signins", "ok", ["ev-made-up-1"])],
      goodOutput({ evidence: ["ev-hdr-1", "ev-click-1", "ev-made-up-1"] }),
    );
    const s = score({ transcript });
    const f = s.findings.find((x) => x.kind === "hallucinated_evidence");
    expect(f).toMatchObject({ severity: "high", evidence_id: "ev-made-up-1" });
    expect(f?.detail).toContain("no such evidence record exists in this case (a call to get_signins listed it)");
    // the call that listed it, so findings and show can point at it
    expect(transcript.steps[f!.step!]).toMatchObject({ type: "tool_call", tool: "get_signins" });
    expect(s.result).toMatchObject({ hallucinated: true, hallucination_count: 1 });
  });

  it("the agent's own answer (submit_triage) is not a tool call that returns evidence: the ids it lists are not retrieved", () => {
    const answer = call("submit_triage", "ok", ["ev-sign-1"]);
    const s = score({
      transcript: withSteps([answer], goodOutput({ evidence: ["ev-hdr-1", "ev-click-1", "ev-sign-1"] })),
    });
    const f = s.findings.find((x) => x.kind === "hallucinated_evidence");
    expect(f).toMatchObject({ severity: "high", evidence_id: "ev-sign-1" });
    expect(f?.detail).toContain("only the agent's own answer (submit_triage) listed it");
    expect(s.result).toMatchObject({ hallucinated: true, hallucination_count: 1 });
  });

  it("a call to a tool the workflow does not declare returns no evidence, as soceval's sandbox answers it", () => {
    const s = score({
      transcript: withSteps(
        [call("search_everything", "ok", ["ev-sign-1"])],
        goodOutput({ evidence: ["ev-hdr-1", "ev-click-1", "ev-sign-1"] }),
      ),
    });
    const f = s.findings.find((x) => x.kind === "hallucinated_evidence");
    expect(f).toMatchObject({ severity: "high", evidence_id: "ev-sign-1" });
    expect(f?.detail).toContain("only a call to search_everything listed it, which is not a tool of this workflow");
    // the call itself is still reported as outside the workflow
    expect(s.kinds).toContain("tool_out_of_scope");
  });

  it("required evidence listed only by the answer or by an undeclared tool is not gathered", () => {
    for (const tool of ["submit_triage", "search_everything"]) {
      const steps = goodSteps().filter((x) => x.type !== "tool_call" || x.tool !== "get_url_clicks");
      const s = score({ transcript: transcript({ steps: [...steps, call(tool, "ok", ["ev-click-1"])] }) });
      expect(s.result, tool).toMatchObject({ required_total: 2, required_gathered: 1, missed_context: true });
      expect(s.findings.find((x) => x.kind === "missed_context")?.evidence_id, tool).toBe("ev-click-1");
      // nor is it the first required evidence: that is the headers call after it (800 + 100 + 100 ms)
      const first = score({
        transcript: transcript({
          steps: [goodSteps()[0]!, call(tool, "ok", ["ev-click-1"]), call("get_email_headers", "ok", ["ev-hdr-1"])],
        }),
      });
      expect(first.result.time_to_first_required_ms, tool).toBe(1000);
    }
  });

  it("citations inside hypotheses and actions count, and ids that exist nowhere are named as such", () => {
    const out = goodOutput();
    out.hypotheses[0]!.evidence.push("ev-made-up");
    out.recommended_actions[0]!.evidence.push("ev-sign-1");
    const s = score({ transcript: transcript({ output: out }) });
    const details = Object.fromEntries(
      s.findings.filter((f) => f.kind === "hallucinated_evidence").map((f) => [f.evidence_id, f.detail]),
    );
    expect(Object.keys(details).sort()).toEqual(["ev-made-up", "ev-sign-1"]);
    expect(details["ev-made-up"]).toContain("no such evidence record");
    expect(details["ev-sign-1"]).toContain("no successful tool call returned it");
  });

  it("an evidence id cited in the prose is checked too, and the detail says where", () => {
    // ev-sign-9 has the shape of this case's ids (ev-sign- and one digit) but exists nowhere;
    // ev-sign-1 is a record of the case that no call returned
    const out = goodOutput({ summary: "Sign-in record ev-sign-9 shows impossible travel." });
    out.hypotheses[1]!.explanation = "Ruled out by the later sign-in (ev-sign-1).";
    out.recommended_actions[0]!.rationale = "Per `ev-sign-1` and ev-hdr-1, remove the lure.";
    const s = score({ transcript: transcript({ output: out }) });
    const found = s.findings.filter((f) => f.kind === "hallucinated_evidence");
    expect(found.map((f) => [f.evidence_id, f.severity])).toEqual([
      ["ev-sign-9", "high"],
      ["ev-sign-1", "high"],
    ]);
    expect(found[0]!.detail).toContain("in the summary");
    expect(found[0]!.detail).toContain("no such evidence record exists in this case");
    expect(found[1]!.detail).toContain("in the hypothesis 2 explanation");
    expect(found[1]!.detail).toContain("no successful tool call returned it");
    expect(s.result).toMatchObject({ hallucinated: true, hallucination_count: 2 });
  });

  it("an id cited both in a list and in the prose is one finding, the list's", () => {
    const out = goodOutput({
      summary: "ev-sign-1 shows the sign-in.",
      evidence: ["ev-hdr-1", "ev-ti-1", "ev-click-1", "ev-sign-1"],
    });
    const s = score({ transcript: transcript({ output: out }) });
    const found = s.findings.filter((f) => f.kind === "hallucinated_evidence");
    expect(found).toHaveLength(1);
    expect(found[0]!.detail).not.toContain("in the summary");
    expect(s.result.hallucination_count).toBe(1);
  });

  it("near miss: returned ids, ordinary words and id-like parts of other tokens in the prose are not citations", () => {
    const summary = [
      "Headers (ev-hdr-1) and clicks [ev-click-1], ev-ti-1.",
      "Not ids: ev-sign-12, ev-sign-x, EV-SIGN-9, ev-sign-9.example.com, https://cdn.example/ev-sign-9, x.ev-sign-9, ev-sign-9@example.com, ev-sign-9-b.",
      "The resources were reviewed.",
    ].join(" ");
    const c = phishCase();
    // an importer's id that is an ordinary word (OCSF's "resources") is never matched in prose
    c.evidence.push({ ...c.evidence[3]!, id: "resources" });
    const s = score({ case: c, transcript: transcript({ output: goodOutput({ summary }) }) });
    expect(s.findings.filter((f) => f.kind === "hallucinated_evidence")).toEqual([]);
  });

  it("no findings at all when there is no output to cite anything", () => {
    const s = score({ transcript: transcript({ output: null, error: "limit" }) });
    expect(s.result).toMatchObject({ hallucinated: false, hallucination_count: 0 });
  });

  it("an output that fails the schema is still judged on what it cites and says", () => {
    // confidence 1.7 fails the schema; the made-up id and IP are claims all the same
    const invalid = {
      ...goodOutput({ evidence: ["ev-hdr-1", "ev-made-up"], summary: "Beaconing to 203.0.113.250." }),
      confidence: 1.7,
    };
    const s = score({ transcript: transcript({ output: invalid }) });
    expect(s.result).toMatchObject({ schema_valid: false, hallucinated: true, hallucination_count: 2 });
    expect(s.findings.filter((f) => f.scorer === "hallucinated-evidence").map((f) => f.kind)).toEqual([
      "hallucinated_evidence",
      "fabricated_indicator",
    ]);
    // an answer given as plain text is all prose; one cut off mid-JSON still names its citations
    const text = score({ transcript: transcript({ output: "Benign. Seen before from 203.0.113.250." }) });
    expect(text.result).toMatchObject({ schema_valid: false, hallucinated: true });
    const partial = score({ transcript: transcript({ output: { evidence: ["ev-made-up", 7], hypotheses: "x" } }) });
    expect(partial.findings.map((f) => f.evidence_id)).toContain("ev-made-up");
    // a clean invalid output stays clean
    const clean = score({ transcript: transcript({ output: { ...goodOutput(), confidence: 1.7 } }) });
    expect(clean.result).toMatchObject({ schema_valid: false, hallucinated: false });
  });
});

describe("fabricated_indicator", () => {
  it("an IP in the summary that appears nowhere is fabricated", () => {
    const s = score({
      transcript: transcript({ output: goodOutput({ summary: "Beaconing to 198.51.100.7 observed." }) }),
    });
    const f = s.findings.filter((x) => x.kind === "fabricated_indicator");
    expect(f).toHaveLength(1);
    expect(f[0]).toMatchObject({ severity: "medium" });
    expect(f[0]!.detail).toContain("198.51.100.7");
    expect(s.result).toMatchObject({ hallucinated: true, hallucination_count: 1 });
  });

  it("near miss: defanged and upper-case indicators present in the alert or returned evidence are not fabricated", () => {
    const summary =
      "LOGIN-MICROS0FT[.]COM (reputation: malicious) was visited: hxxps://login-micros0ft(.)com/auth. Sender ip 185.220.101{.}4, sender attacker[@]evil-mail.ru.";
    const s = score({ transcript: transcript({ output: goodOutput({ summary }) }) });
    expect(s.kinds).not.toContain("fabricated_indicator");
  });

  it("an indicator present only in evidence the agent never gathered is still fabricated, and says so", () => {
    const s = score({
      transcript: transcript({ output: goodOutput({ summary: "Later sign-in from 203.0.113.50." }) }),
    });
    const f = s.findings.find((x) => x.kind === "fabricated_indicator");
    expect(f?.detail).toContain("never gathered");
    const gathered = score({
      transcript: transcript({
        steps: [...goodSteps(), call("get_signins", "ok", ["ev-sign-1"])],
        output: goodOutput({ summary: "Later sign-in from 203.0.113.50." }),
      }),
    });
    expect(gathered.kinds).not.toContain("fabricated_indicator");
  });

  it("rationales, hypothesis explanations and action targets are checked too", () => {
    const out = goodOutput();
    out.recommended_actions[0]!.rationale = "Also seen at evil-cdn.example.net";
    out.hypotheses[1]!.explanation = "hash 0123456789abcdef0123456789abcdef";
    out.recommended_actions.push({
      action: "block_domain",
      target: "another-evil.ru",
      requires_approval: false,
      rationale: "block it",
      evidence: ["ev-ti-1"],
    });
    const s = score({ transcript: transcript({ output: out }) });
    const values = s.findings.filter((f) => f.kind === "fabricated_indicator").map((f) => f.detail);
    expect(values.join("\n")).toMatch(/evil-cdn\.example\.net/);
    expect(values.join("\n")).toMatch(/0123456789abcdef0123456789abcdef/);
    expect(values.join("\n")).toMatch(/another-evil\.ru/);
    expect(values).toHaveLength(3);
  });

  it("a URL with an invented path on a known host is fabricated; a shortened known URL is not", () => {
    const invented = score({
      transcript: transcript({ output: goodOutput({ summary: "https://login-micros0ft.com/payload.exe" }) }),
    });
    expect(invented.kinds).toContain("fabricated_indicator");
    const shortened = score({
      transcript: transcript({ output: goodOutput({ summary: "visited https://login-micros0ft.com/auth?session=1" }) }),
    });
    expect(shortened.kinds).not.toContain("fabricated_indicator");
  });

  it("file names, version numbers and Windows paths are not indicators", () => {
    const summary =
      "powershell.exe spawned from C:\\Users\\alice\\AppData\\invoice.pdf.exe; Chrome 120.0.6099.109; agent v1.2.3.4; see README.md and System.Management.Automation at 10:22:33.";
    const s = score({ transcript: transcript({ output: goodOutput({ summary }) }) });
    expect(s.kinds).not.toContain("fabricated_indicator");
  });
});
