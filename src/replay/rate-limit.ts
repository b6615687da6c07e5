import { setTimeout as sleep } from "node:timers/promises";

export type RateLimitOptions = {
  /** requests per minute the provider allows; omitted: no pacing until the first 429 */
  requestsPerMinute?: number;
  /** requests in flight at once */
  concurrency: number;
  /** the rate never halves below this many requests per minute (default 1) */
  minRequestsPerMinute?: number;
  /** requests per minute regained after each success, as a share of the ceiling (default 2%) */
  recoverShare?: number;
};

/** One admitted request. Hand it back with its outcome through `release`. */
export type Permit = { readonly startedAt: number; readonly seq: number };
export type Outcome = "ok" | "rate_limited" | "failed";

const WINDOW_MS = 60_000;
/** requests seen in the last minute before an unconfigured limiter trusts its own rate estimate */
const MIN_SAMPLE = 10;

/**
 * Admits model requests under a concurrency cap and a requests-per-minute pace that adapts: a 429
 * halves the pace and holds every request until the server's retry-after has passed; each success
 * then adds back a small fixed step (AIMD), up to the configured budget.
 */
export class RateLimiter {
  private active = 0;
  private readonly waiting: Array<() => void> = [];
  private nextStart = 0;
  private blockedUntil = 0;
  private admitted = 0;
  /** permits admitted before this sequence number were paced at the rate before the last cut */
  private cutSeq = 0;
  private current: number | undefined;
  private ceiling: number | undefined;
  private readonly starts: number[] = [];
  private firstStart = 0;
  private readonly minRpm: number;
  private readonly recoverShare: number;

  constructor(private readonly opts: RateLimitOptions) {
    if (!(opts.concurrency >= 1)) throw new RangeError("concurrency must be at least 1");
    const rpm = opts.requestsPerMinute;
    if (rpm !== undefined && !(rpm > 0)) throw new RangeError("requestsPerMinute must be positive");
    this.current = rpm;
    this.ceiling = rpm;
    this.minRpm = opts.minRequestsPerMinute ?? 1;
    this.recoverShare = opts.recoverShare ?? 0.02;
  }

  /** Requests per minute currently allowed; undefined while unpaced. */
  get rpm(): number | undefined {
    return this.current;
  }

  get inFlight(): number {
    return this.active;
  }

  async acquire(signal?: AbortSignal): Promise<Permit> {
    await this.slot(signal);
    try {
      for (;;) {
        const now = Date.now();
        const wait = Math.max(this.blockedUntil, this.current ? this.nextStart : 0) - now;
        if (wait <= 0) {
          if (this.current) this.nextStart = Math.max(now, this.nextStart) + WINDOW_MS / this.current;
          this.noteStart(now);
          return { startedAt: now, seq: this.admitted++ };
        }
        // the pace or the block may change while we sleep, so look again after waking
        await sleep(wait, undefined, { signal });
      }
    } catch (e) {
      this.freeSlot();
      throw e;
    }
  }

  release(permit: Permit, outcome: Outcome, retryAfterMs?: number): void {
    this.freeSlot();
    if (outcome === "rate_limited") this.rateLimited(permit, retryAfterMs);
    else if (outcome === "ok") this.recover();
  }

  private rateLimited(permit: Permit, retryAfterMs?: number): void {
    const now = Date.now();
    if (retryAfterMs !== undefined) this.blockedUntil = Math.max(this.blockedUntil, now + retryAfterMs);
    // requests sent before the last cut were paced at the old rate: one cut per burst, not per 429
    if (permit.seq < this.cutSeq) return;
    let base = this.current;
    if (base === undefined) {
      // with no budget configured the pace is learned from traffic; a handful of requests says
      // nothing about a rate, so until then the retry-after block and the backoff must do
      const seen = this.observedRpm(now);
      if (this.starts.length < MIN_SAMPLE) return;
      base = Math.max(this.minRpm, seen);
    }
    this.ceiling ??= base;
    this.current = Math.max(this.minRpm, base / 2);
    this.cutSeq = this.admitted;
    this.nextStart = Math.max(this.nextStart, now + WINDOW_MS / this.current);
  }

  private recover(): void {
    if (this.current === undefined || this.ceiling === undefined) return;
    this.current = Math.min(this.ceiling, this.current + Math.max(1, this.ceiling * this.recoverShare));
    // discovered limits (no configured rpm) are lifted once fully regained
    if (this.opts.requestsPerMinute === undefined && this.current >= this.ceiling) {
      this.current = undefined;
      this.ceiling = undefined;
    }
  }

  /** Requests started over the last minute (or since the first, scaled to a minute). */
  private observedRpm(now: number): number {
    while (this.starts.length > 0 && this.starts[0]! <= now - WINDOW_MS) this.starts.shift();
    const span = Math.min(WINDOW_MS, Math.max(1000, now - this.firstStart));
    return (this.starts.length * WINDOW_MS) / span;
  }

  private noteStart(now: number): void {
    if (this.opts.requestsPerMinute !== undefined) return; // only needed to discover an unconfigured limit
    if (this.starts.length === 0 && this.firstStart === 0) this.firstStart = now;
    this.starts.push(now);
    while (this.starts[0]! <= now - WINDOW_MS) this.starts.shift();
  }

  private slot(signal?: AbortSignal): Promise<void> {
    signal?.throwIfAborted();
    if (this.active < this.opts.concurrency) {
      this.active++;
      return Promise.resolve();
    }
    return new Promise((resolve, reject) => {
      const admit = () => {
        signal?.removeEventListener("abort", abort);
        resolve();
      };
      const abort = () => {
        const i = this.waiting.indexOf(admit);
        if (i >= 0) this.waiting.splice(i, 1);
        reject(signal?.reason);
      };
      signal?.addEventListener("abort", abort, { once: true });
      this.waiting.push(admit);
    });
  }

  private freeSlot(): void {
    const next = this.waiting.shift();
    // the slot passes straight to the next waiter, so `active` stays the same
    if (next) next();
    else this.active--;
  }
}
