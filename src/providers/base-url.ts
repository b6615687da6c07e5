import type { LoadedAgent } from "../workflow/load.js";

/**
 * The server an agent talks to. The environment wins over the agent file (OPENAI_BASE_URL,
 * ANTHROPIC_BASE_URL), so one agent file can point at a local server, a gateway or a test double
 * without being edited; the run stores the address it actually used.
 */
export function effectiveBaseUrl(agent: LoadedAgent, env: NodeJS.ProcessEnv = process.env): string | undefined {
  switch (agent.provider) {
    case "openai":
    case "openai-compatible":
      return env.OPENAI_BASE_URL || agent.base_url;
    case "anthropic":
      return env.ANTHROPIC_BASE_URL || agent.base_url;
    default:
      return agent.base_url;
  }
}
