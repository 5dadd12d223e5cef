/**
 * Slows down password guessing: failed logins take a token from a bucket per account and one per
 * address; while either is empty, logins there are refused before any password is checked (the
 * same refusal whether the account exists or not). Pure: time is passed in (ms).
 *
 * @example
 * ```ts
 * import { LoginThrottle } from "./login_throttle.ts";
 * const throttle = new LoginThrottle({ burst: 2, perSecond: 0.1 });
 * const keys = ["account:ana", "address:10.0.0.9"];
 * throttle.failed(keys, 0);
 * throttle.failed(keys, 0);
 * throttle.waitMs(keys, 0); // 10000: the next try must wait ten seconds
 * ```
 */
import { type BucketOptions, TokenBucket } from "./rate_limit.ts";

/** Buckets kept at most; the oldest are forgotten first (an attacker cannot grow memory). */
const MAX_KEYS = 10_000;

/** Failed-login allowances by key (an account, an address). */
export class LoginThrottle {
  readonly #options: BucketOptions;
  readonly #buckets = new Map<string, TokenBucket>();

  /** `options`: failures allowed at once (`burst`), then how many more per second. */
  constructor(options: BucketOptions) {
    this.#options = options;
  }

  /** Ms before a login under any of `keys` may be tried (0: now). */
  waitMs(keys: readonly string[], now: number): number {
    return Math.max(0, ...keys.map((key) => this.#buckets.get(key)?.waitMs(now) ?? 0));
  }

  /** Counts a failed login against each key. */
  failed(keys: readonly string[], now: number): void {
    for (const key of keys) {
      let bucket = this.#buckets.get(key);
      if (bucket === undefined) {
        bucket = new TokenBucket(this.#options, now);
        if (this.#buckets.size >= MAX_KEYS) {
          const oldest = this.#buckets.keys().next().value;
          if (oldest !== undefined) this.#buckets.delete(oldest);
        }
      } else this.#buckets.delete(key); // Moved to the end: the newest.
      this.#buckets.set(key, bucket);
      bucket.take(now);
    }
  }
}
