import assert from "node:assert/strict";
import {
  chooseSubprotocol,
  formatResponse,
  formatWebSocketAccept,
  type HttpHeadResult,
  type HttpRequest,
  HttpRequestParser,
  isWebSocketUpgrade,
  MAX_HEAD_BYTES,
  MAX_HEADER_COUNT,
  MAX_REQUEST_LINE_BYTES,
  webSocketAccept,
} from "../src/carrier/http_request.ts";

const encoder = new TextEncoder();
const decoder = new TextDecoder();

function bytes(text: string): Uint8Array {
  return encoder.encode(text);
}

/** The result of one push of the whole text. */
function parse(text: string | Uint8Array): HttpHeadResult {
  return new HttpRequestParser().push(typeof text === "string" ? bytes(text) : text);
}

/** The result of pushing the text one byte at a time, checking every earlier answer is `more`. */
function parseByteByByte(text: string): HttpHeadResult {
  const parser = new HttpRequestParser();
  const input = bytes(text);
  for (let i = 0; i < input.length - 1; i++) {
    assert.deepEqual(parser.push(input.subarray(i, i + 1)), { kind: "more" }, `byte ${i}`);
  }
  return parser.push(input.subarray(input.length - 1));
}

function request(text: string): HttpRequest {
  const result = parse(text);
  assert.equal(result.kind, "done", JSON.stringify(result));
  return (result as { request: HttpRequest }).request;
}

function assertError(result: HttpHeadResult, status: number, message?: RegExp): void {
  assert.equal(result.kind, "error", JSON.stringify(result));
  const error = result as { status: number; message: string };
  assert.equal(error.status, status, error.message);
  if (message !== undefined) assert.match(error.message, message);
}

// ---- HttpRequestParser ----------------------------------------------------------------------

Deno.test("HttpRequestParser.push() parses a request head", () => {
  const parsed = request("GET /chat?room=lobby HTTP/1.1\r\nHost: example.com\r\nX-Empty:\r\n\r\n");
  assert.equal(parsed.method, "GET");
  assert.equal(parsed.target, "/chat?room=lobby");
  assert.equal(parsed.version, "HTTP/1.1");
  assert.deepEqual(parsed.headers, new Map([["host", "example.com"], ["x-empty", ""]]));
  assert.equal(parsed.contentLength, 0);
  assert.deepEqual(parsed.rest, new Uint8Array(0));
});

Deno.test("HttpRequestParser.push() returns the bytes after the head as a copy", () => {
  const input = bytes("GET / HTTP/1.1\r\nHost: x\r\n\r\n\x81\x85abc");
  const result = new HttpRequestParser().push(input);
  assert.equal(result.kind, "done");
  const { rest } = (result as { request: HttpRequest }).request;
  assert.deepEqual(rest, bytes("\x81\x85abc"));
  input.fill(0);
  assert.deepEqual(rest, bytes("\x81\x85abc"));
});

Deno.test("HttpRequestParser.push() accepts bare LF line ends, also mixed with CRLF", () => {
  const parsed = request("GET / HTTP/1.1\nHost: x\r\nA: 1\n\nrest");
  assert.deepEqual(parsed.headers, new Map([["host", "x"], ["a", "1"]]));
  assert.equal(decoder.decode(parsed.rest), "rest");
});

Deno.test("HttpRequestParser.push() gives the same head fed one byte at a time", () => {
  const text =
    "GET /a?b=c HTTP/1.1\r\nHost: x\r\nCookie: a=1\r\nCookie: b=2\r\nAccept: */*\r\n\r\n";
  assert.deepEqual(parseByteByByte(text), parse(text));
  const result = parseByteByByte(text);
  assert.equal(result.kind, "done");
});

Deno.test("HttpRequestParser.push() answers more for a head that is slow to come", () => {
  // A slowloris peer: the parser keeps answering `more`; the caller's deadline ends it.
  const parser = new HttpRequestParser();
  for (const piece of ["GET / HTTP/1.1\r\n", "Host: x\r\n", "X-a: ", "b", "\r", "\n", "X-c"]) {
    assert.deepEqual(parser.push(bytes(piece)), { kind: "more" });
  }
  assert.deepEqual(parser.push(new Uint8Array(0)), { kind: "more" });
  assert.equal(parser.push(bytes(": d\r\n\r\n")).kind, "done");
});

Deno.test("HttpRequestParser.push() lowercases names, trims values and joins repeated headers", () => {
  const parsed = request(
    "GET / HTTP/1.1\r\nHOST: x\r\nAccept:  text/html \t\r\nACCEPT: */*\r\n" +
      "Cookie: a=1\r\ncookie: b=2\r\nX-Tab:\tv\r\n\r\n",
  );
  assert.deepEqual(
    parsed.headers,
    new Map([
      ["host", "x"],
      ["accept", "text/html, */*"],
      ["cookie", "a=1; b=2"],
      ["x-tab", "v"],
    ]),
  );
});

Deno.test("HttpRequestParser.push() refuses a header that must appear once when repeated", () => {
  assertError(parse("GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n"), 400, /Repeated header: host/);
  assertError(
    parse("GET / HTTP/1.1\r\nHost: a\r\nSec-WebSocket-Key: a\r\nSec-WebSocket-Key: b\r\n\r\n"),
    400,
    /sec-websocket-key/,
  );
});

Deno.test("HttpRequestParser.push() keeps header bytes as ISO-8859-1 characters", () => {
  const input = new Uint8Array([...bytes("GET / HTTP/1.1\r\nHost: x\r\nX: "), 0xc3, 0xa9, 0x80])
    .slice();
  const result = parse(new Uint8Array([...input, ...bytes("\r\n\r\n")]));
  assert.equal(result.kind, "done");
  assert.equal((result as { request: HttpRequest }).request.headers.get("x"), "\u00c3\u00a9\u0080");
});

Deno.test("HttpRequestParser.push() ignores empty lines before the request line", () => {
  assert.equal(request("\r\n\nGET / HTTP/1.1\r\nHost: x\r\n\r\n").method, "GET");
});

Deno.test("HttpRequestParser.push() refuses obsolete line folding", () => {
  assertError(parse("GET / HTTP/1.1\r\nHost: x\r\nX: a\r\n b\r\n\r\n"), 400, /folding/);
  assertError(parse("GET / HTTP/1.1\r\nHost: x\r\nX: a\r\n\tb\r\n\r\n"), 400, /folding/);
  assertError(parse("GET / HTTP/1.1\r\n Host: x\r\n\r\n"), 400, /folding/);
});

Deno.test("HttpRequestParser.push() refuses whitespace before the colon", () => {
  assertError(parse("GET / HTTP/1.1\r\nHost : x\r\n\r\n"), 400, /Whitespace before the colon/);
  assertError(parse("GET / HTTP/1.1\r\nHost\t: x\r\n\r\n"), 400, /Whitespace before the colon/);
});

Deno.test("HttpRequestParser.push() refuses header names that are not tokens", () => {
  assertError(parse("GET / HTTP/1.1\r\nHo(st: x\r\n\r\n"), 400, /Malformed header name/);
  assertError(parse("GET / HTTP/1.1\r\nX Y: x\r\n\r\n"), 400);
  assertError(parse("GET / HTTP/1.1\r\n: x\r\n\r\n"), 400, /Empty header name/);
  assertError(parse("GET / HTTP/1.1\r\nHost\r\n\r\n"), 400, /without a colon/);
  assertError(parse("GET / HTTP/1.1\r\nH\u00e9: x\r\n\r\n"), 400, /Malformed header name/);
});

Deno.test("HttpRequestParser.push() refuses control characters and bare CR", () => {
  assertError(parse("GET / HTTP/1.1\r\nHost: x\r\nX: a\0b\r\n\r\n"), 400, /Control character/);
  assertError(parse("GET / HTTP/1.1\r\nHost: x\r\nX: a\x7fb\r\n\r\n"), 400, /Control character/);
  assertError(parse("GET / HTTP/1.1\r\nHost: x\r\nX: a\rb\r\n\r\n"), 400, /Bare CR/);
  assertError(parse("GET / HTTP/1.1\r\nHost: x\r\n\r\r\n"), 400, /Bare CR/);
});

Deno.test("HttpRequestParser.push() refuses malformed request lines", () => {
  for (
    const line of [
      "GET /",
      "GET  / HTTP/1.1",
      "GET / HTTP/1.1 ",
      "GET / http/1.1",
      "GET / HTTP/1",
      "GET / HTTP/1.1x",
      "G(T / HTTP/1.1",
      "GET a HTTP/1.1",
      "GET /\u00e9 HTTP/1.1",
      "GET /a#b HTTP/1.1",
      "GET * HTTP/1.1",
      "GET http://a@b/ HTTP/1.1",
      "GET http:/// HTTP/1.1",
    ]
  ) {
    assertError(parse(`${line}\r\nHost: x\r\n\r\n`), 400, undefined);
  }
});

Deno.test("HttpRequestParser.push() accepts HTTP/1.0 and 1.1 only", () => {
  const old = request("GET / HTTP/1.0\r\n\r\n");
  assert.equal(old.version, "HTTP/1.0");
  assert.deepEqual(old.headers, new Map());
  for (const version of ["HTTP/2.0", "HTTP/1.2", "HTTP/0.9", "HTTP/3.0"]) {
    assertError(parse(`GET / ${version}\r\nHost: x\r\n\r\n`), 505, /version not supported/);
  }
});

Deno.test("HttpRequestParser.push() needs Host in HTTP/1.1", () => {
  assertError(parse("GET / HTTP/1.1\r\n\r\n"), 400, /Missing Host/);
  assert.equal(request("GET / HTTP/1.1\r\nHost:\r\n\r\n").headers.get("host"), "");
});

Deno.test("HttpRequestParser.push() takes OPTIONS * and absolute-form targets", () => {
  assert.equal(request("OPTIONS * HTTP/1.1\r\nHost: x\r\n\r\n").target, "*");
  const absolute = request("GET http://Example.com:80/a?b HTTP/1.1\r\nHost: other\r\n\r\n");
  assert.equal(absolute.target, "/a?b");
  assert.equal(absolute.headers.get("host"), "Example.com:80");
  assert.equal(request("GET https://h?q HTTP/1.1\r\nHost: h\r\n\r\n").target, "/?q");
  assert.equal(request("GET http://h HTTP/1.0\r\n\r\n").headers.get("host"), "h");
});

Deno.test("HttpRequestParser.push() refuses CONNECT and Transfer-Encoding with 501", () => {
  assertError(parse("CONNECT example.com:443 HTTP/1.1\r\nHost: x\r\n\r\n"), 501, /CONNECT/);
  assertError(
    parse("POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"),
    501,
    /Transfer-Encoding/,
  );
  assertError(
    parse("POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\n"),
    400,
    /Both/,
  );
  assertError(parse("POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n"), 400, /HTTP\/1\.0/);
});

Deno.test("HttpRequestParser.push() reads Content-Length, refusing a malformed one", () => {
  assert.equal(
    request("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 42\r\n\r\n").contentLength,
    42,
  );
  assert.equal(
    request("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nContent-Length: 5\r\n\r\n")
      .contentLength,
    5,
  );
  assert.equal(
    request("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 7, 7\r\n\r\n").contentLength,
    7,
  );
  for (const value of ["", "-1", "1e3", "0x10", "5, 6", "1234567890123456", " "]) {
    assertError(
      parse(`POST / HTTP/1.1\r\nHost: x\r\nContent-Length: ${value}\r\n\r\n`),
      400,
      /Content-Length/,
    );
  }
  assertError(
    parse("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\n"),
    400,
    /Content-Length/,
  );
});

Deno.test("HttpRequestParser.push() refuses a request line over 8 KiB with 414", () => {
  const fits = `GET /${"a".repeat(MAX_REQUEST_LINE_BYTES - "GET / HTTP/1.1".length)} HTTP/1.1`;
  assert.equal(fits.length, MAX_REQUEST_LINE_BYTES);
  assert.equal(parse(`${fits}\r\nHost: x\r\n\r\n`).kind, "done");
  assert.equal(parse(`${fits}\nHost: x\n\n`).kind, "done");
  const tooLong = `GET /a${fits.slice(5)}`;
  assertError(parse(`${tooLong}\r\nHost: x\r\n\r\n`), 414, /Request line over 8192 bytes/);
  // Known before the line ends: the parser does not wait for an LF that may never come.
  const parser = new HttpRequestParser();
  assert.deepEqual(parser.push(bytes(fits)), { kind: "more" });
  assert.deepEqual(parser.push(bytes("\r")), { kind: "more" });
  assertError(parser.push(bytes("x")), 414);
  const unended = new HttpRequestParser();
  assertError(unended.push(bytes(`GET /${"a".repeat(100_000)}`)), 414);
});

Deno.test("HttpRequestParser.push() refuses 100 KB of headers with 431, whole or in pieces", () => {
  const line = `X-Filler: ${"v".repeat(990)}\r\n`;
  const head = `GET / HTTP/1.1\r\nHost: x\r\n${line.repeat(100)}\r\n`;
  assert.ok(head.length > 100_000);
  assertError(parse(head), 431, /Request head over 16384 bytes/);
  const parser = new HttpRequestParser();
  const input = bytes(head);
  let result: HttpHeadResult = { kind: "more" };
  let fed = 0;
  for (; result.kind === "more" && fed < input.length; fed += 1000) {
    result = parser.push(input.subarray(fed, fed + 1000));
  }
  assertError(result, 431);
  assert.ok(fed <= MAX_HEAD_BYTES + 1000, `stopped after ${fed} bytes`);
  // One header line longer than the whole head cap, without its line end.
  assertError(parse(`GET / HTTP/1.1\r\nX: ${"v".repeat(MAX_HEAD_BYTES)}`), 431);
});

Deno.test("HttpRequestParser.push() accepts a head of exactly 16 KiB and refuses one byte more", () => {
  const start = "GET / HTTP/1.1\r\nHost: x\r\nX: ";
  const fill = MAX_HEAD_BYTES - start.length - "\r\n\r\n".length;
  const exact = `${start}${"v".repeat(fill)}\r\n\r\n`;
  assert.equal(exact.length, MAX_HEAD_BYTES);
  assert.equal(parse(`${exact}after`).kind, "done");
  assert.equal(parseByteByByte(exact).kind, "done");
  const over = `${start}${"v".repeat(fill + 1)}\r\n\r\n`;
  assertError(parse(over), 431);
  assertError(parseByteByByte(over), 431);
});

Deno.test("HttpRequestParser.push() accepts 100 header lines and refuses 101 with 431", () => {
  const lines = (count: number) =>
    Array.from({ length: count }, (_, i) => `X-${i}: ${i}\r\n`).join("");
  const hundred = request(`GET / HTTP/1.1\r\nHost: x\r\n${lines(MAX_HEADER_COUNT - 1)}\r\n`);
  assert.equal(hundred.headers.size, MAX_HEADER_COUNT);
  assertError(
    parse(`GET / HTTP/1.1\r\nHost: x\r\n${lines(MAX_HEADER_COUNT)}\r\n`),
    431,
    /Over 100 header lines/,
  );
});

Deno.test("HttpRequestParser.push() throws a TypeError once finished", () => {
  const parser = new HttpRequestParser();
  assert.equal(parser.push(bytes("GET / HTTP/1.0\r\n\r\n")).kind, "done");
  assert.throws(() => parser.push(bytes("more")), TypeError);
  const failed = new HttpRequestParser();
  assert.equal(failed.push(bytes("GET / HTTP/9.9\r\n")).kind, "error");
  assert.throws(() => failed.push(bytes("\r\n")), TypeError);
});

// ---- formatResponse -------------------------------------------------------------------------

Deno.test("formatResponse() writes status, headers, Content-Length and Connection: close", () => {
  const response = formatResponse({
    status: 404,
    headers: { "Content-Type": "text/plain; charset=utf-8" },
    body: "No such page \u2615",
  });
  assert.equal(
    decoder.decode(response),
    "HTTP/1.1 404 Not Found\r\nContent-Type: text/plain; charset=utf-8\r\n" +
      "Content-Length: 16\r\nConnection: close\r\n\r\nNo such page \u2615",
  );
});

Deno.test("formatResponse() with bodyLength writes the head of a body sent after it", () => {
  const head = formatResponse({ status: 200, headers: { "Content-Type": "a/b" }, bodyLength: 5 });
  assert.equal(
    decoder.decode(head),
    "HTTP/1.1 200 OK\r\nContent-Type: a/b\r\nContent-Length: 5\r\nConnection: close\r\n\r\n",
  );
  assert.throws(() => formatResponse({ status: 200, body: "x", bodyLength: 1 }), TypeError);
  assert.throws(() => formatResponse({ status: 200, bodyLength: -1 }), TypeError);
  assert.throws(() => formatResponse({ status: 204, bodyLength: 1 }), TypeError);
});

Deno.test("formatResponse() takes a header list, a reason, bytes and the caller's Connection", () => {
  const response = formatResponse({
    status: 200,
    reason: "Fine",
    headers: [["Set-Cookie", "a=1"], ["Set-Cookie", "b=2"], ["Connection", "keep-alive"]],
    body: Uint8Array.of(0, 1, 2),
  });
  assert.equal(
    decoder.decode(response),
    "HTTP/1.1 200 Fine\r\nSet-Cookie: a=1\r\nSet-Cookie: b=2\r\nConnection: keep-alive\r\n" +
      "Content-Length: 3\r\n\r\n\0\x01\x02",
  );
  assert.equal(
    decoder.decode(formatResponse({ status: 299 })),
    "HTTP/1.1 299 \r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
  );
});

Deno.test("formatResponse() leaves Content-Length out of 1xx, 204 and 304 responses", () => {
  assert.equal(
    decoder.decode(formatResponse({ status: 204 })),
    "HTTP/1.1 204 No Content\r\nConnection: close\r\n\r\n",
  );
  assert.throws(() => formatResponse({ status: 204, body: "x" }), TypeError);
  assert.throws(() => formatResponse({ status: 101, body: "x" }), TypeError);
});

Deno.test("formatResponse() refuses CR, LF and bad names with a TypeError", () => {
  for (const value of ["a\r\nSet-Cookie: evil=1", "a\nb", "a\rb", "a\0b", "\u2615"]) {
    assert.throws(() => formatResponse({ status: 200, headers: { "X": value } }), TypeError);
  }
  assert.throws(() => formatResponse({ status: 200, reason: "OK\r\nX: y" }), TypeError);
  assert.throws(() => formatResponse({ status: 200, headers: { "Bad Name": "v" } }), TypeError);
  assert.throws(() => formatResponse({ status: 200, headers: { "": "v" } }), TypeError);
  assert.throws(
    () => formatResponse({ status: 200, headers: { "Content-Length": "1" } }),
    TypeError,
  );
  assert.throws(() => formatResponse({ status: 200, headers: [["transfer-encoding", "chunked"]] }));
  for (const status of [99, 600, 200.5, NaN]) {
    assert.throws(() => formatResponse({ status }), TypeError);
  }
});

// ---- WebSocket handshake --------------------------------------------------------------------

const RFC_KEY = "dGhlIHNhbXBsZSBub25jZQ==";
const RFC_ACCEPT = "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=";

function handshake(
  headers: Record<string, string>,
  requestLine = "GET /chat HTTP/1.1",
): HttpRequest {
  const base: Record<string, string> = {
    "Host": "server.example.com",
    "Upgrade": "websocket",
    "Connection": "Upgrade",
    "Sec-WebSocket-Key": RFC_KEY,
    "Origin": "http://example.com",
    "Sec-WebSocket-Version": "13",
  };
  const lines = Object.entries({ ...base, ...headers })
    .filter(([, value]) => value !== "")
    .map(([name, value]) => `${name}: ${value}\r\n`);
  return request(`${requestLine}\r\n${lines.join("")}\r\n`);
}

Deno.test("webSocketAccept() gives the RFC 6455 example answer", () => {
  assert.equal(webSocketAccept(RFC_KEY), RFC_ACCEPT);
});

Deno.test("formatWebSocketAccept() writes the 101 response", () => {
  assert.equal(
    decoder.decode(formatWebSocketAccept(RFC_KEY)),
    "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
      `Sec-WebSocket-Accept: ${RFC_ACCEPT}\r\n\r\n`,
  );
});

function assertMatch(text: string, pattern: RegExp): void {
  assert.match(text, pattern);
}

Deno.test("formatWebSocketAccept() names a chosen subprotocol; chooseSubprotocol() picks one", () => {
  assertMatch(
    decoder.decode(formatWebSocketAccept(RFC_KEY, "text.ircv3.net")),
    /\r\nSec-WebSocket-Protocol: text\.ircv3\.net\r\n/,
  );
  assert.equal(
    chooseSubprotocol("binary.ircv3.net, text.ircv3.net", ["text.ircv3.net"]),
    "text.ircv3.net",
  );
  assert.equal(chooseSubprotocol("chat, other", ["text.ircv3.net"]), undefined);
  assert.equal(chooseSubprotocol("TEXT.IRCV3.NET", ["text.ircv3.net"]), undefined);
  assert.equal(chooseSubprotocol(undefined, ["text.ircv3.net"]), undefined);
});

Deno.test("isWebSocketUpgrade() accepts the RFC 6455 handshake and browser variants", () => {
  assert.deepEqual(isWebSocketUpgrade(handshake({})), { ok: true, key: RFC_KEY });
  // Firefox lists keep-alive too; case does not matter in either header.
  assert.equal(
    isWebSocketUpgrade(handshake({ Connection: "keep-alive, Upgrade", Upgrade: "WebSocket" })).ok,
    true,
  );
  assert.equal(isWebSocketUpgrade(handshake({ Connection: "UPGRADE" })).ok, true);
});

Deno.test("isWebSocketUpgrade() refuses a handshake with what is wrong and a status", () => {
  const cases: [HttpRequest, RegExp][] = [
    [handshake({}, "POST /chat HTTP/1.1"), /must use GET/],
    [handshake({}, "GET /chat HTTP/1.0"), /must use HTTP\/1\.1/],
    [handshake({ Upgrade: "" }), /Upgrade: websocket/],
    [handshake({ Upgrade: "h2c" }), /Upgrade: websocket/],
    [handshake({ Connection: "" }), /Connection: Upgrade/],
    [handshake({ Connection: "keep-alive" }), /Connection: Upgrade/],
    [handshake({ Connection: "upgraded" }), /Connection: Upgrade/],
    [handshake({ "Sec-WebSocket-Key": "" }), /needs Sec-WebSocket-Key/],
    [handshake({ "Sec-WebSocket-Key": "c2hvcnQ=" }), /base64 of 16 bytes/],
    [handshake({ "Sec-WebSocket-Key": "AAAAAAAAAAAAAAAAAAAAAAAA" }), /base64 of 16 bytes/],
    [handshake({ "Sec-WebSocket-Key": "dGhlIHNhbXBsZSBub25jZR==" }), /base64 of 16 bytes/],
    [handshake({ "Sec-WebSocket-Key": "dGhlIHNhbXBsZSBub25jZQ" }), /base64 of 16 bytes/],
  ];
  for (const [req, reason] of cases) {
    const check = isWebSocketUpgrade(req);
    assert.equal(check.ok, false);
    if (check.ok) continue;
    assert.equal(check.status, 400);
    assert.match(check.reason, reason);
    assert.deepEqual(check.headers, {});
  }
});

Deno.test("isWebSocketUpgrade() answers another or no version with 426 and version 13", () => {
  for (const version of ["8", "", "13, 8", "14"]) {
    const check = isWebSocketUpgrade(handshake({ "Sec-WebSocket-Version": version }));
    assert.equal(check.ok, false);
    if (check.ok) continue;
    assert.equal(check.status, 426);
    assert.equal(check.headers["Sec-WebSocket-Version"], "13");
    assert.equal(check.headers["Upgrade"], "websocket");
    const response = decoder.decode(
      formatResponse({ status: check.status, headers: check.headers, body: check.reason }),
    );
    assert.match(response, /^HTTP\/1\.1 426 Upgrade Required\r\n/);
    assert.match(response, /\r\nSec-WebSocket-Version: 13\r\n/);
  }
});
