/** The hub's room flags (invite-only, moderated, open topic, outsiders), roles and invitations. */
import assert from "node:assert/strict";
import { assertChatError } from "./assert_chat_error.ts";
import { LOBBY } from "../src/limits.ts";
import { type Delivery, Hub } from "../src/server/hub.ts";
import type { ModeRequest } from "../src/server/events.ts";
import type { RoomFrame } from "../src/protocol.ts";

const T0 = 1000;

/** ana (1) owns games with bob (2) in it; carl (3) and dave (4) are in the lobby only. */
function gamesHub(): Hub {
  const hub = new Hub({});
  ["ana", "bob", "carl", "dave"].forEach((nick, i) => hub.register(i + 1, nick, T0));
  hub.createRoom(1, "games", {}, T0);
  hub.join(2, "games", undefined, T0);
  return hub;
}

const flag = (name: Extract<ModeRequest, { kind: "flag" }>["flag"], set = true): ModeRequest => ({
  kind: "flag",
  flag: name,
  set,
});
const role = (nick: string, set = true, which: "operator" | "voice" = "operator"): ModeRequest => ({
  kind: "role",
  role: which,
  nick,
  set,
});

function roomFrame(deliveries: Delivery[]): RoomFrame | undefined {
  return deliveries.find((delivery) => delivery.frame.type === "room")?.frame as
    | RoomFrame
    | undefined;
}

Deno.test("Hub.changeModes() makes all changes in one mode event, only those that change", () => {
  const hub = gamesHub();
  const out = hub.changeModes(1, "games", [flag("moderated"), role("bob", true, "voice")]);
  assert.deepEqual(out, [{
    to: [1, 2],
    frame: {
      type: "mode",
      room: "games",
      by: "ana",
      changes: [
        { kind: "flag", flag: "moderated", set: true },
        { kind: "role", role: "voice", nick: "bob", set: true },
      ],
    },
  }]);
  assert.deepEqual(hub.changeModes(1, "games", [flag("moderated")]), [], "already so: nothing");
  assert.equal(hub.listRooms(1).rooms.find((room) => room.name === "games")?.moderated, true);
});

Deno.test("Hub.changeModes() checks every change before making any", () => {
  const hub = gamesHub();
  assertChatError(
    () => hub.changeModes(1, "games", [flag("inviteOnly"), role("carl")]),
    "not_in_room",
    'carl is not in room "games"',
  );
  assert.equal(hub.listRooms(1).rooms.find((room) => room.name === "games")?.inviteOnly, undefined);
  assertChatError(() => hub.changeModes(1, "games", [role("zed")]), "no_such_nick");
  assertChatError(
    () => hub.changeModes(2, "games", [flag("moderated")]),
    "not_allowed",
    "Only the owner or operators of games may change its settings: its owner is ana",
  );
  assertChatError(
    () => hub.changeModes("admin", LOBBY, [flag("inviteOnly")]),
    "not_allowed",
    "The lobby is open to everyone: it cannot be invite-only",
  );
});

Deno.test("Hub.changeModes() operators run the room; the owner cannot be deopped by them", () => {
  const hub = gamesHub();
  hub.changeModes(1, "games", [role("bob")]);
  hub.join(3, "games", undefined, T0);
  assert.ok(hub.kick(2, "games", "carl", "", T0).length > 0, "bob may kick");
  const hub2 = gamesHub();
  hub2.changeModes(1, "games", [role("bob")]);
  assertChatError(
    () => hub2.changeModes(2, "games", [role("ana", false)]),
    "not_allowed",
    "ana owns games: only they can give it up",
  );
  hub2.setTopic(2, "games", "bob's topic", T0);
  // An operator gives up being one.
  const out = hub2.changeModes(2, "games", [role("bob", false)]);
  assert.equal(out.length, 1);
  assertChatError(() => hub2.setTopic(2, "games", "again", T0), "not_allowed");
});

Deno.test("Hub.changeModes() -o on yourself as the owner gives the room up", () => {
  const hub = gamesHub();
  hub.changeModes(1, "games", [role("ana", false)]);
  assertChatError(() => hub.setTopic(1, "games", "mine", T0), "not_allowed");
  // The room frame of a newcomer names no owner and no operators.
  const frame = roomFrame(hub.join(3, "games", undefined, T0));
  assert.equal(frame?.owner, undefined);
  assert.equal(frame?.operators, undefined);
});

Deno.test("Hub room frames carry the operators and voiced; leaving drops the role", () => {
  const hub = gamesHub();
  hub.join(3, "games", undefined, T0);
  hub.changeModes(1, "games", [role("bob"), role("carl", true, "voice")]);
  const frame = roomFrame(hub.join(4, "games", undefined, T0));
  assert.deepEqual(frame?.operators, ["bob"]);
  assert.deepEqual(frame?.voiced, ["carl"]);
  hub.leave(2, "games", "", T0);
  hub.join(2, "games", undefined, T0);
  assertChatError(() => hub.setTopic(2, "games", "x", T0), "not_allowed");
});

Deno.test("Hub moderated room: only operators and voiced members talk", () => {
  const hub = gamesHub();
  hub.join(3, "games", undefined, T0);
  hub.changeModes(1, "games", [flag("moderated"), role("bob", true, "voice")]);
  assertChatError(
    () => hub.say(3, "games", "hi", T0),
    "muted",
    'Cannot send to room "games": it is moderated, only its operators and voiced members talk',
  );
  assert.ok(hub.say(2, "games", "voiced", T0).length > 0);
  assert.ok(hub.say(1, "games", "owner", T0).length > 0);
});

Deno.test("Hub open topic lets members set it; outsiders may send when the room lets them", () => {
  const hub = gamesHub();
  assertChatError(() => hub.setTopic(2, "games", "x", T0), "not_allowed");
  hub.changeModes(1, "games", [flag("openTopic")]);
  assert.equal(hub.setTopic(2, "games", "bob's", T0).length, 1);
  assertChatError(() => hub.setTopic(3, "games", "not a member", T0), "not_allowed");
  assertChatError(() => hub.say(3, "games", "from outside", T0), "not_in_room");
  hub.changeModes(1, "games", [flag("outsiders")]);
  const out = hub.say(3, "games", "from outside", T0);
  assert.ok(out.some((delivery) => delivery.to.includes(2) && delivery.frame.type === "message"));
});

Deno.test("Hub invite-only: an invitation lets one in once, and past a room ban", () => {
  const hub = gamesHub();
  hub.changeModes(1, "games", [flag("inviteOnly")]);
  assertChatError(
    () => hub.join(3, "games", undefined, T0),
    "invite_only",
    'Cannot join room "games": it is invite-only (ask one of its operators to /invite you)',
  );
  assertChatError(
    () => hub.invite(2, "games", "carl"),
    "not_allowed",
    "Only the owner or operators of games may invite people while it is invite-only: " +
      "its owner is ana",
  );
  assert.deepEqual(hub.invite(1, "games", "carl"), [{
    to: [3, 1],
    frame: { type: "invite", room: "games", by: "ana", nick: "carl" },
  }]);
  assert.deepEqual(hub.invitations(3), [{
    to: [3],
    frame: { type: "invitations", rooms: ["games"] },
  }]);
  hub.join(3, "games", undefined, T0);
  assert.deepEqual(hub.invitations(3)[0]?.frame, { type: "invitations", rooms: [] });
  hub.leave(3, "games", "", T0);
  assertChatError(() => hub.join(3, "games", undefined, T0), "invite_only", /invite-only/);
  hub.roomBan(1, "games", "dave", T0);
  hub.invite(1, "games", "dave");
  assert.ok(roomFrame(hub.join(4, "games", undefined, T0)), "the invitation lifts the ban once");
});

Deno.test("Hub.invite() needs membership, a present nick, and someone not in the room", () => {
  const hub = gamesHub();
  assertChatError(() => hub.invite(3, "games", "dave"), "not_in_room");
  assertChatError(() => hub.invite(1, "games", "zed"), "no_such_nick");
  assertChatError(
    () => hub.invite(1, "games", "bob"),
    "already_in_room",
    'bob is already in room "games"',
  );
  assertChatError(() => hub.invite(1, "nowhere", "bob"), "no_such_room");
  // A member may invite to a room that is not invite-only.
  assert.equal(hub.invite(2, "games", "carl").length, 1);
});

Deno.test("Hub.privateMessage() to yourself arrives once, without an away reply", () => {
  const hub = gamesHub();
  hub.setAway(1, "out");
  const out = hub.privateMessage(1, "ana", "note", T0);
  assert.deepEqual(out.map((delivery) => [delivery.to, delivery.frame.type]), [[[1], "private"]]);
});

Deno.test("Hub.invite() by a plain member is word of mouth: no way past a password or a ban", () => {
  const hub = gamesHub();
  hub.setPassword(1, "games", "s3cret");
  assert.equal(hub.invite(2, "games", "carl").length, 1, "carl is told");
  assertChatError(() => hub.join(3, "games", undefined, T0), "wrong_password");
  hub.roomBan(1, "games", "dave", T0);
  assert.equal(hub.invite(2, "games", "dave").length, 1);
  assertChatError(() => hub.join(4, "games", "s3cret", T0), "banned");
  // An operator's invitation opens it; a ban after it closes it again.
  hub.invite(1, "games", "carl");
  hub.roomBan(1, "games", "carl", T0);
  assertChatError(() => hub.join(3, "games", "s3cret", T0), "banned");
});

Deno.test("Hub room operators may kick their owner, as on IRC, but not close the room", () => {
  const hub = gamesHub();
  hub.changeModes(1, "games", [role("bob")]);
  assertChatError(
    () => hub.closeRoom(2, "games", "", T0),
    "not_allowed",
    "Only the owner of games may close it: its owner is ana",
  );
  assert.ok(hub.kick(2, "games", "ana", "", T0).length > 0);
  // The owner, outside, still runs it.
  assert.ok(hub.closeRoom(1, "games", "", T0).length > 0);
});

Deno.test("Hub a banned outsider cannot send to a room open to outsiders; +m stops file offers", () => {
  const hub = gamesHub();
  hub.changeModes(1, "games", [flag("outsiders")]);
  hub.roomBan(1, "games", "carl", T0);
  assertChatError(() => hub.say(3, "games", "from outside", T0), "not_in_room");
  hub.changeModes(1, "games", [flag("moderated")]);
  assertChatError(() => hub.othersIn(2, "games"), "muted", /it is moderated/);
  assert.deepEqual(hub.othersIn(1, "games").ids, [2]);
});

Deno.test("Hub resume into an invite-only room or one you are banned from is refused", () => {
  const hub = gamesHub();
  hub.createRoom(1, "club", {}, T0);
  hub.changeModes(1, "club", [flag("inviteOnly")]);
  const out = hub.register(9, "eve", T0, {
    rooms: [{ room: "club", seq: 0 }, { room: "games", seq: 0 }],
    trusted: [],
  });
  const failed = out.map((delivery) => delivery.frame).filter((frame) =>
    frame.type === "rejoin_failed"
  );
  assert.deepEqual(failed, [{ type: "rejoin_failed", room: "club", why: "invite_only" }]);
  hub.roomBan(1, "games", "zoe", T0);
  const banned = hub.register(10, "zoe", T0, { rooms: [{ room: "games", seq: 0 }], trusted: [] })
    .map((delivery) => delivery.frame).filter((frame) => frame.type === "rejoin_failed");
  assert.deepEqual(banned, [{ type: "rejoin_failed", room: "games", why: "banned" }]);
});
