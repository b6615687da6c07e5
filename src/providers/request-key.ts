import { createHash } from "node:crypto";
import { z } from "zod";
import type { CompletionRequest } from "./types.js";

/** JSON with object keys sorted and undefined dropped, so equal requests hash equally. */
function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map((x) => (x === undefined ? "null" : canonical(x))).join(",")}]`;
  if (v !== null && typeof v === "object") {
    const entries = Object.entries(v as Record<string, unknown>)
      .filter(([, x]) => x !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, x]) => `${JSON.stringify(k)}:${canonical(x)}`).join(",")}}`;
  }
  return JSON.stringify(v) ?? "null";
}

const sha256 = (v: unknown) => createHash("sha256").update(canonical(v)).digest("hex");

/** sha256 of what determines a model's answer: model, system, messages, tools and sampling params. */
export function requestKey(req: CompletionRequest): string {
  return sha256({
    model: req.model,
    system: req.system,
    messages: req.messages,
    tools: req.tools,
    params: { temperature: req.temperature, max_tokens: req.max_tokens },
  });
}

/**
 * What the key covers, part by part (long parts hashed), kept beside a recording so that a request
 * no recording holds can be told which part changed since: the one key alone cannot say.
 */
export const RequestParts = z.object({
  model: z.string(),
  system: z.string(),
  /** tool name → hash of its name, description and parameters */
  tools: z.record(z.string(), z.string()),
  params: z.object({ temperature: z.number().optional(), max_tokens: z.number().optional() }),
  /** the conversation so far: the opening message, the model's turns and the tools' answers */
  messages: z.string(),
});
export type RequestParts = z.infer<typeof RequestParts>;

const short = (v: unknown) => sha256(v).slice(0, 16);

export function requestParts(req: CompletionRequest): RequestParts {
  return {
    model: req.model,
    system: short(req.system),
    tools: Object.fromEntries(req.tools.map((t) => [t.name, short(t)])),
    params: { temperature: req.temperature, max_tokens: req.max_tokens },
    messages: short(req.messages),
  };
}

/** What differs between a request and the recorded one of the same conversation, in words. */
export function partsDiff(now: RequestParts, recorded: RequestParts): string[] {
  const out: string[] = [];
  if (now.model !== recorded.model) out.push(`the model (${recorded.model}, now ${now.model})`);
  if (now.system !== recorded.system)
    out.push("the system prompt (the prompt template, or the workflow or alert it shows)");
  const names = new Set([...Object.keys(recorded.tools), ...Object.keys(now.tools)]);
  for (const name of [...names].sort()) {
    const [was, is] = [recorded.tools[name], now.tools[name]];
    if (was === is) continue;
    out.push(
      was === undefined
        ? `tool ${name} (new: not offered when recorded)`
        : is === undefined
          ? `tool ${name} (offered when recorded, not now)`
          : `tool ${name} (its description or parameters)`,
    );
  }
  for (const p of ["temperature", "max_tokens"] as const)
    if (now.params[p] !== recorded.params[p])
      out.push(`${p} (${recorded.params[p] ?? "not set"}, now ${now.params[p] ?? "not set"})`);
  return out;
}
