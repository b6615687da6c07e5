import { InputError } from "../io/errors.js";
import { HTTP_URL_EXPECTED, isHttpUrl } from "../schema/agent.js";
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
      return fromEnv(env, "OPENAI_BASE_URL") || agent.base_url;
    case "anthropic":
      return fromEnv(env, "ANTHROPIC_BASE_URL") || agent.base_url;
    default:
      return agent.base_url;
  }
}

/** The agent file's base_url is checked by its schema; the variable that overrides it, here. */
function fromEnv(env: NodeJS.ProcessEnv, name: string): string | undefined {
  const v = env[name];
  if (!v) return undefined;
  if (!isHttpUrl(v)) throw new InputError(`${name}: ${HTTP_URL_EXPECTED} (it is "${v}")`);
  return v;
}
