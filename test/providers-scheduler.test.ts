import { setTimeout as sleep } from "node:timers/promises";
import { describe, expect, it } from "vitest";
import { parseRetryAfter } from "../src/providers/errors.js";
import { ProviderError } from "../src/providers/types.js";
import { RateLimiter } from "../src/replay/rate-limit.js";
import { attemptsOf, withRetries } from "../src/replay/retry.js";

/** A call that fails with the given errors in turn, then answers "ok". */
function flaky(...errors: Error[]) {
  let calls = 0;
  const fn = async () => {
    const e = errors[calls++];
    if (e) throw e;
    return "ok";
  };
  return { fn, calls: () => calls };
}

const e500 = () => new ProviderError("HTTP 500", true, 500);

describe("parseRetryAfter", () => {
  const h = (o: Record<string, string>) => new Headers(o);
  it("reads seconds, HTTP dates and retry-after-ms (which wins)", () => {
    const now = Date.parse("2026-03-01T10:00:00Z");
    expect(parseRetryAfter(h({ "retry-after": "2" }), now)).toBe(2000);
    expect(parseRetryAfter(h({ "retry-after": "0.5" }), now)).toBe(500);
    expect(parseRetryAfter(h({ "retry-after": "Sun, 01 Mar 2026 10:00:05 GMT" }), now)).toBe(5000);
    expect(parseRetryAfter(h({ "retry-after": "Sun, 01 Mar 2026 09:00:00 GMT" }), now)).toBe(0);
    expect(parseRetryAfter(h({ "retry-after": "2", "retry-after-ms": "250" }), now)).toBe(250);
    expect(parseRetryAfter(h({ "retry-after": "soon" }), now)).toBeUndefined();
    expect(parseRetryAfter(h({}), now)).toBeUndefined();
  });
});

describe("withRetries", () => {
  it("retries retryable provider errors and counts attempts", async () => {
    const f = flaky(e500(), new ProviderError("timed out", true));
    const r = await withRetries(f.fn, { max_attempts: 5, base_delay_ms: 1 });
    expect(r).toEqual({ value: "ok", attempts: 3 });
  });

  it("throws the last error with the attempts used when they run out", async () => {
    const last = new ProviderError("HTTP 503", true, 503);
    const f = flaky(e500(), e500(), last);
    const err = await withRetries(f.fn, { max_attempts: 3, base_delay_ms: 1 }).catch((e) => e);
    expect(err).toBe(last);
    expect(attemptsOf(err)).toBe(3);
    expect(f.calls()).toBe(3);
  });

  it("never retries a non-retryable provider error or a plain bug", async () => {
    for (const e of [new ProviderError("HTTP 400", false, 400), new TypeError("bug")]) {
      const f = flaky(e);
      const err = await withRetries(f.fn, { max_attempts: 5, base_delay_ms: 1 }).catch((x) => x);
      expect(err).toBe(e);
      expect(attemptsOf(err)).toBe(1);
      expect(f.calls()).toBe(1);
    }
  });

  it("backs off with full jitter: uniform up to base·2^(n-1), capped", async () => {
    const delays: number[] = [];
    const f = flaky(e500(), e500(), e500(), e500());
    await withRetries(f.fn, { max_attempts: 5, base_delay_ms: 4, max_delay_ms: 10 }, undefined, {
      random: () => 0.999,
      onRetry: (i) => delays.push(i.delay_ms),
    });
    expect(delays.map(Math.round)).toEqual([4, 8, 10, 10]);
    const none: number[] = [];
    await withRetries(flaky(e500()).fn, { max_attempts: 2, base_delay_ms: 1000 }, undefined, {
      random: () => 0,
      onRetry: (i) => none.push(i.delay_ms),
    });
    expect(none).toEqual([0]);
  });

  it("waits at least the server's retry-after", async () => {
    const f = flaky(new ProviderError("HTTP 429", true, 429, 150));
    const started = Date.now();
    const r = await withRetries(f.fn, { max_attempts: 2, base_delay_ms: 1 }, undefined, { random: () => 0 });
    expect(r.attempts).toBe(2);
    expect(Date.now() - started).toBeGreaterThanOrEqual(145);
  });

  it("gives up rather than stall when retry-after exceeds the policy's ceiling", async () => {
    const f = flaky(new ProviderError("HTTP 429", true, 429, 3_600_000));
    const started = Date.now();
    const err = await withRetries(f.fn, { max_attempts: 5, base_delay_ms: 1, max_retry_after_ms: 1000 }).catch(
      (e) => e,
    );
    expect(err).toBeInstanceOf(ProviderError);
    expect(err.message).toBe(
      "HTTP 429 (the server asked to wait 3600 s before another attempt, longer than the 1 s soceval waits)",
    );
    expect(attemptsOf(err)).toBe(1);
    expect(Date.now() - started).toBeLessThan(500);
  });

  it("nor does that retry-after hold the other requests of the run back", async () => {
    const limiter = new RateLimiter({ concurrency: 2 });
    const f = flaky(new ProviderError("HTTP 429", true, 429, 3_600_000));
    await withRetries(f.fn, { max_attempts: 5, base_delay_ms: 1, max_retry_after_ms: 1000 }, limiter).catch(() => {});
    const started = Date.now();
    const next = await withRetries(async () => "ok", { max_attempts: 1, base_delay_ms: 1 }, limiter);
    expect(next.value).toBe("ok");
    expect(Date.now() - started).toBeLessThan(500);
  });
});

describe("RateLimiter", () => {
  it("never lets more than `concurrency` requests run at once", async () => {
    const limiter = new RateLimiter({ concurrency: 3 });
    let now = 0;
    let peak = 0;
    await Promise.all(
      Array.from({ length: 12 }, async () => {
        const p = await limiter.acquire();
        now++;
        peak = Math.max(peak, now);
        await sleep(5);
        now--;
        limiter.release(p, "ok");
      }),
    );
    expect(peak).toBe(3);
    expect(limiter.inFlight).toBe(0);
  });

  it("paces request starts to the per-minute budget", async () => {
    const limiter = new RateLimiter({ requestsPerMinute: 1200, concurrency: 10 }); // one per 50 ms
    const starts: number[] = [];
    await Promise.all(
      Array.from({ length: 5 }, async () => {
        const p = await limiter.acquire();
        starts.push(p.startedAt);
        limiter.release(p, "ok");
      }),
    );
    starts.sort((a, b) => a - b);
    for (let i = 1; i < starts.length; i++) expect(starts[i]! - starts[i - 1]!).toBeGreaterThanOrEqual(48);
  });

  it("halves the rate on a 429, blocks until retry-after, then recovers additively", async () => {
    const limiter = new RateLimiter({ requestsPerMinute: 6000, concurrency: 4 });
    const a = await limiter.acquire();
    const b = await limiter.acquire();
    limiter.release(a, "rate_limited", 200);
    expect(limiter.rpm).toBe(3000);
    // b was sent before the cut: the same burst does not halve twice
    limiter.release(b, "rate_limited", 200);
    expect(limiter.rpm).toBe(3000);

    const blockedFrom = Date.now();
    const c = await limiter.acquire();
    expect(c.startedAt - blockedFrom).toBeGreaterThanOrEqual(195);
    limiter.release(c, "ok");
    expect(limiter.rpm).toBe(3120); // +2% of the 6000 budget
    for (let i = 0; i < 30; i++) {
      const p = await limiter.acquire();
      limiter.release(p, "ok");
    }
    expect(limiter.rpm).toBe(6000);
  });

  it("without a budget, learns one from traffic on a 429 and lifts it once recovered", async () => {
    const limiter = new RateLimiter({ concurrency: 20 });
    const permits = await Promise.all(Array.from({ length: 20 }, () => limiter.acquire()));
    expect(limiter.rpm).toBeUndefined();
    limiter.release(permits[0]!, "rate_limited");
    const learned = limiter.rpm;
    expect(learned).toBeGreaterThan(0); // half of ~1200 requests/min observed
    for (const p of permits.slice(1)) limiter.release(p, "ok");
    for (let i = 0; i < 60 && limiter.rpm !== undefined; i++) limiter.release(await limiter.acquire(), "ok");
    expect(limiter.rpm).toBeUndefined();
  });

  it("a single early 429 with no budget leaves pacing to retry-after and backoff", async () => {
    const limiter = new RateLimiter({ concurrency: 2 });
    limiter.release(await limiter.acquire(), "rate_limited", 50);
    expect(limiter.rpm).toBeUndefined();
    const t = Date.now();
    limiter.release(await limiter.acquire(), "ok");
    expect(Date.now() - t).toBeGreaterThanOrEqual(45);
  });

  it("an aborted wait gives its slot back", async () => {
    const limiter = new RateLimiter({ concurrency: 1 });
    const held = await limiter.acquire();
    const ac = new AbortController();
    const waiting = limiter.acquire(ac.signal);
    ac.abort(new Error("stop"));
    await expect(waiting).rejects.toThrow("stop");
    limiter.release(held, "ok");
    expect(limiter.inFlight).toBe(0);
  });
});
