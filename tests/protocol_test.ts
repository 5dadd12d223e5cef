import assert from "node:assert/strict";
import { ChatError } from "../src/errors.ts";
import { assertChatError } from "./assert_chat_error.ts";
import { MAX_LINE_BYTES } from "../src/limits.ts";
import {
  type ClientFrame,
  decodeClientFrame,
  decodeServerFrame,
  decodeUtf8,
  encodeFrame,
  type ServerFrame,
} from "../src/protocol.ts";

const decoder = new TextDecoder();

/** The line an encoded frame carries, without its `\n`. */
function lineOf(frame: ClientFrame | ServerFrame): string {
  const bytes = encodeFrame(frame);
  assert.equal(bytes[bytes.length - 1], 0x0a);
  const line = decoder.decode(bytes.subarray(0, bytes.length - 1));
  assert.ok(!line.includes("\n"), "one frame is one line");
  return line;
}

/** Asserts `fn` throws a ChatError with `code` (and a message matching `message`, if given). */
const CLIENT_FRAMES: ClientFrame[] = [
  { type: "hello", version: 1, nick: "ana" },
  { type: "hello", version: 1, nick: "ana", client: "chat/0.1.0" },
  { type: "say", room: "lobby", text: 'hello \u00e9 \u{1f600} "quoted" \\ /' },
  { type: "command", line: "/nick bob" },
  { type: "command", line: "/users", room: "lobby" },
  {
    type: "hello",
    version: 1,
    nick: "ana",
    resume: { token: "t0k3n", rooms: [{ room: "lobby", seq: 0 }, { room: "games", seq: 42 }] },
  },
  { type: "hello", version: 1, nick: "ana", client: "c", resume: { token: "", rooms: [] } },
  { type: "say", room: "lobby", text: "hi", id: "m1" },
  { type: "command", line: "/join games", id: "c7" },
  { type: "command", line: "/users", room: "lobby", id: "c8" },
  { type: "ping" },
  { type: "ping", token: "t1" },
  { type: "pong" },
  { type: "pong", token: "t1" },
  { type: "saved", id: "3" },
  { type: "saved", id: "3", error: "disk is full" },
];

const SERVER_FRAMES: ServerFrame[] = [
  { type: "welcome", version: 1, server: "chat 0.1.0", nick: "ana" },
  { type: "welcome", version: 1, server: "chat 0.1.0", nick: "ana", token: "t0k3n" },
  { type: "ack", id: "m1", room: "lobby", seq: 7 },
  { type: "error", code: "text_invalid", message: "Message is empty", id: "m2" },
  { type: "error", code: "rate_limited", message: "Too many joins: try again in 2s" },
  { type: "error", code: "server_full", message: "The server is full" },
  { type: "room", room: "lobby", members: ["ana", "bob"], seq: 12 },
  { type: "room", room: "lobby", members: ["ana"], seq: 12, since: 10, history: 2 },
  { type: "room", room: "lobby", members: ["ana"], seq: 60, since: 3, history: 50, gap: true },
  { type: "room", room: "lobby", members: ["ana", "bob"] },
  { type: "room", room: "lobby", members: [] },
  { type: "join", room: "lobby", nick: "bob", time: 1700000000000 },
  { type: "leave", room: "lobby", nick: "bob", time: 1700000000000 },
  { type: "leave", room: "lobby", nick: "bob", reason: "Quit: bye", time: 1700000000000 },
  { type: "nick", old: "bob", new: "bobby", time: 1700000000000 },
  { type: "message", room: "lobby", nick: "ana", text: "hi\tthere", time: 1, seq: 42 },
  { type: "users", room: "lobby", nicks: ["ana", "bob"] },
  {
    type: "help",
    commands: [
      { usage: "/help", summary: "List the commands", aliases: [] },
      { usage: "/users", summary: "List who is in the room", aliases: ["/names"] },
    ],
  },
  { type: "help", commands: [] },
  { type: "notice", text: "Server restarting soon" },
  { type: "error", code: "nick_taken", message: 'Nick "ana" is taken: choose another' },
  { type: "ping", token: "abc" },
  { type: "pong" },
  { type: "bye", reason: "Server shutting down" },
  {
    type: "room",
    room: "games",
    members: ["ana"],
    topic: "Chess",
    limit: 8,
    owner: "ana",
    history: 2,
  },
  { type: "left", room: "games" },
  { type: "left", room: "games", reason: "Kicked by ana: spam" },
  { type: "rooms", rooms: [] },
  {
    type: "rooms",
    rooms: [
      { name: "lobby", members: 3 },
      { name: "games", members: 2, limit: 8, topic: "Chess", private: true, password: true },
    ],
  },
  { type: "topic", room: "games", topic: "Chess", nick: "ana", time: 5 },
  { type: "topic", room: "games", topic: "", nick: "the server admin", time: 5 },
  { type: "private", from: "ana", to: "bob", text: "psst", time: 5 },
  { type: "private", from: "ana", to: "bob", text: "waves", time: 5, action: true },
  { type: "whois", nick: "bob", rooms: ["lobby"], idle: 65, since: 1700000000000 },
  { type: "whois", nick: "bob", rooms: [], idle: 0, since: 1, away: "lunch" },
  { type: "announce", text: "Restart at noon", time: 5 },
  { type: "announce", text: "Final", room: "games", time: 5 },
  { type: "message", room: "lobby", nick: "ana", text: "waves", time: 1, seq: 2, action: true },
  { type: "message", room: "lobby", nick: "ana", text: "old", time: 1, seq: 3, history: true },
  { type: "notice", text: "ana set the limit to 8", room: "games" },
];

Deno.test("decodeClientFrame() round-trips every client frame type", () => {
  const types = new Set<string>();
  for (const frame of CLIENT_FRAMES) {
    assert.deepEqual(decodeClientFrame(lineOf(frame)), frame);
    types.add(frame.type);
  }
  assert.deepEqual([...types].sort(), ["command", "hello", "ping", "pong", "saved", "say"]);
});

Deno.test("decodeServerFrame() round-trips every server frame type", () => {
  const types = new Set<string>();
  for (const frame of SERVER_FRAMES) {
    assert.deepEqual(decodeServerFrame(lineOf(frame)), frame);
    types.add(frame.type);
  }
  assert.deepEqual([...types].sort(), [
    "ack",
    "announce",
    "bye",
    "error",
    "help",
    "join",
    "leave",
    "left",
    "message",
    "nick",
    "notice",
    "ping",
    "pong",
    "private",
    "room",
    "rooms",
    "topic",
    "users",
    "welcome",
    "whois",
  ]);
});

Deno.test("encodeFrame() writes one line of compact JSON ending in LF", () => {
  const bytes = encodeFrame({ type: "say", room: "lobby", text: "a\nb" });
  assert.equal(decoder.decode(bytes), '{"type":"say","room":"lobby","text":"a\\nb"}\n');
});

Deno.test("decodeClientFrame() refuses malformed JSON", () => {
  for (
    const line of ["", "{", '{"type":"ping"', "not json", "{'type':'ping'}", '{"type":"ping"}x']
  ) {
    assertChatError(() => decodeClientFrame(line), "bad_frame", "Frame is not valid JSON");
  }
});

Deno.test("decodeClientFrame() refuses JSON that is not an object", () => {
  for (const line of ["[]", '["ping"]', '"ping"', "null", "42", "true"]) {
    assertChatError(() => decodeClientFrame(line), "bad_frame", "Frame must be a JSON object");
  }
});

Deno.test("decodeClientFrame() refuses a frame without a type string", () => {
  for (
    const line of ["{}", '{"type":1}', '{"type":null}', '{"type":["ping"]}', '{"kind":"ping"}']
  ) {
    assertChatError(() => decodeClientFrame(line), "bad_frame", 'Frame has no "type" string');
  }
});

Deno.test("decodeClientFrame() refuses an unknown type", () => {
  assertChatError(
    () => decodeClientFrame('{"type":"shout"}'),
    "bad_frame",
    'Unknown frame type: "shout"',
  );
});

Deno.test("decodeClientFrame() refuses server-only types and decodeServerFrame() client-only ones", () => {
  assertChatError(() => decodeClientFrame('{"type":"bye","reason":"x"}'), "bad_frame", /Unknown/);
  assertChatError(
    () => decodeServerFrame('{"type":"say","room":"lobby","text":"x"}'),
    "bad_frame",
    /Unknown/,
  );
});

Deno.test("decodeClientFrame() refuses inherited property names as types", () => {
  for (const type of ["__proto__", "constructor", "toString", "hasOwnProperty", "valueOf"]) {
    assertChatError(
      () => decodeClientFrame(JSON.stringify({ type })),
      "bad_frame",
      `Unknown frame type: ${JSON.stringify(type)}`,
    );
  }
});

Deno.test("decodeClientFrame() truncates a long unknown type in its message", () => {
  assertChatError(
    () => decodeClientFrame(JSON.stringify({ type: "x".repeat(1000) })),
    "bad_frame",
    `Unknown frame type: "${"x".repeat(40)}"`,
  );
});

Deno.test("decodeClientFrame() refuses fields of the wrong type", () => {
  const cases: [string, string][] = [
    ['{"type":"hello","version":"1","nick":"ana"}', 'Frame "hello" has a bad "version"'],
    ['{"type":"hello","version":1,"nick":7}', 'Frame "hello" has a bad "nick"'],
    ['{"type":"hello","version":1,"nick":"ana","client":1}', 'Frame "hello" has a bad "client"'],
    ['{"type":"say","room":"lobby","text":5}', 'Frame "say" has a bad "text"'],
    ['{"type":"say","room":["lobby"],"text":"x"}', 'Frame "say" has a bad "room"'],
    ['{"type":"command","line":{"x":1}}', 'Frame "command" has a bad "line"'],
    ['{"type":"ping","token":5}', 'Frame "ping" has a bad "token"'],
    ['{"type":"hello","version":true,"nick":"ana"}', 'Frame "hello" has a bad "version"'],
  ];
  for (const [line, message] of cases) {
    assertChatError(() => decodeClientFrame(line), "bad_frame", new RegExp(`^${message}`));
  }
});

Deno.test("decodeClientFrame() refuses a number that parses to Infinity", () => {
  assert.equal(JSON.parse("1e309"), Infinity);
  assertChatError(
    () => decodeClientFrame('{"type":"hello","version":1e309,"nick":"ana"}'),
    "bad_frame",
    'Frame "hello" has a bad "version": expected number',
  );
  assertChatError(
    () => decodeClientFrame('{"type":"hello","version":-1e309,"nick":"ana"}'),
    "bad_frame",
  );
});

Deno.test("decodeServerFrame() refuses wrong types in arrays and help entries", () => {
  const cases = [
    '{"type":"room","room":"lobby","members":"ana"}',
    '{"type":"room","room":"lobby","members":["ana",1]}',
    '{"type":"users","room":"lobby","nicks":[null]}',
    '{"type":"help","commands":[{"usage":"/a","summary":"A"}]}',
    '{"type":"help","commands":[{"usage":1,"summary":"A","aliases":[]}]}',
    '{"type":"help","commands":[{"usage":"/a","summary":"A","aliases":[2]}]}',
    '{"type":"help","commands":[null]}',
    '{"type":"help","commands":{}}',
    '{"type":"message","room":"r","nick":"n","text":"t","time":1,"seq":1e309}',
    '{"type":"join","room":"r","nick":"n","time":"now"}',
  ];
  for (const line of cases) {
    assertChatError(() => decodeServerFrame(line), "bad_frame", /has a bad/);
  }
});

Deno.test("decodeClientFrame() refuses missing or null required fields", () => {
  assertChatError(
    () => decodeClientFrame('{"type":"say","room":"lobby"}'),
    "bad_frame",
    'Frame "say" needs field "text"',
  );
  assertChatError(
    () => decodeClientFrame('{"type":"say","room":null,"text":"x"}'),
    "bad_frame",
    'Frame "say" needs field "room"',
  );
  assertChatError(
    () => decodeClientFrame('{"type":"hello","nick":"ana"}'),
    "bad_frame",
    'Frame "hello" needs field "version"',
  );
  assertChatError(
    () => decodeServerFrame('{"type":"message","room":"r","nick":"n","text":"t","time":1}'),
    "bad_frame",
    'Frame "message" needs field "seq"',
  );
});

Deno.test("decodeClientFrame() treats a null optional field as absent", () => {
  const frame = decodeClientFrame('{"type":"command","line":"/users","room":null}');
  assert.deepEqual(frame, { type: "command", line: "/users" });
  assert.ok(!Object.hasOwn(frame, "room"));
});

Deno.test("decodeClientFrame() drops extra fields", () => {
  const frame = decodeClientFrame(
    '{"type":"say","room":"lobby","text":"hi","admin":true,"seq":9,"nick":"root"}',
  );
  assert.deepEqual(frame, { type: "say", room: "lobby", text: "hi" });
  assert.deepEqual(Object.keys(frame), ["type", "room", "text"]);
});

Deno.test("decodeClientFrame() ignores __proto__ and constructor keys without pollution", () => {
  const line = '{"type":"ping","__proto__":{"polluted":true,"type":"say"},' +
    '"constructor":{"prototype":{"polluted":true}}}';
  const frame = decodeClientFrame(line);
  assert.deepEqual(frame, { type: "ping" });
  assert.deepEqual(Object.keys(frame), ["type"]);
  assert.equal(Object.getPrototypeOf(frame), Object.prototype);
  assert.equal((frame as unknown as Record<string, unknown>).polluted, undefined);
  assert.equal(({} as Record<string, unknown>).polluted, undefined);
  assert.equal(Object.hasOwn(Object.prototype, "polluted"), false);
});

Deno.test("decodeClientFrame() does not read a required field from a __proto__ key", () => {
  assertChatError(
    () => decodeClientFrame('{"type":"say","room":"lobby","__proto__":{"text":"x"}}'),
    "bad_frame",
    'Frame "say" needs field "text"',
  );
});

Deno.test("decodeClientFrame() refuses deeply nested JSON with a ChatError", () => {
  assertChatError(() => decodeClientFrame("[".repeat(10000)), "bad_frame");
  const deep = "[".repeat(8000) + "]".repeat(8000);
  assertChatError(() => decodeClientFrame(deep), "bad_frame", "Frame must be a JSON object");
  const nested = `{"type":"ping","extra":${deep}}`;
  assert.deepEqual(decodeClientFrame(nested), { type: "ping" });
});

Deno.test("decodeClientFrame() refuses a line over MAX_LINE_BYTES as frame_too_large", () => {
  const padding = "x".repeat(MAX_LINE_BYTES);
  assertChatError(
    () => decodeClientFrame(`{"type":"say","room":"lobby","text":"${padding}"}`),
    "frame_too_large",
    `Frame is too large: over ${MAX_LINE_BYTES} bytes`,
  );
  assertChatError(() => decodeClientFrame("[".repeat(20000)), "frame_too_large");
});

Deno.test("decodeUtf8() decodes valid UTF-8 and keeps a BOM", () => {
  const bytes = new TextEncoder().encode("caf\u00e9 \u{1f600}");
  assert.equal(decodeUtf8(bytes), "caf\u00e9 \u{1f600}");
  assert.equal(decodeUtf8(Uint8Array.of(0xef, 0xbb, 0xbf, 0x41)), "\ufeffA");
  assert.equal(decodeUtf8(new Uint8Array(0)), "");
});

Deno.test("decodeUtf8() refuses invalid UTF-8 with bad_frame", () => {
  const invalid = [
    [0xff],
    [0x41, 0xc3], // truncated sequence
    [0xc0, 0xaf], // overlong
    [0xed, 0xa0, 0x80], // surrogate
    [0xf4, 0x90, 0x80, 0x80], // above U+10FFFF
    [0x80], // lone continuation byte
  ];
  for (const bytes of invalid) {
    assertChatError(
      () => decodeUtf8(Uint8Array.from(bytes)),
      "bad_frame",
      "Line is not valid UTF-8",
    );
  }
  // The decoder is not left in a broken state.
  assert.equal(decodeUtf8(Uint8Array.of(0x6f, 0x6b)), "ok");
});

Deno.test("decodeClientFrame() gives every refusal a ChatError with a code", () => {
  const lines = [
    "",
    "garbage",
    "[]",
    "null",
    "1",
    '"s"',
    "{}",
    '{"type":"nope"}',
    '{"type":"say"}',
    '{"type":"say","room":1,"text":"x"}',
    '{"type":"hello","version":1e309,"nick":"a"}',
    "[".repeat(10000),
    "{".repeat(10000),
    '{"a":'.repeat(3000),
    "x".repeat(MAX_LINE_BYTES + 1),
  ];
  for (const line of lines) {
    assert.throws(() => decodeClientFrame(line), (error: unknown) => {
      assert.ok(error instanceof ChatError);
      assert.ok(["bad_frame", "frame_too_large"].includes(error.code), error.code);
      assert.ok(error.message.length > 0);
      return true;
    });
  }
});

Deno.test("decodeServerFrame() refuses bad types in the new optional fields", () => {
  const cases: [string, string][] = [
    ['{"type":"room","room":"r","members":[],"history":"yes"}', "history"],
    ['{"type":"room","room":"r","members":[],"limit":"8"}', "limit"],
    ['{"type":"room","room":"r","members":[],"topic":5}', "topic"],
    ['{"type":"room","room":"r","members":[],"owner":["ana"]}', "owner"],
    [
      '{"type":"message","room":"r","nick":"n","text":"t","time":1,"seq":1,"history":"yes"}',
      "history",
    ],
    ['{"type":"message","room":"r","nick":"n","text":"t","time":1,"seq":1,"action":1}', "action"],
    ['{"type":"private","from":"a","to":"b","text":"t","time":1,"action":"true"}', "action"],
    ['{"type":"whois","nick":"b","rooms":[],"idle":1,"since":1,"away":false}', "away"],
    ['{"type":"announce","text":"t","room":5,"time":1}', "room"],
    ['{"type":"notice","text":"t","room":true}', "room"],
    ['{"type":"left","room":"r","reason":1}', "reason"],
  ];
  for (const [line, field] of cases) {
    assertChatError(() => decodeServerFrame(line), "bad_frame", new RegExp(`has a bad "${field}"`));
  }
});

Deno.test("decodeServerFrame() refuses bad types in the new required fields", () => {
  const cases: [string, string][] = [
    ['{"type":"whois","nick":"b","rooms":"lobby","idle":1,"since":1}', "rooms"],
    ['{"type":"whois","nick":"b","rooms":[1],"idle":1,"since":1}', "rooms"],
    ['{"type":"whois","nick":"b","rooms":[],"idle":"5","since":1}', "idle"],
    ['{"type":"topic","room":"r","topic":1,"nick":"n","time":1}', "topic"],
    ['{"type":"private","from":"a","to":["b"],"text":"t","time":1}', "to"],
    ['{"type":"announce","text":"t","time":1e309}', "time"],
  ];
  for (const [line, field] of cases) {
    assertChatError(() => decodeServerFrame(line), "bad_frame", new RegExp(`has a bad "${field}"`));
  }
  assertChatError(
    () => decodeServerFrame('{"type":"topic","room":"r","nick":"n","time":1}'),
    "bad_frame",
    'Frame "topic" needs field "topic"',
  );
  assertChatError(
    () => decodeServerFrame('{"type":"private","from":"a","to":"b","time":1}'),
    "bad_frame",
    'Frame "private" needs field "text"',
  );
});

Deno.test("decodeServerFrame() refuses malformed room list rows", () => {
  const rows = [
    "{}",
    "null",
    "1",
    '"lobby"',
    "[]",
    '{"name":"a"}',
    '{"members":1}',
    '{"name":1,"members":1}',
    '{"name":"a","members":"1"}',
    '{"name":"a","members":1e309}',
    '{"name":"a","members":1,"limit":"8"}',
    '{"name":"a","members":1,"limit":-1e309}',
    '{"name":"a","members":1,"topic":5}',
    '{"name":"a","members":1,"private":"yes"}',
    '{"name":"a","members":1,"password":1}',
  ];
  for (const row of rows) {
    assertChatError(
      () => decodeServerFrame(`{"type":"rooms","rooms":[{"name":"ok","members":0},${row}]}`),
      "bad_frame",
      'Frame "rooms" has a bad "rooms": expected rooms',
    );
  }
  assertChatError(() => decodeServerFrame('{"type":"rooms","rooms":{}}'), "bad_frame", /bad/);
  assertChatError(() => decodeServerFrame('{"type":"rooms"}'), "bad_frame", /needs field/);
});

Deno.test("decodeServerFrame() treats null new optional fields as absent", () => {
  assert.deepEqual(
    decodeServerFrame(
      '{"type":"message","room":"r","nick":"n","text":"t","time":1,"seq":1,"history":null}',
    ),
    { type: "message", room: "r", nick: "n", text: "t", time: 1, seq: 1 },
  );
  assert.deepEqual(decodeServerFrame('{"type":"notice","text":"t","room":null}'), {
    type: "notice",
    text: "t",
  });
});

// ---- resume, message ids, acks -----------------------------------------------------------------

Deno.test("decodeClientFrame() keeps a hello's resume and a say's or command's id", () => {
  assert.deepEqual(
    decodeClientFrame(
      '{"type":"hello","version":1,"nick":"ana","resume":{"token":"t","rooms":[{"room":"lobby","seq":3}]}}',
    ),
    {
      type: "hello",
      version: 1,
      nick: "ana",
      resume: { token: "t", rooms: [{ room: "lobby", seq: 3 }] },
    },
  );
  assert.deepEqual(decodeClientFrame('{"type":"say","room":"r","text":"t","id":"m1"}'), {
    type: "say",
    room: "r",
    text: "t",
    id: "m1",
  });
  assert.deepEqual(decodeClientFrame('{"type":"command","line":"/x","id":"c1"}'), {
    type: "command",
    line: "/x",
    id: "c1",
  });
  // Null is absent, as for every optional field.
  assert.deepEqual(decodeClientFrame('{"type":"hello","version":1,"nick":"a","resume":null}'), {
    type: "hello",
    version: 1,
    nick: "a",
  });
  assert.deepEqual(decodeClientFrame('{"type":"say","room":"r","text":"t","id":null}'), {
    type: "say",
    room: "r",
    text: "t",
  });
});

Deno.test("decodeClientFrame() refuses a malformed resume", () => {
  const resumes = [
    '"t"',
    "[]",
    "1",
    "true",
    "{}",
    '{"token":"t"}',
    '{"rooms":[]}',
    '{"token":1,"rooms":[]}',
    '{"token":null,"rooms":[]}',
    '{"token":"t","rooms":{}}',
    '{"token":"t","rooms":"lobby"}',
    '{"token":"t","rooms":null}',
    '{"token":"t","rooms":[null]}',
    '{"token":"t","rooms":["lobby"]}',
    '{"token":"t","rooms":[[]]}',
    '{"token":"t","rooms":[{"room":"lobby"}]}',
    '{"token":"t","rooms":[{"seq":1}]}',
    '{"token":"t","rooms":[{"room":1,"seq":1}]}',
    '{"token":"t","rooms":[{"room":"lobby","seq":-1}]}',
    '{"token":"t","rooms":[{"room":"lobby","seq":1.5}]}',
    '{"token":"t","rooms":[{"room":"lobby","seq":"1"}]}',
    '{"token":"t","rooms":[{"room":"lobby","seq":null}]}',
    '{"token":"t","rooms":[{"room":"lobby","seq":1e309}]}',
    '{"token":"t","rooms":[{"room":"lobby","seq":1},{"room":"games","seq":-2}]}',
  ];
  for (const resume of resumes) {
    assertChatError(
      () => decodeClientFrame(`{"type":"hello","version":1,"nick":"ana","resume":${resume}}`),
      "bad_frame",
      'Frame "hello" has a bad "resume": expected resume',
    );
  }
});

Deno.test("decodeClientFrame() refuses a say or command id that is not a string", () => {
  for (const id of ["1", "true", "[]", '{"id":"m1"}']) {
    assertChatError(
      () => decodeClientFrame(`{"type":"say","room":"r","text":"t","id":${id}}`),
      "bad_frame",
      'Frame "say" has a bad "id": expected string',
    );
    assertChatError(
      () => decodeClientFrame(`{"type":"command","line":"/x","id":${id}}`),
      "bad_frame",
      'Frame "command" has a bad "id": expected string',
    );
  }
});

Deno.test("decodeServerFrame() refuses malformed acks, tokens, error ids and resume fields", () => {
  const cases: [string, string][] = [
    ['{"type":"ack","id":1,"room":"r","seq":1}', 'has a bad "id"'],
    ['{"type":"ack","id":"m","room":"r","seq":"1"}', 'has a bad "seq"'],
    ['{"type":"ack","room":"r","seq":1}', 'needs field "id"'],
    ['{"type":"ack","id":"m","seq":1}', 'needs field "room"'],
    ['{"type":"ack","id":"m","room":"r"}', 'needs field "seq"'],
    ['{"type":"welcome","version":1,"server":"s","nick":"n","token":5}', 'has a bad "token"'],
    ['{"type":"error","code":"bad_frame","message":"m","id":5}', 'has a bad "id"'],
    ['{"type":"room","room":"r","members":[],"seq":"1"}', 'has a bad "seq"'],
    ['{"type":"room","room":"r","members":[],"since":true}', 'has a bad "since"'],
    ['{"type":"room","room":"r","members":[],"gap":1}', 'has a bad "gap"'],
  ];
  for (const [line, message] of cases) {
    assertChatError(() => decodeServerFrame(line), "bad_frame", new RegExp(message));
  }
});
