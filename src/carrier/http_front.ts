/**
 * The HTTP front of the chat port: a connection whose first line was an HTTP request line is
 * handed here. It serves the browser client (the page, its script and its style sheet), refuses
 * everything else with a short response, and turns a WebSocket upgrade on `/ws` into a
 * {@linkcode LineConnection}, so a browser session runs through the same code as a TCP one.
 *
 * Plain requests get one response with `Connection: close`, and the connection is closed: one
 * request per connection keeps this small, and the page is three requests.
 *
 * @example
 * ```ts ignore
 * import { serveHttp } from "./http_front.ts";
 *
 * // `head` holds every byte already read from `conn` (its first line was "GET / HTTP/1.1").
 * const lines = await serveHttp(conn, head, { remote: "127.0.0.1:50000", maxLineBytes: 16384 });
 * if (lines !== undefined) runSession(lines); // a WebSocket on /ws
 * ```
 */
import type { ByteStream, LineConnection } from "./connection.ts";
import { FILE_PATH_PREFIX } from "../file_link.ts";
import { CLIENT_PAGE_CSS, CLIENT_PAGE_HTML, CLIENT_PAGE_JS } from "../web/page.ts";
import {
  chooseSubprotocol,
  formatResponse,
  formatWebSocketAccept,
  type HttpRequest,
  HttpRequestParser,
  isWebSocketUpgrade,
} from "./http_request.ts";
import {
  CLOSE_CODE,
  encodeClose,
  encodePong,
  encodeTextLines,
  encodeTextMessages,
  isSendableCloseCode,
  WebSocketDecoder,
} from "./websocket_frame.ts";

export type { ByteStream } from "./connection.ts";

/** Default for {@linkcode ServeHttpOptions.headTimeoutMs}. */
export const DEFAULT_HEAD_TIMEOUT_MS = 10_000;

/** Default for {@linkcode ServeHttpOptions.closeTimeoutMs}. */
export const DEFAULT_CLOSE_TIMEOUT_MS = 1000;

/** The path of the WebSocket endpoint. */
export const WEBSOCKET_PATH = "/ws";

/**
 * IRC over WebSocket (https://ircv3.net/specs/extensions/websocket): one IRC line per text
 * message, without its line end, for web IRC clients. Without a subprotocol the WebSocket
 * carries lines of any dialect, several to a message.
 */
export const IRC_SUBPROTOCOL = "text.ircv3.net";

/** Options for {@linkcode serveHttp}. */
export interface ServeHttpOptions {
  /** The peer's address, for logs (`127.0.0.1:50000`); becomes `LineConnection.remote`. */
  remote: string;
  /**
   * Longest line, in bytes, without its line end; a longer line in a WebSocket message is
   * handed out as a `null` entry, as the TCP carrier does.
   */
  maxLineBytes: number;
  /**
   * Largest WebSocket message, in bytes; a larger one closes the connection with code 1009.
   * @default {maxLineBytes + 1} (one line and its line end)
   */
  maxMessageBytes?: number;
  /**
   * Time allowed for the whole request head, from the call; then 408 and the connection closed.
   * @default {DEFAULT_HEAD_TIMEOUT_MS}
   */
  headTimeoutMs?: number;
  /**
   * Time allowed for a response, a close frame, and the peer's close frame after ours, before
   * the connection is closed anyway.
   * @default {DEFAULT_CLOSE_TIMEOUT_MS}
   */
  closeTimeoutMs?: number;
  /**
   * Serves a request under `/files/` (downloads and uploads of shared files): it owns the
   * connection from then on and closes it. Without it, those paths are not found (404).
   * @default undefined
   */
  files?: (conn: ByteStream, request: HttpRequest) => Promise<void>;
  /**
   * Origins besides the page's own whose pages may open the WebSocket (a web IRC client served
   * elsewhere), as `https://web.example`; `*` allows any. @default none
   */
  allowedOrigins?: readonly string[];
}

/** Headers on every response. */
export const SECURITY_HEADERS: readonly (readonly [string, string])[] = [
  ["Cache-Control", "no-store"],
  ["X-Content-Type-Options", "nosniff"],
  ["Referrer-Policy", "no-referrer"],
  ["X-Frame-Options", "DENY"],
];

/** A `Host` value safe to put in a header: a name or address and an optional port. */
const HOST_REGEXP = /^(?:[A-Za-z0-9.-]+|\[[0-9A-Fa-f:.]+\])(?::\d{1,5})?$/;

const READ_BUFFER_BYTES = 4096;

interface Asset {
  readonly type: string;
  readonly body: Uint8Array;
}

const encoder = new TextEncoder();

/** What the front serves, by path. */
const ASSETS: ReadonlyMap<string, Asset> = new Map([
  ["/", { type: "text/html; charset=utf-8", body: encoder.encode(CLIENT_PAGE_HTML) }],
  ["/index.html", { type: "text/html; charset=utf-8", body: encoder.encode(CLIENT_PAGE_HTML) }],
  ["/app.js", { type: "text/javascript; charset=utf-8", body: encoder.encode(CLIENT_PAGE_JS) }],
  ["/app.css", { type: "text/css; charset=utf-8", body: encoder.encode(CLIENT_PAGE_CSS) }],
]);

/**
 * The Content-Security-Policy of every response: only this server's own script, style and
 * WebSocket, no inline code, no frames, no plugins.
 */
export function contentSecurityPolicy(host: string | undefined): string {
  const sockets = host !== undefined && HOST_REGEXP.test(host) ? ` ws://${host} wss://${host}` : "";
  return [
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self'",
    `connect-src 'self'${sockets}`,
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join("; ");
}

/**
 * Answers one HTTP connection. `head` is every byte already read from `conn` (the start of the
 * request head; the rest may still be unread). A plain request gets its response, with
 * `Connection: close`, the connection is closed and the promise resolves to `undefined`; so
 * does a request that is malformed (400 and the like), refused, or whose head has not come
 * within `headTimeoutMs` (408). A valid WebSocket upgrade on `/ws` from the page's own origin
 * (or from no browser at all: no `Origin`) gets 101 and resolves to the connection, read and
 * written as lines. Never rejects: a failing socket just resolves `undefined`.
 */
export async function serveHttp(
  conn: ByteStream,
  head: Uint8Array,
  options: ServeHttpOptions,
): Promise<LineConnection | undefined> {
  const headTimeout = options.headTimeoutMs ?? DEFAULT_HEAD_TIMEOUT_MS;
  const closeTimeout = options.closeTimeoutMs ?? DEFAULT_CLOSE_TIMEOUT_MS;
  const parser = new HttpRequestParser();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    void respondAndClose(conn, plainResponse(408, "Request head not received in time\n"), {
      closeTimeoutMs: closeTimeout,
    });
  }, headTimeout);
  let request: HttpRequest;
  try {
    let result = parser.push(head);
    const buffer = new Uint8Array(READ_BUFFER_BYTES);
    while (result.kind === "more") {
      let n: number | null;
      try {
        n = await conn.read(buffer);
      } catch {
        n = null;
      }
      if (timedOut) return undefined;
      if (n === null) {
        closeQuietly(conn);
        return undefined;
      }
      result = parser.push(buffer.subarray(0, n));
    }
    if (result.kind === "error") {
      await respondAndClose(conn, plainResponse(result.status, `${result.message}\n`), {
        closeTimeoutMs: closeTimeout,
      });
      return undefined;
    }
    request = result.request;
  } finally {
    clearTimeout(timer);
  }
  if (timedOut) return undefined;
  return await answer(conn, request, options, closeTimeout);
}

async function answer(
  conn: ByteStream,
  request: HttpRequest,
  options: ServeHttpOptions,
  closeTimeout: number,
): Promise<LineConnection | undefined> {
  const path = request.target.split("?")[0] ?? "/";
  const host = request.headers.get("host");
  const respond = async (response: Uint8Array): Promise<undefined> => {
    await respondAndClose(conn, response, { closeTimeoutMs: closeTimeout });
    return undefined;
  };
  if (path.startsWith(FILE_PATH_PREFIX) && options.files !== undefined) {
    await options.files(conn, request);
    return undefined;
  }
  if (request.method !== "GET") {
    return respond(
      plainResponse(405, `Method not allowed: ${request.method}\n`, host, [["Allow", "GET"]]),
    );
  }
  if (path === WEBSOCKET_PATH) {
    const check = isWebSocketUpgrade(request);
    if (!check.ok) {
      return respond(
        plainResponse(check.status, `${check.reason}\n`, host, Object.entries(check.headers)),
      );
    }
    const origin = request.headers.get("origin");
    const allowed = options.allowedOrigins ?? [];
    if (origin !== undefined && !isSameOrigin(origin, host) && !isAllowedOrigin(origin, allowed)) {
      return respond(plainResponse(403, "Cross-origin WebSocket refused\n", host));
    }
    const subprotocol = chooseSubprotocol(
      request.headers.get("sec-websocket-protocol"),
      [IRC_SUBPROTOCOL],
    );
    try {
      await writeAll(conn, formatWebSocketAccept(check.key, subprotocol));
    } catch {
      closeQuietly(conn);
      return undefined;
    }
    return new WebSocketLineConnection(conn, request.rest, {
      remote: options.remote,
      maxLineBytes: options.maxLineBytes,
      maxMessageBytes: options.maxMessageBytes ?? options.maxLineBytes + 1,
      closeTimeoutMs: closeTimeout,
      linePerMessage: subprotocol === IRC_SUBPROTOCOL,
    });
  }
  if (path === "/favicon.ico") {
    return respond(formatResponse({ status: 204, headers: responseHeaders(host) }));
  }
  const asset = ASSETS.get(path);
  if (asset === undefined) return respond(plainResponse(404, "Not found\n", host));
  return respond(
    formatResponse({
      status: 200,
      headers: [["Content-Type", asset.type], ...responseHeaders(host)],
      body: asset.body,
    }),
  );
}

/**
 * Whether an `Origin` names the host the request was sent to (any scheme: the page may come
 * through a TLS proxy). `null` and anything unparsable are not.
 */
export function isSameOrigin(origin: string, host: string | undefined): boolean {
  if (host === undefined || !HOST_REGEXP.test(host)) return false;
  let originHost: string;
  let requestHost: string;
  try {
    const url = new URL(origin);
    if (url.protocol !== "http:" && url.protocol !== "https:") return false;
    originHost = url.host;
    requestHost = new URL(`${url.protocol}//${host}`).host;
  } catch {
    return false;
  }
  return originHost === requestHost;
}

/** Whether an `Origin` is one the operator allowed (`*`: any). */
export function isAllowedOrigin(origin: string, allowed: readonly string[]): boolean {
  if (allowed.includes("*")) return true;
  try {
    return allowed.includes(new URL(origin).origin);
  } catch {
    return false;
  }
}

function responseHeaders(host: string | undefined): (readonly [string, string])[] {
  return [...SECURITY_HEADERS, ["Content-Security-Policy", contentSecurityPolicy(host)]];
}

/** A short plain-text response with the security headers (for `host`'s page). */
export function plainResponse(
  status: number,
  body: string,
  host?: string,
  extra: Iterable<readonly [string, string]> = [],
): Uint8Array {
  return formatResponse({
    status,
    headers: [["Content-Type", "text/plain; charset=utf-8"], ...extra, ...responseHeaders(host)],
    body,
  });
}

async function writeAll(conn: ByteStream, bytes: Uint8Array): Promise<void> {
  let offset = 0;
  while (offset < bytes.length) offset += await conn.write(bytes.subarray(offset));
}

function closeQuietly(conn: ByteStream): void {
  try {
    conn.close();
  } catch {
    // Already closed.
  }
}

/** Writes a response, bounded in time, and closes the connection whatever happens. */
export async function respondAndClose(
  conn: ByteStream,
  response: Uint8Array,
  options: { closeTimeoutMs: number },
): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    await Promise.race([
      writeAll(conn, response),
      new Promise<void>((resolve) => timer = setTimeout(resolve, options.closeTimeoutMs)),
    ]);
  } catch {
    // The peer is gone; nothing to tell it.
  } finally {
    clearTimeout(timer);
    closeQuietly(conn);
  }
}

// ---- the WebSocket as lines -------------------------------------------------------------------

/** Options for {@linkcode WebSocketLineConnection}. */
export interface WebSocketLineOptions {
  /** The peer's address, for logs. */
  remote: string;
  /** Longest line, in bytes; longer ones are handed out as `null`. */
  maxLineBytes: number;
  /** Largest message, in bytes; larger closes with 1009. */
  maxMessageBytes: number;
  /** Time allowed for our close frame to go and the peer's to come back. */
  closeTimeoutMs: number;
  /**
   * Each line written goes as a text message of its own, without its line end (IRC over
   * WebSocket); otherwise each write is one message of whole lines. @default false
   */
  linePerMessage?: boolean;
}

const CR = 0x0d;
const EMPTY = new Uint8Array(0);

/**
 * A server-side WebSocket (after the 101) read and written as lines: each text message holds
 * one or more lines separated by `\n` (a final `\n` is optional), and each `write` goes out as
 * one text message (or, with `linePerMessage`, one message per line, without line ends). Pings are answered, a close frame is answered and ends the input, and a
 * protocol error closes the connection with its code (1002, 1007, 1009; 1003 for a binary
 * message) and ends the input.
 */
export class WebSocketLineConnection implements LineConnection {
  readonly remote: string;
  readonly #conn: ByteStream;
  readonly #decoder: WebSocketDecoder;
  readonly #maxLineBytes: number;
  readonly #closeTimeoutMs: number;
  readonly #linePerMessage: boolean;
  readonly #buffer = new Uint8Array(READ_BUFFER_BYTES);
  #pending: Uint8Array;
  /** The tail of the write chain: writes, pongs and the close frame go out one at a time. */
  #writing: Promise<void> = Promise.resolve();
  #closeSent = false;
  #ended = false;
  #reading = false;
  #closeTimer: ReturnType<typeof setTimeout> | undefined;
  #connClosed = false;
  #closing = false;

  constructor(conn: ByteStream, rest: Uint8Array, options: WebSocketLineOptions) {
    this.remote = options.remote;
    this.#conn = conn;
    this.#decoder = new WebSocketDecoder({ maxMessageBytes: options.maxMessageBytes });
    this.#maxLineBytes = options.maxLineBytes;
    this.#closeTimeoutMs = options.closeTimeoutMs;
    this.#linePerMessage = options.linePerMessage ?? false;
    this.#pending = rest;
  }

  /** Once `close()` has been called, returns `null`: what the peer sends then is dropped. */
  readLines(): Promise<(Uint8Array | null)[] | null> {
    return this.#closing ? Promise.resolve(null) : this.#read();
  }

  async #read(): Promise<(Uint8Array | null)[] | null> {
    if (this.#reading) throw new TypeError("readLines() is already waiting");
    this.#reading = true;
    try {
      while (!this.#ended) {
        let chunk: Uint8Array;
        if (this.#pending.length > 0) {
          chunk = this.#pending;
          this.#pending = EMPTY;
        } else {
          let n: number | null;
          try {
            n = await this.#conn.read(this.#buffer);
          } catch {
            n = null;
          }
          if (n === null) {
            this.#end();
            return null;
          }
          chunk = this.#buffer.subarray(0, n);
        }
        const lines = this.#handle(chunk);
        if (lines.length > 0) return lines;
      }
      return null;
    } finally {
      this.#reading = false;
    }
  }

  /** Decodes a chunk: answers control frames, returns the lines of its text messages. */
  #handle(chunk: Uint8Array): (Uint8Array | null)[] {
    const lines: (Uint8Array | null)[] = [];
    for (const event of this.#decoder.push(chunk)) {
      switch (event.type) {
        case "text":
          this.#splitLines(event.text, lines);
          break;
        case "binary":
          this.#fail(1003, "Binary messages are not accepted: send text lines");
          return lines;
        case "ping":
          this.#send(encodePong(event.data)).catch(() => {});
          break;
        case "pong":
          break;
        case "close": {
          // Answer with the same code, then close: the server closes the TCP connection first.
          const code = event.code !== undefined && isSendableCloseCode(event.code)
            ? event.code
            : undefined;
          this.#sendClose(code === undefined ? encodeClose() : encodeClose(code));
          this.#finishAfterWrites();
          return lines;
        }
        case "error":
          this.#fail(event.code, event.reason);
          return lines;
        default:
          assertNever(event);
      }
    }
    return lines;
  }

  #splitLines(text: string, out: (Uint8Array | null)[]): void {
    const pieces = text.split("\n");
    if (pieces.length > 1 && pieces[pieces.length - 1] === "") pieces.pop();
    for (const piece of pieces) {
      let bytes = encoder.encode(piece);
      if (bytes.length > 0 && bytes[bytes.length - 1] === CR) bytes = bytes.subarray(0, -1);
      out.push(bytes.length > this.#maxLineBytes ? null : bytes);
    }
  }

  /** The peer broke the protocol: close with `code`; its further input is ignored. */
  #fail(code: number, reason: string): void {
    this.#sendClose(encodeClose(code, reason));
    this.#finishAfterWrites();
  }

  async write(bytes: Uint8Array): Promise<void> {
    if (this.#closeSent || this.#connClosed) {
      throw new Deno.errors.BrokenPipe("The WebSocket is closed");
    }
    if (bytes.length === 0) return;
    await this.#send(
      this.#linePerMessage ? encodeTextMessages(bytes) : encodeTextLines(bytes),
    );
  }

  /** Queues a frame behind the writes in flight; rejects if the socket fails. */
  #send(frame: Uint8Array): Promise<void> {
    const next = this.#writing.then(() => {
      if (this.#connClosed) throw new Deno.errors.BrokenPipe("The WebSocket is closed");
      return writeAll(this.#conn, frame);
    });
    this.#writing = next.catch(() => {
      this.#closeConn();
    });
    return next;
  }

  #sendClose(frame: Uint8Array): void {
    if (this.#closeSent) return;
    this.#closeSent = true;
    void this.#send(frame).catch(() => {});
    // Whatever happens next, the socket is closed in time.
    this.#closeTimer = setTimeout(() => this.#closeConn(), this.#closeTimeoutMs);
  }

  /** Input ended (a close frame or an error): close the socket once the queued frames are out. */
  #finishAfterWrites(): void {
    this.#ended = true;
    void this.#writing.then(() => this.#closeConn());
  }

  #end(): void {
    this.#ended = true;
    this.#closeConn();
  }

  #closeConn(): void {
    if (this.#closeTimer !== undefined) {
      clearTimeout(this.#closeTimer);
      this.#closeTimer = undefined;
    }
    if (this.#connClosed) return;
    this.#connClosed = true;
    this.#ended = true;
    closeQuietly(this.#conn);
  }

  /**
   * Sends a close frame (1000) after the writes in flight and closes the socket once the peer
   * answers it, or after `closeTimeoutMs`. Safe to call more than once.
   */
  close(): void {
    if (this.#connClosed || this.#closing) return;
    this.#closing = true;
    if (this.#ended) {
      void this.#writing.then(() => this.#closeConn());
      return;
    }
    this.#sendClose(encodeClose(CLOSE_CODE.normal));
    if (!this.#reading) void this.#awaitPeerClose();
  }

  /** Reads (and drops) what the peer still sends, until its close frame or end of input. */
  async #awaitPeerClose(): Promise<void> {
    while (!this.#ended) {
      const lines = await this.#read().catch(() => null);
      if (lines === null) break;
    }
    await this.#writing;
    this.#closeConn();
  }
}

function assertNever(value: never): never {
  throw new TypeError(`Unexpected value: ${JSON.stringify(value)}`);
}
