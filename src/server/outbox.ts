/**
 * One client's bounded outgoing queue. Frames are queued as encoded bytes (shared between
 * recipients) and written together: at most one write per client in flight, and everything that
 * piled up meanwhile goes out in the next single write. A client whose queue passes the cap is
 * reported through `onOverflow`, so one slow reader never holds up anyone else.
 *
 * Above its high-water mark an outbox is `congested`: whoever fills it (a sender, through the
 * server) should stop reading its own input until `relieved()` resolves, so TCP pushes back on
 * the sender instead of the queue growing to its cap.
 */
import { FLUSH_INTERVAL_MS, MAX_FLUSH_INTERVAL_MS, WRITE_COST_MS } from "../limits.ts";

/** Options for {@linkcode Outbox}. */
export interface OutboxOptions {
  /** Bytes that may wait (queued plus being written) before `onOverflow` is called. */
  maxBytes: number;
  /** Bytes waiting above which the outbox is congested. @default maxBytes / 4 */
  highWaterBytes?: number;
  /** Writes all the bytes; rejects if the connection is gone. */
  write: (bytes: Uint8Array) => Promise<void>;
  /** Called once when the queue passes `maxBytes`; later frames are dropped. */
  onOverflow: () => void;
  /** Called once when a write fails. */
  onError: (error: unknown) => void;
  /** Asks for `flush()` to be called soon, once per turn of the event loop. */
  schedule: (outbox: Outbox) => void;
  /** The clock `writingSince` is read against. @default Date.now */
  clock?: () => number;
}

/** A capped queue of encoded frames with coalesced writes. */
export class Outbox {
  readonly #options: OutboxOptions;
  #queue: Uint8Array[] = [];
  #queuedBytes = 0;
  #writingBytes = 0;
  #writingSince: number | undefined;
  #failed = false;
  #drainWaiters: (() => void)[] = [];
  #reliefWaiters: (() => void)[] = [];
  readonly #highWater: number;

  constructor(options: OutboxOptions) {
    this.#options = options;
    this.#highWater = options.highWaterBytes ?? Math.floor(options.maxBytes / 4);
  }

  /** Whether more than the high-water mark is waiting (and the outbox still works). */
  get congested(): boolean {
    return !this.#failed && this.pendingBytes > this.#highWater;
  }

  /**
   * Resolves once at most half the high-water mark is waiting, or the outbox has failed or been
   * abandoned: the reader has taken enough that its sender may go on.
   */
  relieved(): Promise<void> {
    if (!this.congested) return Promise.resolve();
    return new Promise((resolve) => this.#reliefWaiters.push(resolve));
  }

  /** Drops whatever is queued and fails later pushes: the connection is closing for good. */
  abandon(): void {
    if (!this.#failed) this.#fail();
  }

  /** Bytes queued or being written. */
  get pendingBytes(): number {
    return this.#queuedBytes + this.#writingBytes;
  }

  /** When the write in flight started (ms since epoch), if one is. */
  get writingSince(): number | undefined {
    return this.#writingSince;
  }

  /** Queues bytes. Returns false (and drops them) once the outbox has overflowed or failed. */
  push(bytes: Uint8Array): boolean {
    if (this.#failed) return false;
    // Nothing to write: queuing it would start a write that looks idle (0 bytes in flight).
    if (bytes.length === 0) return true;
    if (this.pendingBytes + bytes.length > this.#options.maxBytes) {
      this.#fail();
      this.#options.onOverflow();
      return false;
    }
    const idle = this.#queue.length === 0 && this.#writingBytes === 0;
    this.#queue.push(bytes);
    this.#queuedBytes += bytes.length;
    if (idle) this.#options.schedule(this);
    return true;
  }

  /**
   * Starts writing everything queued, unless a write is already in flight; says whether it
   * started one. With a `shared` cache, outboxes holding the same frames (members of one room)
   * share one concatenation.
   */
  flush(shared?: SharedConcats): boolean {
    if (this.#writingBytes > 0 || this.#queue.length === 0 || this.#failed) return false;
    const chunk = this.#queue.length === 1
      ? this.#queue[0] as Uint8Array
      : sharedConcat(this.#queue, shared);
    this.#queue = [];
    this.#queuedBytes = 0;
    this.#writingBytes = chunk.length;
    this.#writingSince = (this.#options.clock ?? Date.now)();
    let writing: Promise<void>;
    try {
      writing = this.#options.write(chunk);
    } catch (error) {
      writing = Promise.reject(error);
    }
    writing.then(
      () => {
        this.#writingBytes = 0;
        this.#writingSince = undefined;
        if (this.pendingBytes <= this.#highWater / 2) this.#wakeReliefWaiters();
        // What came meanwhile goes out with the next flush, so it is batched with what follows.
        if (this.#queue.length > 0) this.#options.schedule(this);
        else this.#wakeDrainWaiters();
      },
      (error) => {
        this.#writingBytes = 0;
        this.#writingSince = undefined;
        if (this.#failed) return;
        this.#fail();
        this.#options.onError(error);
      },
    );
    return true;
  }

  /** Resolves when everything queued has been written (or can never be). */
  drained(): Promise<void> {
    if (this.pendingBytes === 0 || this.#failed) return Promise.resolve();
    return new Promise((resolve) => this.#drainWaiters.push(resolve));
  }

  #fail(): void {
    this.#failed = true;
    this.#queue = [];
    this.#queuedBytes = 0;
    this.#wakeDrainWaiters();
    this.#wakeReliefWaiters();
  }

  #wakeReliefWaiters(): void {
    const waiters = this.#reliefWaiters;
    this.#reliefWaiters = [];
    for (const wake of waiters) wake();
  }

  #wakeDrainWaiters(): void {
    const waiters = this.#drainWaiters;
    this.#drainWaiters = [];
    for (const wake of waiters) wake();
  }
}

/**
 * The time between flush passes: the costlier a pass (`costMs`), the longer, so that flushing
 * takes a quarter of the time at most and each write carries more (one write per client per
 * interval); never under `minMs`, never over {@linkcode MAX_FLUSH_INTERVAL_MS}.
 */
export function flushInterval(minMs: number, costMs: number): number {
  return Math.min(MAX_FLUSH_INTERVAL_MS, Math.max(minMs, 4 * costMs));
}

/** Calls `flush()` on every outbox that asked, once per turn of the event loop. */
export class FlushScheduler {
  readonly #minIntervalMs: number;
  #dirty: Outbox[] = [];
  #pending = false;
  #lastRun = 0;
  /** What the last flush pass cost, in ms: its JavaScript and an estimate of its writes. */
  #cost = 0;

  readonly #beforeFlush: () => boolean;

  /**
   * `minIntervalMs` spaces flushes out under load: a calm server flushes on the next turn, a busy
   * one at most this often, so each write carries every frame that came meanwhile (one write per
   * client per interval instead of one per message). `beforeFlush` runs before each pass (the
   * server commits its store there, so nothing goes out before it is kept); when it returns
   * false, the pass writes nothing.
   */
  constructor(minIntervalMs = FLUSH_INTERVAL_MS, beforeFlush: () => boolean = () => true) {
    this.#minIntervalMs = minIntervalMs;
    this.#beforeFlush = beforeFlush;
  }

  readonly schedule = (outbox: Outbox): void => {
    this.#dirty.push(outbox);
    if (this.#pending) return;
    this.#pending = true;
    const interval = flushInterval(this.#minIntervalMs, this.#cost);
    const wait = Math.max(0, this.#lastRun + interval - performance.now());
    setTimeout(this.#run, wait);
  };

  readonly #run = (): void => {
    const started = performance.now();
    this.#lastRun = started;
    const dirty = this.#dirty;
    this.#dirty = [];
    this.#pending = false;
    if (!this.#beforeFlush()) return;
    const shared: SharedConcats = new Map();
    let writes = 0;
    for (const outbox of dirty) if (outbox.flush(shared)) writes++;
    // The writes themselves run after this pass, outside JavaScript (Deno's op and the kernel's
    // send): with thousands of clients they cost more than the pass's own JavaScript.
    this.#cost = performance.now() - started + writes * WRITE_COST_MS;
  };
}

/**
 * Concatenations made in one flush pass, by their last frame: queues that hold the very same
 * frames (members of one room) share one.
 */
export type SharedConcats = Map<Uint8Array, { parts: readonly Uint8Array[]; joined: Uint8Array }[]>;

/**
 * How many earlier concatenations with the same last frame a queue is compared with: queues that
 * end alike but differ before (a frame made for each viewer, then a room's message) would
 * otherwise be compared with every one of the room's members.
 */
const SHARED_CANDIDATES = 4;

/** Concatenates a queue, reusing the result for another queue of the very same frames. */
function sharedConcat(
  parts: readonly Uint8Array[],
  shared: SharedConcats | undefined,
): Uint8Array {
  if (shared === undefined) return concat(parts);
  const last = parts[parts.length - 1] as Uint8Array;
  let made = shared.get(last);
  if (made === undefined) {
    made = [];
    shared.set(last, made);
  }
  for (let i = made.length - 1; i >= Math.max(0, made.length - SHARED_CANDIDATES); i--) {
    const candidate = made[i] as { parts: readonly Uint8Array[]; joined: Uint8Array };
    if (sameFrames(candidate.parts, parts)) return candidate.joined;
  }
  const joined = concat(parts);
  made.push({ parts, joined });
  return joined;
}

/** Whether two queues hold the same frame objects in the same order. */
function sameFrames(a: readonly Uint8Array[], b: readonly Uint8Array[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = a.length - 1; i >= 0; i--) if (a[i] !== b[i]) return false;
  return true;
}

function concat(parts: readonly Uint8Array[]): Uint8Array {
  let total = 0;
  for (const part of parts) total += part.length;
  const out = new Uint8Array(total);
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}
