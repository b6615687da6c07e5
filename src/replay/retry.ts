import { setTimeout as sleep } from "node:timers/promises";
import { ProviderError } from "../providers/types.js";
import type { Outcome, Permit, RateLimiter } from "./rate-limit.js";

export type RetryPolicy = {
  /** attempts in all, the first included */
  max_attempts: number;
  /** backoff before retry n is uniform in [0, base · 2^(n-1)], capped at max_delay_ms (full jitter) */
  base_delay_ms: number;
  max_delay_ms?: number;
  /** a server that asks for a longer pause than this fails the call instead of stalling the run */
  max_retry_after_ms?: number;
};

export type RetryOptions = {
  signal?: AbortSignal;
  /** for tests: a source of uniform [0, 1) numbers */
  random?: () => number;
  onRetry?: (info: { attempt: number; error: ProviderError; delay_ms: number }) => void;
};

const DEFAULT_MAX_DELAY_MS = 30_000;
const DEFAULT_MAX_RETRY_AFTER_MS = 120_000;

/** How many attempts a failed call used (1 when it was never retried or not ours). */
export function attemptsOf(e: unknown): number {
  const n = (e as { attempts?: unknown } | null)?.attempts;
  return typeof n === "number" ? n : 1;
}

function withAttempts(e: unknown, attempts: number): unknown {
  if (e !== null && typeof e === "object") Object.assign(e, { attempts });
  return e;
}

const seconds = (ms: number) => `${Math.ceil(ms / 1000)} s`;

/** A 429 that is not worth another attempt (a spent quota) says nothing of the pace the server takes. */
function outcomeOf(e: unknown): Outcome {
  return e instanceof ProviderError && e.status === 429 && e.retryable ? "rate_limited" : "failed";
}

/**
 * Runs `fn` until it succeeds, a non-retryable error occurs, or attempts run out. Only
 * ProviderErrors marked retryable are retried (429, 5xx, timeouts, dropped connections, broken
 * bodies); anything else is a bug or bad input and is thrown at once. Every attempt passes
 * through the limiter, so a 429 slows all requests, not only this one.
 */
export async function withRetries<T>(
  fn: (attempt: number) => Promise<T>,
  policy: RetryPolicy,
  limiter?: RateLimiter,
  opts: RetryOptions = {},
): Promise<{ value: T; attempts: number }> {
  const random = opts.random ?? Math.random;
  const maxDelay = policy.max_delay_ms ?? DEFAULT_MAX_DELAY_MS;
  const maxRetryAfter = policy.max_retry_after_ms ?? DEFAULT_MAX_RETRY_AFTER_MS;
  for (let attempt = 1; ; attempt++) {
    const permit: Permit | undefined = limiter ? await limiter.acquire(opts.signal) : undefined;
    let error: unknown;
    try {
      const value = await fn(attempt);
      if (permit) limiter?.release(permit, "ok");
      return { value, attempts: attempt };
    } catch (e) {
      error = e;
      const retryAfter = e instanceof ProviderError ? e.retryAfterMs : undefined;
      // a pause past the ceiling fails this call rather than stall the run, so it must not hold every
      // other case of the run back for that long either: the 429 still slows the pace
      if (permit)
        limiter?.release(
          permit,
          outcomeOf(e),
          retryAfter !== undefined && retryAfter <= maxRetryAfter ? retryAfter : undefined,
        );
    }
    if (!(error instanceof ProviderError) || !error.retryable || attempt >= policy.max_attempts)
      throw withAttempts(error, attempt);
    const retryAfter = error.retryAfterMs ?? 0;
    if (retryAfter > maxRetryAfter) {
      // "HTTP 429: quota" alone reads as a failure soceval should have retried: say why it did not
      error.message += ` (the server asked to wait ${seconds(retryAfter)} before another attempt, longer than the ${seconds(maxRetryAfter)} soceval waits)`;
      throw withAttempts(error, attempt);
    }
    const backoff = random() * Math.min(maxDelay, policy.base_delay_ms * 2 ** (attempt - 1));
    const delay = Math.max(retryAfter, backoff);
    opts.onRetry?.({ attempt, error, delay_ms: delay });
    if (delay > 0) await sleep(delay, undefined, { signal: opts.signal });
  }
}
