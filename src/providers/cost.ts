import type { AgentConfig } from "../schema/index.js";

/** USD for one model call at the agent's price per million tokens; no price table means free (local, replay). */
export function costOf(agent: Pick<AgentConfig, "price">, tokens_in: number, tokens_out: number): number {
  if (!agent.price) return 0;
  return (tokens_in * agent.price.input_per_mtok + tokens_out * agent.price.output_per_mtok) / 1_000_000;
}
