import assert from "node:assert/strict";
import {
  type ByteStream,
  isAllowedOrigin,
  isSameOrigin,
  serveHttp,
  type ServeHttpOptions,
} from "../src/carrier/http_front.ts";
import type { LineConnection } from "../src/carrier/connection.ts";
import { CLIENT_PAGE_HTML, CLIENT_PAGE_JS } from "../src/web/page.ts";
import { PROTOCOL_VERSION } from "../src/version.ts";
import { encodeClientFrame } from "./websocket_client_frame.ts";

const encoder = new TextEncoder();

function assertIncludes(actual: string, expected: string): void {
  assert.ok(
    actual.includes(expected),
    `Expected ${JSON.stringify(actual.slice(0, 200))} to include ${JSON.stringify(expected)}`,
  );
}
const decoder = new TextDecoder();

/** A loopback server whose every connection goes through serveHttp. */
interface Front {
  port: number;
  /** What serveHttp resolved to, one per connection, in order. */
  next(): Promise<LineConnection | undefined>;
  close(): Promise<void>;
}

function startFront(options: Partial<ServeHttpOptions> = {}): Front {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const results: Promise<LineConnection | undefined>[] = [];
  const waiters: ((result: Promise<LineConnection | undefined>) => void)[] = [];
  const lines: LineConnection[] = [];
  const accepting = (async () => {
    for await (const conn of listener) {
      // As the chat server does: the first bytes are read before serveHttp sees the connection.
      const result = (async () => {
        const buffer = new Uint8Array(64);
        const n = await conn.read(buffer);
        const head = buffer.slice(0, n ?? 0);
        const line = await serveHttp(conn, head, {
          remote: "test",
          maxLineBytes: 1024,
          ...options,
        });
        if (line !== undefined) lines.push(line);
        return line;
      })();
      const waiter = waiters.shift();
      if (waiter === undefined) results.push(result);
      else waiter(result);
    }
  })();
  return {
    port: (listener.addr as Deno.NetAddr).port,
    next() {
      const ready = results.shift();
      if (ready !== undefined) return ready;
      return new Promise((resolve) => waiters.push((result) => resolve(result)));
    },
    async close() {
      listener.close();
      await accepting;
      for (const line of lines) line.close();
      await Promise.all(results);
    },
  };
}

/** Sends raw bytes, then reads until the server closes; returns all it sent. */
async function rawExchange(port: number, request: string | Uint8Array): Promise<Uint8Array> {
  const conn = await Deno.connect({ hostname: "127.0.0.1", port });
  try {
    await conn.write(typeof request === "string" ? encoder.encode(request) : request);
    return await readToEnd(conn);
  } finally {
    conn.close();
  }
}

async function readToEnd(conn: Deno.Conn): Promise<Uint8Array> {
  const parts: number[] = [];
  const buffer = new Uint8Array(65536);
  while (true) {
    let n: number | null;
    try {
      n = await conn.read(buffer);
    } catch {
      break; // a reset after the close
    }
    if (n === null) break;
    parts.push(...buffer.subarray(0, n));
  }
  return Uint8Array.from(parts);
}

function responseHead(bytes: Uint8Array): { status: number; headers: Map<string, string> } {
  const text = decoder.decode(bytes);
  const end = text.indexOf("\r\n\r\n");
  const lines = text.slice(0, end).split("\r\n");
  const status = Number(lines[0]?.split(" ")[1]);
  const headers = new Map<string, string>();
  for (const line of lines.slice(1)) {
    const colon = line.indexOf(":");
    headers.set(line.slice(0, colon).toLowerCase(), line.slice(colon + 1).trim());
  }
  return { status, headers };
}

function upgradeRequest(port: number, extra = ""): string {
  return `GET /ws HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nUpgrade: websocket\r\n` +
    "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n" +
    `Sec-WebSocket-Version: 13\r\n${extra}\r\n`;
}

/** Reads from a raw socket until `count` bytes have come. */
async function readExactly(conn: Deno.Conn, count: number): Promise<Uint8Array> {
  const out = new Uint8Array(count);
  let have = 0;
  while (have < count) {
    const n = await conn.read(out.subarray(have));
    if (n === null) throw new Error(`Connection ended after ${have} of ${count} bytes`);
    have += n;
  }
  return out;
}

/** Opens a raw WebSocket (handshake done, the 101 read); returns the socket. */
async function rawWebSocket(port: number, extra = ""): Promise<Deno.Conn> {
  const conn = await Deno.connect({ hostname: "127.0.0.1", port });
  await conn.write(encoder.encode(upgradeRequest(port, extra)));
  let head = "";
  while (!head.endsWith("\r\n\r\n")) head += decoder.decode(await readExactly(conn, 1));
  assert.match(head, /^HTTP\/1\.1 101 /);
  return conn;
}

function openWebSocket(port: number, protocols?: string[]): Promise<WebSocket> {
  const socket = new WebSocket(`ws://127.0.0.1:${port}/ws`, protocols);
  return new Promise((resolve, reject) => {
    socket.onopen = () => resolve(socket);
    socket.onerror = (event) => reject(new Error(`WebSocket failed: ${String(event)}`));
  });
}

function nextMessage(socket: WebSocket): Promise<string> {
  return new Promise((resolve) => {
    socket.addEventListener("message", (event) => resolve(String(event.data)), { once: true });
  });
}

function closed(socket: WebSocket): Promise<CloseEvent> {
  return new Promise((resolve) => socket.addEventListener("close", resolve, { once: true }));
}

function text(lines: (Uint8Array | null)[] | null): (string | null)[] | null {
  return lines === null ? null : lines.map((line) => line === null ? null : decoder.decode(line));
}

// ---- plain HTTP -----------------------------------------------------------------------------

Deno.test("serveHttp() serves the page with strict headers and closes", async () => {
  const front = startFront();
  try {
    const bytes = await rawExchange(
      front.port,
      `GET / HTTP/1.1\r\nHost: 127.0.0.1:${front.port}\r\n\r\n`,
    );
    assert.deepEqual(await front.next(), undefined);
    const { status, headers } = responseHead(bytes);
    assert.deepEqual(status, 200);
    assert.deepEqual(headers.get("content-type"), "text/html; charset=utf-8");
    assert.deepEqual(headers.get("cache-control"), "no-store");
    assert.deepEqual(headers.get("x-content-type-options"), "nosniff");
    assert.deepEqual(headers.get("referrer-policy"), "no-referrer");
    assert.deepEqual(headers.get("connection"), "close");
    const csp = headers.get("content-security-policy") ?? "";
    assertIncludes(csp, "default-src 'none'");
    assertIncludes(csp, "script-src 'self'");
    assertIncludes(csp, `connect-src 'self' ws://127.0.0.1:${front.port}`);
    assert.ok(!csp.includes("unsafe-inline"));
    assertIncludes(decoder.decode(bytes), CLIENT_PAGE_HTML);
  } finally {
    await front.close();
  }
});

Deno.test("serveHttp() serves the script, style sheet, index.html and favicon", async () => {
  const front = startFront();
  try {
    const base = `http://127.0.0.1:${front.port}`;
    for (
      const [path, status, type] of [
        ["/app.js", 200, "text/javascript; charset=utf-8"],
        ["/app.css", 200, "text/css; charset=utf-8"],
        ["/index.html?x=1", 200, "text/html; charset=utf-8"],
        ["/favicon.ico", 204, null],
        ["/nope", 404, "text/plain; charset=utf-8"],
      ] as const
    ) {
      const response = await fetch(base + path);
      await response.body?.cancel();
      assert.deepEqual(await front.next(), undefined);
      assert.deepEqual(response.status, status, path);
      assert.deepEqual(response.headers.get("content-type"), type, path);
      assert.deepEqual(response.headers.get("x-content-type-options"), "nosniff", path);
    }
  } finally {
    await front.close();
  }
});

Deno.test("serveHttp() interpolates the protocol version into the script", () => {
  assertIncludes(CLIENT_PAGE_JS, `var PROTOCOL_VERSION = ${PROTOCOL_VERSION};`);
  assert.ok(!CLIENT_PAGE_JS.includes("innerHTML"));
});

Deno.test("serveHttp() refuses other methods with 405", async () => {
  const front = startFront();
  try {
    const bytes = await rawExchange(
      front.port,
      "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\nhi",
    );
    assert.deepEqual(await front.next(), undefined);
    const { status, headers } = responseHead(bytes);
    assert.deepEqual(status, 405);
    assert.deepEqual(headers.get("allow"), "GET");
  } finally {
    await front.close();
  }
});

Deno.test("serveHttp() answers a malformed head with 400 and closes", async () => {
  const front = startFront();
  try {
    const bytes = await rawExchange(front.port, "GET / HTTP/1.1\r\nHostx\r\n\r\n");
    assert.deepEqual(await front.next(), undefined);
    assert.deepEqual(responseHead(bytes).status, 400);
    assertIncludes(decoder.decode(bytes), "Header line without a colon");
  } finally {
    await front.close();
  }
});

Deno.test("serveHttp() reads a head split between the bytes given and later reads", async () => {
  const chunks = ["ost: x\r\n", "\r\n"].map((chunk) => encoder.encode(chunk));
  const written: Uint8Array[] = [];
  let closedCount = 0;
  const conn: ByteStream = {
    read(buffer) {
      const chunk = chunks.shift();
      if (chunk === undefined) return Promise.resolve(null);
      buffer.set(chunk);
      return Promise.resolve(chunk.length);
    },
    write(bytes) {
      written.push(bytes.slice());
      return Promise.resolve(bytes.length);
    },
    close() {
      closedCount++;
    },
  };
  const result = await serveHttp(conn, encoder.encode("GET /nope HTTP/1.1\r\nH"), {
    remote: "fake",
    maxLineBytes: 100,
  });
  assert.deepEqual(result, undefined);
  assert.deepEqual(closedCount, 1);
  assert.match(decoder.decode(written[0]), /^HTTP\/1\.1 404 Not Found\r\n/);
});

Deno.test("serveHttp() answers 408 when the head does not come in time", async () => {
  const front = startFront({ headTimeoutMs: 200 });
  try {
    const started = Date.now();
    const bytes = await rawExchange(front.port, "GET / HTTP/1.1\r\nHost: x\r\n");
    assert.deepEqual(await front.next(), undefined);
    assert.deepEqual(responseHead(bytes).status, 408);
    assert.ok(Date.now() - started < 5000);
  } finally {
    await front.close();
  }
});

Deno.test("isSameOrigin() compares the origin's host with the Host header", () => {
  assert.ok(isSameOrigin("http://localhost:8080", "localhost:8080"));
  assert.ok(isSameOrigin("https://Chat.Example", "chat.example:443"));
  assert.ok(isSameOrigin("http://[::1]:1", "[::1]:1"));
  assert.ok(!isSameOrigin("http://evil.example", "chat.example"));
  assert.ok(!isSameOrigin("http://localhost:8081", "localhost:8080"));
  assert.ok(!isSameOrigin("null", "localhost"));
  assert.ok(!isSameOrigin("file://x", "x"));
  assert.ok(!isSameOrigin("http://x", undefined));
  assert.ok(!isSameOrigin("http://x", "x;y"));
});

// ---- WebSocket --------------------------------------------------------------------------------

Deno.test("serveHttp() upgrades /ws and exchanges lines with a browser-style client", async () => {
  const front = startFront({ maxMessageBytes: 4096 });
  try {
    const socket = await openWebSocket(front.port);
    const line = await front.next();
    assert.ok(line !== undefined);
    assert.deepEqual(line.remote, "test");

    socket.send('{"type":"hello"}\n');
    assert.deepEqual(text(await line.readLines()), ['{"type":"hello"}']);
    socket.send("a\nb\r\nc"); // several lines, the last without a line end
    assert.deepEqual(text(await line.readLines()), ["a", "b", "c"]);
    socket.send("x".repeat(1025) + "\nok\n"); // a line over maxLineBytes, then a good one
    assert.deepEqual(text(await line.readLines()), [null, "ok"]);

    // Two lines written at once arrive as one message.
    const message = nextMessage(socket);
    await line.write(encoder.encode('{"type":"ping"}\n{"type":"pong"}\n'));
    assert.deepEqual(await message, '{"type":"ping"}\n{"type":"pong"}\n');

    // The client closes: readLines ends, and the close is answered with the same code.
    const closing = closed(socket);
    socket.close(1000, "bye");
    assert.deepEqual(await line.readLines(), null);
    assert.deepEqual((await closing).code, 1000);
  } finally {
    await front.close();
  }
});

Deno.test("serveHttp() speaks IRC over WebSocket: text.ircv3.net, one line per message", async () => {
  const front = startFront();
  try {
    const socket = await openWebSocket(front.port, ["binary.ircv3.net", "text.ircv3.net"]);
    assert.equal(socket.protocol, "text.ircv3.net");
    const line = await front.next();
    assert.ok(line !== undefined);
    socket.send("NICK ana");
    assert.deepEqual(text(await line.readLines()), ["NICK ana"]);
    const messages: string[] = [];
    const two = new Promise<void>((resolve) => {
      socket.addEventListener("message", (event) => {
        messages.push(String(event.data));
        if (messages.length === 2) resolve();
      });
    });
    await line.write(encoder.encode(":chat 001 ana :Welcome\r\nPING :x\r\n"));
    await two;
    assert.deepEqual(messages, [":chat 001 ana :Welcome", "PING :x"]);
    const closing = closed(socket);
    socket.close();
    assert.deepEqual(await line.readLines(), null);
    await closing;
  } finally {
    await front.close();
  }
});

Deno.test("serveHttp() names no subprotocol when none offered is one it speaks", async () => {
  const front = startFront();
  try {
    const plain = await openWebSocket(front.port);
    assert.equal(plain.protocol, "");
    const line = await front.next();
    const closing = closed(plain);
    plain.close();
    assert.deepEqual(await line?.readLines(), null);
    await closing;
  } finally {
    await front.close();
  }
});

Deno.test("serveHttp() WebSocket close() sends a close frame to the client", async () => {
  const front = startFront();
  try {
    const socket = await openWebSocket(front.port);
    const line = await front.next();
    assert.ok(line !== undefined);
    const closing = closed(socket);
    line.close();
    line.close(); // twice is fine
    const event = await closing;
    assert.deepEqual(event.code, 1000);
    assert.deepEqual(await line.readLines(), null);
    let failed = false;
    await line.write(encoder.encode("late\n")).catch(() => failed = true);
    assert.ok(failed);
  } finally {
    await front.close();
  }
});

Deno.test("serveHttp() closes with 1009 on a message over the limit", async () => {
  const front = startFront({ maxLineBytes: 100 });
  try {
    const socket = await openWebSocket(front.port);
    const line = await front.next();
    assert.ok(line !== undefined);
    const closing = closed(socket);
    socket.send("y".repeat(500));
    assert.deepEqual(await line.readLines(), null);
    assert.deepEqual((await closing).code, 1009);
  } finally {
    await front.close();
  }
});

Deno.test("serveHttp() answers pings with pongs carrying the same data", async () => {
  const front = startFront();
  const conn = await rawWebSocket(front.port);
  try {
    const line = await front.next();
    assert.ok(line !== undefined);
    const reading = line.readLines();
    await conn.write(encodeClientFrame(0x9, encoder.encode("abc")));
    assert.deepEqual([...await readExactly(conn, 5)], [0x8a, 3, 0x61, 0x62, 0x63]);
    await conn.write(encodeClientFrame(0x1, encoder.encode("after ping\n")));
    assert.deepEqual(text(await reading), ["after ping"]);
  } finally {
    conn.close();
    await front.close();
  }
});

Deno.test("serveHttp() passes bytes that came with the head on to the WebSocket", async () => {
  const front = startFront();
  const conn = await Deno.connect({ hostname: "127.0.0.1", port: front.port });
  try {
    const request = encoder.encode(upgradeRequest(front.port));
    const frame = encodeClientFrame(0x1, encoder.encode("early\n"));
    const both = new Uint8Array(request.length + frame.length);
    both.set(request);
    both.set(frame, request.length);
    await conn.write(both);
    const line = await front.next();
    assert.ok(line !== undefined);
    assert.deepEqual(text(await line.readLines()), ["early"]);
  } finally {
    conn.close();
    await front.close();
  }
});

Deno.test("serveHttp() closes with 1002 on an unmasked frame and 1003 on binary", async () => {
  const front = startFront();
  try {
    for (
      const [frame, code] of [
        [Uint8Array.of(0x81, 0x02, 0x68, 0x69), 1002],
        [encodeClientFrame(0x2, Uint8Array.of(1, 2, 3)), 1003],
        [Uint8Array.of(0xff, 0xff, 0xff, 0xff), 1002],
      ] as const
    ) {
      const conn = await rawWebSocket(front.port);
      try {
        const line = await front.next();
        assert.ok(line !== undefined);
        const reading = line.readLines();
        await conn.write(frame);
        assert.deepEqual(await reading, null);
        const bytes = await readToEnd(conn);
        assert.deepEqual(bytes[0], 0x88);
        assert.deepEqual(((bytes[2] ?? 0) << 8) | (bytes[3] ?? 0), code);
      } finally {
        conn.close();
      }
    }
  } finally {
    await front.close();
  }
});

Deno.test("serveHttp() refuses a WebSocket from another origin with 403", async () => {
  const front = startFront();
  try {
    const refused = await rawExchange(
      front.port,
      upgradeRequest(front.port, "Origin: http://evil.example\r\n"),
    );
    assert.deepEqual(await front.next(), undefined);
    assert.deepEqual(responseHead(refused).status, 403);

    const conn = await rawWebSocket(front.port, `Origin: http://127.0.0.1:${front.port}\r\n`);
    conn.close();
    const line = await front.next();
    assert.ok(line !== undefined);
    assert.deepEqual(await line.readLines(), null);
  } finally {
    await front.close();
  }
});

Deno.test("serveHttp() lets the origins the operator allows open a WebSocket", async () => {
  for (const allowed of [["https://web.example"], ["*"]]) {
    const front = startFront({ allowedOrigins: allowed });
    try {
      const conn = await rawWebSocket(front.port, "Origin: https://web.example\r\n");
      conn.close();
      const line = await front.next();
      assert.ok(line !== undefined, allowed.join());
      assert.deepEqual(await line.readLines(), null);
      if (!allowed.includes("*")) {
        const refused = await rawExchange(
          front.port,
          upgradeRequest(front.port, "Origin: https://other.example\r\n"),
        );
        assert.deepEqual(responseHead(refused).status, 403);
      }
    } finally {
      await front.close();
    }
  }
  assert.equal(isAllowedOrigin("https://web.example:443", ["https://web.example"]), true);
  assert.equal(isAllowedOrigin("null", ["https://web.example"]), false);
});

Deno.test("serveHttp() refuses a bad upgrade with 400 or 426", async () => {
  const front = startFront();
  try {
    const noUpgrade = await rawExchange(front.port, "GET /ws HTTP/1.1\r\nHost: x\r\n\r\n");
    assert.deepEqual(await front.next(), undefined);
    assert.deepEqual(responseHead(noUpgrade).status, 400);
    const oldVersion = await rawExchange(
      front.port,
      upgradeRequest(front.port).replace("Version: 13", "Version: 8"),
    );
    assert.deepEqual(await front.next(), undefined);
    const { status, headers } = responseHead(oldVersion);
    assert.deepEqual(status, 426);
    assert.deepEqual(headers.get("sec-websocket-version"), "13");
  } finally {
    await front.close();
  }
});
