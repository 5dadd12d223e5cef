import assert from "node:assert/strict";
import { FLUSH_INTERVAL_MS, MAX_FLUSH_INTERVAL_MS, WRITE_COST_MS } from "../src/limits.ts";
import { flushInterval, FlushScheduler, Outbox, type OutboxOptions } from "../src/server/outbox.ts";

interface PendingWrite {
  readonly text: string;
  resolve(): void;
  reject(error: unknown): void;
}

/** An outbox over a fake connection whose writes finish only when the test says so. */
function setup(options: Partial<Pick<OutboxOptions, "maxBytes">> = {}) {
  const writes: PendingWrite[] = [];
  const scheduled: Outbox[] = [];
  const errors: unknown[] = [];
  let overflows = 0;
  const outbox = new Outbox({
    maxBytes: options.maxBytes ?? 1024,
    write: (bytes) =>
      new Promise<void>((resolve, reject) => {
        // Decoded now: the outbox must not change the bytes after handing them over.
        writes.push({ text: new TextDecoder().decode(bytes), resolve, reject });
      }),
    onOverflow: () => overflows++,
    onError: (error) => errors.push(error),
    schedule: (target) => scheduled.push(target),
  });
  return {
    outbox,
    writes,
    scheduled,
    errors,
    overflows: () => overflows,
    texts: () => writes.map((write) => write.text),
  };
}

function bytes(text: string): Uint8Array {
  return new TextEncoder().encode(text);
}

/** An outbox that records each chunk it writes into `chunks`; its writes never finish. */
function recordingOutbox(chunks: Uint8Array[]): Outbox {
  return new Outbox({
    maxBytes: 1024,
    write: (chunk) => {
      chunks.push(chunk);
      return new Promise<void>(() => {});
    },
    onOverflow: () => {},
    onError: () => {},
    schedule: () => {},
  });
}

/** Lets promise callbacks run (no timers involved). */
async function settle(): Promise<void> {
  for (let i = 0; i < 5; i++) await Promise.resolve();
}

Deno.test("Outbox.push() schedules a flush once and writes nothing by itself", () => {
  const { outbox, scheduled, writes } = setup();
  assert.equal(outbox.push(bytes("a\n")), true);
  assert.equal(outbox.push(bytes("b\n")), true);
  assert.deepEqual(scheduled, [outbox]);
  assert.equal(writes.length, 0);
  assert.equal(outbox.pendingBytes, 4);
});

Deno.test("Outbox.flush() writes everything queued in one write", () => {
  const { outbox, texts } = setup();
  outbox.push(bytes("a\n"));
  outbox.push(bytes("bb\n"));
  outbox.push(bytes("ccc\n"));
  outbox.flush();
  assert.deepEqual(texts(), ["a\nbb\nccc\n"]);
  assert.equal(outbox.pendingBytes, 9);
});

Deno.test("Outbox.flush() does nothing when empty or while a write is in flight", () => {
  const { outbox, texts } = setup();
  outbox.flush();
  assert.deepEqual(texts(), []);
  outbox.push(bytes("a\n"));
  outbox.flush();
  outbox.push(bytes("b\n"));
  outbox.flush();
  outbox.flush();
  assert.deepEqual(texts(), ["a\n"]);
});

Deno.test("Outbox coalesces frames queued during a write into one next write, in order", async () => {
  const { outbox, writes, texts, scheduled } = setup();
  outbox.push(bytes("1\n"));
  outbox.flush();
  for (const frame of ["2\n", "3\n", "4\n"]) outbox.push(bytes(frame));
  assert.equal(writes.length, 1);
  writes[0]?.resolve();
  await settle();
  // The write ended with frames queued: they wait for the scheduler's next flush.
  assert.equal(scheduled.length, 2);
  assert.equal(writes.length, 1);
  outbox.flush();
  assert.deepEqual(texts(), ["1\n", "2\n3\n4\n"]);
  writes[1]?.resolve();
  await settle();
  assert.equal(writes.length, 2);
  assert.equal(outbox.pendingBytes, 0);
  assert.equal(scheduled.length, 2);
});

Deno.test("Outbox keeps order across many writes", async () => {
  const { outbox, writes, texts } = setup({ maxBytes: 1 << 20 });
  const sent: string[] = [];
  outbox.push(bytes("0,"));
  sent.push("0,");
  outbox.flush();
  for (let round = 1; round <= 20; round++) {
    for (let i = 0; i < round % 4; i++) {
      const frame = `${round}.${i},`;
      outbox.push(bytes(frame));
      sent.push(frame);
    }
    outbox.flush(); // what the scheduler does; a no-op while a write is in flight
    writes.at(-1)?.resolve();
    await settle();
  }
  writes.at(-1)?.resolve();
  await settle();
  assert.equal(texts().join(""), sent.join(""));
  assert.ok(texts().length < sent.length);
});

Deno.test("Outbox schedules when it becomes busy, and when a write ends with more queued", async () => {
  const { outbox, writes, scheduled } = setup();
  outbox.push(bytes("a\n"));
  assert.equal(scheduled.length, 1);
  outbox.flush();
  outbox.push(bytes("b\n")); // a write is in flight: its completion schedules this
  assert.equal(scheduled.length, 1);
  writes[0]?.resolve();
  await settle();
  assert.equal(scheduled.length, 2);
  outbox.flush();
  assert.equal(writes.length, 2);
  writes[1]?.resolve();
  await settle();
  assert.equal(scheduled.length, 2, "nothing was queued when that write ended");
  outbox.push(bytes("c\n")); // idle again: busy again
  assert.equal(scheduled.length, 3);
  outbox.push(bytes("d\n"));
  assert.equal(scheduled.length, 3);
});

Deno.test("Outbox.push() over maxBytes calls onOverflow once and drops later frames", async () => {
  const { outbox, writes, texts, overflows } = setup({ maxBytes: 10 });
  assert.equal(outbox.push(bytes("12345\n")), true); // 6 bytes
  outbox.flush();
  assert.equal(outbox.push(bytes("abc\n")), true); // 10 bytes pending: exactly the cap
  assert.equal(outbox.pendingBytes, 10);
  assert.equal(outbox.push(bytes("x")), false); // 11: over
  assert.equal(overflows(), 1);
  assert.equal(outbox.push(bytes("y")), false);
  assert.equal(outbox.push(bytes("z\n")), false);
  assert.equal(overflows(), 1);
  writes[0]?.resolve();
  await settle();
  outbox.flush();
  assert.deepEqual(texts(), ["12345\n"]);
});

Deno.test("Outbox counts bytes being written towards maxBytes", () => {
  const { outbox, overflows } = setup({ maxBytes: 8 });
  outbox.push(bytes("123456\n"));
  outbox.flush();
  assert.equal(outbox.pendingBytes, 7);
  assert.equal(outbox.push(bytes("ab")), false);
  assert.equal(overflows(), 1);
});

Deno.test("Outbox calls onError once when a write fails, then drops frames", async () => {
  const { outbox, writes, errors, scheduled, overflows } = setup();
  outbox.push(bytes("a\n"));
  outbox.flush();
  outbox.push(bytes("b\n"));
  const failure = new Error("Broken pipe");
  writes[0]?.reject(failure);
  await settle();
  assert.deepEqual(errors, [failure]);
  assert.equal(outbox.pendingBytes, 0);
  assert.equal(outbox.push(bytes("c\n")), false);
  outbox.flush();
  await settle();
  assert.equal(writes.length, 1);
  assert.deepEqual(errors, [failure]);
  assert.equal(scheduled.length, 1);
  assert.equal(overflows(), 0);
});

Deno.test("Outbox does not report a write error after an overflow", async () => {
  const { outbox, writes, errors, overflows } = setup({ maxBytes: 4 });
  outbox.push(bytes("abc\n"));
  outbox.flush();
  outbox.push(bytes("d"));
  assert.equal(overflows(), 1);
  writes[0]?.reject(new Error("closed"));
  await settle();
  assert.deepEqual(errors, []);
});

Deno.test("Outbox.drained() resolves at once when nothing is pending", async () => {
  const { outbox } = setup();
  let done = false;
  outbox.drained().then(() => done = true);
  await settle();
  assert.equal(done, true);
});

Deno.test("Outbox.drained() resolves only when the queue has emptied", async () => {
  const { outbox, writes } = setup();
  outbox.push(bytes("a\n"));
  outbox.flush();
  outbox.push(bytes("b\n"));
  let done = false;
  outbox.drained().then(() => done = true);
  writes[0]?.resolve();
  await settle();
  assert.equal(done, false, "the second frame is still queued");
  outbox.flush();
  assert.equal(writes.length, 2);
  writes[1]?.resolve();
  await settle();
  assert.equal(done, true);
  assert.equal(outbox.pendingBytes, 0);
});

Deno.test("Outbox.drained() resolves when a write fails or the queue overflows", async () => {
  const failed = setup();
  failed.outbox.push(bytes("a\n"));
  failed.outbox.flush();
  let failedDone = false;
  failed.outbox.drained().then(() => failedDone = true);
  failed.writes[0]?.reject(new Error("gone"));
  await settle();
  assert.equal(failedDone, true);

  const full = setup({ maxBytes: 3 });
  full.outbox.push(bytes("ab"));
  let fullDone = false;
  full.outbox.drained().then(() => fullDone = true);
  await settle();
  assert.equal(fullDone, false);
  full.outbox.push(bytes("cd"));
  await settle();
  assert.equal(fullDone, true);
});

Deno.test("Outbox.push() of an empty frame never starts a second write in flight", async () => {
  const { outbox, writes, scheduled } = setup();
  assert.equal(outbox.push(new Uint8Array(0)), true);
  outbox.flush();
  outbox.push(bytes("a\n"));
  outbox.flush();
  outbox.push(bytes("b\n"));
  outbox.flush();
  assert.equal(writes.length, 1, "at most one write in flight");
  writes[0]?.resolve();
  await settle();
  outbox.flush();
  assert.deepEqual(writes.map((write) => write.text), ["a\n", "b\n"]);
  assert.equal(scheduled.length, 2);
});

Deno.test("Outbox hands over bytes that later pushes do not change", async () => {
  const { outbox, writes, texts } = setup();
  const shared = bytes("hi\n");
  outbox.push(shared);
  outbox.push(bytes("yo\n"));
  outbox.flush();
  shared.fill(0x5a);
  writes[0]?.resolve();
  await settle();
  assert.deepEqual(texts(), ["hi\nyo\n"]);
});

Deno.test("Outbox.flush() reports a write that throws instead of rejecting, without throwing", async () => {
  const errors: unknown[] = [];
  const outbox = new Outbox({
    maxBytes: 1024,
    write: () => {
      throw new Error("socket gone");
    },
    onOverflow: () => {},
    onError: (error) => errors.push(error),
    schedule: () => {},
  });
  outbox.push(bytes("a\n"));
  outbox.flush(); // must not throw: one bad socket cannot stop the flush of everyone else
  await outbox.drained();
  assert.equal(errors.length, 1);
  assert.equal(outbox.push(bytes("b\n")), false);
});

/** Runs `fn` with `Date.now()` reading `clock.now`, restored afterwards. */
async function withClock(fn: (clock: { now: number }) => Promise<void> | void): Promise<void> {
  const realNow = Date.now;
  const clock = { now: 1_700_000_000_000 };
  Date.now = () => clock.now;
  try {
    await fn(clock);
  } finally {
    Date.now = realNow;
  }
}

Deno.test("Outbox.writingSince is when the write in flight started, and clears after it", async () => {
  await withClock(async (clock) => {
    const { outbox, writes } = setup();
    assert.equal(outbox.writingSince, undefined);
    outbox.push(bytes("a\n"));
    assert.equal(outbox.writingSince, undefined, "queued is not writing");
    const start = clock.now;
    outbox.flush();
    assert.equal(outbox.writingSince, start);
    clock.now += 5000;
    outbox.push(bytes("b\n")); // queued behind the write: the start does not move
    outbox.flush();
    assert.equal(outbox.writingSince, start);
    writes[0]?.resolve();
    await settle();
    outbox.flush(); // the scheduler's next flush
    // The queued frame went out as a new write that started now.
    assert.equal(writes.length, 2);
    assert.equal(outbox.writingSince, start + 5000);
    writes[1]?.resolve();
    await settle();
    assert.equal(outbox.writingSince, undefined);
  });
});

Deno.test("Outbox.writingSince clears when a write fails or throws", async () => {
  await withClock(async (clock) => {
    const { outbox, writes } = setup();
    outbox.push(bytes("a\n"));
    outbox.flush();
    assert.equal(outbox.writingSince, clock.now);
    writes[0]?.reject(new Error("Broken pipe"));
    await settle();
    assert.equal(outbox.writingSince, undefined);

    const throwing = new Outbox({
      maxBytes: 1024,
      write: () => {
        throw new Error("socket gone");
      },
      onOverflow: () => {},
      onError: () => {},
      schedule: () => {},
    });
    throwing.push(bytes("a\n"));
    throwing.flush();
    await settle();
    assert.equal(throwing.writingSince, undefined);
  });
});

Deno.test("Outbox.writingSince reads the real clock by default", async () => {
  const { outbox, writes } = setup();
  outbox.push(bytes("a\n"));
  const before = Date.now();
  outbox.flush();
  const after = Date.now();
  const since = outbox.writingSince ?? -1;
  assert.ok(since >= before && since <= after, `${since} in [${before}, ${after}]`);
  writes[0]?.resolve();
  await settle();
  assert.equal(outbox.writingSince, undefined);
});

Deno.test("Outbox.congested is true above the high-water mark; relieved() waits for half of it", async () => {
  const { outbox, writes } = setup({ maxBytes: 1000 });
  outbox.push(bytes("x".repeat(200)));
  assert.equal(outbox.congested, false);
  outbox.push(bytes("x".repeat(100)));
  assert.equal(outbox.congested, true, "300 bytes waiting, high water at 250");
  let relieved = false;
  void outbox.relieved().then(() => relieved = true);
  outbox.flush();
  outbox.push(bytes("y".repeat(200)));
  writes[0]?.resolve();
  await settle();
  assert.equal(relieved, false, "200 bytes still queued: more than half the high water");
  outbox.flush();
  writes[1]?.resolve();
  await settle();
  assert.equal(relieved, true);
  assert.equal(outbox.congested, false);
});

Deno.test("Outbox.abandon() relieves whoever waits and refuses later pushes", async () => {
  const { outbox } = setup({ maxBytes: 100 });
  outbox.push(bytes("x".repeat(60)));
  assert.equal(outbox.congested, true);
  let relieved = false;
  void outbox.relieved().then(() => relieved = true);
  outbox.abandon();
  await settle();
  assert.equal(relieved, true);
  assert.equal(outbox.congested, false);
  assert.equal(outbox.push(bytes("y\n")), false);
});

Deno.test("FlushScheduler runs beforeFlush (the store's commit) before it writes anything", async () => {
  const order: string[] = [];
  let wrote: () => void = () => {};
  const written = new Promise<void>((resolve) => wrote = resolve);
  const scheduler = new FlushScheduler(0, () => {
    order.push("commit");
    return true;
  });
  const outbox = new Outbox({
    maxBytes: 1024,
    write: (chunk) => {
      order.push(`write ${new TextDecoder().decode(chunk)}`);
      wrote();
      return Promise.resolve();
    },
    onOverflow: () => {},
    onError: () => {},
    schedule: scheduler.schedule,
  });
  outbox.push(bytes("ack\n"));
  await written;
  assert.deepEqual(order, ["commit", "write ack\n"]);
});

Deno.test("FlushScheduler writes nothing when beforeFlush says it could not commit", async () => {
  const writes: string[] = [];
  let asked: () => void = () => {};
  const committed = new Promise<void>((resolve) => asked = resolve);
  const scheduler = new FlushScheduler(0, () => {
    asked();
    return false;
  });
  const outbox = new Outbox({
    maxBytes: 1024,
    write: (chunk) => {
      writes.push(new TextDecoder().decode(chunk));
      return Promise.resolve();
    },
    onOverflow: () => {},
    onError: () => {},
    schedule: scheduler.schedule,
  });
  outbox.push(bytes("ack\n"));
  await committed;
  assert.deepEqual(writes, []);
});

Deno.test("Outbox.flush() says whether it started a write", () => {
  const { outbox } = setup();
  assert.equal(outbox.flush(), false);
  outbox.push(bytes("a\n"));
  assert.equal(outbox.flush(), true);
  outbox.push(bytes("b\n"));
  assert.equal(outbox.flush(), false); // a write is in flight
});

Deno.test("Outboxes of the very same frames share one concatenation in a flush pass", () => {
  const chunks: Uint8Array[] = [];
  const [a, b, c, d] = [
    recordingOutbox(chunks),
    recordingOutbox(chunks),
    recordingOutbox(chunks),
    recordingOutbox(chunks),
  ];
  const [x1, x2, y1, z1] = [bytes("x1\n"), bytes("x2\n"), bytes("y1\n"), bytes("z1\n")];
  // a and b hold the same frames; c the same first and last with another in the middle (the
  // member of two rooms); d the same bytes as a's but other frame objects.
  for (const frame of [x1, y1, x2]) a.push(frame);
  for (const frame of [x1, y1, x2]) b.push(frame);
  for (const frame of [x1, z1, x2]) c.push(frame);
  for (const text of ["x1\n", "y1\n", "x2\n"]) d.push(bytes(text));
  const shared = new Map();
  for (const outbox of [a, b, c, d]) outbox.flush(shared);
  const texts = chunks.map((chunk) => new TextDecoder().decode(chunk));
  assert.deepEqual(texts, ["x1\ny1\nx2\n", "x1\ny1\nx2\n", "x1\nz1\nx2\n", "x1\ny1\nx2\n"]);
  assert.equal(chunks[0], chunks[1]);
  assert.notEqual(chunks[0], chunks[2]);
  assert.notEqual(chunks[0], chunks[3]);
});

Deno.test("flushInterval() spaces passes by four times their cost, within its bounds", () => {
  assert.equal(flushInterval(FLUSH_INTERVAL_MS, 0), FLUSH_INTERVAL_MS);
  assert.equal(flushInterval(FLUSH_INTERVAL_MS, 5), 20);
  // 1,000 clients written to in a pass: the writes' estimated cost counts, not only JavaScript.
  assert.equal(flushInterval(FLUSH_INTERVAL_MS, 2 + 1000 * WRITE_COST_MS), 48);
  assert.equal(flushInterval(FLUSH_INTERVAL_MS, 5000 * WRITE_COST_MS), MAX_FLUSH_INTERVAL_MS);
});

Deno.test("Queues that end alike but differ before are each concatenated with their own frames", () => {
  const chunks: Uint8Array[] = [];
  const shared = new Map();
  const message = bytes("message\n");
  // 5,000 members, each with a frame of its own and then the room's message: compared with a few
  // earlier queues at most, not with every one (which took seconds).
  for (let i = 0; i < 5000; i++) {
    const outbox = recordingOutbox(chunks);
    outbox.push(bytes(`own ${i}\n`));
    outbox.push(message);
    outbox.flush(shared);
  }
  assert.equal(new Set(chunks).size, 5000);
  assert.equal(new TextDecoder().decode(chunks[4999]), "own 4999\nmessage\n");
});
