/**
 * Property-based tests of rendering (src/render.ts) with fast-check: whatever text a server frame
 * carries, what reaches the terminal has no control, bidi or zero-width character and no line
 * break, and each kind of line keeps its own prefix. Failures print the seed and counterexample.
 */
import assert from "node:assert/strict";
import fc from "fast-check";
import type { ErrorCode } from "../src/errors.ts";
import type { ServerFrame } from "../src/protocol.ts";
import { plainText, renderFrame, type Viewer } from "../src/render.ts";

/** Characters that must never reach a terminal raw (tab included: it becomes a space). */
const UNSAFE_PIECES = [
  "\t",
  "\n",
  "\r",
  "\u0000",
  "\u0007",
  "\u0008",
  "\u001b",
  "\u001b[2J",
  "\u001b]0;title\u0007",
  "\u007f",
  "\u0085",
  "\u009b",
  "\u061c",
  "\u200b",
  "\u200c",
  "\u200d",
  "\u200e",
  "\u200f",
  "\u2028",
  "\u2029",
  "\u202a",
  "\u202d",
  "\u202e",
  "\u2060",
  "\u2066",
  "\u2069",
  "\ufeff",
];

/**
 * What plain text must not contain: C0 and C1 controls, DEL, bidi controls, zero-width
 * characters, line and paragraph separators.
 */
const FORBIDDEN = /[\p{Cc}\p{Bidi_Control}\u200b-\u200d\u2060\ufeff\u2028\u2029]/u;

const unit: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom(...UNSAFE_PIECES),
  fc.constantFrom("<", ">", "*", "!", "[", "]", "#", "[private] ", "* ", "! ", " "),
  fc.string({ unit: "binary", minLength: 1, maxLength: 1 }),
  fc.integer({ min: 0, max: 0xa0 }).map((code) => String.fromCharCode(code)),
  fc.integer({ min: 0xd800, max: 0xdfff }).map((code) => String.fromCharCode(code)),
);
const text = fc.string({ unit, maxLength: 12 });
const texts = fc.array(text, { maxLength: 4 });
const num = fc.oneof(
  fc.integer({ min: 0, max: 2_000_000_000_000 }),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
);
const maybe = <T>(arbitrary: fc.Arbitrary<T>) => fc.option(arbitrary, { nil: undefined });

/** Removes keys whose value is undefined, so optional fields are absent as on the wire. */
function present<T extends object>(frame: T): T {
  return Object.fromEntries(
    Object.entries(frame).filter(([, value]) => value !== undefined),
  ) as T;
}

const FRAMES: { [K in ServerFrame["type"]]: fc.Arbitrary<Extract<ServerFrame, { type: K }>> } = {
  welcome: fc.record({
    type: fc.constant("welcome"),
    version: num,
    server: text,
    nick: text,
    token: maybe(text),
  }).map(present),
  ack: fc.record({ type: fc.constant("ack"), id: text, room: text, seq: num }),
  offer_ok: fc.record({ type: fc.constant("offer_ok"), ref: text, id: text, token: text }),
  file: fc.record({
    type: fc.constant("file"),
    id: text,
    from: text,
    name: text,
    size: num,
    sha256: text,
    room: maybe(text),
    to: maybe(text),
    token: text,
    time: num,
  }).map(present),
  transfer: fc.record({
    type: fc.constant("transfer"),
    id: text,
    name: text,
    state: fc.constantFrom("uploaded" as const, "delivered" as const, "failed" as const),
    reason: maybe(text),
  }).map(present),
  ready: fc.record({ type: fc.constant("ready") }),
  data: fc.record({ type: fc.constant("data"), size: num }),
  room: fc.record({
    type: fc.constant("room"),
    room: text,
    members: texts,
    topic: maybe(text),
    limit: maybe(num),
    owner: maybe(text),
    history: maybe(num),
    seq: maybe(num),
    since: maybe(num),
    gap: maybe(fc.boolean()),
  }).map(present),
  left: fc.record({
    type: fc.constant("left"),
    room: text,
    reason: maybe(text),
    kickedBy: maybe(text),
    closedBy: maybe(text),
  }).map(present),
  rooms: fc.record({
    type: fc.constant("rooms"),
    rooms: fc.array(
      fc.record({
        name: text,
        members: num,
        limit: maybe(num),
        topic: maybe(text),
        private: maybe(fc.boolean()),
        password: maybe(fc.boolean()),
      }).map(present),
      { maxLength: 3 },
    ),
  }),
  topic: fc.record({ type: fc.constant("topic"), room: text, topic: text, nick: text, time: num }),
  private: fc.record({
    type: fc.constant("private"),
    from: text,
    to: text,
    text,
    time: num,
    action: maybe(fc.boolean()),
  }).map(present),
  whois: fc.record({
    type: fc.constant("whois"),
    nick: text,
    rooms: texts,
    idle: num,
    since: num,
    away: maybe(text),
  }).map(present),
  announce: fc.record({ type: fc.constant("announce"), text, room: maybe(text), time: num })
    .map(present),
  join: fc.record({ type: fc.constant("join"), room: text, nick: text, time: num }),
  leave: fc.record({
    type: fc.constant("leave"),
    room: text,
    nick: text,
    reason: maybe(text),
    kickedBy: maybe(text),
    time: num,
  }).map(present),
  quit: fc.record({ type: fc.constant("quit"), nick: text, reason: maybe(text), time: num })
    .map(present),
  nick: fc.record({ type: fc.constant("nick"), old: text, new: text, time: num }),
  message: fc.record({
    type: fc.constant("message"),
    room: text,
    nick: text,
    text,
    time: num,
    seq: num,
    action: maybe(fc.boolean()),
    history: maybe(fc.boolean()),
  }).map(present),
  users: fc.record({ type: fc.constant("users"), room: text, nicks: texts }),
  help: fc.record({
    type: fc.constant("help"),
    commands: fc.array(fc.record({ usage: text, summary: text, aliases: texts }), {
      maxLength: 3,
    }),
  }),
  notice: fc.record({ type: fc.constant("notice"), text, room: maybe(text) }).map(present),
  error: fc.record({
    type: fc.constant("error"),
    code: fc.constant<ErrorCode>("bad_frame"),
    message: text,
    id: maybe(text),
  }).map(present),
  ping: fc.record({ type: fc.constant("ping"), token: maybe(text) }).map(present),
  pong: fc.record({ type: fc.constant("pong"), token: maybe(text) }).map(present),
  bye: fc.record({ type: fc.constant("bye"), reason: text }),
};

const serverFrame: fc.Arbitrary<ServerFrame> = fc.oneof(...Object.values(FRAMES));

/** A viewer with no nick or room, or one taken from the frame, or arbitrary. */
function viewerFor(frame: ServerFrame): fc.Arbitrary<Viewer> {
  const fromFrame = Object.values(frame).filter((value) => typeof value === "string");
  const pick = fromFrame.length > 0 ? fc.constantFrom(...fromFrame) : text;
  return fc.record({ self: maybe(fc.oneof(pick, text)), room: maybe(fc.oneof(pick, text)) })
    .map(present);
}

const framesAndViewers = serverFrame.chain((frame) =>
  viewerFor(frame).map((viewer) => ({ frame, viewer }))
);

Deno.test("renderFrame() never lets a control, bidi or zero-width character through", () => {
  fc.assert(
    fc.property(framesAndViewers, ({ frame, viewer }) => {
      for (const line of renderFrame(frame, viewer)) {
        const plain = plainText(line);
        assert.ok(!FORBIDDEN.test(plain), `unsafe character in ${JSON.stringify(plain)}`);
        for (const span of line.spans) {
          assert.ok(!FORBIDDEN.test(span.text), `unsafe character in ${JSON.stringify(span)}`);
        }
      }
    }),
    { numRuns: 300 },
  );
});

/** How each kind of line may start, so that no message can pass for a system line. */
function allowedStarts(frame: ServerFrame): string[] {
  switch (frame.type) {
    case "message":
      return frame.action ? ["** ", "[#"] : ["<", "[#"];
    case "private":
      return ["[private"];
    case "error":
      return ["! "];
    case "room":
    case "transfer":
      return ["* ", "! "];
    case "file":
      return ["[private] * ", "* ", "[#"];
    default:
      return ["* ", "[#"];
  }
}

Deno.test("renderFrame() starts each kind of line with its own prefix, whatever the text", () => {
  fc.assert(
    fc.property(framesAndViewers, ({ frame, viewer }) => {
      for (const line of renderFrame(frame, viewer)) {
        const body = line.spans.map((span) => span.text).join("");
        assert.ok(
          allowedStarts(frame).some((start) => body.startsWith(start)),
          `${frame.type} line ${JSON.stringify(body)}`,
        );
        if (body.startsWith("[#")) {
          assert.ok(viewer.room !== undefined, "a [#room] prefix only when looking elsewhere");
        }
      }
    }),
    { numRuns: 300 },
  );
});
