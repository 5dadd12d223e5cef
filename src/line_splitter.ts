/**
 * Splits a byte stream into lines without ever holding more than `maxLineBytes` of one line.
 *
 * A line ends at `\n`; a `\r` right before it is dropped, so CRLF and LF both work. A line longer
 * than the cap is reported once as `null` the moment it passes the cap, and the rest of it, up to
 * and including its `\n`, is discarded: memory stays bounded whatever the peer sends.
 *
 * @example
 * ```ts
 * const splitter = new LineSplitter({ maxLineBytes: 10 });
 * splitter.push(new TextEncoder().encode("hi\r\nthere\n")); // [bytes of "hi", bytes of "there"]
 * ```
 */

/** Options for {@linkcode LineSplitter}. */
export interface LineSplitterOptions {
  /** Longest line kept, in bytes, not counting the line end. */
  maxLineBytes: number;
}

const LF = 0x0a;
const CR = 0x0d;

/** A capped, incremental line splitter: feed chunks, get complete lines. */
export class LineSplitter {
  readonly #max: number;
  #parts: Uint8Array[] = [];
  #partBytes = 0;
  #discarding = false;
  #discardedBytes = 0;

  constructor(options: LineSplitterOptions) {
    this.#max = options.maxLineBytes;
  }

  /** Bytes of the current unfinished line held in memory. */
  get bufferedBytes(): number {
    return this.#partBytes;
  }

  /** Bytes discarded so far from the current oversized line (0 when not discarding). */
  get discardedBytes(): number {
    return this.#discardedBytes;
  }

  /**
   * Feeds a chunk. Returns the lines it completes, in order, without their line ends; `null`
   * stands for a line that went over the cap (reported once, as soon as it is detected).
   */
  push(chunk: Uint8Array): (Uint8Array | null)[] {
    const out: (Uint8Array | null)[] = [];
    let start = 0;
    while (start < chunk.length) {
      const lf = chunk.indexOf(LF, start);
      const end = lf === -1 ? chunk.length : lf;
      if (this.#discarding) {
        this.#discardedBytes += end - start;
        if (lf !== -1) {
          this.#discarding = false;
          this.#discardedBytes = 0;
        }
      } else if (lf !== -1) {
        out.push(this.#take(chunk, start, end));
      } else if (this.#overCap(this.#partBytes + end - start, chunk[end - 1])) {
        // Over the cap with no line end in sight (one spare byte allows for a final CR).
        this.#discardedBytes = this.#partBytes + end - start;
        this.#reset();
        out.push(null);
        this.#discarding = true;
      } else {
        // Copied: the caller may reuse its read buffer.
        this.#parts.push(chunk.slice(start, end));
        this.#partBytes += end - start;
      }
      start = end + 1;
    }
    return out;
  }

  /**
   * Call at end of input: returns the unfinished last line (a final line without `\n`), if any,
   * and resets. An oversized unfinished line was already reported and is not returned.
   */
  end(): Uint8Array | undefined {
    const discarding = this.#discarding;
    this.#discarding = false;
    this.#discardedBytes = 0;
    if (discarding || this.#partBytes === 0) {
      this.#reset();
      return undefined;
    }
    return this.#take(new Uint8Array(0), 0, 0) ?? undefined;
  }

  #take(chunk: Uint8Array, start: number, end: number): Uint8Array | null {
    let line: Uint8Array;
    if (this.#parts.length === 0) {
      line = chunk.slice(start, end);
    } else {
      line = new Uint8Array(this.#partBytes + end - start);
      let offset = 0;
      for (const part of this.#parts) {
        line.set(part, offset);
        offset += part.length;
      }
      line.set(chunk.subarray(start, end), offset);
    }
    this.#reset();
    if (line.length > 0 && line[line.length - 1] === CR) line = line.subarray(0, line.length - 1);
    return line.length > this.#max ? null : line;
  }

  /** Whether an unfinished line of `total` bytes ending in `last` is already too long. */
  #overCap(total: number, last: number | undefined): boolean {
    return total > this.#max + 1 || (total === this.#max + 1 && last !== CR);
  }

  #reset(): void {
    this.#parts = [];
    this.#partBytes = 0;
  }
}
