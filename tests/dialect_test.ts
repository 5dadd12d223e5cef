import assert from "node:assert/strict";
import type { DialectView } from "../src/dialect/dialect.ts";
import { detectDialect } from "../src/dialect/detect.ts";
import { NativeDialect } from "../src/dialect/native.ts";
import { PlainDialect } from "../src/dialect/plain.ts";
import { HttpDialect } from "../src/dialect/http.ts";
import { ChatError } from "../src/errors.ts";
import { encodeFrame, type ServerFrame } from "../src/protocol.ts";
import { PROTOCOL_VERSION } from "../src/version.ts";

const decoder = new TextDecoder();

function view(nick?: string, rooms: string[] = ["lobby"]): DialectView {
  return {
    nick,
    rooms: () => rooms,
    user: () => undefined,
    departed: () => [],
    members: () => [],
    roomKeysOf: () => [],
  };
}

Deno.test("detectDialect() picks http, native or plain from the first line", () => {
  assert.equal(detectDialect("GET / HTTP/1.1").name, "http");
  assert.equal(detectDialect('  {"type":"hello"}').name, "native");
  assert.equal(detectDialect("ana").name, "plain");
  assert.equal(detectDialect("").name, "plain");
});

Deno.test("NativeDialect.read() turns frames into intents", () => {
  const native = new NativeDialect();
  assert.deepEqual(
    native.read(JSON.stringify({ type: "hello", version: PROTOCOL_VERSION, nick: "ana" }), view()),
    [{ kind: "register", nick: "ana" }],
  );
  assert.deepEqual(native.read('{"type":"say","room":"games","text":"hi","id":"1"}', view("ana")), [
    { kind: "say", room: "games", text: "hi", id: "1" },
  ]);
  assert.deepEqual(native.read('{"type":"command","line":"/rooms"}', view("ana")), [
    { kind: "command", line: "/rooms", room: "lobby", id: undefined },
  ]);
  assert.deepEqual(native.read('{"type":"ping","token":"t"}', view("ana")), [
    { kind: "reply", frame: { type: "pong", token: "t" } },
  ]);
  assert.deepEqual(native.read('{"type":"pong"}', view("ana")), []);
});

Deno.test("NativeDialect.read() ends a connection speaking another protocol version", () => {
  const [intent] = new NativeDialect().read(
    JSON.stringify({ type: "hello", version: PROTOCOL_VERSION + 1, nick: "ana" }),
    view(),
  );
  assert.equal(intent?.kind, "end");
  assert.ok(intent?.kind === "end" && intent.error instanceof ChatError);
  assert.match(intent.bye ?? "", /is not supported/);
});

Deno.test("NativeDialect.read() refuses a checksum line and bad JSON with ChatError", () => {
  const native = new NativeDialect();
  assert.throws(() => native.read('{"type":"checksum","sha256":"x"}', view("ana")), ChatError);
  assert.throws(() => native.read("{nope", view("ana")), ChatError);
});

Deno.test("NativeDialect.encode() encodes an event once for every native viewer", () => {
  const frame: ServerFrame = { type: "notice", text: "hi" };
  const shared = new Map<string, Uint8Array>();
  const first = new NativeDialect().encode(frame, view("ana"), shared);
  const second = new NativeDialect().encode(frame, view("bob"), shared);
  assert.equal(first, second);
  assert.deepEqual(first, encodeFrame(frame));
});

Deno.test("PlainDialect.read() takes the first line as the nick, and /quit before it", () => {
  const plain = new PlainDialect();
  assert.deepEqual(plain.read("  ana ", view()), [{ kind: "register", nick: "ana" }]);
  assert.deepEqual(plain.read("", view()), []);
  assert.deepEqual(plain.read("/quit", view()), [{ kind: "end", reason: "Quit", bye: "Goodbye" }]);
  assert.throws(() => plain.read("/join games", view()), /Type a nick first/);
});

Deno.test("PlainDialect.read() sends text to the active room and runs commands", () => {
  const plain = new PlainDialect();
  assert.deepEqual(plain.read("hello", view("ana")), [
    { kind: "say", room: "lobby", text: "hello" },
  ]);
  assert.deepEqual(plain.read("//not a command", view("ana")), [
    { kind: "say", room: "lobby", text: "/not a command" },
  ]);
  plain.switched("games");
  assert.deepEqual(plain.read("/users", view("ana")), [
    { kind: "command", line: "/users", room: "games" },
  ]);
  assert.deepEqual(plain.read("   ", view("ana")), []);
});

Deno.test("PlainDialect.read() drops the escape sequences of arrow and editing keys", () => {
  const plain = new PlainDialect();
  assert.deepEqual(plain.read("hel\x1b[Dlo\x1b[A\x1bOH\x1b[3~", view("ana")), [
    { kind: "say", room: "lobby", text: "hello" },
  ]);
  // Other control characters are left for the hub to refuse.
  assert.deepEqual(plain.read("a\x07b", view("ana")), [
    { kind: "say", room: "lobby", text: "a\x07b" },
  ]);
});

Deno.test("PlainDialect.read() explains that files need chat join", () => {
  assert.throws(
    () => new PlainDialect().read("/send notes.txt", view("ana")),
    (error: unknown) =>
      error instanceof ChatError && /Files need `chat join` or the web page/.test(error.message),
  );
});

Deno.test("PlainDialect.encode() follows the room entered and left, and prefixes other rooms", () => {
  const plain = new PlainDialect();
  const shared = () => new Map<string, Uint8Array>();
  const text = (frame: ServerFrame, v = view("ana", ["lobby", "games"])) =>
    decoder.decode(plain.encode(frame, v, shared()));
  text(
    { type: "room", room: "games", members: ["ana"] },
  );
  assert.equal(plain.room, "games");
  assert.match(
    text({ type: "message", room: "lobby", nick: "bob", text: "hi", seq: 1, time: 0 }),
    /\[#lobby\] <bob> hi/,
  );
  text({ type: "left", room: "games" }, view("ana", ["lobby"]));
  assert.equal(plain.room, "lobby");
});

Deno.test("PlainDialect.encode() shares one rendering per active room", () => {
  const frame: ServerFrame = { type: "notice", text: "hi" };
  const shared = new Map<string, Uint8Array>();
  const a = new PlainDialect().encode(frame, view("ana"), shared);
  const b = new PlainDialect().encode(frame, view("bob"), shared);
  assert.equal(a, b);
  assert.equal(decoder.decode(a), "* hi\n");
});

Deno.test("HttpDialect hands over once, with a 400 to fall back on, showing no events", () => {
  const http = new HttpDialect();
  const [intent, ...rest] = http.read("GET / HTTP/1.1", view());
  assert.equal(rest.length, 0);
  assert.ok(intent?.kind === "http");
  const [raw, end] = intent.fallback;
  assert.ok(raw?.kind === "raw" && /400 Bad Request/.test(decoder.decode(raw.bytes)));
  assert.equal(end?.kind, "end");
  assert.deepEqual(http.read("Host: x", view()), []);
  assert.equal(http.encode({ type: "notice", text: "x" }).length, 0);
});
