import assert from "node:assert/strict";
import { CREATE_LIMIT, JOIN_LIMIT, NICK_CHANGE_LIMIT } from "../src/limits.ts";
import { TokenBucket } from "../src/rate_limit.ts";

const T0 = 1_000_000;

/** A bucket made at T0 with `burst` tokens and `perSecond` refill. */
function bucket(burst: number, perSecond: number): TokenBucket {
  return new TokenBucket({ burst, perSecond }, T0);
}

Deno.test("TokenBucket.take() is free for the burst, then returns the wait", () => {
  const limit = bucket(3, 1);
  assert.deepEqual([limit.take(T0), limit.take(T0), limit.take(T0)], [0, 0, 0]);
  assert.equal(limit.take(T0), 1000);
});

Deno.test("TokenBucket.take() returns the wait once the burst is spent, at the bucket's rate", () => {
  const fast = bucket(1, 4);
  fast.take(T0);
  assert.equal(fast.take(T0), 250);
  const slow = bucket(1, 0.5);
  slow.take(T0);
  assert.equal(slow.take(T0), 2000);
});

Deno.test("TokenBucket.take() goes into debt, so the wait grows with each take", () => {
  const limit = bucket(1, 1);
  assert.deepEqual(
    [limit.take(T0), limit.take(T0), limit.take(T0), limit.take(T0)],
    [0, 1000, 2000, 3000],
  );
  // The debt is paid back before anything is free again.
  assert.equal(limit.waitMs(T0), 4000);
  assert.equal(limit.take(T0 + 3000), 1000); // the debt is paid: this one waits like a fresh one
  assert.equal(limit.waitMs(T0 + 4000), 1000);
  assert.equal(limit.take(T0 + 5000), 0);
});

Deno.test("TokenBucket refills at perSecond as time passes", () => {
  const limit = bucket(2, 1);
  limit.take(T0);
  limit.take(T0);
  assert.equal(limit.take(T0 + 1000), 0); // one token came back
  assert.equal(limit.take(T0 + 1000), 1000); // and only one
  const half = bucket(1, 1);
  half.take(T0);
  assert.equal(half.waitMs(T0 + 500), 500);
  assert.equal(half.take(T0 + 500), 500);
});

Deno.test("TokenBucket caps refilled tokens at the burst", () => {
  const limit = bucket(3, 1);
  limit.take(T0);
  const later = T0 + 3_600_000; // an hour idle refills three tokens, not 3600
  assert.deepEqual(
    [limit.take(later), limit.take(later), limit.take(later), limit.take(later)],
    [0, 0, 0, 1000],
  );
  // A new bucket starts full, not over.
  const fresh = bucket(2, 1);
  assert.equal(fresh.tryTake(T0 + 60_000), true);
  assert.equal(fresh.tryTake(T0 + 60_000), true);
  assert.equal(fresh.tryTake(T0 + 60_000), false);
});

Deno.test("TokenBucket.tryTake() takes only a token that is there, never going into debt", () => {
  const limit = bucket(2, 1);
  assert.deepEqual(
    [limit.tryTake(T0), limit.tryTake(T0), limit.tryTake(T0), limit.tryTake(T0)],
    [true, true, false, false],
  );
  // The refusals cost nothing: one second brings exactly one token back.
  assert.equal(limit.waitMs(T0), 1000);
  assert.equal(limit.tryTake(T0 + 999), false);
  assert.equal(limit.tryTake(T0 + 1000), true);
  assert.equal(limit.tryTake(T0 + 1000), false);
});

Deno.test("TokenBucket.tryTake() refuses while take() has left the bucket in debt", () => {
  const limit = bucket(1, 1);
  limit.take(T0);
  limit.take(T0); // one token of debt
  assert.equal(limit.tryTake(T0 + 1000), false); // the debt is paid, but no token yet
  assert.equal(limit.tryTake(T0 + 2000), true);
});

Deno.test("TokenBucket.waitMs() says how long until a token is there, without taking one", () => {
  const limit = bucket(1, 1);
  assert.equal(limit.waitMs(T0), 0);
  assert.equal(limit.waitMs(T0), 0);
  assert.equal(limit.take(T0), 0);
  assert.equal(limit.waitMs(T0), 1000);
  assert.equal(limit.waitMs(T0 + 250), 750);
  assert.equal(limit.waitMs(T0 + 250), 750);
  assert.equal(limit.waitMs(T0 + 1000), 0);
  assert.equal(limit.tryTake(T0 + 1000), true);
});

Deno.test("TokenBucket with perSecond 0 or less is disabled: every take is free", () => {
  for (const perSecond of [0, -1]) {
    const off = bucket(1, perSecond);
    assert.equal(off.enabled, false);
    for (let i = 0; i < 100; i++) {
      assert.equal(off.take(T0), 0);
      assert.equal(off.tryTake(T0), true);
    }
    assert.equal(off.waitMs(T0), 0);
  }
  assert.equal(bucket(1, 0.001).enabled, true);
});

Deno.test("TokenBucket does not add tokens when time goes backwards", () => {
  const limit = bucket(1, 1);
  limit.take(T0);
  assert.equal(limit.waitMs(T0 - 60_000), 1000);
  assert.equal(limit.tryTake(T0 - 60_000), false);
  assert.equal(limit.take(T0 - 60_000), 1000);
  // Nor does it take any away: the debt is the same one token.
  assert.equal(limit.waitMs(T0 - 60_000), 2000);
});

Deno.test("TokenBucket waits whole milliseconds for the server's slow limits", () => {
  const cases: [{ burst: number; perSecond: number }, number][] = [
    [NICK_CHANGE_LIMIT, 10_000],
    [JOIN_LIMIT, 2000],
    [CREATE_LIMIT, 30_000],
  ];
  for (const [options, wait] of cases) {
    const limit = new TokenBucket(options, T0);
    for (let i = 0; i < options.burst; i++) assert.equal(limit.take(T0), 0);
    assert.equal(limit.waitMs(T0), wait);
    assert.equal(limit.take(T0), wait);
  }
});
