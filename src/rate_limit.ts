/**
 * Token buckets for flood control: a burst, then a steady rate. Pure: time is passed in (ms).
 *
 * @example
 * ```ts
 * const bucket = new TokenBucket({ burst: 2, perSecond: 1 }, 0);
 * bucket.take(0); // 0: free
 * bucket.take(0); // 0: free
 * bucket.take(0); // 1000: wait a second before handling this one
 * ```
 */

/** Options for {@linkcode TokenBucket}. */
export interface BucketOptions {
  /** Tokens available at once. */
  burst: number;
  /** Tokens added per second. 0 or less turns the bucket off (every take is free). */
  perSecond: number;
}

/** A token bucket that can go into debt, so callers learn how long to wait. */
export class TokenBucket {
  readonly #burst: number;
  readonly #perMs: number;
  #tokens: number;
  #last: number;

  constructor(options: BucketOptions, now: number) {
    this.#burst = options.burst;
    this.#perMs = options.perSecond / 1000;
    this.#tokens = options.burst;
    this.#last = now;
  }

  /** Whether the bucket limits anything. */
  get enabled(): boolean {
    return this.#perMs > 0;
  }

  /**
   * Takes a token, going into debt if there is none: returns how many ms the caller should wait
   * before acting (0 when a token was there).
   */
  take(now: number): number {
    if (!this.enabled) return 0;
    this.#refill(now);
    this.#tokens -= 1;
    return this.#tokens >= 0 ? 0 : Math.ceil(-this.#tokens / this.#perMs);
  }

  /** Takes a token only if one is there now; returns whether it did. */
  tryTake(now: number): boolean {
    if (!this.enabled) return true;
    this.#refill(now);
    if (this.#tokens < 1) return false;
    this.#tokens -= 1;
    return true;
  }

  /** Ms until a token is there (0 if one is there now). */
  waitMs(now: number): number {
    if (!this.enabled) return 0;
    this.#refill(now);
    return this.#tokens >= 1 ? 0 : Math.ceil((1 - this.#tokens) / this.#perMs);
  }

  #refill(now: number): void {
    const elapsed = Math.max(0, now - this.#last);
    this.#last = now;
    this.#tokens = Math.min(this.#burst, this.#tokens + elapsed * this.#perMs);
  }
}
