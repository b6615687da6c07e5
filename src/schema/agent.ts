import { z } from "zod";

export const Provider = z.enum(["playbook", "openai", "anthropic", "openai-compatible", "replay"]);

/** A model server's address: http(s) only, so a typo is refused when the agent loads, not per case. */
export function isHttpUrl(v: string): boolean {
  try {
    return ["http:", "https:"].includes(new URL(v).protocol);
  } catch {
    return false;
  }
}
export const HTTP_URL_EXPECTED = "expected an http(s) URL, e.g. http://localhost:11434/v1";
const HttpUrl = z.string().refine(isHttpUrl, HTTP_URL_EXPECTED);

export const AgentConfig = z
  .strictObject({
    name: z.string().regex(/^[A-Za-z0-9._-]+$/, "agent names are used in keys: letters, digits, . _ -"),
    description: z.string().optional(),
    provider: Provider,
    model: z.string().min(1).default("playbook").describe("required for every provider but playbook"),
    base_url: HttpUrl.optional().describe("for openai-compatible; OPENAI_BASE_URL also works"),
    api_key_env: z.string().optional().describe("environment variable holding the key; never stored"),
    prompt: z.string().optional().describe("handlebars template, path relative to the agent file"),
    tools: z
      .union([z.literal("all"), z.array(z.string()).min(1, 'an agent needs at least one tool (or "all")')], {
        error: 'expected "all" or a list of tool names',
      })
      .default("all")
      .describe("tool scope"),
    params: z
      .strictObject({ temperature: z.number().optional(), max_tokens: z.number().int().positive().optional() })
      .default({}),
    limits: z
      .strictObject({
        max_steps: z.number().int().positive().default(12),
        max_tokens: z.number().int().positive().default(60000),
        max_cost_usd: z.number().positive().default(0.5),
        max_seconds: z.number().positive().default(120),
        requests_per_minute: z.number().positive().optional().describe("the provider's rate limit for this key"),
      })
      .prefault({}),
    retries: z
      .strictObject({
        max_attempts: z.number().int().positive().default(5),
        base_delay_ms: z.number().int().nonnegative().default(500),
        timeout_ms: z.number().int().positive().default(60000),
      })
      .prefault({}),
    price: z
      .strictObject({
        input_per_mtok: z.number().nonnegative(),
        output_per_mtok: z.number().nonnegative(),
        cached_input_per_mtok: z
          .number()
          .nonnegative()
          .optional()
          .describe("prompt tokens read from the provider's cache (default: input_per_mtok)"),
        cache_write_per_mtok: z
          .number()
          .nonnegative()
          .optional()
          .describe("prompt tokens written to the cache, Anthropic (default: input_per_mtok)"),
      })
      .optional()
      .describe("USD per million tokens, for cost per investigation"),
    // refused rather than ignored: one run replays every agent the same number of times
    epochs: z
      .undefined({ error: "epochs are set per suite (epochs: n) or with --epochs, the same for every agent of a run" })
      .optional(),
    recordings: z.string().optional().describe("replay: JSONL of recorded model responses"),
    mutate: z
      .strictObject({ skip_tools: z.array(z.string()).default([]) })
      .optional()
      .describe("playbook only: a deliberately altered baseline (used to test the gate)"),
  })
  .superRefine((a, ctx) => {
    // "playbook" is the default model name; a model agent left without one would send it to the server
    if (a.provider !== "playbook" && a.model === "playbook")
      ctx.addIssue({
        code: "custom",
        path: ["model"],
        message: `required for provider ${a.provider} (the model name the server serves)`,
      });
    // without a price every figure built on cost (the run's total, cost per investigation, the
    // gate's budget, max_cost_usd) would read $0 for a model that is not free
    if (a.provider !== "playbook" && a.price === undefined)
      ctx.addIssue({
        code: "custom",
        path: ["price"],
        message: `required for provider ${a.provider}: USD per million tokens, e.g. price: { input_per_mtok: 0.4, output_per_mtok: 1.6 } (0 and 0 for a free local model; a replay agent copies the recording agent's)`,
      });
    if (a.provider !== "playbook" && a.mutate)
      ctx.addIssue({ code: "custom", path: ["mutate"], message: "only the playbook agent can be mutated" });
  });

export type Provider = z.infer<typeof Provider>;
export type AgentConfig = z.infer<typeof AgentConfig>;
