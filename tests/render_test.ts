import assert from "node:assert/strict";
import type { ServerFrame } from "../src/protocol.ts";
import { type Line, plainText, renderFrame } from "../src/render.ts";

/** Renders a frame to plain-text lines. */
function plain(frame: ServerFrame, self?: string): string[] {
  return renderFrame(frame, self).map(plainText);
}

const TIME = 1700000000000;

Deno.test("renderFrame() renders welcome", () => {
  assert.deepEqual(plain({ type: "welcome", version: 1, server: "chat 0.1.0", nick: "ana" }), [
    "* Welcome, ana! You are connected to chat 0.1.0. Type /help for commands.",
  ]);
});

Deno.test("renderFrame() renders room with the others and a count", () => {
  const frame: ServerFrame = { type: "room", room: "lobby", members: ["ana", "bob", "carl"] };
  assert.deepEqual(plain(frame, "ana"), ["* You are in lobby with bob, carl (3 here)"]);
});

Deno.test("renderFrame() renders room when alone", () => {
  assert.deepEqual(plain({ type: "room", room: "lobby", members: ["ana"] }, "ana"), [
    "* You are in lobby (just you so far)",
  ]);
});

Deno.test("renderFrame() renders join with its time", () => {
  const lines = renderFrame({ type: "join", room: "lobby", nick: "bob", time: TIME });
  assert.deepEqual(lines.map(plainText), ["* bob joined"]);
  assert.equal(lines[0]?.time, TIME);
  assert.deepEqual(lines[0]?.spans[1], { text: "bob", style: "nick" });
});

Deno.test("renderFrame() renders leave with and without a reason", () => {
  assert.deepEqual(
    plain({ type: "leave", room: "lobby", nick: "bob", reason: "Quit: bye", time: TIME }),
    ["* bob left (Quit: bye)"],
  );
  assert.deepEqual(plain({ type: "leave", room: "lobby", nick: "bob", time: TIME }), [
    "* bob left",
  ]);
});

Deno.test("renderFrame() renders a nick change by someone else", () => {
  const frame: ServerFrame = { type: "nick", old: "bob", new: "bobby", time: TIME };
  assert.deepEqual(plain(frame, "ana"), ["* bob is now known as bobby"]);
  assert.deepEqual(plain(frame), ["* bob is now known as bobby"]);
});

Deno.test("renderFrame() renders the viewer's own nick change", () => {
  const lines = renderFrame({ type: "nick", old: "ana", new: "anna", time: TIME }, "ana");
  assert.deepEqual(lines.map(plainText), ["* You are now known as anna"]);
  assert.equal(lines[0]?.time, TIME);
});

Deno.test("renderFrame() renders a message as <nick> text", () => {
  const lines = renderFrame({
    type: "message",
    room: "lobby",
    nick: "ana",
    text: "hello",
    time: TIME,
    seq: 1,
  });
  assert.deepEqual(lines.map(plainText), ["<ana> hello"]);
  assert.equal(lines[0]?.time, TIME);
  assert.deepEqual(lines[0]?.spans, [
    { text: "<" },
    { text: "ana", style: "nick" },
    { text: "> hello" },
  ]);
});

Deno.test("renderFrame() renders users with a count", () => {
  assert.deepEqual(plain({ type: "users", room: "lobby", nicks: ["ana", "bob", "carl"] }), [
    "* In lobby (3): ana, bob, carl",
  ]);
  assert.deepEqual(plain({ type: "users", room: "lobby", nicks: ["ana"] }), [
    "* In lobby (1): ana",
  ]);
});

Deno.test("renderFrame() renders help as aligned rows with aliases", () => {
  const lines = renderFrame({
    type: "help",
    commands: [
      { usage: "/help", summary: "List the commands", aliases: [] },
      { usage: "/quit [REASON]", summary: "Leave the chat", aliases: ["/exit", "/close"] },
    ],
  });
  assert.deepEqual(lines.map(plainText), [
    "* Commands:",
    "*   /help           List the commands",
    "*   /quit [REASON]  Leave the chat (also /exit, /close)",
  ]);
  assert.deepEqual(lines[2]?.spans[1], { text: " (also /exit, /close)", style: "dim" });
});

Deno.test("renderFrame() renders an empty help", () => {
  assert.deepEqual(plain({ type: "help", commands: [] }), ["* Commands:"]);
});

Deno.test("renderFrame() renders notice", () => {
  assert.deepEqual(plain({ type: "notice", text: "You are already known as ana" }), [
    "* You are already known as ana",
  ]);
});

Deno.test("renderFrame() renders error with ! and the error style", () => {
  const lines = renderFrame({
    type: "error",
    code: "nick_taken",
    message: 'Nick "bob" is taken: choose another',
  });
  assert.deepEqual(lines, [{
    spans: [{ text: '! Nick "bob" is taken: choose another', style: "error" }],
  }]);
});

Deno.test("renderFrame() renders bye", () => {
  assert.deepEqual(plain({ type: "bye", reason: "Server shutting down" }), [
    "* Disconnected: Server shutting down",
  ]);
});

Deno.test("renderFrame() renders nothing for ping and pong", () => {
  assert.deepEqual(renderFrame({ type: "ping", token: "x" }), []);
  assert.deepEqual(renderFrame({ type: "pong" }), []);
});

Deno.test("renderFrame() escapes hostile message text and nicks", () => {
  assert.deepEqual(
    plain({
      type: "message",
      room: "lobby",
      nick: "\u202eana",
      text: "\u001b[2J\rfake\u202e\tline",
      time: TIME,
      seq: 1,
    }),
    ["<\\u{202e}ana> \\u{1b}[2J\\u{d}fake\\u{202e} line"],
  );
});

Deno.test("renderFrame() escapes hostile text in every frame type", () => {
  const evil = "x\u001b[2J\r\n\u202e\u200b\u0007\u0085";
  const frames: ServerFrame[] = [
    { type: "welcome", version: 1, server: evil, nick: evil },
    { type: "room", room: evil, members: [evil, "ana"] },
    { type: "join", room: evil, nick: evil, time: TIME },
    { type: "leave", room: evil, nick: evil, reason: evil, time: TIME },
    { type: "nick", old: evil, new: evil, time: TIME },
    { type: "nick", old: "ana", new: evil, time: TIME },
    { type: "message", room: evil, nick: evil, text: evil, time: TIME, seq: 1 },
    { type: "users", room: evil, nicks: [evil, evil] },
    { type: "help", commands: [{ usage: evil, summary: evil, aliases: [evil] }] },
    { type: "notice", text: evil },
    { type: "error", code: "bad_frame", message: evil },
    { type: "bye", reason: evil },
  ];
  for (const frame of frames) {
    const lines: Line[] = renderFrame(frame, "ana");
    assert.ok(lines.length > 0, frame.type);
    for (const line of lines) {
      for (const span of line.spans) {
        assert.doesNotMatch(
          span.text,
          // deno-lint-ignore no-control-regex
          /[\u0000-\u001f\u007f-\u009f\u200b-\u200f\u202a-\u202e]/,
          `${frame.type}: ${JSON.stringify(span.text)}`,
        );
      }
    }
    const text = lines.map(plainText).join("\n");
    assert.match(text, /\\u\{1b\}\[2J\\u\{d\}\\u\{a\}\\u\{202e\}/, frame.type);
  }
});

Deno.test("plainText() joins span texts without styles", () => {
  assert.equal(plainText({ spans: [{ text: "a", style: "nick" }, { text: "b" }], time: 1 }), "ab");
  assert.equal(plainText({ spans: [] }), "");
});
