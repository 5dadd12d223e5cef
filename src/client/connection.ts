/** The client's connection to a server: connect, read frames, send frames. */
import { MAX_SERVER_LINE_BYTES } from "../limits.ts";
import {
  type ClientFrame,
  decodeServerFrame,
  decodeUtf8,
  encodeFrame,
  type ServerFrame,
} from "../protocol.ts";
import type { LineConnection } from "../carrier/connection.ts";
import { formatHostPort, isConnectionGone, TcpLineConnection } from "../carrier/tcp.ts";

/** Connecting failed; the message is one line for the user. */
export class ConnectError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ConnectError";
  }
}

/**
 * Opens a connection (TCP, or what `dial` opens: TLS), turning network failures into a
 * `ConnectError` with a clear reason.
 */
export async function connectTcp(
  host: string,
  port: number,
  dial: (host: string, port: number) => Promise<Deno.TcpConn | Deno.TlsConn> = (hostname, port) =>
    Deno.connect({ hostname, port }),
): Promise<ServerConnection> {
  try {
    const conn = await dial(host, port);
    return new ServerConnection(
      new TcpLineConnection(conn, {
        maxLineBytes: MAX_SERVER_LINE_BYTES,
      }),
    );
  } catch (error) {
    if (error instanceof ConnectError) throw error;
    throw new ConnectError(
      `Cannot connect to ${formatHostPort(host, port)}: ${describeConnectError(error)}`,
    );
  }
}

function describeConnectError(error: unknown): string {
  if (error instanceof Deno.errors.ConnectionRefused) {
    return "connection refused (is the server running?)";
  }
  if (error instanceof Deno.errors.TimedOut) return "timed out";
  if (error instanceof Deno.errors.PermissionDenied || error instanceof Deno.errors.NotCapable) {
    return "permission denied";
  }
  const message = error instanceof Error ? error.message : String(error);
  if (/lookup|resolve|not known|no address|nodename/i.test(message)) return "unknown host";
  if (/unreachable/i.test(message)) return "network unreachable";
  return message.split("\n")[0] ?? "failed";
}

/** Frames from and to one server. */
export class ServerConnection {
  readonly #conn: LineConnection;
  #pending: ServerFrame[] = [];
  #writing: Promise<void> = Promise.resolve();
  #ended = false;
  /** Lines that were not valid frames, for a note to the user; skipped otherwise. */
  onBadLine: (reason: string) => void = () => {};

  constructor(conn: LineConnection) {
    this.#conn = conn;
  }

  /** The next frame from the server, or `null` once the connection has ended. */
  async next(): Promise<ServerFrame | null> {
    while (this.#pending.length === 0) {
      if (this.#ended) return null;
      let lines: (Uint8Array | null)[] | null;
      try {
        lines = await this.#conn.readLines();
      } catch (error) {
        if (!isConnectionGone(error)) this.onBadLine(String(error));
        lines = null;
      }
      if (lines === null) {
        this.#ended = true;
        return null;
      }
      for (const line of lines) this.#accept(line);
    }
    return this.#pending.shift() ?? null;
  }

  /** Sends a frame; frames go out in order. Rejects if the connection is gone. */
  send(frame: ClientFrame): Promise<void> {
    const bytes = encodeFrame(frame);
    this.#writing = this.#writing.catch(() => {}).then(() => this.#conn.write(bytes));
    return this.#writing;
  }

  /** Closes the connection. */
  close(): void {
    this.#ended = true;
    this.#conn.close();
  }

  #accept(line: Uint8Array | null): void {
    if (line === null) {
      this.onBadLine("a line from the server was too long");
      return;
    }
    let text: string;
    try {
      text = decodeUtf8(line);
    } catch {
      this.onBadLine("a line from the server was not valid UTF-8");
      return;
    }
    // Lines that are not frames (such as the greeting sent to plain-text users) are skipped.
    if (!text.trimStart().startsWith("{")) return;
    try {
      this.#pending.push(decodeServerFrame(text));
    } catch (error) {
      this.onBadLine(error instanceof Error ? error.message : String(error));
    }
  }
}
