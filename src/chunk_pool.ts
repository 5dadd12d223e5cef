/**
 * Reusable byte buffers that several holders may read at once: an upload's chunk is written to
 * the spool and to every receiver that keeps up, from the same buffer, and the buffer is read
 * into again only once all of them have let go of it. No I/O and no timers.
 *
 * @example
 * ```ts
 * import { ChunkPool, HeldChunk } from "./chunk_pool.ts";
 * const pool = new ChunkPool(4);
 * const buffer = pool.take();
 * buffer.set([1, 2, 3]);
 * const chunk = new HeldChunk(pool, buffer.subarray(0, 3), { at: 0 });
 * const spool = chunk.hold();
 * const receiver = chunk.hold(); // both read chunk.bytes
 * spool();
 * receiver(); // now the buffer is back in the pool
 * pool.take().buffer === buffer.buffer; // true: the same memory
 * ```
 */

/** Options for {@linkcode ChunkPool}. */
export interface ChunkPoolOptions {
  /** Free buffers kept for reuse; more are left to the garbage collector. @default 4 */
  keep?: number;
}

/** Buffers of one size: taken to read into, given back once nobody reads them any more. */
export class ChunkPool {
  readonly chunkBytes: number;
  readonly #keep: number;
  readonly #free: Uint8Array[] = [];

  constructor(chunkBytes: number, options: ChunkPoolOptions = {}) {
    if (!Number.isSafeInteger(chunkBytes) || chunkBytes <= 0) {
      throw new RangeError(`Chunk size must be a positive whole number: got ${chunkBytes}`);
    }
    this.chunkBytes = chunkBytes;
    this.#keep = options.keep ?? 4;
  }

  /** A buffer of `chunkBytes` nobody holds: a free one, or a new one when all are in use. */
  take(): Uint8Array {
    return this.#free.pop() ?? new Uint8Array(this.chunkBytes);
  }

  /** Gives back a buffer (or a view of one) taken from this pool, to be reused. */
  give(buffer: Uint8Array): void {
    const whole = buffer.byteOffset === 0 && buffer.byteLength === buffer.buffer.byteLength
      ? buffer
      : new Uint8Array(buffer.buffer);
    if (whole.length !== this.chunkBytes) throw new RangeError("Not a buffer of this pool");
    if (this.#free.length < this.#keep) this.#free.push(whole);
  }

  /** Free buffers waiting to be reused. */
  get free(): number {
    return this.#free.length;
  }
}

/** Options for {@linkcode HeldChunk}. */
export interface HeldChunkOptions {
  /** Where the chunk starts in the whole (a byte offset). */
  at: number;
  /** Called once the last holder lets go, after the buffer is back in the pool. */
  onFree?: () => void;
}

/**
 * Bytes read into a pool buffer and held by one or more readers; the buffer goes back to the pool
 * when the last of them lets go. A chunk nobody holds any more must not be held again.
 */
export class HeldChunk {
  readonly at: number;
  readonly bytes: Uint8Array;
  readonly #pool: ChunkPool;
  readonly #onFree: (() => void) | undefined;
  #holders = 0;
  #freed = false;

  constructor(pool: ChunkPool, bytes: Uint8Array, options: HeldChunkOptions) {
    this.#pool = pool;
    this.bytes = bytes;
    this.at = options.at;
    this.#onFree = options.onFree;
  }

  /** Where the chunk ends (exclusive). */
  get end(): number {
    return this.at + this.bytes.length;
  }

  /** Whether the bytes may still be read (someone holds them). */
  get held(): boolean {
    return this.#holders > 0;
  }

  /** Adds a holder; returns its release, which does something the first time only. */
  hold(): () => void {
    if (this.#freed) throw new TypeError("Cannot hold a chunk whose buffer went back to the pool");
    this.#holders += 1;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.#holders -= 1;
      if (this.#holders > 0) return;
      this.#freed = true;
      this.#pool.give(this.bytes);
      this.#onFree?.();
    };
  }
}
