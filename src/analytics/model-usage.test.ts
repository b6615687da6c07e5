import { describe, expect, it } from "vitest";
import { modelUsageLine } from "../report/report-view.js";
import { Store } from "../store/db.js";
import { encode } from "../store/encode.js";
import { modelUsage } from "./model-usage.js";

describe("model usage per agent", () => {
  it("sums calls, attempts, retries, tokens and cost, counts limit stops, and names the price run with", async () => {
    const store = await Store.open(":memory:");
    try {
      const key = (case_id: string) => ({ run_id: "r", case_id, agent: "gpt", epoch: 0 });
      const price = { input_per_mtok: 0.4, output_per_mtok: 1.6, cached_input_per_mtok: 0.1 };
      await store.appendBatch({
        run_agents: [encode("run_agents", { run_id: "r", agent: "gpt", provider: "openai", config: { price } })],
        model_calls: [
          {
            ...key("c1"),
            seq: 0,
            step: 0,
            tokens_in: 1000,
            tokens_cached_in: 600,
            tokens_out: 100,
            cost_usd: 0.00042,
            attempts: 3,
          },
          { ...key("c1"), seq: 1, step: 2, tokens_in: 1200, tokens_out: 50, cost_usd: 0.00056, attempts: 1 },
          { ...key("c2"), seq: 0, step: 0, tokens_in: 0, tokens_out: 0, cost_usd: 0, attempts: 5, error: "500" },
          // a server that sent no usage: the 0 stored is unknown, and counted apart
          {
            ...key("c3"),
            seq: 0,
            step: 0,
            tokens_in: 0,
            tokens_out: 0,
            cost_usd: 0,
            attempts: 1,
            usage_reported: false,
          },
        ].map((r) => encode("model_calls", r)),
        replaced_model_calls: [
          encode("replaced_model_calls", {
            ...key("c2"),
            seq: 0,
            step: 0,
            tokens_in: 5000,
            cost_usd: 0.002,
            attempts: 1,
          }),
        ],
        transcripts: [
          encode("transcripts", { ...key("c1"), error: null }),
          encode("transcripts", { ...key("c2"), error: "provider: 500" }),
          encode("transcripts", { ...key("c3"), error: "limit: cost $0.0110 > max_cost_usd" }),
          encode("transcripts", { ...key("c4"), error: "limit: no triage output within max_steps 8" }),
          encode("transcripts", { ...key("c5"), error: "limit: no triage output within max_steps 8" }),
        ],
      });
      const usage = (await modelUsage(store, "r")).get("gpt")!;
      expect(usage).toEqual({
        calls: 4,
        failed: 1,
        attempts: 10,
        retried: 2,
        tokens_in: 2200,
        tokens_cached_in: 600,
        tokens_cache_write: 0,
        tokens_out: 150,
        cost_usd: 0.00098,
        unreported: 1,
        limit_stops: 3,
        limit_stops_by: { max_cost_usd: 1, max_steps: 2 },
        replaced_calls: 1,
        replaced_cost_usd: 0.002,
        price,
      });
      expect(modelUsageLine(usage)).toBe(
        "4 model calls (10 attempts; 2 needed a retry, 1 got no answer after every attempt) · 2,200 tokens in " +
          "(600 read from the prompt cache) / 150 out · $0.000980 at $0.4000 in / $1.6000 out per million tokens, " +
          "$0.1000 cached · 1 call with no usage reported (tokens and cost unknown) · 3 investigations stopped by a limit (max_cost_usd 1, max_steps 2) · $0.002000 more on 1 calls of investigations " +
          "replayed again (--retry-failed, or cut short by a Ctrl-C)",
      );
    } finally {
      store.close();
    }
  });
});
