/**
 * The HTTP/1.1 a chat port needs to serve a browser (RFC 9112): an incremental request-head
 * parser, a response writer, and the server's checks of a WebSocket opening handshake (RFC 6455
 * section 4.2). Pure: no I/O and no clock; whoever owns the connection owns the deadline for a
 * head that never completes (a parser fed slowly just keeps answering `more`).
 *
 * @example
 * ```ts
 * import { formatResponse, HttpRequestParser } from "./http_request.ts";
 *
 * const parser = new HttpRequestParser();
 * const result = parser.push(new TextEncoder().encode("GET /?room=lobby HTTP/1.1\r\nHost: x\r\n\r\n"));
 * if (result.kind === "done") {
 *   result.request.target; // "/?room=lobby"
 *   result.request.headers.get("host"); // "x"
 * } else if (result.kind === "error") {
 *   formatResponse({ status: result.status, body: result.message }); // then close
 * }
 * ```
 */
import { createHash } from "node:crypto";

/** Longest request line, in bytes, not counting its line end; longer is refused with 414. */
export const MAX_REQUEST_LINE_BYTES = 8 * 1024;

/**
 * Largest request head, in bytes: request line, header lines, every line end and the blank line
 * that ends the head. Larger is refused with 431.
 */
export const MAX_HEAD_BYTES = 16 * 1024;

/** Most header lines in one request head; more is refused with 431. */
export const MAX_HEADER_COUNT = 100;

/** The protocol versions the parser accepts; any other `HTTP/x.y` is refused with 505. */
export type HttpVersion = "HTTP/1.0" | "HTTP/1.1";

/** A parsed request head. */
export interface HttpRequest {
  /** The method as sent (methods are case-sensitive): `GET`, `POST`, ... */
  method: string;
  /**
   * Path and query, as sent (not percent-decoded), such as `/chat?room=lobby`; `*` for
   * `OPTIONS *`. An absolute-form target (`http://host/path`) is reduced to its path and query,
   * and its authority replaces the `host` header, as RFC 9112 section 3.2.2 says.
   */
  target: string;
  version: HttpVersion;
  /**
   * Header values by lowercased name, without surrounding whitespace, each byte one character
   * (ISO-8859-1, as browsers send header bytes). Repeated headers are joined with `, `, except
   * `cookie`, joined with `; `; a repeated header that must appear once (see
   * {@linkcode SINGLE_HEADERS}) is refused instead.
   */
  headers: Map<string, string>;
  /** The body's length from a valid `Content-Length`, or 0 without one. */
  contentLength: number;
  /** The bytes received after the head (the start of a body, or of WebSocket frames): a copy. */
  rest: Uint8Array;
}

/** The statuses the parser refuses a head with. */
export type HttpErrorStatus = 400 | 414 | 431 | 501 | 505;

/** What {@linkcode HttpRequestParser.push} returns. */
export type HttpHeadResult =
  | { kind: "more" }
  | { kind: "done"; request: HttpRequest }
  | { kind: "error"; status: HttpErrorStatus; message: string };

/**
 * Headers that must appear at most once: joining two of them with a comma would make a value
 * that means something else (two hosts, two keys), so a repeat is refused with 400.
 */
export const SINGLE_HEADERS: ReadonlySet<string> = new Set([
  "host",
  "authorization",
  "content-type",
  "origin",
  "sec-websocket-key",
  "sec-websocket-version",
]);

const LF = 0x0a;
const CR = 0x0d;
const SP = 0x20;
const HT = 0x09;
const COLON = 0x3a;
const INITIAL_LINE_CAPACITY = 256;
const MORE: HttpHeadResult = Object.freeze({ kind: "more" });

/** `tchar` of RFC 9110 section 5.6.2, indexed by byte. */
const TOKEN_BYTES: readonly boolean[] = (() => {
  const table: boolean[] = new Array(256).fill(false);
  const symbols = "!#$%&'*+-.^_`|~";
  for (let byte = 0; byte < 128; byte++) {
    const char = String.fromCharCode(byte);
    table[byte] = /[0-9A-Za-z]/.test(char) || symbols.includes(char);
  }
  return table;
})();

type Failure = { kind: "error"; status: HttpErrorStatus; message: string };

function failure(status: HttpErrorStatus, message: string): Failure {
  return { kind: "error", status, message };
}

/** Each byte as one character (ISO-8859-1); TextDecoder's "latin1" is really windows-1252. */
function latin1(bytes: Uint8Array): string {
  let text = "";
  for (let start = 0; start < bytes.length; start += 4096) {
    text += String.fromCharCode(...bytes.subarray(start, start + 4096));
  }
  return text;
}

function isToken(text: string): boolean {
  if (text.length === 0) return false;
  for (let i = 0; i < text.length; i++) {
    if (!TOKEN_BYTES[text.charCodeAt(i)]) return false;
  }
  return true;
}

/**
 * An incremental parser of one request head. Feed it bytes as they arrive, in chunks of any
 * size (one byte at a time works); it answers `more` until the head is complete (`done`, with
 * the bytes after it in `rest`) or refused (`error`, with the status to answer before closing).
 * It holds at most {@linkcode MAX_HEAD_BYTES} bytes. Bare LF line ends are accepted, as most
 * servers do; a bare CR, line folding, whitespace before a colon or a header name that is not a
 * token is refused with 400.
 *
 * @example
 * ```ts
 * import { HttpRequestParser } from "./http_request.ts";
 *
 * const parser = new HttpRequestParser();
 * parser.push(new TextEncoder().encode("GET / HTTP/1.1\r\nHo")); // { kind: "more" }
 * parser.push(new TextEncoder().encode("st: x\r\n\r\nab")); // { kind: "done", ... rest: "ab" }
 * ```
 */
export class HttpRequestParser {
  #line = new Uint8Array(INITIAL_LINE_CAPACITY);
  #lineLength = 0;
  /** Bytes of the lines completed so far, line ends included. */
  #headBytes = 0;
  #method = "";
  #target = "";
  #version: HttpVersion | undefined;
  #absoluteHost: string | undefined;
  #headers = new Map<string, string>();
  #headerCount = 0;
  #finished = false;

  /**
   * Feeds the next bytes of the connection. After `done` or `error` the parser is finished and
   * pushing again throws a TypeError.
   */
  push(chunk: Uint8Array): HttpHeadResult {
    if (this.#finished) throw new TypeError("Cannot push to a finished HttpRequestParser");
    let start = 0;
    while (true) {
      const lf = chunk.indexOf(LF, start);
      if (lf === -1) {
        const piece = chunk.subarray(start);
        const error = this.#checkPartial(piece);
        if (error !== undefined) return this.#finish(error);
        this.#append(piece);
        return MORE;
      }
      const line = this.#takeLine(chunk.subarray(start, lf));
      start = lf + 1;
      const result = this.#onLine(line);
      if (result === undefined) continue;
      if (result.kind === "done") result.request.rest = chunk.slice(start);
      return this.#finish(result);
    }
  }

  #finish(result: HttpHeadResult): HttpHeadResult {
    this.#finished = true;
    this.#line = new Uint8Array(0);
    return result;
  }

  /** The caps, checked on an unfinished line as they are on a finished one. */
  #checkPartial(piece: Uint8Array): Failure | undefined {
    if (piece.length === 0) return undefined;
    const length = this.#lineLength + piece.length;
    const last = piece[piece.length - 1];
    // One spare byte allows for the CR of a CRLF.
    if (
      this.#version === undefined &&
      (length > MAX_REQUEST_LINE_BYTES + 1 ||
        (length === MAX_REQUEST_LINE_BYTES + 1 && last !== CR))
    ) {
      return failure(414, `Request line over ${MAX_REQUEST_LINE_BYTES} bytes`);
    }
    if (this.#headBytes + length > MAX_HEAD_BYTES) return headTooLarge();
    return undefined;
  }

  #append(piece: Uint8Array): void {
    const needed = this.#lineLength + piece.length;
    if (needed > this.#line.length) {
      const grown = new Uint8Array(Math.max(needed, this.#line.length * 2));
      grown.set(this.#line.subarray(0, this.#lineLength));
      this.#line = grown;
    }
    this.#line.set(piece, this.#lineLength);
    this.#lineLength = needed;
  }

  /** The whole line ending before an LF, without its line end; counts it into the head. */
  #takeLine(piece: Uint8Array): Uint8Array {
    let line = piece;
    if (this.#lineLength > 0) {
      this.#append(piece);
      line = this.#line.subarray(0, this.#lineLength);
      this.#lineLength = 0;
    }
    this.#headBytes += line.length + 1;
    return line.length > 0 && line[line.length - 1] === CR ? line.subarray(0, -1) : line;
  }

  #onLine(line: Uint8Array): HttpHeadResult | undefined {
    if (this.#version === undefined && line.length > MAX_REQUEST_LINE_BYTES) {
      return failure(414, `Request line over ${MAX_REQUEST_LINE_BYTES} bytes`);
    }
    if (this.#headBytes > MAX_HEAD_BYTES) return headTooLarge();
    if (line.includes(CR)) return failure(400, "Bare CR in the request head");
    if (this.#version === undefined) {
      // RFC 9112 section 2.2: empty lines before the request line are ignored.
      return line.length === 0 ? undefined : this.#onRequestLine(latin1(line));
    }
    if (line.length === 0) return this.#onEnd();
    this.#headerCount += 1;
    if (this.#headerCount > MAX_HEADER_COUNT) {
      return failure(431, `Over ${MAX_HEADER_COUNT} header lines`);
    }
    return this.#onHeaderLine(line);
  }

  #onRequestLine(line: string): Failure | undefined {
    const parts = line.split(" ");
    if (parts.length !== 3) return failure(400, "Malformed request line");
    const [method = "", target = "", version = ""] = parts;
    const numbers = /^HTTP\/(\d)\.(\d)$/.exec(version);
    if (numbers === null) return failure(400, "Malformed HTTP version");
    if (version !== "HTTP/1.0" && version !== "HTTP/1.1") {
      return failure(505, `HTTP version not supported: ${version}`);
    }
    if (!isToken(method)) return failure(400, "Malformed method");
    if (method === "CONNECT") return failure(501, "CONNECT is not supported");
    const error = this.#setTarget(method, target);
    if (error !== undefined) return error;
    this.#method = method;
    this.#version = version;
    return undefined;
  }

  #setTarget(method: string, target: string): Failure | undefined {
    // Visible ASCII only; a fragment never belongs in a request.
    if (!/^[\x21-\x7e]+$/.test(target) || target.includes("#")) {
      return failure(400, "Malformed request target");
    }
    if (target.startsWith("/")) {
      this.#target = target;
      return undefined;
    }
    if (target === "*") {
      if (method !== "OPTIONS") return failure(400, "Request target * is only for OPTIONS");
      this.#target = target;
      return undefined;
    }
    const absolute = /^https?:\/\/([^/?]*)(.*)$/i.exec(target);
    if (absolute === null) return failure(400, "Malformed request target");
    const [, authority = "", rest = ""] = absolute;
    if (authority === "" || authority.includes("@")) {
      return failure(400, "Malformed request target");
    }
    this.#absoluteHost = authority;
    this.#target = rest.startsWith("/") ? rest : `/${rest}`;
    return undefined;
  }

  #onHeaderLine(line: Uint8Array): Failure | undefined {
    const first = line[0];
    if (first === SP || first === HT) {
      return failure(400, "Obsolete line folding is not allowed");
    }
    let colon = 0;
    while (colon < line.length && TOKEN_BYTES[line[colon] ?? 0]) colon++;
    const after = line[colon];
    if (after !== COLON) {
      if (after === undefined) return failure(400, "Header line without a colon");
      if ((after === SP || after === HT) && colon > 0 && line.includes(COLON, colon)) {
        return failure(400, "Whitespace before the colon in a header line");
      }
      return failure(400, "Malformed header name");
    }
    if (colon === 0) return failure(400, "Empty header name");
    let start = colon + 1;
    let end = line.length;
    while (start < end && (line[start] === SP || line[start] === HT)) start++;
    while (end > start && (line[end - 1] === SP || line[end - 1] === HT)) end--;
    for (let i = start; i < end; i++) {
      const byte = line[i] ?? 0;
      if ((byte < SP && byte !== HT) || byte === 0x7f) {
        return failure(400, "Control character in a header value");
      }
    }
    const name = latin1(line.subarray(0, colon)).toLowerCase();
    const value = latin1(line.subarray(start, end));
    const previous = this.#headers.get(name);
    if (previous === undefined) {
      this.#headers.set(name, value);
    } else if (SINGLE_HEADERS.has(name)) {
      return failure(400, `Repeated header: ${name}`);
    } else {
      this.#headers.set(name, `${previous}${name === "cookie" ? "; " : ", "}${value}`);
    }
    return undefined;
  }

  #onEnd(): HttpHeadResult {
    const headers = this.#headers;
    const version = this.#version ?? "HTTP/1.1";
    if (this.#absoluteHost !== undefined) headers.set("host", this.#absoluteHost);
    if (version === "HTTP/1.1" && !headers.has("host")) return failure(400, "Missing Host header");
    const transferEncoding = headers.get("transfer-encoding");
    const contentLength = headers.get("content-length");
    if (transferEncoding !== undefined) {
      if (contentLength !== undefined) {
        return failure(400, "Both Content-Length and Transfer-Encoding");
      }
      if (version === "HTTP/1.0") return failure(400, "Transfer-Encoding in an HTTP/1.0 request");
      return failure(501, "Transfer-Encoding is not supported");
    }
    let length = 0;
    if (contentLength !== undefined) {
      // Repeated or listed values are accepted only when all are the same (RFC 9112 6.3).
      const values = new Set(contentLength.split(",").map((value) => value.trim()));
      const [only = ""] = values;
      if (values.size !== 1 || !/^\d{1,15}$/.test(only)) {
        return failure(400, "Malformed Content-Length");
      }
      length = Number(only);
    }
    return {
      kind: "done",
      request: {
        method: this.#method,
        target: this.#target,
        version,
        headers,
        contentLength: length,
        rest: new Uint8Array(0),
      },
    };
  }
}

function headTooLarge(): Failure {
  return failure(431, `Request head over ${MAX_HEAD_BYTES} bytes`);
}

// ---- responses ------------------------------------------------------------------------------

/** Reason phrases for the statuses a chat server answers with (RFC 9110 section 15). */
const REASONS: Readonly<Record<number, string>> = {
  101: "Switching Protocols",
  200: "OK",
  204: "No Content",
  301: "Moved Permanently",
  302: "Found",
  304: "Not Modified",
  400: "Bad Request",
  403: "Forbidden",
  404: "Not Found",
  405: "Method Not Allowed",
  408: "Request Timeout",
  413: "Content Too Large",
  414: "URI Too Long",
  426: "Upgrade Required",
  429: "Too Many Requests",
  431: "Request Header Fields Too Large",
  500: "Internal Server Error",
  501: "Not Implemented",
  503: "Service Unavailable",
  505: "HTTP Version Not Supported",
};

/** A response for {@linkcode formatResponse}. */
export interface HttpResponse {
  /** A status code, 100 to 599. */
  status: number;
  /**
   * The reason phrase.
   * @default the standard phrase for the status, or none for a status this file does not know
   */
  reason?: string;
  /**
   * Headers to send, in order; a list may repeat a name. Leave out `Content-Length` (set from
   * the body) and `Transfer-Encoding`.
   * @default {}
   */
  headers?: Readonly<Record<string, string>> | Iterable<readonly [string, string]>;
  /**
   * The body; a string is sent as UTF-8. A 1xx, 204 or 304 response has none.
   * @default an empty body
   */
  body?: Uint8Array | string;
  /**
   * The length of a body the caller writes after these bytes (a file streamed from disk): the
   * bytes are then the head alone, with this `Content-Length`. Not together with `body`.
   * @default the length of `body`
   */
  bodyLength?: number;
}

/**
 * The bytes of an HTTP/1.1 response: status line, headers, `Content-Length` (except on 1xx, 204
 * and 304 responses, which have no body), and `Connection: close` unless the headers name a
 * `Connection` of their own (such as `Upgrade` for a 101). Throws a TypeError for a status out of
 * range, a header name that is not a token, a header value or reason with CR, LF or another
 * control character (or a character above U+00FF), a `Content-Length` or `Transfer-Encoding`
 * among the headers, or a body on a response that has none.
 *
 * @example
 * ```ts
 * import { formatResponse } from "./http_request.ts";
 *
 * const bytes = formatResponse({
 *   status: 404,
 *   headers: { "Content-Type": "text/plain; charset=utf-8" },
 *   body: "No such page",
 * });
 * // "HTTP/1.1 404 Not Found\r\nContent-Type: text/plain; charset=utf-8\r\n"
 * // + "Content-Length: 12\r\nConnection: close\r\n\r\nNo such page"
 * ```
 */
export function formatResponse(response: HttpResponse): Uint8Array {
  const { status } = response;
  if (!Number.isInteger(status) || status < 100 || status > 599) {
    throw new TypeError(`Invalid HTTP status: ${status}`);
  }
  const reason = response.reason ?? REASONS[status] ?? "";
  if (!isFieldText(reason)) throw new TypeError("Invalid character in the reason phrase");
  const body = typeof response.body === "string"
    ? new TextEncoder().encode(response.body)
    : response.body ?? new Uint8Array(0);
  const bodiless = status < 200 || status === 204 || status === 304;
  const streamed = response.bodyLength;
  if (
    streamed !== undefined && (!Number.isSafeInteger(streamed) || streamed < 0 || body.length > 0)
  ) {
    throw new TypeError("bodyLength must be a whole number of bytes, without body");
  }
  const length = streamed ?? body.length;
  if (bodiless && length > 0) throw new TypeError(`A ${status} response has no body`);
  let head = `HTTP/1.1 ${status} ${reason}\r\n`;
  let hasConnection = false;
  const headers = response.headers ?? {};
  const entries = Symbol.iterator in headers
    ? headers as Iterable<readonly [string, string]>
    : Object.entries(headers);
  for (const [name, value] of entries) {
    if (!isToken(name)) throw new TypeError(`Invalid header name: ${JSON.stringify(name)}`);
    const lower = name.toLowerCase();
    if (lower === "content-length" || lower === "transfer-encoding") {
      throw new TypeError(`${name} is set by formatResponse()`);
    }
    if (!isFieldText(value)) {
      throw new TypeError(`Invalid character in the value of header ${name}`);
    }
    if (lower === "connection") hasConnection = true;
    head += `${name}: ${value}\r\n`;
  }
  if (!bodiless) head += `Content-Length: ${length}\r\n`;
  if (!hasConnection) head += "Connection: close\r\n";
  head += "\r\n";
  const bytes = new Uint8Array(head.length + body.length);
  for (let i = 0; i < head.length; i++) bytes[i] = head.charCodeAt(i);
  bytes.set(body, head.length);
  return bytes;
}

/** Whether text may stand in a header value or reason: HT, SP, visible ASCII, U+0080..U+00FF. */
function isFieldText(text: string): boolean {
  return /^[\t\x20-\x7e\x80-\xff]*$/.test(text);
}

// ---- the WebSocket opening handshake ---------------------------------------------------------

/** The WebSocket protocol version of RFC 6455, the only one there is. */
export const WEBSOCKET_VERSION = "13";

/** The GUID that RFC 6455 section 1.3 appends to the key before hashing. */
const WEBSOCKET_GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

/** Base64 of exactly 16 bytes, canonical (the unused low bits of the last character are 0). */
const WEBSOCKET_KEY_REGEXP = /^[A-Za-z0-9+/]{21}[AQgw]==$/;

/** What {@linkcode isWebSocketUpgrade} finds. */
export type WebSocketUpgradeCheck =
  | { ok: true; key: string }
  | {
    ok: false;
    status: 400 | 426;
    /** Why, in a sentence fit for the response body. */
    reason: string;
    /** Headers the refusal must carry (for 426: the version this server speaks). */
    headers: Record<string, string>;
  };

/**
 * Checks a request against RFC 6455 section 4.2.1: `GET`, HTTP/1.1, `Upgrade: websocket`, a
 * `Connection` list with `upgrade`, `Sec-WebSocket-Version: 13` and a `Sec-WebSocket-Key` that
 * is base64 of 16 bytes. A missing or other version is refused with 426 and
 * `Sec-WebSocket-Version: 13`; anything else wrong with 400.
 *
 * @example
 * ```ts
 * import { formatResponse, formatWebSocketAccept, HttpRequestParser, isWebSocketUpgrade } from
 *   "./http_request.ts";
 *
 * const head = "GET /chat HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
 *   "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n";
 * const result = new HttpRequestParser().push(new TextEncoder().encode(head));
 * if (result.kind === "done") {
 *   const check = isWebSocketUpgrade(result.request);
 *   const reply = check.ok
 *     ? formatWebSocketAccept(check.key)
 *     : formatResponse({ status: check.status, headers: check.headers, body: check.reason });
 * }
 * ```
 */
export function isWebSocketUpgrade(
  request: Pick<HttpRequest, "method" | "version" | "headers">,
): WebSocketUpgradeCheck {
  const { headers } = request;
  if (request.method !== "GET") return refuse(400, "WebSocket handshake must use GET");
  if (request.version !== "HTTP/1.1") return refuse(400, "WebSocket handshake must use HTTP/1.1");
  if (!listHas(headers.get("upgrade"), "websocket")) {
    return refuse(400, "WebSocket handshake needs Upgrade: websocket");
  }
  if (!listHas(headers.get("connection"), "upgrade")) {
    return refuse(400, "WebSocket handshake needs Connection: Upgrade");
  }
  if (headers.get("sec-websocket-version") !== WEBSOCKET_VERSION) {
    return {
      ok: false,
      status: 426,
      reason: `WebSocket version must be ${WEBSOCKET_VERSION}`,
      headers: {
        "Upgrade": "websocket",
        "Connection": "Upgrade, close",
        "Sec-WebSocket-Version": WEBSOCKET_VERSION,
      },
    };
  }
  const key = headers.get("sec-websocket-key");
  if (key === undefined) return refuse(400, "WebSocket handshake needs Sec-WebSocket-Key");
  if (!WEBSOCKET_KEY_REGEXP.test(key)) {
    return refuse(400, "Sec-WebSocket-Key must be base64 of 16 bytes");
  }
  return { ok: true, key };
}

function refuse(status: 400, reason: string): WebSocketUpgradeCheck {
  return { ok: false, status, reason, headers: {} };
}

/** Whether a comma-separated header value lists `token` (compared without case). */
function listHas(value: string | undefined, token: string): boolean {
  if (value === undefined) return false;
  return value.split(",").some((item) => item.trim().toLowerCase() === token);
}

/**
 * The `Sec-WebSocket-Accept` value for a key: base64 of the SHA-1 of the key and the RFC 6455
 * GUID.
 *
 * @example
 * ```ts
 * import { webSocketAccept } from "./http_request.ts";
 *
 * webSocketAccept("dGhlIHNhbXBsZSBub25jZQ=="); // "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=" (RFC 6455 1.3)
 * ```
 */
export function webSocketAccept(key: string): string {
  return createHash("sha1").update(key + WEBSOCKET_GUID).digest("base64");
}

/**
 * The 101 response that completes a WebSocket handshake for a key that
 * {@linkcode isWebSocketUpgrade} accepted, naming `subprotocol` when one was chosen (see
 * {@linkcode chooseSubprotocol}). No extension is chosen, so frames never carry compressed data
 * (RSV1 stays an error).
 */
export function formatWebSocketAccept(key: string, subprotocol?: string): Uint8Array {
  const headers: [string, string][] = [
    ["Upgrade", "websocket"],
    ["Connection", "Upgrade"],
    ["Sec-WebSocket-Accept", webSocketAccept(key)],
  ];
  if (subprotocol !== undefined) headers.push(["Sec-WebSocket-Protocol", subprotocol]);
  return formatResponse({ status: 101, headers });
}

/**
 * The first subprotocol of `offered` (a `Sec-WebSocket-Protocol` value: a comma-separated list,
 * in the client's order of preference) that this server speaks, or undefined: the handshake then
 * names none (RFC 6455 section 4.2.2). Subprotocol names are compared exactly.
 *
 * @example
 * ```ts
 * import { chooseSubprotocol } from "./http_request.ts";
 *
 * chooseSubprotocol("binary.ircv3.net, text.ircv3.net", ["text.ircv3.net"]); // "text.ircv3.net"
 * chooseSubprotocol(undefined, ["text.ircv3.net"]); // undefined
 * ```
 */
export function chooseSubprotocol(
  offered: string | undefined,
  supported: readonly string[],
): string | undefined {
  if (offered === undefined) return undefined;
  return offered.split(",").map((item) => item.trim()).find((item) => supported.includes(item));
}
