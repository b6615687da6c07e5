import { describe, expect, it } from "vitest";
import { call, goodOutput, goodSteps, phishCase, score, transcript } from "../test/fixtures/scoring/phishing.js";
import { AUDIT_ITEMS, untracedQueries } from "./audit-items.js";

const benignCase = (minutes?: number) =>
  phishCase({
    label: {
      verdict: "false_positive",
      escalate: false,
      actions: [],
      required_evidence: ["ev-hdr-1"],
      ...(minutes === undefined ? {} : { analyst_minutes: minutes }),
    },
  });
const closeOut = goodOutput({ verdict: "false_positive", escalate: false, recommended_actions: [] });

describe("schema_invalid / agent_error", () => {
  it("an output that breaks the schema: schema_invalid, verdict null, agree false, not failed", () => {
    const { confidence: _, ...noConfidence } = goodOutput();
    const s = score({ transcript: transcript({ output: noConfidence }) });
    expect(s.findings.find((f) => f.kind === "schema_invalid")?.detail).toContain("confidence");
    expect(s.result).toMatchObject({
      schema_valid: false,
      failed: false,
      verdict: null,
      agree: false,
      critical_miss: true,
    });
  });

  it("a JSON string output is parsed; free text is schema_invalid", () => {
    expect(score({ transcript: transcript({ output: JSON.stringify(goodOutput()) }) }).result.schema_valid).toBe(true);
    const text = score({ transcript: transcript({ output: "I think it is phishing." }) });
    expect(text.kinds).toContain("schema_invalid");
  });

  it("no output at all is an agent_error and a failed case", () => {
    const s = score({ transcript: transcript({ output: null, error: "max_steps reached" }) });
    expect(s.findings.find((f) => f.kind === "agent_error")?.detail).toContain("max_steps");
    expect(s.kinds).not.toContain("schema_invalid");
    expect(s.result).toMatchObject({ failed: true, schema_valid: false, audit_completeness: 2 / 6 });
  });

  it("quotes the agent's error whole when it is a few sentences, and cuts a server's page at a word", () => {
    const detail = (error: string) =>
      score({ transcript: transcript({ output: null, error }) }).findings.find((f) => f.kind === "agent_error")!.detail;
    // the replay provider's hint on a missing recording ends with what to do: it must not be cut off
    const hint = `provider: replay: no recorded response for request ${"a".repeat(64)} (model gpt-4.1-mini) in suites/x/recordings.jsonl; the key covers model, prompt, tools, temperature and max_tokens, so the replay agent must match the recording agent in each, or record it again with --record`;
    expect(detail(hint)).toBe(`the agent produced no triage output: ${hint}`);
    const page = `provider: 502 ${"<div>bad gateway</div> ".repeat(300)}`;
    const cut = detail(page);
    expect(cut.length).toBeLessThan(1200);
    const [, kept, n] = cut.match(
      /^the agent produced no triage output: (.*\S) … \((\d+) characters; soceval show has the whole error\)$/,
    )!;
    expect(page.startsWith(`${kept} `)).toBe(true);
    expect(Number(n)).toBe(page.length);
  });

  it("near miss: a valid output raises neither", () => {
    const s = score();
    expect(s.kinds).not.toContain("schema_invalid");
    expect(s.kinds).not.toContain("agent_error");
    expect(s.result).toMatchObject({ failed: false, schema_valid: true });
  });
});

describe("tool_error", () => {
  it("each errored or timed-out call is a low finding and counts as a tool error; unavailable and denied do not", () => {
    const steps = [
      ...goodSteps(),
      call("get_signins", "timeout"),
      call("get_signins", "error", [], { note: "429 rate limited" }),
      call("get_hr_record", "unavailable"),
    ];
    const s = score({ transcript: transcript({ steps }) });
    const f = s.findings.filter((x) => x.kind === "tool_error");
    expect(f.map((x) => x.severity)).toEqual(["low", "low"]);
    expect(f[1]!.detail).toContain("429");
    // each points at its call: positions in the transcript's steps, as tool_calls.step stores them
    expect(f.map((x) => x.step)).toEqual([steps.length - 3, steps.length - 2]);
    expect(s.result).toMatchObject({ tool_calls: 6, tool_errors: 2 });
  });

  it("near miss: ok calls only", () => {
    expect(score().kinds).not.toContain("tool_error");
  });
});

describe("playbook and audit", () => {
  it("playbook_completed needs every required step answered; unavailable is an answer, a timeout is not", () => {
    const swap = (status: "timeout" | "unavailable") =>
      goodSteps().map((s) =>
        s.type === "tool_call" && s.tool === "get_url_clicks" ? call("get_url_clicks", status) : s,
      );
    expect(score({ transcript: transcript({ steps: swap("unavailable") }) }).result.playbook_completed).toBe(true);
    expect(score({ transcript: transcript({ steps: swap("timeout") }) }).result.playbook_completed).toBe(false);
    const optionalSkipped = goodSteps().filter((s) => s.type !== "tool_call" || s.tool !== "get_url_reputation");
    expect(score({ transcript: transcript({ steps: optionalSkipped }) }).result.playbook_completed).toBe(true);
  });

  it("audit_completeness drops one sixth per missing item", () => {
    expect(score().result.audit_completeness).toBe(1);
    const untimed = goodSteps().map((s) => (s.type === "tool_call" ? { ...s, time: undefined } : s));
    expect(score({ transcript: transcript({ steps: untimed }) }).result.audit_completeness).toBeCloseTo(5 / 6);
    const out = goodOutput();
    out.hypotheses[1]!.evidence = [];
    out.recommended_actions.push({ ...out.recommended_actions[0]!, action: "reimage_host" });
    expect(score({ transcript: transcript({ output: out }) }).result.audit_completeness).toBeCloseTo(4 / 6);
    const c = phishCase();
    c.alert.rule = "";
    c.alert.raw = undefined;
    expect(score({ case: c }).result.audit_completeness).toBeCloseTo(5 / 6);
  });

  it("audit_missing names each missing item, and completeness is the share of items it does not name", () => {
    expect(score().result.audit_missing).toEqual([]);
    const steps = goodSteps();
    const at = steps.findIndex((s) => s.type === "tool_call");
    steps[at] = { ...call("get_signins", "error", []), note: undefined };
    const out = goodOutput();
    out.hypotheses[1]!.evidence = [];
    out.recommended_actions.push({ ...out.recommended_actions[0]!, action: "reimage_host" });
    const r = score({ transcript: transcript({ steps, output: out }) }).result;
    expect(r.audit_missing).toEqual(["query_trail", "hypotheses_cited", "catalogued_actions"]);
    expect(r.audit_completeness).toBe(3 / 6);
    expect(untracedQueries(steps)).toEqual([at]);
    // no output: every item the output carries is missing, the alert and the queries are not
    const none = score({ transcript: transcript({ output: null, error: "max_steps reached" }) }).result;
    expect(none.audit_missing).toEqual(["hypotheses_cited", "catalogued_actions", "confidence", "approval_decisions"]);
    expect(none.audit_completeness).toBe(2 / 6);
    // near misses: a failed query with a note saying why is traced, and so is one that answered
    // with nothing: "no records at 10:02" is the trail of a lookup that found nothing
    steps[at] = call("get_signins", "error", [], { note: "500 source error" });
    expect(score({ transcript: transcript({ steps }) }).result.audit_missing).toEqual([]);
    steps[at] = { ...call("get_signins", "ok", []), note: undefined };
    expect(score({ transcript: transcript({ steps }) }).result.audit_missing).toEqual([]);
    expect(untracedQueries(steps)).toEqual([]);
    expect(AUDIT_ITEMS.map((i) => i.key)).toHaveLength(6);
  });
});

describe("time, tokens, cost", () => {
  it("sums latencies, tokens and cost, and times the first required evidence", () => {
    const r = score().result;
    expect(r).toMatchObject({ time_to_triage_ms: 2000, tokens_in: 3000, tokens_out: 500 });
    expect(r.cost_usd).toBeCloseTo(0.003);
    expect(r.time_to_first_required_ms).toBe(900); // model call 800 + headers 100
  });

  it("time to first required evidence is null when none was retrieved", () => {
    const steps = goodSteps().filter((s) => s.type === "model_call");
    expect(score({ transcript: transcript({ steps }) }).result.time_to_first_required_ms).toBeNull();
  });
});

describe("false-positive reduction and minutes saved", () => {
  it("an analyst FP closed without escalation saves the analyst's minutes", () => {
    const r = score({ case: benignCase(12), transcript: transcript({ output: closeOut }) }).result;
    expect(r).toMatchObject({ fp_closed: true, analyst_minutes: 12, minutes_saved: 12 });
  });

  it("escalating or handing off an FP saves nothing; a crash saves nothing", () => {
    for (const output of [{ ...closeOut, escalate: true }, { ...closeOut, human_only: true }, null]) {
      const r = score({ case: benignCase(12), transcript: transcript({ output }) }).result;
      expect(r).toMatchObject({ fp_closed: false, minutes_saved: 0 });
    }
  });

  it("undefined for true positives and without analyst minutes", () => {
    expect(score().result).toMatchObject({ fp_closed: null, minutes_saved: 0, analyst_minutes: 25 });
    expect(score({ case: benignCase(), transcript: transcript({ output: closeOut }) }).result).toMatchObject({
      fp_closed: true,
      analyst_minutes: null,
      minutes_saved: null,
    });
  });
});
