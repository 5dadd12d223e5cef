/**
 * The life of one file transfer in the server's bookkeeping (`server/transfers.ts`): what state
 * it is in, how many bytes have come of how many declared, and why it ended. Pure: time is passed
 * in as milliseconds, nothing here reads a clock or sets a timer. The client keeps no such state:
 * its downloads are checked by `client/download_writer.ts`.
 *
 * ```
 * offered --start()--> uploading --end()--> complete
 *    |                     |
 *    +---------------------+--> failed     (peer mistake, or fail())
 *    +---------------------+--> cancelled  (cancel())
 * ```
 *
 * Two kinds of mistakes are kept apart:
 * - A peer's mistake (more bytes than declared, an early end, data at the wrong time) is an
 *   expected event: {@linkcode TransferState.receive} and {@linkcode TransferState.end} never
 *   throw for it, they return `{ ok: false, reason }` and the transfer fails with that reason.
 * - A programmer's mistake (a negative size, starting twice) throws a `TypeError` or
 *   `RangeError`: it is a bug in our code, not something a peer can cause.
 *
 * `fail()` and `cancel()` on a transfer that has already ended do nothing and return `false`: a
 * cancel racing with the last chunk is normal, and the first ending wins. No method ever moves a
 * transfer out of `complete`, `failed` or `cancelled`.
 */

/** Where a transfer is. */
export type TransferStatus = "offered" | "uploading" | "complete" | "failed" | "cancelled";

/** The states a transfer never leaves. */
export type FinalTransferStatus = "complete" | "failed" | "cancelled";

/** What became of a peer's input: accepted, or refused with the reason the transfer failed. */
export type TransferResult = { ok: true } | { ok: false; reason: string };

/** Options for {@linkcode TransferState}. */
export interface TransferStateOptions {
  /** Size the sender declared, in bytes: a safe integer, 0 or more. */
  size: number;
  /** When the transfer was offered, in ms (any clock, as long as it is the same throughout). */
  now: number;
}

/** Reason a transfer cancelled without one is given. */
const DEFAULT_CANCEL_REASON = "Transfer was cancelled";

/**
 * Whether a transfer that last made progress at `lastProgressAt` counts as stalled at `now`:
 * `timeoutMs` or more have passed. All times in ms on the same clock.
 *
 * @example
 * ```ts
 * import { stalled } from "./transfer_state.ts";
 * stalled(31_000, 1_000, 30_000); // true
 * stalled(30_999, 1_000, 30_000); // false
 * ```
 */
export function stalled(now: number, lastProgressAt: number, timeoutMs: number): boolean {
  return now - lastProgressAt >= timeoutMs;
}

/**
 * One transfer's state. See the module documentation for the states and for which mistakes
 * throw and which are returned.
 *
 * @example
 * ```ts
 * import { TransferState } from "./transfer_state.ts";
 * const transfer = new TransferState({ size: 10, now: 0 });
 * transfer.start(5);
 * transfer.receive(6, 10); // { ok: true }
 * transfer.progress; // 0.6
 * transfer.receive(6, 20); // { ok: false, reason: "Sender sent more than it declared: ..." }
 * transfer.status; // "failed"
 * ```
 */
export class TransferState {
  readonly #size: number;
  #status: TransferStatus = "offered";
  #received = 0;
  #reason: string | undefined;
  #lastProgressAt: number;

  /** Starts a transfer in `offered`; throws a `RangeError` if the size is not a byte count. */
  constructor(options: TransferStateOptions) {
    checkByteCount(options.size, "size");
    checkTime(options.now);
    this.#size = options.size;
    this.#lastProgressAt = options.now;
  }

  /** Where the transfer is. */
  get status(): TransferStatus {
    return this.#status;
  }

  /** Size the sender declared, in bytes. */
  get size(): number {
    return this.#size;
  }

  /** Bytes received so far; never more than {@linkcode TransferState.size}. */
  get received(): number {
    return this.#received;
  }

  /** Why the transfer failed or was cancelled; `undefined` otherwise. */
  get reason(): string | undefined {
    return this.#reason;
  }

  /** Whether the transfer has ended (complete, failed or cancelled) and will not change again. */
  get done(): boolean {
    return isFinal(this.#status);
  }

  /**
   * Share received, from 0 to 1. An empty file is at 0 until complete, then at 1, so a bar never
   * shows a finished transfer that has not finished.
   */
  get progress(): number {
    if (this.#size === 0) return this.#status === "complete" ? 1 : 0;
    return this.#received / this.#size;
  }

  /** When the transfer was offered or last made progress (started, or received bytes), in ms. */
  get lastProgressAt(): number {
    return this.#lastProgressAt;
  }

  /**
   * Whether the transfer is still going (offered or uploading) but has made no progress for
   * `timeoutMs` or more at `now`. An ended transfer never counts as stalled.
   */
  stalled(now: number, timeoutMs: number): boolean {
    return !this.done && stalled(now, this.#lastProgressAt, timeoutMs);
  }

  /**
   * Moves an offered transfer to `uploading`, when the upload is accepted and bytes may flow.
   * Throws a `TypeError` in any other state: the owner decides when to start, so starting twice
   * or after the end is a bug.
   */
  start(now: number): void {
    checkTime(now);
    if (this.#status !== "offered") {
      throw new TypeError(`Cannot start a transfer that is ${this.#status}`);
    }
    this.#status = "uploading";
    this.#lastProgressAt = now;
  }

  /**
   * Counts `bytes` more received at `now`. Refused, and the transfer fails, when they would take
   * it past the declared size or arrive before the upload started; refused without a change when
   * the transfer has already ended (late data after a cancel is normal). Throws a `RangeError`
   * only if `bytes` is not a byte count.
   */
  receive(bytes: number, now: number): TransferResult {
    checkByteCount(bytes, "bytes");
    checkTime(now);
    if (isFinal(this.#status)) return refused(`Transfer is already ${this.#status}`);
    if (this.#status === "offered") {
      return this.#failWith("Sender sent data before the upload started");
    }
    const total = this.#received + bytes;
    if (total > this.#size) {
      return this.#failWith(
        `Sender sent more than it declared: at least ${total} bytes, declared ${this.#size}`,
      );
    }
    this.#received = total;
    if (bytes > 0) this.#lastProgressAt = now;
    return { ok: true };
  }

  /**
   * The sender says it has sent everything: the transfer completes if every declared byte came,
   * and fails otherwise. Check anything else (such as the hash) before calling this. Refused
   * without a change when the transfer has already ended.
   */
  end(): TransferResult {
    if (isFinal(this.#status)) return refused(`Transfer is already ${this.#status}`);
    if (this.#status === "offered") {
      return this.#failWith("Sender finished before the upload started");
    }
    if (this.#received !== this.#size) {
      return this.#failWith(
        `Sender stopped early: received ${this.#received} of ${this.#size} bytes`,
      );
    }
    this.#status = "complete";
    return { ok: true };
  }

  /**
   * Fails the transfer for a reason found outside this state (a hash mismatch, a full disk, a
   * stall). Returns `false`, changing nothing, if the transfer has already ended.
   */
  fail(reason: string): boolean {
    return this.#finish("failed", reason);
  }

  /**
   * Cancels the transfer (the sender, a receiver or an operator stopped it). Returns `false`,
   * changing nothing, if the transfer has already ended.
   */
  cancel(reason: string = DEFAULT_CANCEL_REASON): boolean {
    return this.#finish("cancelled", reason);
  }

  #failWith(reason: string): TransferResult {
    this.#finish("failed", reason);
    return refused(reason);
  }

  #finish(status: "failed" | "cancelled", reason: string): boolean {
    if (reason === "") throw new TypeError("A transfer needs a reason to end: the reason is empty");
    if (isFinal(this.#status)) return false;
    this.#status = status;
    this.#reason = reason;
    return true;
  }
}

/** Whether a status is one a transfer never leaves. */
export function isFinal(status: TransferStatus): status is FinalTransferStatus {
  switch (status) {
    case "offered":
    case "uploading":
      return false;
    case "complete":
    case "failed":
    case "cancelled":
      return true;
    default: {
      const unknown: never = status;
      throw new TypeError(`Unknown transfer status: ${String(unknown)}`);
    }
  }
}

function refused(reason: string): TransferResult {
  return { ok: false, reason };
}

function checkByteCount(value: number, name: string): void {
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new RangeError(`Invalid ${name}: ${value} is not a whole number of bytes`);
  }
}

function checkTime(now: number): void {
  if (!Number.isFinite(now)) throw new RangeError(`Invalid time: ${now} is not a finite number`);
}
