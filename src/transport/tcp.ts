/** TCP transport: a `Deno.TcpConn` as a {@linkcode LineConnection}. */
import { LineSplitter } from "../line_splitter.ts";
import type { LineConnection } from "./connection.ts";

/** Options for {@linkcode TcpLineConnection}. */
export interface TcpOptions {
  /** Longest line accepted, in bytes. */
  maxLineBytes: number;
  /**
   * Read buffer size in bytes.
   * @default 16384
   */
  readBufferBytes?: number;
}

/** Formats a network address as `host:port`, with brackets around IPv6 hosts. */
export function formatAddr(addr: Deno.Addr): string {
  if (addr.transport !== "tcp" && addr.transport !== "udp") return addr.transport;
  return addr.hostname.includes(":")
    ? `[${addr.hostname}]:${addr.port}`
    : `${addr.hostname}:${addr.port}`;
}

/** A TCP connection read as lines, written in full. */
export class TcpLineConnection implements LineConnection {
  readonly remote: string;
  readonly #conn: Deno.TcpConn;
  readonly #splitter: LineSplitter;
  readonly #buffer: Uint8Array;
  #closed = false;

  constructor(conn: Deno.TcpConn, options: TcpOptions) {
    this.#conn = conn;
    this.#splitter = new LineSplitter({ maxLineBytes: options.maxLineBytes });
    this.#buffer = new Uint8Array(options.readBufferBytes ?? 16384);
    this.remote = formatAddr(conn.remoteAddr);
    try {
      conn.setNoDelay(true);
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
      const lines = this.#splitter.push(this.#buffer.subarray(0, n));
      if (lines.length > 0) return lines;
    }
  }

  async write(bytes: Uint8Array): Promise<void> {
    let offset = 0;
    while (offset < bytes.length) {
      offset += await this.#conn.write(bytes.subarray(offset));
    }
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
    error instanceof Deno.errors.Interrupted;
}
