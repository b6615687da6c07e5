import { existsSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fieldError } from "../io/yaml.js";
import type { LoadedAgent } from "../workflow/load.js";
import { createAnthropicProvider } from "./anthropic.js";
import { baseUrlOf } from "./base-url.js";
import { createOpenAIProvider } from "./openai.js";
import { createRecorder, createReplayProvider } from "./replay.js";
import type { Provider } from "./types.js";

export type ProviderOptions = {
  /** append every completion to this recordings file (JSONL) for later replay */
  record?: string;
  /** where keys and base URLs come from; tests pass their own */
  env?: NodeJS.ProcessEnv;
};

const DEFAULT_KEY_ENV = { openai: "OPENAI_API_KEY", anthropic: "ANTHROPIC_API_KEY" } as const;

/** What a header value cannot hold (a tab it can). */
const isControl = (ch: string): boolean => {
  const c = ch.charCodeAt(0);
  return (c < 0x20 && c !== 0x09) || c === 0x7f;
};

/** The key's value is read here and handed to the SDK only: never logged, never stored. */
function apiKey(agent: LoadedAgent, env: NodeJS.ProcessEnv, fallbackEnv?: string): { key?: string; keyFrom?: string } {
  const name = agent.api_key_env ?? fallbackEnv;
  if (!name) return {};
  const value = env[name];
  if (!value)
    throw fieldError(
      agent.file,
      ["api_key_env"],
      `environment variable ${name} is not set (agent "${agent.name}", provider ${agent.provider})`,
    );
  // a value of two lines (two keys pasted, a file with a comment read into it) cannot go in a
  // header: fetch refuses every request, quoting the whole value in its error
  if ([...value.trim()].some(isControl))
    throw fieldError(
      agent.file,
      ["api_key_env"],
      `environment variable ${name} holds a line break or another control character inside the key (agent "${agent.name}"): set it to the key alone`,
    );
  return { key: value, keyFrom: name };
}

/** A model provider for one agent configuration. The playbook agent is built by the runner. */
export function createProvider(agent: LoadedAgent, opts: ProviderOptions = {}): Provider {
  const env = opts.env ?? process.env;
  const timeoutMs = agent.retries.timeout_ms;
  let provider: Provider;
  switch (agent.provider) {
    case "openai": {
      const { url, from } = baseUrlOf(agent, env);
      const { key, keyFrom } = apiKey(agent, env, DEFAULT_KEY_ENV.openai);
      provider = hidingKey(
        createOpenAIProvider({ kind: "openai", baseURL: url, urlFrom: from, apiKey: key!, keyFrom, timeoutMs }),
        key,
      );
      break;
    }
    case "openai-compatible": {
      const { url, from } = baseUrlOf(agent, env);
      if (!url) throw fieldError(agent.file, ["base_url"], "openai-compatible needs base_url or OPENAI_BASE_URL");
      const { key, keyFrom } = apiKey(agent, env);
      // local servers (Ollama, vLLM) usually ignore the key, but the SDK insists on one
      provider = hidingKey(
        createOpenAIProvider({
          kind: "openai-compatible",
          baseURL: url,
          urlFrom: from,
          apiKey: key ?? "not-needed",
          keyFrom,
          timeoutMs,
        }),
        key,
      );
      break;
    }
    case "anthropic": {
      const { url, from } = baseUrlOf(agent, env);
      const { key, keyFrom } = apiKey(agent, env, DEFAULT_KEY_ENV.anthropic);
      provider = hidingKey(
        createAnthropicProvider({ baseURL: url, urlFrom: from, apiKey: key!, keyFrom, timeoutMs }),
        key,
      );
      break;
    }
    case "replay":
      if (!agent.recordings) throw fieldError(agent.file, ["recordings"], "a replay agent needs a recordings file");
      {
        const file = resolve(dirname(agent.file), agent.recordings);
        // the agent file's line names the mistake; the recordings path alone does not say whose it is
        if (!existsSync(file)) throw fieldError(agent.file, ["recordings"], `cannot read ${file} (ENOENT)`);
        provider = createReplayProvider(file);
      }
      break;
    case "playbook":
      // deterministic baseline: it needs the workflow and the case's sandbox, so the runner
      // builds it (src/providers/playbook.ts) instead of this factory
      throw new Error(`agent "${agent.name}": the playbook agent is not created by createProvider`);
  }
  return opts.record ? createRecorder(opts.record, provider) : provider;
}

const MIN_SECRET_LENGTH = 12;

/**
 * Some servers quote the key they refused, whole (a gateway's or a local proxy's 401, a 200 holding
 * an error): a provider failure's message is stored with its case and printed, so the key is cut out
 * of it before it leaves the provider.
 */
function hidingKey(provider: Provider, key: string | undefined): Provider {
  // a short placeholder a local server ignores ("ollama", "none") is no secret, and cutting it out
  // would mangle the words around it (a model named "ollama/llama3")
  if (!key || key.length < MIN_SECRET_LENGTH) return provider;
  return {
    kind: provider.kind,
    simulated: provider.simulated,
    complete: (req) =>
      provider.complete(req).catch((e: unknown) => {
        if (e instanceof Error && e.message.includes(key)) e.message = e.message.split(key).join("[the API key]");
        throw e;
      }),
  };
}
