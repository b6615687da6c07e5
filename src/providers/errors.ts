import { ProviderError, TimeBudgetSpent } from "./types.js";

/**
 * Both official SDKs are generated from the same template, so their error classes line up: an
 * `APIError` carrying `status` and `headers` for HTTP answers, and `APIConnectionError`,
 * `APIConnectionTimeoutError`, `APIUserAbortError` for the rest. Each provider passes its own.
 */
type ErrorClass = abstract new (...args: never[]) => Error;
export type SdkErrors = {
  APIError: ErrorClass;
  APIConnectionError: ErrorClass;
  APIConnectionTimeoutError: ErrorClass;
  APIUserAbortError: ErrorClass;
};

/** Milliseconds the server asked us to wait: `retry-after-ms`, then `retry-after` (seconds or HTTP date). */
export function parseRetryAfter(headers: Headers | undefined, now = Date.now()): number | undefined {
  if (!headers) return undefined;
  const ms = headers.get("retry-after-ms");
  if (ms !== null && ms.trim() !== "") {
    const n = Number(ms);
    if (Number.isFinite(n) && n >= 0) return n;
  }
  const ra = headers.get("retry-after");
  if (ra === null || ra.trim() === "") return undefined;
  const seconds = Number(ra);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(ra);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/** Where a provider's address and key come from, for messages that tell the user what to fix. */
export type Origin = {
  url: string;
  /** what set the address: OPENAI_BASE_URL, the agent's base_url; absent for the SDK's default */
  urlFrom?: string;
  /** the environment variable the key was read from */
  keyFrom?: string;
};

/**
 * Why a connection failed, in the words of the error at the bottom of the chain: the SDK says
 * "Connection error.", fetch "fetch failed", and only the socket says ECONNREFUSED or ENOTFOUND.
 */
export function connectionCause(e: unknown): string {
  let inner: unknown = e;
  for (let depth = 0; depth < 8; depth++) {
    const next: unknown =
      (inner as { cause?: unknown } | null)?.cause ?? (inner instanceof AggregateError ? inner.errors[0] : undefined);
    if (!(next instanceof Error)) break;
    inner = next;
  }
  if (!(inner instanceof Error)) return String(inner);
  const code = (inner as NodeJS.ErrnoException).code;
  const text = inner.message.split("\n")[0]!.trim();
  // OpenSSL's own text is a dump of its internals; its code says what went wrong
  if (code && (text === "" || /^[0-9A-F]+:error:/.test(text))) return code;
  return text || inner.name;
}

/**
 * A 404 is a model name the server does not know, or an address that is not the API's: Ollama and
 * vLLM serve the OpenAI protocol under /v1, and "404 page not found" alone does not say that.
 */
function notFoundHint(provider: string, origin: Origin): string {
  const from = origin.urlFrom ? `, set by ${origin.urlFrom}` : "";
  let path = "";
  try {
    path = new URL(origin.url).pathname;
  } catch {
    // not a URL the SDK could have used anyway
  }
  return ` (asked ${origin.url}${from}: a model name the server does not know, or not the API's address${pathHint(provider, path)})`;
}

/** The SDKs add the endpoint's path to the base URL: the address mistakes that make a 404 of every call. */
function pathHint(provider: string, path: string): string {
  if (provider === "anthropic")
    return /\/v1(\/messages)?\/?$/.test(path) ? "; the SDK adds /v1/messages itself: give the address without it" : "";
  if (/\/chat\/completions\/?$/.test(path))
    return "; the SDK adds /chat/completions itself: give the API's root (…/v1)";
  return /\/v1(\/|$)/.test(path) ? "" : "; OpenAI-compatible servers answer under …/v1";
}

/**
 * What both SDKs retry: the server's `x-should-retry` when it says, else 408, 409 (a lock timeout),
 * 429 and 5xx (Anthropic's 529 overloaded among them).
 */
function shouldRetry(status: number, headers: Headers | undefined): boolean {
  const said = headers?.get("x-should-retry");
  if (said === "true") return true;
  if (said === "false") return false;
  return status === 408 || status === 409 || status === 429 || status >= 500;
}

/**
 * How servers refuse a conversation longer than the model's context window: OpenAI's code
 * context_length_exceeded, its words as vLLM repeats them, llama.cpp's, Anthropic's.
 */
const CONTEXT_FULL =
  /context_length_exceeded|maximum context length|exceeds? the available context size|prompt is too long|exceed context limit/i;

/** How a billing refusal's message says so (the run's stop message reads it to say what to fix). */
export const CREDIT_SPENT = "the account's quota or credit is spent";

/** OpenAI's billing refusals: a 429 like a rate limit, but no wait brings the account's money back. */
const BILLING_CODES = new Set([
  "insufficient_quota",
  "credit_balance_exhausted",
  "organization_spend_limit_exceeded",
  "project_spend_limit_exceeded",
  "organization_usage_limit_exceeded",
]);

/**
 * A refusal for money, not for pace: OpenAI's 429 whose error type or code is a quota's; Anthropic's
 * 402 billing_error, or the 400 it answers an account without credit with. `body` is the SDK's
 * `error`: OpenAI's `error` object, Anthropic's whole body.
 */
function isBillingRefusal(status: number, body: unknown): boolean {
  if (status === 402) return true;
  const b = body as { type?: unknown; code?: unknown; error?: { message?: unknown } } | null | undefined;
  if (status === 400) return /credit balance is too low/i.test(String(b?.error?.message ?? ""));
  if (status !== 429) return false;
  return BILLING_CODES.has(String(b?.type)) || BILLING_CODES.has(String(b?.code));
}

/**
 * The server's own words. Anthropic's error body, {"type":"error","error":{"type","message"}}, is
 * one its SDK quotes whole as JSON; its type and message read better. Other bodies as the SDK says them.
 */
function serverWords(e: Error, detail: string): string {
  const inner = ((e as { error?: unknown }).error as { error?: unknown } | null | undefined)?.error as
    | { type?: unknown; message?: unknown }
    | undefined;
  if (typeof inner?.message === "string" && inner.message.trim() !== "")
    return typeof inner.type === "string" && inner.type !== "" ? `${inner.type}: ${inner.message}` : inner.message;
  return pageWords(detail.replace(/^\d{3}\s+/, "")); // the SDKs lead their message with the status
}

/**
 * A body that is no API's error: a proxy's or a CDN's HTML page (several KB of markup and styles)
 * would be stored whole with every call it failed and printed across the terminal. Its title, or
 * its text, on one line and clipped, says as much.
 */
function pageWords(body: string): string {
  let text = body;
  if (/^\s*<(!doctype|html|head|body)\b/i.test(body)) {
    const title = /<title[^>]*>([^<]*)<\/title>/i.exec(body)?.[1]?.trim();
    text = `${title || body.replace(/<(script|style)\b[\s\S]*?<\/\1>/gi, " ").replace(/<[^>]*>/g, " ")} (an HTML page)`;
  }
  text = text.replace(/\s+/g, " ").trim();
  return text.length > MAX_WORDS ? `${text.slice(0, MAX_WORDS - 1)}…` : text;
}

const MAX_WORDS = 500;

/**
 * Any failure of one SDK call → ProviderError. Only the SDK call itself is wrapped, so anything
 * thrown that is not an SDK error (a body that is not JSON, a body cut short, a socket reset) is
 * a broken answer from the wire and worth another attempt.
 */
export function toProviderError(e: unknown, provider: string, sdk: SdkErrors, origin?: Origin): ProviderError {
  if (e instanceof ProviderError) return e;
  const detail = e instanceof Error ? e.message : String(e);
  if (e instanceof sdk.APIUserAbortError) return new ProviderError(`${provider}: request aborted`, false);
  if (e instanceof sdk.APIConnectionTimeoutError) return new ProviderError(`${provider}: request timed out`, true);
  if (e instanceof sdk.APIConnectionError) {
    // the address, and what set it, is what a user needs to see to fix it (a server not started, a typo)
    const where = origin ? ` to ${origin.url}${origin.urlFrom ? `, set by ${origin.urlFrom}` : ""}` : "";
    return new ProviderError(
      `${provider}: connection failed${where} (${connectionCause(e)})`,
      true,
      undefined,
      undefined,
      "no connection",
    );
  }
  if (e instanceof sdk.APIError) {
    const { status, headers } = e as Error & { status?: number; headers?: Headers };
    if (typeof status === "number") {
      const billing = isBillingRefusal(status, (e as { error?: unknown }).error);
      const retryable = !billing && shouldRetry(status, headers);
      const text = serverWords(e, detail);
      // a wrong key, a key without access, a model name the server does not know, an account with
      // no credit left: no case will fare better
      const unusable = status === 401 || status === 403 || status === 404 || billing ? "refused" : undefined;
      // which key was refused: a variable set in another shell, or the agent naming another one
      const key = (status === 401 || status === 403) && origin?.keyFrom ? ` (the key in ${origin.keyFrom})` : "";
      const missing = status === 404 && origin ? notFoundHint(provider, origin) : "";
      const paid = billing ? ` (${CREDIT_SPENT}: retrying will not help)` : "";
      return new ProviderError(
        `${provider}: HTTP ${status}: ${text}${key}${missing}${paid}`,
        retryable,
        status,
        parseRetryAfter(headers),
        unusable,
        status === 400 && CONTEXT_FULL.test(`${text} ${String((e as { code?: unknown }).code)}`),
      );
    }
  }
  if (e instanceof Error && e.name === "AbortError") return new ProviderError(`${provider}: request aborted`, false);
  if (e instanceof SyntaxError) return new ProviderError(`${provider}: malformed response body (${detail})`, true);
  return new ProviderError(`${provider}: response cut short or connection dropped (${detail})`, true);
}

/**
 * One attempt's deadline, over the whole answer. The SDKs' own `timeout` stops once the headers
 * arrive, so a server that sends headers and then stalls mid-body would hang the run for ever.
 * `budgetMs`, what is left of the investigation's max_seconds, stops it sooner when it is shorter.
 */
export function attemptDeadline(timeoutMs: number, caller?: AbortSignal, budgetMs?: number) {
  const started = performance.now();
  const deadline = AbortSignal.timeout(timeoutMs);
  const budget = budgetMs !== undefined ? AbortSignal.timeout(Math.max(0, Math.ceil(budgetMs))) : undefined;
  const signals = [caller, deadline, budget].filter((s): s is AbortSignal => s !== undefined);
  return {
    signal: signals.length === 1 ? deadline : AbortSignal.any(signals),
    /** the deadline or the budget, not the caller, ended the attempt (the budget: the agent's limit, not retried) */
    timedOut: (provider: string): ProviderError | null =>
      caller?.aborted
        ? null
        : budget?.aborted
          ? new TimeBudgetSpent(provider, Math.round(performance.now() - started))
          : deadline.aborted
            ? new ProviderError(`${provider}: request timed out (no whole answer within ${timeoutMs} ms)`, true)
            : null,
  };
}

/**
 * The SDKs hand back a body that is not JSON (an HTML page from a proxy, a login portal) as plain
 * text: say so, with its start, rather than "no choices".
 */
export function notJson(provider: string, res: unknown): ProviderError | null {
  if (typeof res !== "string") return null;
  const start = res.replace(/\s+/g, " ").trim().slice(0, 80);
  return malformed(provider, `the body is not JSON (${start || "empty"}${res.length > 80 ? "…" : ""})`);
}

/**
 * What a 200 without the protocol's answer holds instead: gateways (LiteLLM, OpenRouter, a content
 * filter) answer some failures with a 200 whose body is `{"error": {"message": …}}`. Their words
 * say what went wrong; "no choices" does not.
 */
export function missingAnswer(provider: string, res: unknown, what: string): ProviderError {
  const error = (res as { error?: unknown } | null)?.error;
  const message = (error as { message?: unknown } | null)?.message ?? error;
  if (typeof message === "string" && message.trim() !== "")
    return malformed(provider, `${what}; the body is an error: ${message.replace(/\s+/g, " ").trim().slice(0, 300)}`);
  return malformed(provider, what);
}

/** A 200 whose JSON lacks what the protocol promises is as broken as one that does not parse. */
export function malformed(provider: string, what: string): ProviderError {
  return new ProviderError(`${provider}: malformed response: ${what}`, true);
}
