import { describe, expect, it } from "vitest";
import { Step } from "../schema/index.js";
import { Store } from "./db.js";
import { encodeScored, type ScoredTranscript } from "./encode.js";

describe("transcript_steps", () => {
  it("gives back a transcript's steps as they were recorded, prompt-cache tokens included", async () => {
    const steps = [
      {
        type: "model_call",
        model: "m",
        tokens_in: 10_000,
        tokens_out: 500,
        tokens_cached_in: 6_000,
        tokens_cache_write: 1_000,
        latency_ms: 1_234,
        cost_usd: 0.0056,
        attempts: 2,
      },
      {
        type: "tool_call",
        tool: "get_headers",
        input: { message_id: "<x>" },
        status: "ok",
        evidence_ids: ["e1"],
        latency_ms: 350,
        scope: "read",
      },
      { type: "model_call", model: "m", tokens_in: 20, tokens_out: 5, latency_ms: 9, cost_usd: 0.00003, attempts: 1 },
    ] as const;
    const item = {
      case: { id: "c-1", workflow: "w", tags: [], alert: {}, evidence: [], unavailable: [] },
      transcript: { case_id: "c-1", agent: "a", epoch: 0, steps, output: null, error: null },
      result: {},
      findings: [],
    } as unknown as ScoredTranscript;
    const store = await Store.open(":memory:");
    try {
      await store.appendBatch(encodeScored(item, "r", { get_headers: "email.headers" }).rows);
      const [row] = await store.query<{ steps: string }>("SELECT steps::VARCHAR AS steps FROM transcript_steps");
      expect(JSON.parse(row!.steps)).toEqual(steps.map((s) => Step.parse(s)));
      const [m] = await store.query("SELECT tokens_cached_in, tokens_cache_write FROM model_calls WHERE seq = 0");
      expect(m).toEqual({ tokens_cached_in: 6_000, tokens_cache_write: 1_000 });
    } finally {
      store.close();
    }
  });
});
