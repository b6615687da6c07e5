import { InputError } from "../io/errors.js";
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
  let ok = false;
  try {
    ok = ["http:", "https:"].includes(new URL(v).protocol);
  } catch {}
  if (!ok) throw new InputError(`${name}: expected an http(s) URL, e.g. http://localhost:11434/v1 (it is "${v}")`);
  return v;
}
