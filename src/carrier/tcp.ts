/** TCP carrier: a `Deno.TcpConn` (or a TLS stream over one) as a {@linkcode LineConnection}. */
import { ChatError } from "../errors.ts";
import { LineSplitter } from "../line_splitter.ts";
import { writeAll } from "../pump.ts";
import type { ByteStream, LineConnection } from "./connection.ts";

/** Options for {@linkcode TcpLineConnection}. */
export interface TcpOptions {
  /** Longest line accepted, in bytes. */
  maxLineBytes: number;
  /**
   * Input without a line end past this many bytes makes `readLines` throw (a `ChatError`): the
   * peer is not sending lines at all. No cap when left out.
   */
  maxUnterminatedBytes?: number;
  /**
   * Largest read buffer, in bytes. The buffer starts small (most connections are idle or chat
   * a line at a time), doubles while reads fill it, and shrinks back when they stop.
   * @default 65536
   */
  readBufferBytes?: number;
}

/** What the carrier reads and writes: a Deno TCP socket, or another stream with an address. */
export type SocketStream = ByteStream & {
  readonly remoteAddr: Deno.Addr;
  setNoDelay?(noDelay?: boolean): void;
  setKeepAlive?(keepAlive?: boolean): void;
};

/**
 * Formats a host and port as `host:port`, with brackets around an IPv6 host.
 *
 * @example
 * ```ts
 * import { formatHostPort } from "./tcp.ts";
 * formatHostPort("127.0.0.1", 12345); // "127.0.0.1:12345"
 * formatHostPort("::1", 12345); // "[::1]:12345"
 * ```
 */
export function formatHostPort(host: string, port: number): string {
  return host.includes(":") ? `[${host}]:${port}` : `${host}:${port}`;
}

/** Formats a network address as `host:port`, with brackets around IPv6 hosts. */
export function formatAddr(addr: Deno.Addr): string {
  if (addr.transport !== "tcp" && addr.transport !== "udp") return addr.transport;
  return formatHostPort(addr.hostname, addr.port);
}

/** Most raw bytes kept for `takeRaw` before the first line settles the connection. */
const MAX_KEPT_BYTES = 64 * 1024;

/** Smallest read buffer: what an idle connection holds while it waits for input. */
const MIN_READ_BUFFER = 1024;

/** A TCP connection read as lines, written in full. */
export class TcpLineConnection implements LineConnection {
  readonly remote: string;
  readonly #conn: SocketStream;
  readonly #splitter: LineSplitter;
  #buffer: Uint8Array;
  readonly #maxBuffer: number;
  readonly #maxUnterminated: number;
  #closed = false;
  #firstRead = true;
  /** Raw bytes read until `settle()` (for `takeRaw`), while under `MAX_KEPT_BYTES`. */
  #kept: Uint8Array[] | undefined = [];
  #keptBytes = 0;

  constructor(conn: SocketStream, options: TcpOptions) {
    this.#conn = conn;
    this.#splitter = new LineSplitter({ maxLineBytes: options.maxLineBytes });
    this.#maxBuffer = Math.max(MIN_READ_BUFFER, options.readBufferBytes ?? 65536);
    this.#buffer = new Uint8Array(MIN_READ_BUFFER);
    this.#maxUnterminated = options.maxUnterminatedBytes ?? Infinity;
    this.remote = formatAddr(conn.remoteAddr);

    try {
      conn.setNoDelay?.(true);
      // Finds dead peers eventually even where no application ping runs (plain-text users).
      conn.setKeepAlive?.(true);
    } catch {
      // The socket may already be closed; the first read will say so.
    }
  }

  async readLines(): Promise<(Uint8Array | null)[] | null> {
    while (true) {
      let n: number | null;
      try {
        n = await this.#conn.read(this.#buffer);
      } catch (error) {
        if (this.#closed || isConnectionGone(error)) return null;
        throw error;
      }
      if (n === null) {
        const tail = this.#splitter.end();
        return tail === undefined ? null : [tail];
      }
      const chunk = this.#buffer.subarray(0, n);
      this.#keep(chunk);
      this.#resize(n);
      if (this.#firstRead) {
        this.#firstRead = false;
        // A TLS ClientHello starts with a handshake record: 0x16, then version 3.x.
        if (chunk[0] === 0x16 && chunk[1] === 0x03) {
          throw new ChatError("bad_frame", "TLS is not spoken on this port: connect without TLS");
        }
      }
      const lines = this.#splitter.push(chunk);
      if (this.#splitter.discardedBytes + this.#splitter.bufferedBytes > this.#maxUnterminated) {
        throw new ChatError(
          "frame_too_large",
          `Input has no line end after ${this.#maxUnterminated} bytes`,
        );
      }
      if (lines.length > 0) return lines;
    }
  }

  /**
   * Grows the buffer when a read filled it, shrinks it when a read used little of it. The new
   * buffer is used from the next read; `chunk` (a view of the old one) stays valid meanwhile.
   */
  #resize(read: number): void {
    const size = this.#buffer.length;
    if (read === size && size < this.#maxBuffer) {
      this.#buffer = new Uint8Array(Math.min(this.#maxBuffer, size * 2));
    } else if (read < size / 8 && size > MIN_READ_BUFFER) {
      this.#buffer = new Uint8Array(Math.max(MIN_READ_BUFFER, size / 2));
    }
  }

  #keep(chunk: Uint8Array): void {
    if (this.#kept === undefined) return;
    this.#keptBytes += chunk.length;
    if (this.#keptBytes > MAX_KEPT_BYTES) this.#kept = undefined;
    else this.#kept.push(chunk.slice());
  }

  settle(): void {
    this.#kept = undefined;
  }

  takeRaw(): { stream: ByteStream; head: Uint8Array } | undefined {
    const kept = this.#kept;
    if (kept === undefined || this.#closed) return undefined;
    this.#kept = undefined;
    const head = new Uint8Array(this.#keptBytes);
    let offset = 0;
    for (const part of kept) {
      head.set(part, offset);
      offset += part.length;
    }
    return { stream: this.#conn, head };
  }

  async write(bytes: Uint8Array): Promise<void> {
    await writeAll(this.#conn, bytes);
  }

  detach(): ByteStream | undefined {
    return this.#splitter.bufferedBytes > 0 ? undefined : this.#conn;
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    try {
      this.#conn.close();
    } catch {
      // Already closed.
    }
  }
}

/** Whether an error from a socket operation just means the peer or we closed it. */
export function isConnectionGone(error: unknown): boolean {
  return error instanceof Deno.errors.BadResource ||
    error instanceof Deno.errors.ConnectionReset ||
    error instanceof Deno.errors.ConnectionAborted ||
    error instanceof Deno.errors.BrokenPipe ||
    error instanceof Deno.errors.NotConnected ||
    error instanceof Deno.errors.TimedOut ||
    error instanceof Deno.errors.Interrupted;
}
