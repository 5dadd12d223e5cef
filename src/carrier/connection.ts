/**
 * The line-oriented connection every carrier provides (TCP; WebSocket through `http_front.ts`).
 * Sessions and the client speak to this, never to sockets.
 */

export interface LineConnection {
  /** The peer's address, for logs (`127.0.0.1:50000`, `[::1]:50000`). */
  readonly remote: string;
  /**
   * Waits for input and returns the complete lines it brings, in order, without line ends; a
   * `null` entry stands for a line over the size cap. Returns `null` at end of input.
   */
  readLines(): Promise<(Uint8Array | null)[] | null>;
  /** Writes all the bytes; rejects if the connection is gone. One write at a time. */
  write(bytes: Uint8Array): Promise<void>;
  /**
   * Hands over the underlying byte stream (for raw file data after a first line), or returns
   * undefined if input beyond the lines already returned is buffered, or the carrier has no
   * byte stream. The caller then owns and closes it.
   */
  detach?(): Deno.Conn | undefined;
  /** Closes both directions. Safe to call more than once. */
  close(): void;
}
