import { serialize } from "node:v8";
import { describe, expect, it } from "vitest";
import { type EncodedRow, encode, encodeScored, type ScoredTranscript } from "./encode.js";

const item: ScoredTranscript = {
  case: {
    id: "c-1",
    workflow: "phishing-triage",
    incident_id: "inc-9",
    tags: ["trap", "vip"],
    alert: { title: "t", severity: "high", time: "2025-01-01T00:00:00Z", entities: [], raw: {} },
    evidence: [{ id: "e1", source: "email.headers", time: "2025-01-01T00:00:00Z", entities: [], data: {} }],
    unavailable: ["edr.process_tree"],
  } as unknown as ScoredTranscript["case"],
  transcript: {
    case_id: "c-1",
    agent: "a",
    epoch: 2,
    steps: [
      { type: "model_call", model: "m", tokens_in: 10, tokens_out: 5, latency_ms: 7, cost_usd: 0.01, attempts: 2 },
      {
        type: "tool_call",
        tool: "get_headers",
        input: { message_id: "<x>" },
        status: "ok",
        evidence_ids: ['e"1', "e,2"],
        latency_ms: 350,
        scope: "read",
        time: "2025-01-01T00:00:00.350Z",
        note: "n",
        audit_event: "mail.read",
      },
      { type: "tool_call", tool: "block_sender", input: {}, status: "denied", evidence_ids: [], latency_ms: 0 },
    ],
    output: { verdict: "true_positive" },
    error: null,
  },
  result: {} as ScoredTranscript["result"],
  findings: [
    { scorer: "policy", kind: "forbidden_action", severity: "high", detail: "d", action: "block_sender" },
    { scorer: "hallucination", kind: "hallucinated_evidence", severity: "medium", detail: "x", evidence_id: "e9" },
  ],
};

describe("encodeScored", () => {
  const e = encodeScored(item, "run-1", { get_headers: "email.headers" });
  const key = { run_id: "run-1", case_id: "c-1", agent: "a", epoch: 2 };

  it("writes tool calls and findings positionally in exactly the tables' column order", () => {
    const [, tool, denied] = item.transcript.steps;
    const expected: EncodedRow[] = [
      encode("tool_calls", { ...key, seq: 0, step: 1, source: "email.headers", ...tool }),
      encode("tool_calls", { ...key, seq: 1, step: 2, ...denied, input: {} }),
    ];
    expect(e.rows.tool_calls).toEqual(expected);
    expect(e.rows.findings).toEqual(item.findings.map((f, seq) => encode("findings", { ...key, seq, ...f })));
    expect(e.rows.model_calls).toEqual([
      encode("model_calls", { ...key, seq: 0, step: 0, ...item.transcript.steps[0] }),
    ]);
  });

  it("builds every row as a packed array, which crosses postMessage as a dense one", () => {
    // v8's serializer writes a holey array (new Array(n), even once full) as a sparse one: 'a', not 'A'
    const DENSE = "A".charCodeAt(0);
    for (const rows of Object.values(e.rows)) for (const row of rows) expect(serialize(row)[2]).toBe(DENSE);
    expect(serialize(encode("case_results", { run_id: "r" }))[2]).toBe(DENSE);
  });

  it("keeps one copy of the steps: rows carry their position, the transcript row has no steps", () => {
    expect(e.rows.transcripts[0]).not.toContain(JSON.stringify(item.transcript.steps));
    expect(e.rows.tool_calls.map((r) => r[5])).toEqual([1, 2]);
  });
});

describe("lists through DuckDB", () => {
  it("round-trip any string exactly (quotes, commas, brackets, newlines, NUL, unicode, 'NULL')", async () => {
    const { Store } = await import("./db.js");
    const store = await Store.open(":memory:");
    try {
      const tags = [
        'q"x',
        "b\\s",
        "\\n",
        "line\nbreak",
        "tab\t",
        "a\u0000b",
        "x,y]",
        "[]",
        "'s'",
        "NULL",
        "",
        "  ",
        "é€😀",
      ];
      await store.appendBatch({ cases: [{ run_id: "r", case_id: "c", workflow: "w", tags, unavailable: [] }] });
      const [row] = await store.query<{ tags: string; unavailable: string; n: number }>(
        "SELECT to_json(tags)::VARCHAR AS tags, to_json(unavailable)::VARCHAR AS unavailable, len(tags) AS n FROM cases",
      );
      expect(JSON.parse(row!.tags)).toEqual(tags);
      expect(JSON.parse(row!.unavailable)).toEqual([]);
    } finally {
      store.close();
    }
  });
});
