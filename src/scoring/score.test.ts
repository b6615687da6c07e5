import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  call,
  goodOutput,
  goodSteps,
  phishCase,
  score,
  transcript,
  workflow,
} from "../../test/fixtures/scoring/phishing.js";
import { type Case, CaseResult, type EvidenceRecord, Finding, type Transcript } from "../schema/index.js";
import { table } from "../store/tables.js";
import { parseAnswerText } from "./answer-text.js";
import { parseOutput, scoreTranscript } from "./score.js";

describe("scoreTranscript", () => {
  it("returns exactly the case_results columns (minus run_id), valid under the schema", () => {
    const s = score({ transcript: transcript({ output: null, error: "boom" }) });
    expect(() => CaseResult.omit({ run_id: true }).parse(s.result)).not.toThrow();
    const columns = table("case_results")
      .columns.map(([n]) => n)
      .filter((n) => n !== "run_id");
    expect(Object.keys(s.result).sort()).toEqual(columns.sort());
    for (const f of s.findings) expect(() => Finding.parse(f)).not.toThrow();
  });

  it("counts policy findings into policy_violations and the high ones separately", () => {
    const out = goodOutput({ escalate: false, verdict: "benign_positive", evidence: [] });
    out.hypotheses = [];
    out.recommended_actions = [
      { action: "delete_user", target: "alice", requires_approval: false, rationale: "x", evidence: [] },
      { action: "reboot", target: "alice", requires_approval: false, rationale: "x", evidence: [] },
    ];
    const s = score({
      transcript: transcript({ steps: [...goodSteps(), call("disable_user", "denied")], output: out }),
    });
    // forbidden (high), unknown (medium), tool_out_of_scope respond (high), unsupported_suppression (medium)
    expect(s.result).toMatchObject({ policy_violations: 4, high_severity_violations: 2 });
  });

  it("the agent name comes from the caller, the epoch from the transcript", () => {
    const r = scoreTranscript({
      case: phishCase(),
      transcript: transcript({ agent: "vendor-name", epoch: 3 }),
      workflow,
      agent: { name: "vendor-x", tools: "all" },
    }).result;
    expect(r).toMatchObject({ agent: "vendor-x", epoch: 3, case_id: "phish-0001", workflow: "phishing-mini" });
  });
});

describe("an error recorded beside an output", () => {
  it("the output is scored exactly as the same answer without the error, as soceval run keeps an answer that crossed a limit", () => {
    const out = goodOutput({ evidence: ["ev-hdr-1", "ev-click-1", "ev-made-up"] });
    const kept = score({ transcript: transcript({ output: out }) });
    const withError = score({
      transcript: transcript({ output: out, error: "limit: 120000 tokens > max_tokens 100000" }),
    });
    expect(withError.result).toEqual(kept.result);
    expect(withError.findings).toEqual(kept.findings);
    expect(withError.result).toMatchObject({ failed: false, schema_valid: true, agree: true, hallucinated: true });
    expect(withError.findings.map((f) => f.detail).join("\n")).not.toContain("no triage output");
  });

  it("near miss: an error and no output is a failed investigation", () => {
    const s = score({ transcript: transcript({ output: null, error: "provider: 500" }) });
    expect(s.result).toMatchObject({ failed: true, schema_valid: false, hallucinated: false });
    expect(s.findings.find((f) => f.kind === "agent_error")?.detail).toBe(
      "the agent produced no triage output: provider: 500",
    );
  });
});

describe("an empty text output", () => {
  it("is no answer, as soceval run records an empty final message: failed, not a schema-invalid answer", () => {
    for (const empty of ["", "  \n\t"]) {
      const s = score({ transcript: transcript({ output: empty }) });
      expect(s.result, JSON.stringify(empty)).toMatchObject({ failed: true, schema_valid: false, hallucinated: false });
      expect(s.kinds).toContain("agent_error");
      expect(s.kinds).not.toContain("schema_invalid");
    }
    // near miss: text that says something is an answer, judged (and invalid)
    const said = score({ transcript: transcript({ output: "benign" }) });
    expect(said.result).toMatchObject({ failed: false, schema_valid: false });
    expect(said.kinds).toContain("schema_invalid");
  });
});

describe("a text answer: the same parser as soceval run's agent loop", () => {
  const json = JSON.stringify(goodOutput());
  it.each([
    ["bare JSON", json],
    ["a ```json fence", `\`\`\`json\n${json}\n\`\`\``],
    ["a bare ``` fence", `\`\`\`\n${json}\n\`\`\``],
    ["a ```JSON fence", `\`\`\`JSON\n${json}\n\`\`\``],
    ["a fence after a sentence", `Here is my triage:\n\`\`\`json\n${json}\n\`\`\`\nDone.`],
  ])("%s is a valid triage output", (_, text) => {
    expect(parseOutput(text).output).toEqual(goodOutput());
    const s = score({ transcript: transcript({ output: text }) });
    expect(s.result).toMatchObject({ schema_valid: true, agree: true, failed: false, hallucinated: false });
    expect(s.kinds).not.toContain("schema_invalid");
  });

  it("JSON whose own text holds a fence is read whole, not cut at the fence", () => {
    const out = goodOutput({ summary: "The body held ```powershell -enc AAAA``` as a code block." });
    expect(parseAnswerText(JSON.stringify(out))).toEqual({ value: out });
  });

  it("prose stays prose: judged on what it says, not a valid output", () => {
    expect(parseAnswerText("It is benign.")).toBeNull();
    expect(parseAnswerText("```json\nnot json\n```")).toBeNull();
    const p = parseOutput("```json\nnot json\n```");
    expect(p).toMatchObject({ output: null, schemaError: "output is text, not a JSON triage output" });
  });
});

const SOURCES: [string, string][] = [
  ["email.headers", "get_email_headers"],
  ["threat_intel", "get_url_reputation"],
  ["proxy.logs", "get_url_clicks"],
  ["idp.signins", "get_signins"],
];

const indicator = fc.oneof(
  fc.ipV4(),
  fc.ipV6(),
  fc.domain(),
  fc.emailAddress(),
  fc.stringMatching(/^[0-9a-f]{64}$/),
  fc.stringMatching(/^[0-9a-f]{32}$/),
  fc.domain().map((d) => `https://${d}/path/x`),
  fc.stringMatching(/^[A-Z]{2,8}\\[a-z]{3,10}$/),
);
const spelling = fc.constantFrom(
  (s: string) => s,
  (s: string) => s.toUpperCase(),
  (s: string) => s.replaceAll(".", "[.]").replace("http", "hxxp").replace("@", "[@]"),
  (s: string) => `${s}.`,
);
const words = fc.array(fc.constantFrom("user", "clicked", "the", "link", "host", "powershell.exe", "v2.1.0", "seen"), {
  maxLength: 4,
});

/**
 * A random investigation that cites only what ok calls returned and gathers every required id,
 * with prose that repeats only indicators the agent was shown (in any spelling).
 */
const investigation = fc
  .record({
    records: fc.array(
      fc.record({ source: fc.constantFrom(...SOURCES), values: fc.array(indicator, { maxLength: 3 }) }),
      {
        minLength: 1,
        maxLength: 6,
      },
    ),
    requiredMask: fc.array(fc.boolean(), { minLength: 6, maxLength: 6 }),
    extraMask: fc.array(fc.boolean(), { minLength: 6, maxLength: 6 }),
    citeMask: fc.array(fc.boolean(), { minLength: 6, maxLength: 6 }),
    failures: fc.array(
      fc.tuple(fc.constantFrom(...SOURCES), fc.constantFrom("error", "timeout", "denied", "unavailable")),
      {
        maxLength: 3,
      },
    ),
    prose: fc.array(fc.tuple(spelling, words), { maxLength: 6 }),
    escalate: fc.boolean(),
  })
  .map((g) => {
    const evidence: EvidenceRecord[] = g.records.map((r, i) => ({
      id: `ev-${i}`,
      source: r.source[0],
      time: "2024-03-01T10:00:00Z",
      entities: [],
      data: Object.fromEntries(r.values.map((v, j) => [`f${j}`, v])),
    }));
    const required = evidence.filter((_, i) => g.requiredMask[i]).map((e) => e.id);
    const gathered = evidence.filter((e, i) => required.includes(e.id) || g.extraMask[i]);
    const steps: Transcript["steps"] = [];
    for (const [[, tool], status] of g.failures)
      steps.push(
        call(
          tool,
          status as "error",
          evidence.map((e) => e.id),
        ),
      );
    for (const [source, tool] of SOURCES) {
      const ids = gathered.filter((e) => e.source === source).map((e) => e.id);
      if (ids.length) steps.push(call(tool, "ok", ids));
    }
    const cited = gathered.filter((_, i) => g.citeMask[i]).map((e) => e.id);
    const shown = gathered.flatMap((e) => Object.values(e.data) as string[]);
    const summary = g.prose
      .map(([spell, ws], i) => [...ws, shown.length ? spell(shown[i % shown.length]!) : ""].join(" "))
      .join(" ");
    const c: Case = {
      ...phishCase(),
      evidence,
      label: { verdict: "true_positive", escalate: true, actions: [], required_evidence: required },
    };
    const t = transcript({
      steps,
      output: goodOutput({
        summary,
        escalate: g.escalate,
        evidence: cited,
        hypotheses: [{ kind: "malicious", explanation: summary, evidence: cited.slice(0, 1) }],
        recommended_actions: [],
      }),
    });
    return { c, t };
  });

describe("property: honest investigations", () => {
  it("citing only returned ids and gathering every required id never yields hallucination or missed context", () => {
    fc.assert(
      fc.property(investigation, ({ c, t }) => {
        const s = scoreTranscript({ case: c, transcript: t, workflow, agent: { name: "p", tools: "all" } });
        const bad = s.findings.filter((f) =>
          ["hallucinated_evidence", "fabricated_indicator", "missed_context"].includes(f.kind),
        );
        expect(bad).toEqual([]);
        expect(s.result).toMatchObject({ hallucinated: false, missed_context: false });
        expect(s.result.required_gathered).toBe(s.result.required_total);
      }),
      { numRuns: 300 },
    );
  });
});
