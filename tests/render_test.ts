import assert from "node:assert/strict";
import type { ServerFrame } from "../src/protocol.ts";
import {
  clockTime,
  duration,
  type Line,
  mentions,
  plainText,
  renderFrame,
  type Viewer,
} from "../src/render.ts";

/** Renders a frame to plain-text lines. */
function plain(frame: ServerFrame, self?: string): string[] {
  return renderFrame(frame, { self }).map(plainText);
}

/** Renders a frame to plain-text lines for a viewer. */
function seen(frame: ServerFrame, viewer: Viewer): string[] {
  return renderFrame(frame, viewer).map(plainText);
}

/** `HH:MM` of a time in local time, computed independently of render.ts. */
function clock(time: number): string {
  const date = new Date(time);
  const pad = (value: number) => String(value).padStart(2, "0");
  return `${pad(date.getHours())}:${pad(date.getMinutes())}`;
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
  const lines = renderFrame({ type: "nick", old: "ana", new: "anna", time: TIME }, { self: "ana" });
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
    { text: "> " },
    { text: "hello" },
  ]);
  assert.equal(lines[0]?.history, undefined);
  assert.equal(lines[0]?.alert, undefined);
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

Deno.test("renderFrame() renders nothing for ping, pong and ack", () => {
  assert.deepEqual(renderFrame({ type: "ping", token: "x" }), []);
  assert.deepEqual(renderFrame({ type: "pong" }), []);
  assert.deepEqual(renderFrame({ type: "ack", id: "m1", room: "lobby", seq: 3 }), []);
  assert.deepEqual(
    renderFrame({ type: "ack", id: "m1", room: "games", seq: 1 }, { self: "ana", room: "lobby" }),
    [],
  );
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
    { type: "room", room: evil, members: ["ana"], topic: evil, owner: evil, history: 2, limit: 3 },
    { type: "room", room: evil, members: [evil, "ana"], seq: 5, since: 2, history: 3, gap: true },
    { type: "left", room: evil, reason: evil },
    {
      type: "rooms",
      rooms: [{ name: evil, members: 1, topic: evil, private: true, password: true }],
    },
    { type: "topic", room: evil, topic: evil, nick: evil, time: TIME },
    { type: "private", from: evil, to: "ana", text: evil, time: TIME },
    { type: "private", from: "ana", to: evil, text: evil, time: TIME, action: true },
    { type: "whois", nick: evil, rooms: [evil], idle: 1, since: TIME, away: evil },
    { type: "announce", text: evil, room: evil, time: TIME },
    { type: "notice", text: evil, room: evil },
    { type: "message", room: evil, nick: evil, text: evil, time: TIME, seq: 1, action: true },
    { type: "message", room: evil, nick: evil, text: evil, time: TIME, seq: 1, history: true },
  ];
  for (const frame of frames) {
    const lines: Line[] = renderFrame(frame, { self: "ana", room: "lobby" });
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

// ---- rooms -------------------------------------------------------------------------------------

Deno.test("renderFrame() renders a room with its limit, topic, owner and history count", () => {
  const frame: ServerFrame = {
    type: "room",
    room: "games",
    members: ["ana", "bob", "carl"],
    limit: 8,
    topic: "Chess tonight",
    owner: "carl",
    history: 2,
  };
  assert.deepEqual(plain(frame, "ana"), [
    "* You are in games with bob, carl (3/8 here)",
    "* Topic: Chess tonight",
    "* Owner: carl",
    "* Last 2 messages in games:",
  ]);
  assert.deepEqual(renderFrame(frame, { self: "ana" })[2]?.spans[1], {
    text: "carl",
    style: "nick",
  });
});

Deno.test("renderFrame() renders a room alone with a limit, and one message of history", () => {
  assert.deepEqual(
    plain({ type: "room", room: "games", members: ["ana"], limit: 4, history: 1 }, "ana"),
    ["* You are in games (just you so far, limit 4)", "* Last message in games:"],
  );
});

Deno.test("renderFrame() renders a room the same whatever its seq", () => {
  const frame: ServerFrame = { type: "room", room: "lobby", members: ["ana", "bob"] };
  assert.deepEqual(plain({ ...frame, seq: 42 }, "ana"), plain(frame, "ana"));
  assert.deepEqual(plain({ ...frame, seq: 42 }, "ana"), ["* You are in lobby with bob (2 here)"]);
});

Deno.test("renderFrame() renders a resumed room where nothing was missed", () => {
  assert.deepEqual(
    plain({ type: "room", room: "lobby", members: ["ana", "bob"], seq: 4, since: 4 }, "ana"),
    ["* Back in lobby with bob (2 here); you missed nothing"],
  );
  assert.deepEqual(
    plain({ type: "room", room: "games", members: ["ana"], limit: 4, seq: 0, since: 0 }, "ana"),
    ["* Back in games (just you so far, limit 4); you missed nothing"],
  );
});

Deno.test("renderFrame() renders a resumed room with the number of missed messages", () => {
  const frame: ServerFrame = {
    type: "room",
    room: "games",
    members: ["ana", "bob", "carl"],
    limit: 8,
    topic: "Chess",
    owner: "carl",
    seq: 9,
    since: 6,
    history: 3,
  };
  // The topic and owner were seen before the connection dropped: only what was missed is told.
  const lines = renderFrame(frame, { self: "ana" });
  assert.deepEqual(lines.map(plainText), [
    "* Back in games with bob, carl (3/8 here); 3 missed messages follow",
  ]);
  assert.equal(lines[0]?.spans[0]?.style, "system");
});

Deno.test("renderFrame() renders a resumed room with a gap as an error line after it", () => {
  const lines = renderFrame(
    {
      type: "room",
      room: "lobby",
      members: ["ana", "bob"],
      seq: 60,
      since: 3,
      history: 50,
      gap: true,
    },
    { self: "ana" },
  );
  assert.deepEqual(lines, [
    {
      spans: [{
        text: "* Back in lobby with bob (2 here); 50 missed messages follow",
        style: "system",
      }],
    },
    {
      spans: [{
        text: "! Some messages in lobby were lost while you were away: " +
          "the room's history does not reach back that far",
        style: "error",
      }],
    },
  ]);
  // A gap with no history at all (the room keeps none, or the server restarted) still says so.
  const bare = plain(
    { type: "room", room: "lobby", members: ["ana"], seq: 2, since: 7, gap: true },
    "ana",
  );
  assert.equal(bare.length, 2);
  // No "you missed nothing" beside a gap.
  assert.equal(bare[0], "* Back in lobby (just you so far)");
  assert.equal(
    bare[1],
    "! Some messages in lobby were lost while you were away: " +
      "the room's history does not reach back that far",
  );
});

Deno.test("renderFrame() renders left with and without a reason", () => {
  assert.deepEqual(plain({ type: "left", room: "games", reason: "Kicked by ana: spam" }), [
    "* You left games (Kicked by ana: spam)",
  ]);
  assert.deepEqual(plain({ type: "left", room: "games" }), ["* You left games"]);
});

Deno.test("renderFrame() renders the room list with n/limit, marks and topics", () => {
  const lines = renderFrame({
    type: "rooms",
    rooms: [
      { name: "lobby", members: 3 },
      { name: "games", members: 2, limit: 8, topic: "Chess tonight", password: true },
      { name: "staff", members: 1, private: true },
      { name: "vault", members: 0, limit: 2, private: true, password: true },
    ],
  });
  assert.deepEqual(lines.map(plainText), [
    "* Rooms (4):",
    "*   lobby  3",
    "*   games  2/8 (password)  Chess tonight",
    "*   staff  1 (private)",
    "*   vault  0/2 (private, password)",
    "* Type /join ROOM to join one",
  ]);
  assert.deepEqual(lines[2]?.spans[1], { text: " (password)", style: "dim" });
});

Deno.test("renderFrame() renders an empty room list", () => {
  assert.deepEqual(plain({ type: "rooms", rooms: [] }), [
    "* Rooms (0):",
    "* Type /join ROOM to join one",
  ]);
});

Deno.test("renderFrame() renders a topic set and cleared", () => {
  const set = renderFrame({
    type: "topic",
    room: "games",
    topic: "Chess",
    nick: "ana",
    time: TIME,
  });
  assert.deepEqual(set.map(plainText), ["* ana set the topic of games: Chess"]);
  assert.equal(set[0]?.time, TIME);
  assert.deepEqual(plain({ type: "topic", room: "games", topic: "", nick: "ana", time: TIME }), [
    "* ana cleared the topic of games",
  ]);
});

Deno.test("renderFrame() renders an announcement to all or to a room, as an alert", () => {
  const lines = renderFrame({ type: "announce", text: "Restart at noon", time: TIME });
  assert.deepEqual(lines, [{
    spans: [{ text: "* Announcement: Restart at noon", style: "highlight" }],
    time: TIME,
    alert: true,
  }]);
  assert.deepEqual(plain({ type: "announce", text: "Final", room: "games", time: TIME }), [
    "* Announcement to games: Final",
  ]);
});

Deno.test("renderFrame() renders a notice about a room with a [room] prefix when elsewhere", () => {
  const frame: ServerFrame = { type: "notice", text: "ana set the limit to 8", room: "games" };
  assert.deepEqual(seen(frame, { room: "lobby" }), ["[#games] * ana set the limit to 8"]);
  assert.deepEqual(seen(frame, { room: "games" }), ["* ana set the limit to 8"]);
  assert.deepEqual(seen(frame, {}), ["* ana set the limit to 8"]);
  assert.deepEqual(seen({ type: "notice", text: "You are back" }, { room: "lobby" }), [
    "* You are back",
  ]);
});

Deno.test("renderFrame() prefixes room events from another room than the viewer's", () => {
  const frames: [ServerFrame, string][] = [
    [{ type: "join", room: "games", nick: "bob", time: TIME }, "* bob joined"],
    [
      { type: "leave", room: "games", nick: "bob", reason: "Left", time: TIME },
      "* bob left (Left)",
    ],
    [
      { type: "message", room: "games", nick: "bob", text: "hi", time: TIME, seq: 1 },
      "<bob> hi",
    ],
    [
      {
        type: "message",
        room: "games",
        nick: "bob",
        text: "waves",
        time: TIME,
        seq: 2,
        action: true,
      },
      "** bob waves",
    ],
    [
      { type: "topic", room: "games", topic: "Go", nick: "bob", time: TIME },
      "* bob set the topic of games: Go",
    ],
  ];
  for (const [frame, text] of frames) {
    assert.deepEqual(seen(frame, { self: "ana", room: "lobby" }), [`[#games] ${text}`]);
    assert.deepEqual(seen(frame, { self: "ana", room: "games" }), [text]);
    assert.deepEqual(seen(frame, { self: "ana" }), [text]);
  }
  const [line] = renderFrame(frames[0]?.[0] ?? { type: "pong" }, { room: "lobby" });
  assert.deepEqual(line?.spans[0], { text: "[#games] ", style: "system" });
});

// ---- messages ----------------------------------------------------------------------------------

Deno.test("renderFrame() renders an action as ** nick text", () => {
  const lines = renderFrame({
    type: "message",
    room: "lobby",
    nick: "ana",
    text: "waves",
    time: TIME,
    seq: 1,
    action: true,
  });
  assert.deepEqual(lines.map(plainText), ["** ana waves"]);
  assert.deepEqual(lines[0]?.spans[1], { text: "ana", style: "nick" });
});

Deno.test("renderFrame() marks a history message and plainText shows its [HH:MM]", () => {
  const time = new Date(2024, 0, 2, 9, 5).getTime();
  const frame: ServerFrame = {
    type: "message",
    room: "lobby",
    nick: "bob",
    text: "earlier",
    time,
    seq: 4,
    history: true,
  };
  const lines = renderFrame(frame, { self: "ana", room: "lobby" });
  assert.equal(lines[0]?.history, true);
  assert.equal(lines[0]?.time, time);
  assert.deepEqual(lines.map(plainText), ["[09:05] <bob> earlier"]);
  const late = { ...frame, time: TIME };
  assert.deepEqual(seen(late, { room: "lobby" }), [`[${clock(TIME)}] <bob> earlier`]);
  assert.deepEqual(seen({ ...late, action: true }, { room: "games" }), [
    `[${clock(TIME)}] [#lobby] ** bob earlier`,
  ]);
});

Deno.test("plainText() shows the time only for history lines", () => {
  const spans = [{ text: "x" }];
  assert.equal(plainText({ spans, time: TIME }), "x");
  assert.equal(plainText({ spans, time: TIME, history: true }), `[${clock(TIME)}] x`);
  assert.equal(plainText({ spans, history: true }), "x");
});

Deno.test("renderFrame() alerts and highlights a message that mentions the viewer", () => {
  const frame: ServerFrame = {
    type: "message",
    room: "lobby",
    nick: "bob",
    text: "hi Ana!",
    time: TIME,
    seq: 1,
  };
  const [line] = renderFrame(frame, { self: "ana" });
  assert.equal(line?.alert, true);
  assert.deepEqual(line?.spans.at(-1), { text: "hi Ana!", style: "highlight" });
  assert.deepEqual(line && plainText(line), "<bob> hi Ana!");
  const [other] = renderFrame({ ...frame, text: "hi banana" }, { self: "ana" });
  assert.equal(other?.alert, undefined);
  assert.deepEqual(other?.spans.at(-1), { text: "hi banana" });
  const [nobody] = renderFrame(frame);
  assert.equal(nobody?.alert, undefined);
});

Deno.test("renderFrame() does not alert for a history message that mentions the viewer", () => {
  const [line] = renderFrame({
    type: "message",
    room: "lobby",
    nick: "bob",
    text: "ana: ping",
    time: TIME,
    seq: 1,
    history: true,
  }, { self: "ana" });
  assert.equal(line?.alert, undefined);
  assert.deepEqual(line?.spans.at(-1), { text: "ana: ping" });
});

Deno.test("mentions() matches the nick as a whole word, ignoring case", () => {
  assert.equal(mentions("hi ana!", "ana"), true);
  assert.equal(mentions("ANA: look", "ana"), true);
  assert.equal(mentions("ana", "ana"), true);
  assert.equal(mentions("@Ana, hello", "ana"), true);
  assert.equal(mentions("thanks ana.", "ana"), true);
  assert.equal(mentions("ana's turn", "ana"), true);
  assert.equal(mentions("(ana)", "ana"), true);
  assert.equal(mentions("\uff21\uff4e\uff41 hi", "ana"), true);
  assert.equal(mentions("banana", "ana"), false);
  assert.equal(mentions("anabel", "ana"), false);
  assert.equal(mentions("ana_b", "ana"), false);
  assert.equal(mentions("x.ana", "ana"), false);
  assert.equal(mentions("", "ana"), false);
  assert.equal(mentions("j.doe said hi", "j.doe"), true);
  assert.equal(mentions("j.doe. said hi", "j.doe"), true);
});

Deno.test("mentions() finds nicks that end in . or -", () => {
  assert.equal(mentions("thanks ana-", "ana-"), true);
  assert.equal(mentions("hi bob.", "bob."), true);
  assert.equal(mentions("hi bob", "bob."), false);
  assert.equal(mentions("hi ana", "ana-"), false);
});

Deno.test("mentions() of an empty nick is never true", () => {
  assert.equal(mentions("hi!", ""), false);
  assert.equal(mentions("", ""), false);
});

// ---- private messages and whois ----------------------------------------------------------------

Deno.test("renderFrame() renders an incoming private message as an alert", () => {
  const frame: ServerFrame = { type: "private", from: "bob", to: "ana", text: "psst", time: TIME };
  const lines = renderFrame(frame, { self: "ana", room: "games" });
  assert.deepEqual(lines, [{
    spans: [
      { text: "[private] ", style: "private" },
      { text: "<" },
      { text: "bob", style: "nick" },
      { text: "> psst" },
    ],
    time: TIME,
    alert: true,
  }]);
});

Deno.test("renderFrame() renders an outgoing private message without an alert", () => {
  const frame: ServerFrame = { type: "private", from: "ana", to: "bob", text: "psst", time: TIME };
  const lines = renderFrame(frame, { self: "ana" });
  assert.deepEqual(lines.map(plainText), ["[private to bob] <ana> psst"]);
  assert.equal(lines[0]?.alert, undefined);
  assert.deepEqual(lines[0]?.spans[0], { text: "[private to bob] ", style: "private" });
});

Deno.test("renderFrame() renders private actions both ways", () => {
  const frame: ServerFrame = {
    type: "private",
    from: "bob",
    to: "ana",
    text: "waves",
    time: TIME,
    action: true,
  };
  assert.deepEqual(plain(frame, "ana"), ["[private] ** bob waves"]);
  assert.deepEqual(plain(frame, "bob"), ["[private to ana] ** bob waves"]);
});

Deno.test("renderFrame() renders whois with shared rooms, idle time, since and away", () => {
  const since = new Date(2024, 0, 2, 14, 7).getTime();
  assert.deepEqual(
    plain({
      type: "whois",
      nick: "bob",
      rooms: ["lobby", "games"],
      idle: 303,
      since,
      away: "lunch",
    }),
    ["* bob: in lobby, games; idle 5m 3s; here since 14:07; away: lunch"],
  );
  assert.deepEqual(plain({ type: "whois", nick: "bob", rooms: [], idle: 0, since: TIME }), [
    `* bob: no rooms shared with you; idle 0s; here since ${clock(TIME)}`,
  ]);
});

Deno.test("duration() shows seconds, minutes, hours and days", () => {
  const cases: [number, string][] = [
    [0, "0s"],
    [59, "59s"],
    [60, "1m 0s"],
    [303, "5m 3s"],
    [3599, "59m 59s"],
    [3600, "1h 0m"],
    [7620, "2h 7m"],
    [86399, "23h 59m"],
    [86400, "1d 0h"],
    [3 * 86400 + 4 * 3600 + 59, "3d 4h"],
    [-5, "0s"],
    [1.9, "1s"],
  ];
  for (const [seconds, text] of cases) assert.equal(duration(seconds), text, String(seconds));
});

Deno.test("clockTime() shows local HH:MM with leading zeros", () => {
  assert.equal(clockTime(new Date(2024, 0, 2, 9, 5).getTime()), "09:05");
  assert.equal(clockTime(new Date(2024, 0, 2, 0, 0).getTime()), "00:00");
  assert.equal(clockTime(new Date(2024, 0, 2, 23, 59, 59).getTime()), "23:59");
  assert.equal(clockTime(TIME), clock(TIME));
});

Deno.test("renderFrame() keeps line shapes apart: no message passes for a system line", () => {
  const viewer = { self: "ana", room: "lobby" };
  const message = seen(
    { type: "message", room: "lobby", nick: "bob", text: "* ana joined", time: TIME, seq: 1 },
    viewer,
  );
  assert.deepEqual(message, ["<bob> * ana joined"]);
  const action = seen({
    type: "message",
    room: "lobby",
    nick: "bob",
    text: "joined",
    time: TIME,
    seq: 1,
    action: true,
  }, viewer);
  assert.deepEqual(action, ["** bob joined"]);
});
