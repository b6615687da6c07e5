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
  const v1 =
    provider.startsWith("openai") && !/\/v1(\/|$)/.test(path) ? "; OpenAI-compatible servers answer under …/v1" : "";
  return ` (asked ${origin.url}${from}: a model name the server does not know, or not the API's address${v1})`;
}

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
      const retryable = status === 429 || status === 408 || status >= 500;
      const text = detail.replace(/^\d{3}\s+/, ""); // the SDKs lead their message with the status
      // a wrong key, a key without access, a model name the server does not know: no case will fare better
      const unusable = status === 401 || status === 403 || status === 404 ? "refused" : undefined;
      // which key was refused: a variable set in another shell, or the agent naming another one
      const key = (status === 401 || status === 403) && origin?.keyFrom ? ` (the key in ${origin.keyFrom})` : "";
      const missing = status === 404 && origin ? notFoundHint(provider, origin) : "";
      return new ProviderError(
        `${provider}: HTTP ${status}: ${text}${key}${missing}`,
        retryable,
        status,
        parseRetryAfter(headers),
        unusable,
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
