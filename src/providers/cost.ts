import type { AgentConfig } from "../schema/index.js";
import type { Completion } from "./types.js";

type Usage = Pick<Completion, "tokens_in" | "tokens_out" | "tokens_cached_in" | "tokens_cache_write">;

/**
 * USD for one model call at the agent's price per million tokens (every model agent has one; the
 * playbook has none and costs nothing). Prompt tokens the provider read from or wrote to its cache are priced at the
 * cache rates where the agent gives them, else as ordinary input (never less than the bill).
 */
export function costOf(agent: Pick<AgentConfig, "price">, usage: Usage): number {
  const p = agent.price;
  if (!p) return 0;
  const cached = usage.tokens_cached_in ?? 0;
  const written = usage.tokens_cache_write ?? 0;
  const plain = Math.max(0, usage.tokens_in - cached - written);
  return (
    (plain * p.input_per_mtok +
      cached * (p.cached_input_per_mtok ?? p.input_per_mtok) +
      written * (p.cache_write_per_mtok ?? p.input_per_mtok) +
      usage.tokens_out * p.output_per_mtok) /
    1_000_000
  );
}
