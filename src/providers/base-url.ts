import { InputError } from "../io/errors.js";
import { HTTP_URL_EXPECTED, isHttpUrl } from "../schema/agent.js";
import type { LoadedAgent } from "../workflow/load.js";

/**
 * The server an agent talks to. The environment wins over the agent file (OPENAI_BASE_URL,
 * ANTHROPIC_BASE_URL), so one agent file can point at a local server, a gateway or a test double
 * without being edited; the run stores the address it actually used.
 */
export function effectiveBaseUrl(agent: LoadedAgent, env: NodeJS.ProcessEnv = process.env): string | undefined {
  return baseUrlOf(agent, env).url;
}

/** The address and what set it (a message about a server that cannot be reached names the culprit). */
export function baseUrlOf(agent: LoadedAgent, env: NodeJS.ProcessEnv = process.env): { url?: string; from?: string } {
  const variable = OVERRIDE[agent.provider];
  const fromVariable = variable ? fromEnv(env, variable) : undefined;
  if (fromVariable) return { url: fromVariable, from: variable };
  return agent.base_url ? { url: agent.base_url, from: `base_url in ${agent.file}` } : {};
}

const OVERRIDE: Partial<Record<LoadedAgent["provider"], string>> = {
  openai: "OPENAI_BASE_URL",
  "openai-compatible": "OPENAI_BASE_URL",
  anthropic: "ANTHROPIC_BASE_URL",
};

/** The agent file's base_url is checked by its schema; the variable that overrides it, here. */
function fromEnv(env: NodeJS.ProcessEnv, name: string): string | undefined {
  const v = env[name];
  if (!v) return undefined;
  if (!isHttpUrl(v)) throw new InputError(`${name}: ${HTTP_URL_EXPECTED} (it is "${v}")`);
  return v;
}
