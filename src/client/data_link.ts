/**
 * A file-transfer connection from the client: one JSON line each way to start, then raw bytes.
 * Kept apart from the chat connection, so file data never delays chat.
 */
import { type ClientFrame, decodeServerFrame, decodeUtf8, type ServerFrame } from "../protocol.ts";
import { writeAll } from "../pump.ts";
import { ConnectError } from "./connection.ts";

const encoder = new TextEncoder();

/** Longest first line a server may answer with. */
const MAX_HEADER_BYTES = 64 * 1024;

/** An open transfer connection. */
export class DataLink {
  readonly #conn: Deno.Conn;
  /** Bytes read past the last line, handed out first by `read`. */
  #leftover: Uint8Array = new Uint8Array(0);

  constructor(conn: Deno.Conn) {
    this.#conn = conn;
  }

  /** Connects to the server for a transfer (over TCP, or what `dial` opens: TLS). */
  static async open(
    host: string,
    port: number,
    dial: (host: string, port: number) => Promise<Deno.TcpConn | Deno.TlsConn> = (
      hostname,
      port,
    ) => Deno.connect({ hostname, port }),
  ): Promise<DataLink> {
    try {
      const conn = await dial(host, port);
      if ("setNoDelay" in conn) conn.setNoDelay(true);
      return new DataLink(conn);
    } catch (error) {
      if (error instanceof ConnectError) throw error;
      throw new ConnectError(
        `Cannot open a transfer connection: ${error instanceof Error ? error.message : error}`,
      );
    }
  }

  /** Sends one frame as a line. */
  async writeFrame(frame: ClientFrame): Promise<void> {
    await this.write(encoder.encode(JSON.stringify(frame) + "\n"));
  }

  /** Writes all the bytes. */
  async write(bytes: Uint8Array): Promise<void> {
    await writeAll(this.#conn, bytes);
  }

  /**
   * Reads one line as a server frame; null if the connection ends first. Throws a `ChatError`
   * for a line that is not valid UTF-8 or not a frame.
   */
  async readFrame(): Promise<ServerFrame | null> {
    let buffered = this.#leftover;
    while (true) {
      const lf = buffered.indexOf(0x0a);
      if (lf !== -1) {
        const line = decodeUtf8(buffered.subarray(0, lf));
        buffered = buffered.slice(lf + 1);
        this.#leftover = buffered;
        // A slow first line may meet the plain-text greeting: lines that are not frames are skipped.
        if (!line.trimStart().startsWith("{")) continue;
        return decodeServerFrame(line);
      }
      if (buffered.length > MAX_HEADER_BYTES) throw new Error("The server sent an over-long line");
      const chunk = new Uint8Array(16 * 1024);
      const n = await this.#conn.read(chunk);
      if (n === null) return null;
      const joined = new Uint8Array(buffered.length + n);
      joined.set(buffered);
      joined.set(chunk.subarray(0, n), buffered.length);
      buffered = joined;
    }
  }

  /** Reads raw bytes into `buffer`; the count, or null at the end. */
  async read(buffer: Uint8Array): Promise<number | null> {
    if (this.#leftover.length > 0) {
      const n = Math.min(buffer.length, this.#leftover.length);
      buffer.set(this.#leftover.subarray(0, n));
      this.#leftover = this.#leftover.slice(n);
      return n;
    }
    return await this.#conn.read(buffer);
  }

  close(): void {
    try {
      this.#conn.close();
    } catch {
      // Already closed.
    }
  }
}
