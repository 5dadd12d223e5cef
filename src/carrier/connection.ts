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
  detach?(): ByteStream | undefined;
  /**
   * Stops keeping the raw bytes read so far: the first line has said the connection speaks
   * lines. Until then a carrier with a byte stream keeps them for `takeRaw`.
   */
  settle?(): void;
  /**
   * Hands over the byte stream with every byte read from it so far (the first line included),
   * for a protocol that is not lines (HTTP); undefined if the carrier has no byte stream or no
   * longer keeps what it read. The caller then owns and closes the stream.
   */
  takeRaw?(): { stream: ByteStream; head: Uint8Array } | undefined;
  /** Closes both directions. Safe to call more than once. */
  close(): void;
}

/** A raw byte stream under a connection: what HTTP needs of a `Deno.Conn`. */
export interface ByteStream {
  /** Reads into `buffer`; the byte count, or `null` at end of input. */
  read(buffer: Uint8Array): Promise<number | null>;
  /** Writes some of `bytes` (at least one); the byte count written. */
  write(bytes: Uint8Array): Promise<number>;
  /** Closes both directions. */
  close(): void;
}

/** A connection a listener accepted, with the peer's IP address (for per-address limits). */
export interface Accepted {
  readonly conn: LineConnection;
  readonly ip: string;
}

/**
 * Where connections come from: TCP (`tcp_listener.ts`), or memory in tests (`memory.ts`).
 * Built outside the server and handed to it; the server iterates it until it is closed.
 */
export interface Listener extends AsyncIterable<Accepted> {
  /** Where it listens: for `chat serve`'s messages. */
  readonly addr: { readonly hostname: string; readonly port: number };
  /** Stops accepting; the iteration ends. Safe to call more than once. */
  close(): void;
}
