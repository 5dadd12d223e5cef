/**
 * Moves bytes from a source to a sink with one read and one write in flight at once (double
 * buffering), so reading the next chunk overlaps writing the last. Chunks reach the sink in
 * order; memory is two buffers, whatever the total. Also here: {@linkcode writeAll}, the loop
 * over partial writes that sinks use.
 *
 * @example
 * ```ts
 * const moved = await pump((buffer) => file.read(buffer), (chunk) => writeAll(conn, chunk), {
 *   chunkBytes: 256 * 1024,
 * });
 * ```
 */

/** Options for {@linkcode pump}. */
export interface PumpOptions {
  /** Size of each of the two buffers. */
  chunkBytes: number;
  /** Stop after this many bytes (the source is not asked for more). @default Infinity */
  limit?: number;
}

/**
 * Reads with `source` (bytes read into the buffer, or null at the end) and writes each chunk with
 * `sink` until the source ends or `limit` bytes have moved; returns the byte count. A chunk handed
 * to `sink` stays untouched until that write has finished.
 */
export async function pump(
  source: (buffer: Uint8Array) => Promise<number | null>,
  sink: (chunk: Uint8Array) => Promise<void>,
  options: PumpOptions,
): Promise<number> {
  const limit = options.limit ?? Infinity;
  const buffers = [new Uint8Array(options.chunkBytes), new Uint8Array(options.chunkBytes)];
  let moved = 0;
  let writing: Promise<void> | undefined;
  let turn = 0;
  try {
    while (moved < limit) {
      const buffer = buffers[turn] as Uint8Array;
      const want = Math.min(buffer.length, limit - moved);
      const n = await source(buffer.subarray(0, want));
      if (n === null) break;
      if (n === 0) continue;
      // The other buffer's write must finish before this chunk's starts: one write at a time.
      await writing;
      writing = sink(buffer.subarray(0, n));
      // Observed now (it is awaited later): a failed write while the next read waits must not
      // count as an unhandled rejection.
      writing.catch(() => {});
      moved += n;
      turn = 1 - turn;
    }
    await writing;
  } catch (error) {
    await writing?.catch(() => {});
    throw error;
  }
  return moved;
}

/**
 * Writes all of `bytes` to `writer`, looping over partial writes (a socket or file may take fewer
 * bytes than it is given).
 *
 * @example
 * ```ts ignore
 * import { writeAll } from "./pump.ts";
 * await writeAll(conn, new TextEncoder().encode("hello\n"));
 * ```
 */
export async function writeAll(
  writer: { write(bytes: Uint8Array): Promise<number> },
  bytes: Uint8Array,
): Promise<void> {
  let offset = 0;
  while (offset < bytes.length) offset += await writer.write(bytes.subarray(offset));
}

/**
 * {@linkcode writeAll} for a synchronous writer such as `Deno.stdout`: returns once every byte has
 * been written.
 */
export function writeAllSync(
  writer: { writeSync(bytes: Uint8Array): number },
  bytes: Uint8Array,
): void {
  let offset = 0;
  while (offset < bytes.length) offset += writer.writeSync(bytes.subarray(offset));
}
