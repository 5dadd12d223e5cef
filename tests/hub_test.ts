import { nativeFrame } from "../src/dialect/native_frames.ts";
import { PROTOCOL_ENCODING } from "../src/dialect/dialect.ts";
import assert from "node:assert/strict";
import { ChatError } from "../src/errors.ts";
import { assertChatError } from "./assert_chat_error.ts";
import { DEFAULT_HISTORY, LOBBY } from "../src/limits.ts";
import {
  encodeFrame,
  type MessageFrame,
  type RoomFrame,
  type RoomInfo,
  type ServerFrame,
} from "../src/protocol.ts";
import { roomKey } from "../src/room_name.ts";
import { type Delivery, Hub, type HubOptions, type MemberId } from "../src/server/hub.ts";
import { MemoryNickRegistry } from "../src/store/memory_nick_registry.ts";
import { MemoryRoomDirectory } from "../src/store/memory_room_directory.ts";
import { MemoryRoomLog } from "../src/store/memory_room_log.ts";

const T0 = 1000;

/** A hub with `nicks` registered as ids 1, 2, 3, ... */
function hubWith(...nicks: string[]): Hub {
  return hubWithOptions({}, ...nicks);
}

/** A hub made with `options`, with `nicks` registered as ids 1, 2, 3, ... */
function hubWithOptions(options: HubOptions, ...nicks: string[]): Hub {
  const hub = new Hub(options);
  nicks.forEach((nick, i) => hub.register(i + 1, nick, T0));
  return hub;
}

/** The frames one client receives from a batch of deliveries, in order. */
function framesFor(deliveries: Delivery[], id: MemberId): ServerFrame[] {
  return deliveries.filter((delivery) => delivery.to.includes(id)).flatMap((d) =>
    nativeFrame(d.frame) ?? []
  );
}

/** The room list a member sees, as names. */
function roomNames(hub: Hub, id: MemberId | "admin"): string[] {
  return hub.listRooms(id).rooms.map((room) => room.name);
}

/** The row of the room list a member sees for one room, if they see it. */
function roomRow(hub: Hub, id: MemberId | "admin", name: string): RoomInfo | undefined {
  return hub.listRooms(id).rooms.find((room) => room.name === name);
}

/** Recipients sorted, for comparing deliveries whose recipient order is not part of the contract. */
function sorted(deliveries: Delivery[]): Delivery[] {
  return deliveries.map((delivery) => ({
    to: [...delivery.to].sort((a, b) => a - b),
    frame: delivery.frame,
  }));
}

Deno.test("Hub.register() sends the room list, then puts the first member in the lobby alone", () => {
  const hub = new Hub();
  assert.deepEqual(hub.register(1, "ana", T0), [
    { to: [1], frame: { type: "rooms", rooms: [{ name: LOBBY, members: 1 }] } },
    { to: [1], frame: { type: "room", room: "lobby", members: ["ana"], seq: 0 } },
  ]);
  assert.equal(hub.size, 1);
  assert.equal(hub.nickOf(1), "ana");
  assert.deepEqual(hub.ids(), [1]);
});

Deno.test("Hub.register() tells the others and sends the joiner sorted members", () => {
  const hub = hubWith("carl", "Bob");
  assert.deepEqual(sorted(hub.register(3, "ana", T0 + 5)), [
    { to: [3], frame: { type: "rooms", rooms: [{ name: LOBBY, members: 3 }] } },
    { to: [1, 2], frame: { type: "join", room: LOBBY, nick: "ana", time: T0 + 5 } },
    { to: [3], frame: { type: "room", room: LOBBY, members: ["ana", "Bob", "carl"], seq: 0 } },
  ]);
});

Deno.test("Hub.register() returns the NFC-normalised nick", () => {
  const hub = new Hub();
  hub.register(1, "Rene\u0301", T0);
  assert.equal(hub.nickOf(1), "Ren\u00e9");
});

Deno.test("Hub.register() refuses a nick taken, ignoring case", () => {
  const hub = hubWith("ana");
  assertChatError(
    () => hub.register(2, "ANA", T0),
    "nick_taken",
    'Nick "ANA" is taken: choose another',
  );
  assertChatError(() => hub.register(2, "Ana", T0), "nick_taken");
  assert.equal(hub.size, 1);
  assert.equal(hub.nickOf(2), undefined);
});

Deno.test("Hub.register() refuses the full-width form of a taken nick", () => {
  const hub = hubWith("ana");
  assertChatError(() => hub.register(2, "\uff21\uff4e\uff41", T0), "nick_taken");
  const other = hubWith("\uff41\uff4e\uff41");
  assertChatError(() => other.register(2, "ana", T0), "nick_taken");
});

Deno.test("Hub.register() refuses an invalid nick and lets the client retry", () => {
  const hub = new Hub();
  assertChatError(() => hub.register(1, "bad nick", T0), "nick_invalid");
  assertChatError(() => hub.register(1, "", T0), "nick_invalid");
  assert.equal(hub.size, 0);
  assert.deepEqual(hub.register(1, "good", T0), [
    { to: [1], frame: { type: "rooms", rooms: [{ name: LOBBY, members: 1 }] } },
    { to: [1], frame: { type: "room", room: LOBBY, members: ["good"], seq: 0 } },
  ]);
});

Deno.test("Hub.register() refuses a second registration of the same id", () => {
  const hub = hubWith("ana");
  assertChatError(
    () => hub.register(1, "other", T0),
    "already_registered",
    "You are already registered: use /nick to rename",
  );
  assert.equal(hub.nickOf(1), "ana");
  // The refused nick was not reserved.
  hub.register(2, "other", T0);
  assert.equal(hub.nickOf(2), "other");
});

Deno.test("Hub.say() reaches everyone in the room but the sender", () => {
  const hub = hubWith("ana", "bob", "carl");
  assert.deepEqual(sorted(hub.say(2, LOBBY, "hello", T0 + 1)), [{
    to: [1, 3],
    frame: { type: "message", room: LOBBY, nick: "bob", text: "hello", time: T0 + 1, seq: 1 },
  }]);
});

Deno.test("Hub.say() numbers messages per room from 1, increasing", () => {
  const hub = hubWith("ana", "bob");
  const seqs = [
    hub.say(1, LOBBY, "one", T0),
    hub.say(2, LOBBY, "two", T0),
    hub.say(1, LOBBY, "three", T0),
  ].map((deliveries) => (deliveries[0]?.frame as MessageFrame).seq);
  assert.deepEqual(seqs, [1, 2, 3]);
});

Deno.test("Hub.say() with no one else in the room delivers to nobody", () => {
  const hub = hubWith("ana");
  const frame: ServerFrame = {
    type: "message",
    room: LOBBY,
    nick: "ana",
    text: "anyone?",
    time: T0,
    seq: 1,
  };
  // The frame comes encoded already: the same bytes as encodeFrame() makes.
  assert.deepEqual(hub.say(1, LOBBY, "anyone?", T0), [{
    to: [],
    frame,
    encoded: new Map([[PROTOCOL_ENCODING, encodeFrame(frame)]]),
  }]);
});

Deno.test("Hub.say() validates the text and does not use up a seq when refused", () => {
  const hub = hubWith("ana", "bob");
  assertChatError(() => hub.say(1, LOBBY, "   ", T0), "text_invalid", "Message is empty");
  assertChatError(() => hub.say(1, LOBBY, "\u001b[2J", T0), "text_invalid");
  assertChatError(() => hub.say(1, LOBBY, "x".repeat(4097), T0), "text_invalid");
  const [delivery] = hub.say(1, LOBBY, "ok", T0);
  assert.equal((delivery?.frame as MessageFrame).seq, 1);
});

Deno.test("Hub.say() refuses a room that does not exist", () => {
  const hub = hubWith("ana");
  assertChatError(() => hub.say(1, "nowhere", "hi", T0), "no_such_room", 'No such room: "nowhere"');
});

Deno.test("Hub.say() refuses an unregistered or departed id", () => {
  const hub = hubWith("ana", "bob");
  assertChatError(() => hub.say(9, LOBBY, "hi", T0), "not_registered", "Choose a nick first");
  hub.disconnect(2, "bye", T0);
  assertChatError(() => hub.say(2, LOBBY, "hi", T0), "not_registered");
});

Deno.test("Hub.rename() tells self and neighbours exactly once each", () => {
  const hub = hubWith("ana", "bob", "carl");
  const deliveries = hub.rename(2, "bobby", T0 + 7);
  assert.equal(deliveries.length, 1);
  const [delivery] = deliveries;
  assert.ok(delivery !== undefined);
  assert.deepEqual([...delivery.to].sort(), [1, 2, 3]);
  assert.equal(new Set(delivery.to).size, delivery.to.length);
  assert.deepEqual(delivery.frame, { type: "nick", old: "bob", new: "bobby", time: T0 + 7 });
  assert.equal(hub.nickOf(2), "bobby");
});

Deno.test("Hub.rename() frees the old nick for someone else", () => {
  const hub = hubWith("ana", "bob");
  hub.rename(2, "bobby", T0);
  assertChatError(() => hub.register(3, "BOBBY", T0), "nick_taken");
  hub.register(3, "BOB", T0);
  assert.equal(hub.nickOf(3), "BOB");
});

Deno.test("Hub.rename() refuses a nick another member holds, ignoring case", () => {
  const hub = hubWith("ana", "bob");
  assertChatError(() => hub.rename(2, "Ana", T0), "nick_taken");
  assertChatError(() => hub.rename(2, "\uff41\uff4e\uff41", T0), "nick_taken");
  assert.equal(hub.nickOf(2), "bob");
});

Deno.test("Hub.rename() refuses an invalid nick and keeps the old one", () => {
  const hub = hubWith("ana");
  assertChatError(() => hub.rename(1, "-x", T0), "nick_invalid");
  assert.equal(hub.nickOf(1), "ana");
});

Deno.test("Hub.rename() allows changing the case of one's own nick", () => {
  const hub = hubWith("ana", "bob");
  assert.deepEqual(sorted(hub.rename(1, "Ana", T0)), [
    { to: [1, 2], frame: { type: "nick", old: "ana", new: "Ana", time: T0 } },
  ]);
  assert.equal(hub.nickOf(1), "Ana");
  assertChatError(() => hub.register(3, "ana", T0), "nick_taken");
});

Deno.test("Hub.rename() to the same nick only tells the sender", () => {
  const hub = hubWith("ana", "bob");
  assert.deepEqual(hub.rename(1, "ana", T0), [
    { to: [1], frame: { type: "same_nick", nick: "ana" } },
  ]);
  assert.equal(hub.nickOf(1), "ana");
});

Deno.test("Hub.rename() refuses an unregistered id", () => {
  const hub = new Hub();
  assertChatError(() => hub.rename(1, "ana", T0), "not_registered");
  assert.equal(hub.size, 0);
});

Deno.test("Hub.users() lists the room sorted, ignoring case", () => {
  const hub = hubWith("carl", "Bob", "ana", "Dave");
  assert.deepEqual(hub.users(1, LOBBY), {
    type: "users",
    room: LOBBY,
    nicks: ["ana", "Bob", "carl", "Dave"],
  });
  assertChatError(() => hub.users(1, "nowhere"), "no_such_room");
  assertChatError(() => hub.users(99, LOBBY), "not_registered");
});

Deno.test("Hub.disconnect() tells the neighbours with the reason and frees the nick", () => {
  const hub = hubWith("ana", "bob", "carl");
  const out = hub.disconnect(2, "Quit: bye", T0 + 3);
  // The rooms left are for the dialects: the wire frame leaves them out.
  assert.deepEqual(nativeFrame(out[0]?.frame ?? { type: "pong" }), {
    type: "quit",
    nick: "bob",
    reason: "Quit: bye",
    time: T0 + 3,
  });
  assert.deepEqual(sorted(out), [{
    to: [1, 3],
    frame: { type: "quit", nick: "bob", reason: "Quit: bye", time: T0 + 3, roomKeys: ["lobby"] },
  }]);
  assert.equal(hub.size, 2);
  assert.equal(hub.nickOf(2), undefined);
  assert.deepEqual(hub.users(1, LOBBY).nicks, ["ana", "carl"]);
  hub.register(4, "Bob", T0);
  assert.equal(hub.nickOf(4), "Bob");
});

Deno.test("Hub.disconnect() of the last member delivers nothing", () => {
  const hub = hubWith("ana");
  assert.deepEqual(hub.disconnect(1, "Connection closed", T0), []);
  assert.equal(hub.size, 0);
});

Deno.test("Hub.disconnect() is a no-op for an unknown id", () => {
  const hub = hubWith("ana");
  assert.deepEqual(hub.disconnect(42, "whatever", T0), []);
  assert.equal(hub.size, 1);
  hub.disconnect(1, "bye", T0);
  assert.deepEqual(hub.disconnect(1, "bye again", T0), []);
});

Deno.test("Hub.register() after a disconnect does not list or notify stale members", () => {
  const hub = hubWith("ana", "bob");
  hub.disconnect(1, "bye", T0);
  assert.deepEqual(hub.register(3, "carl", T0 + 1), [
    { to: [3], frame: { type: "rooms", rooms: [{ name: LOBBY, members: 2 }] } },
    { to: [2], frame: { type: "join", room: LOBBY, nick: "carl", time: T0 + 1 } },
    { to: [3], frame: { type: "room", room: LOBBY, members: ["bob", "carl"], seq: 0 } },
  ]);
  assert.deepEqual(hub.say(3, LOBBY, "hi", T0).map((delivery) => delivery.to), [[2]]);
});

Deno.test("Hub.rename() after a neighbour left does not notify them", () => {
  const hub = hubWith("ana", "bob");
  hub.disconnect(2, "bye", T0);
  assert.deepEqual(hub.rename(1, "anna", T0), [
    { to: [1], frame: { type: "nick", old: "ana", new: "anna", time: T0 } },
  ]);
});

// ---- say, actions ------------------------------------------------------------------------------

Deno.test("Hub.say() marks a /me message with action: true, and plain ones without it", () => {
  const hub = hubWith("ana", "bob");
  const frame: ServerFrame = {
    type: "message",
    room: LOBBY,
    nick: "ana",
    text: "waves",
    time: T0,
    seq: 1,
    action: true,
  };
  assert.deepEqual(hub.say(1, LOBBY, "waves", T0, true), [{
    to: [2],
    frame,
    encoded: new Map([[PROTOCOL_ENCODING, encodeFrame(frame)]]),
  }]);
  const plain = hub.say(1, LOBBY, "hi", T0)[0]?.frame;
  assert.ok(plain !== undefined && !Object.hasOwn(plain, "action"));
});

Deno.test("Hub.say() refuses a room the member is not in", () => {
  const hub = hubWith("ana", "bob");
  hub.createRoom(1, "games", {}, T0);
  assertChatError(
    () => hub.say(2, "games", "hi", T0),
    "not_in_room",
    'You are not in room "games"',
  );
  assert.deepEqual(hub.say(1, "GAMES", "hi", T0).map((delivery) => delivery.frame.type), [
    "message",
  ]);
});

// ---- createRoom --------------------------------------------------------------------------------

Deno.test("Hub.createRoom() by a member makes them its owner and puts them in it", () => {
  const hub = hubWith("ana", "bob");
  assert.deepEqual(hub.createRoom(1, "#Games", { limit: 8, topic: "Board games" }, T0 + 1), [{
    to: [1],
    frame: {
      type: "room",
      room: "Games",
      members: ["ana"],
      topic: "Board games",
      limit: 8,
      owner: "ana",
      seq: 0,
      created: T0 + 1,
    },
  }]);
  // The room frame is what switches the creator's client to the new room.
  assert.deepEqual(hub.roomsOf(1), [LOBBY, "Games"]);
  assert.deepEqual(hub.roomsOf(2), [LOBBY]);
  assert.deepEqual(hub.membersOf("games"), ["ana"]);
  assert.deepEqual(roomRow(hub, 2, "Games"), {
    name: "Games",
    members: 1,
    limit: 8,
    topic: "Board games",
  });
  // Only the owner may change it.
  hub.setTopic(1, "games", "Chess", T0);
  assertChatError(() => hub.setTopic(2, "games", "Go", T0), "not_allowed");
});

Deno.test("Hub.createRoom() by the admin makes a persistent room with no owner that nobody joins", () => {
  const hub = hubWith("ana");
  assert.deepEqual(hub.createRoom("admin", "news", { topic: "Read me" }, T0), []);
  assert.deepEqual(hub.membersOf("news"), []);
  assert.deepEqual(hub.roomsOf(1), [LOBBY]);
  assert.deepEqual(roomRow(hub, 1, "news"), { name: "news", members: 0, topic: "Read me" });
  assert.deepEqual(hub.join(1, "news", undefined, T0), [
    {
      to: [1],
      frame: {
        type: "room",
        room: "news",
        members: ["ana"],
        topic: "Read me",
        seq: 0,
        created: T0,
      },
    },
  ]);
  assertChatError(() => hub.setTopic(1, "news", "Mine now", T0), "not_allowed");
  hub.leave(1, "news", "Left", T0);
  // Empty, but still there.
  assert.deepEqual(roomRow(hub, 1, "news"), { name: "news", members: 0, topic: "Read me" });
});

Deno.test("Hub.createRoom() refuses members when user rooms are off, but not the admin", () => {
  const hub = hubWithOptions({ userRooms: false }, "ana");
  assertChatError(
    () => hub.createRoom(1, "games", {}, T0),
    "rooms_disabled",
    "Creating rooms is turned off on this server",
  );
  assert.deepEqual(roomNames(hub, 1), [LOBBY]);
  assert.deepEqual(hub.createRoom("admin", "games", {}, T0), []);
  assert.deepEqual(roomNames(hub, 1), [LOBBY, "games"]);
  // Joining rooms the admin made still works.
  hub.join(1, "games", undefined, T0);
  assert.deepEqual(hub.roomsOf(1), [LOBBY, "games"]);
});

Deno.test("Hub.createRoom() refuses a name that exists, ignoring case and a leading #", () => {
  const hub = hubWith("ana", "bob");
  hub.createRoom(1, "Games", {}, T0);
  assertChatError(
    () => hub.createRoom(2, "#GAMES", {}, T0),
    "room_exists",
    'Room "GAMES" already exists: /join it instead',
  );
  assertChatError(() => hub.createRoom(2, "games", {}, T0), "room_exists");
  assertChatError(() => hub.createRoom("admin", "Lobby", {}, T0), "room_exists");
  assert.deepEqual(hub.roomsOf(2), [LOBBY]);
  assert.deepEqual(roomNames(hub, "admin"), [LOBBY, "Games"]);
});

Deno.test("Hub.createRoom() refuses a bad name or bad settings and creates nothing", () => {
  const hub = hubWith("ana");
  const bad: [string, object, string][] = [
    ["bad room", {}, 'Room name "bad room" is not allowed: use '],
    ["#", {}, "Room name is empty: use "],
    ["games", { limit: 0 }, "Limit must be a whole number from 1 to 10000"],
    ["games", { limit: 10_001 }, "Limit must be a whole number from 1 to 10000"],
    ["games", { limit: 2.5 }, "Limit must be a whole number from 1 to 10000"],
    ["games", { topic: "t".repeat(301) }, "Topic is too long: 301 characters, at most 300"],
    ["games", { password: "two words" }, "Password must be 1 to 64 characters without spaces"],
    ["games", { password: "" }, "Password must be 1 to 64 characters without spaces"],
  ];
  for (const [name, settings, message] of bad) {
    assert.throws(() => hub.createRoom(1, name, settings, T0), (error: unknown) => {
      assert.ok(error instanceof ChatError);
      assert.equal(error.code, "room_invalid");
      assert.ok(error.message.startsWith(message), error.message);
      return true;
    });
  }
  assert.deepEqual(roomNames(hub, "admin"), [LOBBY]);
  assert.deepEqual(hub.roomsOf(1), [LOBBY]);
});

Deno.test("Hub.createRoom() refuses a room past maxRooms, counting the lobby", () => {
  const hub = hubWithOptions({ maxRooms: 3 }, "ana");
  hub.createRoom(1, "one", {}, T0);
  hub.createRoom("admin", "two", {}, T0);
  assertChatError(
    () => hub.createRoom(1, "three", {}, T0),
    "too_many_rooms",
    "Cannot create room: the server has 3 rooms, its most",
  );
  assertChatError(() => hub.createRoom("admin", "three", {}, T0), "too_many_rooms");
  // A room that goes away frees its place.
  hub.leave(1, "one", "Left", T0);
  hub.createRoom(1, "three", {}, T0);
  assert.deepEqual(roomNames(hub, "admin"), [LOBBY, "two", "three"]);
});

// ---- join --------------------------------------------------------------------------------------

Deno.test("Hub.join() tells the room and sends the joiner the room frame", () => {
  const hub = hubWith("ana", "bob");
  hub.createRoom(1, "games", { limit: 4 }, T0);
  assert.deepEqual(hub.join(2, "#GAMES", undefined, T0 + 2), [
    { to: [1], frame: { type: "join", room: "games", nick: "bob", time: T0 + 2 } },
    {
      to: [2],
      frame: {
        type: "room",
        room: "games",
        members: ["ana", "bob"],
        limit: 4,
        owner: "ana",
        seq: 0,
        created: T0,
      },
    },
  ]);
  assert.deepEqual(hub.roomsOf(2), [LOBBY, "games"]);
});

Deno.test("Hub.join() refuses a room that does not exist", () => {
  const hub = hubWith("ana");
  assertChatError(
    () => hub.join(1, "nowhere", undefined, T0),
    "no_such_room",
    'No such room: "nowhere"',
  );
});

Deno.test("Hub.join() refuses a room the member is already in", () => {
  const hub = hubWith("ana");
  assertChatError(
    () => hub.join(1, "LOBBY", undefined, T0),
    "already_in_room",
    'You are already in room "lobby": /switch lobby to talk there',
  );
  assert.deepEqual(hub.membersOf(LOBBY), ["ana"]);
});

Deno.test("Hub.join() tells a missing password from a wrong one", () => {
  const hub = hubWith("ana", "bob");
  hub.createRoom(1, "vault", { password: "s3cret" }, T0);
  assertChatError(
    () => hub.join(2, "vault", undefined, T0),
    "wrong_password",
    'Cannot join room "vault": it needs a password (/join vault PASSWORD)',
  );
  assertChatError(
    () => hub.join(2, "vault", "nope", T0),
    "wrong_password",
    'Cannot join room "vault": wrong password',
  );
  assertChatError(() => hub.join(2, "vault", "S3CRET", T0), "wrong_password");
  assert.deepEqual(hub.membersOf("vault"), ["ana"]);
  hub.join(2, "vault", "s3cret", T0);
  assert.deepEqual(hub.membersOf("vault"), ["ana", "bob"]);
});

Deno.test("Hub.join() refuses a full room with n/limit", () => {
  const hub = hubWith("ana", "bob", "carl");
  hub.createRoom(1, "games", { limit: 2 }, T0);
  hub.join(2, "games", undefined, T0);
  assertChatError(
    () => hub.join(3, "games", undefined, T0),
    "room_full",
    'Cannot join room "games": room is full (2/2)',
  );
  assert.deepEqual(hub.membersOf("games"), ["ana", "bob"]);
  // A place that frees up can be taken.
  hub.leave(2, "games", "Left", T0);
  hub.join(3, "games", undefined, T0);
  assert.deepEqual(hub.membersOf("games"), ["ana", "carl"]);
});

Deno.test("Hub.join() holds the limit when many members join at the same moment", () => {
  const nicks = Array.from({ length: 30 }, (_, i) => `user${i + 1}`);
  const hub = hubWith(...nicks);
  hub.createRoom("admin", "arena", { limit: 7 }, T0);
  const joined: MemberId[] = [];
  const refused: MemberId[] = [];
  for (let id = 1; id <= nicks.length; id++) {
    try {
      hub.join(id, "arena", undefined, T0);
      joined.push(id);
    } catch (error) {
      assert.ok(error instanceof ChatError && error.code === "room_full", String(error));
      assert.equal(error.message, 'Cannot join room "arena": room is full (7/7)');
      refused.push(id);
    }
  }
  assert.deepEqual(joined, [1, 2, 3, 4, 5, 6, 7]);
  assert.equal(refused.length, nicks.length - 7);
  assert.equal(hub.membersOf("arena").length, 7);
  assert.deepEqual(roomRow(hub, 1, "arena"), { name: "arena", members: 7, limit: 7 });
});

Deno.test("Hub.join() counts the owner against the limit", () => {
  const hub = hubWith("ana", "bob");
  hub.createRoom(1, "duo", { limit: 1 }, T0);
  assertChatError(
    () => hub.join(2, "duo", undefined, T0),
    "room_full",
    'Cannot join room "duo": room is full (1/1)',
  );
});

// ---- leave -------------------------------------------------------------------------------------

Deno.test("Hub.leave() sends left to the member and leave to the others", () => {
  const hub = hubWith("ana", "bob", "carl");
  hub.createRoom(1, "games", {}, T0);
  hub.join(2, "games", undefined, T0);
  hub.join(3, "games", undefined, T0);
  assert.deepEqual(sorted(hub.leave(2, "Games", "Left", T0 + 4)), [
    { to: [2], frame: { type: "left", room: "games", reason: "Left" } },
    {
      to: [1, 3],
      frame: { type: "leave", room: "games", nick: "bob", reason: "Left", time: T0 + 4 },
    },
  ]);
  assert.deepEqual(hub.roomsOf(2), [LOBBY]);
  assert.deepEqual(hub.membersOf("games"), ["ana", "carl"]);
});

Deno.test("Hub.leave() refuses a room the member is not in, or that does not exist", () => {
  const hub = hubWith("ana", "bob");
  hub.createRoom(1, "games", {}, T0);
  assertChatError(
    () => hub.leave(2, "games", "Left", T0),
    "not_in_room",
    'You are not in room "games"',
  );
  assertChatError(() => hub.leave(2, "nowhere", "Left", T0), "no_such_room");
});

Deno.test("Hub.leave() refuses the member's only room", () => {
  const hub = hubWith("ana");
  assertChatError(
    () => hub.leave(1, LOBBY, "Left", T0),
    "last_room",
    "You are only in lobby: /join another room first, or /quit",
  );
  hub.createRoom(1, "games", {}, T0);
  hub.leave(1, LOBBY, "Left", T0);
  assert.deepEqual(hub.roomsOf(1), ["games"]);
  assertChatError(() => hub.leave(1, "games", "Left", T0), "last_room");
});

Deno.test("Hub.leave() deletes a member's room when its last member leaves", () => {
  const hub = hubWith("ana", "bob");
  hub.createRoom(1, "games", {}, T0);
  hub.join(2, "games", undefined, T0);
  hub.leave(1, "games", "Left", T0);
  assert.deepEqual(roomNames(hub, "admin"), [LOBBY, "games"]);
  assert.deepEqual(hub.leave(2, "games", "Left", T0), [
    { to: [2], frame: { type: "left", room: "games", reason: "Left" } },
  ]);
  assert.deepEqual(roomNames(hub, "admin"), [LOBBY]);
  assertChatError(() => hub.join(1, "games", undefined, T0), "no_such_room");
  // The name is free again, for a new owner.
  assert.equal((hub.createRoom(2, "games", {}, T0)[0]?.frame as RoomFrame).owner, "bob");
});

Deno.test("Hub keeps the lobby and admin rooms when they empty", () => {
  const hub = hubWith("ana");
  hub.createRoom("admin", "news", {}, T0);
  hub.createRoom(1, "games", {}, T0);
  hub.join(1, "news", undefined, T0);
  hub.leave(1, LOBBY, "Left", T0);
  assert.deepEqual(hub.membersOf(LOBBY), []);
  hub.disconnect(1, "Connection closed", T0);
  assert.deepEqual(roomNames(hub, "admin"), [LOBBY, "news"]);
});

Deno.test("Hub.disconnect() deletes member rooms left empty and tells each neighbour once", () => {
  const hub = hubWith("ana", "bob");
  hub.createRoom(1, "solo", {}, T0);
  hub.createRoom(1, "games", {}, T0);
  hub.join(2, "games", undefined, T0);
  assert.deepEqual(sorted(hub.disconnect(1, "Quit: bye", T0 + 9)), [
    {
      to: [2],
      frame: {
        type: "quit",
        nick: "ana",
        reason: "Quit: bye",
        time: T0 + 9,
        roomKeys: ["lobby", "solo", "games"],
      },
    },
  ]);
  assert.deepEqual(roomNames(hub, "admin"), [LOBBY, "games"]);
});

// ---- kick --------------------------------------------------------------------------------------

/** ana (1) owns games; bob (2) and carl (3) are in it too; everyone is in the lobby. */
function gamesHub(): Hub {
  const hub = hubWith("ana", "bob", "carl", "dave");
  hub.createRoom(1, "games", {}, T0);
  hub.join(2, "games", undefined, T0);
  hub.join(3, "games", undefined, T0);
  return hub;
}

Deno.test("Hub.kick() by anyone but the owner or admin is not_allowed and names the owner", () => {
  const hub = gamesHub();
  assertChatError(
    () => hub.kick(2, "games", "carl", "", T0),
    "not_allowed",
    "Only the owner or operators of games may kick people: its owner is ana",
  );
  assertChatError(() => hub.kick(4, "games", "carl", "", T0), "not_allowed");
  assert.deepEqual(hub.membersOf("games"), ["ana", "bob", "carl"]);
});

Deno.test("Hub.kick() by the owner: the member gets left with the reason, the others leave", () => {
  const hub = gamesHub();
  assert.deepEqual(sorted(hub.kick(1, "games", "Bob", "spam", T0 + 3)), [
    { to: [2], frame: { type: "left", room: "games", reason: "spam", kickedBy: "ana" } },
    {
      to: [1, 3],
      frame: {
        type: "leave",
        room: "games",
        nick: "bob",
        reason: "spam",
        kickedBy: "ana",
        time: T0 + 3,
      },
    },
  ]);
  assert.deepEqual(hub.membersOf("games"), ["ana", "carl"]);
  // Still in the lobby, so not moved anywhere.
  assert.deepEqual(hub.roomsOf(2), [LOBBY]);
  const plain = hub.kick(1, "games", "carl", "", T0);
  assert.deepEqual(plain[0], {
    to: [3],
    frame: { type: "left", room: "games", kickedBy: "ana" },
  });
});

Deno.test("Hub.kick() by the admin names the admin", () => {
  const hub = gamesHub();
  const deliveries = hub.kick("admin", "games", "ana", "flood", T0);
  assert.deepEqual(deliveries[0], {
    to: [1],
    frame: { type: "left", room: "games", reason: "flood", kickedBy: "the server admin" },
  });
  assert.deepEqual(hub.membersOf("games"), ["bob", "carl"]);
});

Deno.test("Hub.kick() moves someone left in no room to the lobby", () => {
  const hub = gamesHub();
  hub.leave(2, LOBBY, "Left", T0);
  assert.deepEqual(hub.roomsOf(2), ["games"]);
  const deliveries = hub.kick(1, "games", "bob", "", T0 + 5);
  assert.deepEqual(framesFor(deliveries, 2), [
    { type: "left", room: "games", kickedBy: "ana" },
    { type: "room", room: LOBBY, members: ["ana", "bob", "carl", "dave"], seq: 0 },
  ]);
  assert.deepEqual(sorted(deliveries.filter((d) => d.frame.type === "join")), [
    { to: [1, 3, 4], frame: { type: "join", room: LOBBY, nick: "bob", time: T0 + 5 } },
  ]);
  assert.deepEqual(hub.roomsOf(2), [LOBBY]);
});

Deno.test("Hub.kick() refuses yourself, someone not in the room and an unknown nick", () => {
  const hub = gamesHub();
  assertChatError(
    () => hub.kick(1, "games", "ana", "", T0),
    "bad_arguments",
    "That is you: use /leave",
  );
  assertChatError(
    () => hub.kick(1, "games", "dave", "", T0),
    "not_in_room",
    'dave is not in room "games"',
  );
  assertChatError(
    () => hub.kick(1, "games", "zed", "", T0),
    "no_such_nick",
    'Nobody is called "zed"',
  );
  assertChatError(() => hub.kick(1, "nowhere", "bob", "", T0), "no_such_room");
});

// ---- closeRoom ---------------------------------------------------------------------------------

Deno.test("Hub.closeRoom() refuses the lobby, even for the admin", () => {
  const hub = hubWith("ana");
  assertChatError(
    () => hub.closeRoom("admin", "Lobby", "", T0),
    "not_allowed",
    "The lobby cannot be closed",
  );
  assertChatError(() => hub.closeRoom(1, LOBBY, "", T0), "not_allowed");
  assert.deepEqual(roomNames(hub, "admin"), [LOBBY]);
});

Deno.test("Hub.closeRoom() is for the owner or the admin only", () => {
  const hub = gamesHub();
  assertChatError(
    () => hub.closeRoom(2, "games", "", T0),
    "not_allowed",
    "Only the owner or operators of games may close it: its owner is ana",
  );
  assert.deepEqual(hub.membersOf("games"), ["ana", "bob", "carl"]);
  hub.closeRoom("admin", "games", "", T0);
  assert.deepEqual(roomNames(hub, "admin"), [LOBBY]);
});

Deno.test("Hub.closeRoom() tells the members, moves them to the lobby and removes the room", () => {
  const hub = gamesHub();
  hub.leave(2, LOBBY, "Left", T0);
  const deliveries = hub.closeRoom(1, "games", "done", T0 + 6);
  assert.deepEqual(sorted(deliveries), [
    {
      to: [1, 2, 3],
      frame: { type: "left", room: "games", reason: "done", closedBy: "ana" },
    },
    { to: [1, 3, 4], frame: { type: "join", room: LOBBY, nick: "bob", time: T0 + 6 } },
    {
      to: [2],
      frame: { type: "room", room: LOBBY, members: ["ana", "bob", "carl", "dave"], seq: 0 },
    },
  ]);
  assert.deepEqual(framesFor(deliveries, 2).map((frame) => frame.type), ["left", "room"]);
  assert.deepEqual(roomNames(hub, "admin"), [LOBBY]);
  for (const id of [1, 2, 3]) assert.deepEqual(hub.roomsOf(id), [LOBBY]);
  assertChatError(() => hub.join(2, "games", undefined, T0), "no_such_room");
});

Deno.test("Hub.closeRoom() by the admin closes a persistent room and names the admin", () => {
  const hub = hubWith("ana");
  hub.createRoom("admin", "news", {}, T0);
  hub.join(1, "news", undefined, T0);
  assert.deepEqual(hub.closeRoom("admin", "news", "", T0), [
    { to: [1], frame: { type: "left", room: "news", closedBy: "the server admin" } },
  ]);
  assert.deepEqual(roomNames(hub, "admin"), [LOBBY]);
  // An empty room closes without a word to anyone.
  hub.createRoom("admin", "empty", {}, T0);
  assert.deepEqual(hub.closeRoom("admin", "empty", "", T0), []);
});

// ---- settings ----------------------------------------------------------------------------------

Deno.test("Hub.setTopic() tells the room; an empty topic clears it", () => {
  const hub = gamesHub();
  assert.deepEqual(sorted(hub.setTopic(1, "games", "  Chess tonight ", T0 + 1)), [{
    to: [1, 2, 3],
    frame: { type: "topic", room: "games", topic: "Chess tonight", nick: "ana", time: T0 + 1 },
  }]);
  assert.equal(roomRow(hub, 4, "games")?.topic, "Chess tonight");
  const joined = hub.join(4, "games", undefined, T0);
  assert.equal((framesFor(joined, 4)[0] as RoomFrame).topic, "Chess tonight");
  assert.deepEqual(hub.setTopic(1, "games", "   ", T0 + 2)[0]?.frame, {
    type: "topic",
    room: "games",
    topic: "",
    nick: "ana",
    time: T0 + 2,
  });
  assert.deepEqual(roomRow(hub, 4, "games"), { name: "games", members: 4 });
});

Deno.test("Hub.setTopic() is for the owner or admin, and refuses a long topic", () => {
  const hub = gamesHub();
  assertChatError(
    () => hub.setTopic(2, "games", "mine", T0),
    "not_allowed",
    "Only the owner or operators of games may set the topic: its owner is ana",
  );
  assertChatError(
    () => hub.setTopic(1, "games", "x".repeat(301), T0),
    "room_invalid",
    "Topic is too long: 301 characters, at most 300",
  );
  assertChatError(
    () => hub.setTopic(1, "games", "a\u001b[2Jb", T0),
    "room_invalid",
    "Topic contains control characters",
  );
  assert.equal(roomRow(hub, 1, "games")?.topic, undefined);
  hub.setTopic(1, "games", "x".repeat(300), T0);
  assert.equal(hub.setTopic("admin", LOBBY, "Welcome", T0)[0]?.frame.type, "topic");
  assert.deepEqual(hub.setTopic("admin", LOBBY, "Hi", T0)[0]?.frame, {
    type: "topic",
    room: LOBBY,
    topic: "Hi",
    nick: "the server admin",
    time: T0,
  });
});

Deno.test("Hub.setLimit() sets 1 to MAX_ROOM_LIMIT, or removes it with undefined", () => {
  const hub = gamesHub();
  assert.deepEqual(sorted(hub.setLimit(1, "games", 3)), [{
    to: [1, 2, 3],
    frame: { type: "mode", room: "games", by: "ana", changes: [{ kind: "limit", limit: 3 }] },
  }]);
  assertChatError(
    () => hub.join(4, "games", undefined, T0),
    "room_full",
    'Cannot join room "games": room is full (3/3)',
  );
  for (const bad of [0, -1, 10_001, 2.5, NaN]) {
    assertChatError(
      () => hub.setLimit(1, "games", bad),
      "room_invalid",
      "Limit must be a whole number from 1 to 10000",
    );
  }
  assert.equal(roomRow(hub, 1, "games")?.limit, 3);
  hub.setLimit(1, "games", 10_000);
  assert.equal(roomRow(hub, 1, "games")?.limit, 10_000);
  assert.deepEqual(hub.setLimit(1, "games", undefined)[0]?.frame, {
    type: "mode",
    room: "games",
    by: "ana",
    changes: [{ kind: "limit" }],
  });
  assert.ok(!Object.hasOwn(roomRow(hub, 1, "games") ?? {}, "limit"));
  hub.join(4, "games", undefined, T0);
});

Deno.test("Hub.setLimit() below the member count keeps the members but refuses newcomers", () => {
  const hub = gamesHub();
  hub.setLimit(1, "games", 1);
  assert.deepEqual(hub.membersOf("games"), ["ana", "bob", "carl"]);
  assertChatError(
    () => hub.join(4, "games", undefined, T0),
    "room_full",
    'Cannot join room "games": room is full (3/1)',
  );
});

Deno.test("Hub.setLimit() is for the owner; the lobby never has a limit", () => {
  const hub = gamesHub();
  assertChatError(
    () => hub.setLimit(2, "games", 5),
    "not_allowed",
    "Only the owner or operators of games may change its limit: its owner is ana",
  );
  for (const actor of [1, "admin"] as const) {
    assertChatError(
      () => hub.setLimit(actor, LOBBY, 5),
      "not_allowed",
      "The lobby has no limit: everyone arrives there",
    );
  }
  assert.equal(roomRow(hub, 1, LOBBY)?.limit, undefined);
});

Deno.test("Hub.setPassword() never echoes the password and gates joining", () => {
  const hub = gamesHub();
  const deliveries = hub.setPassword(1, "games", "hunter2");
  assert.deepEqual(sorted(deliveries), [{
    to: [1, 2, 3],
    frame: { type: "mode", room: "games", by: "ana", changes: [{ kind: "password", set: true }] },
  }]);
  assert.doesNotMatch(JSON.stringify(deliveries), /hunter2/);
  assert.equal(roomRow(hub, 4, "games")?.password, true);
  assert.doesNotMatch(JSON.stringify(hub.listRooms("admin")), /hunter2/);
  assertChatError(() => hub.join(4, "games", undefined, T0), "wrong_password");
  const removed = hub.setPassword(1, "games", undefined);
  assert.deepEqual(removed[0]?.frame, {
    type: "mode",
    room: "games",
    by: "ana",
    changes: [{ kind: "password", set: false }],
  });
  assert.ok(!Object.hasOwn(roomRow(hub, 4, "games") ?? {}, "password"));
  hub.join(4, "games", undefined, T0);
});

Deno.test("Hub.setPassword() refuses spaces, empty and long passwords, and non-owners", () => {
  const hub = gamesHub();
  for (const bad of ["two words", "", "tab\there", "x".repeat(65), "a\u0000b"]) {
    assertChatError(
      () => hub.setPassword(1, "games", bad),
      "room_invalid",
      "Password must be 1 to 64 characters without spaces",
    );
  }
  hub.setPassword(1, "games", "x".repeat(64));
  assertChatError(
    () => hub.setPassword(2, "games", "mine"),
    "not_allowed",
    "Only the owner or operators of games may change its password: its owner is ana",
  );
});

Deno.test("Hub.setListed() hides a private room from non-members only", () => {
  const hub = gamesHub();
  assert.deepEqual(sorted(hub.setListed(1, "games", false)), [{
    to: [1, 2, 3],
    frame: {
      type: "mode",
      room: "games",
      by: "ana",
      changes: [{ kind: "listed", listed: false }],
    },
  }]);
  assert.deepEqual(roomNames(hub, 4), [LOBBY]);
  assert.deepEqual(roomRow(hub, 2, "games"), { name: "games", members: 3, private: true });
  assert.deepEqual(roomRow(hub, "admin", "games"), { name: "games", members: 3, private: true });
  // Unlisted is not invite-only: whoever knows the name may join, and then sees it.
  hub.join(4, "games", undefined, T0);
  assert.deepEqual(roomNames(hub, 4), [LOBBY, "games"]);
  hub.leave(4, "games", "Left", T0);
  assert.deepEqual(hub.setListed(1, "games", true)[0]?.frame, {
    type: "mode",
    room: "games",
    by: "ana",
    changes: [{ kind: "listed", listed: true }],
  });
  assert.deepEqual(roomNames(hub, 4), [LOBBY, "games"]);
});

Deno.test("Hub.setListed() refuses the lobby and non-owners", () => {
  const hub = gamesHub();
  assertChatError(
    () => hub.setListed("admin", LOBBY, false),
    "not_allowed",
    "The lobby is always listed",
  );
  assertChatError(
    () => hub.setListed(2, "games", false),
    "not_allowed",
    "Only the owner or operators of games may change who sees it: its owner is ana",
  );
  assert.equal(roomRow(hub, 4, "games")?.private, undefined);
});

Deno.test("Hub.listRooms() shows a room created unlisted only to members and the admin", () => {
  const hub = hubWith("ana", "bob");
  hub.createRoom("admin", "staff", { listed: false }, T0);
  assert.deepEqual(roomNames(hub, 1), [LOBBY]);
  assert.deepEqual(roomNames(hub, "admin"), [LOBBY, "staff"]);
  hub.join(1, "staff", undefined, T0);
  assert.deepEqual(hub.listRooms(1), {
    type: "rooms",
    rooms: [{ name: LOBBY, members: 2 }, { name: "staff", members: 1, private: true }],
  });
  assert.deepEqual(roomNames(hub, 2), [LOBBY]);
  // A newcomer's room list does not show it either.
  const [list] = hub.register(3, "carl", T0);
  assert.deepEqual(list, {
    to: [3],
    frame: { type: "rooms", rooms: [{ name: LOBBY, members: 3 }] },
  });
});

Deno.test("Hub.listRooms() rows carry members, limit, topic, password and private", () => {
  const hub = hubWith("ana");
  hub.createRoom(1, "games", { limit: 8, topic: "Chess", password: "pw", listed: false }, T0);
  assert.deepEqual(hub.listRooms(1).rooms, [
    { name: LOBBY, members: 1 },
    { name: "games", members: 1, limit: 8, topic: "Chess", private: true, password: true },
  ]);
});

// ---- ownership ---------------------------------------------------------------------------------

Deno.test("Hub.disconnect() of the owner leaves the room without an owner", () => {
  const hub = gamesHub();
  hub.disconnect(1, "Connection closed", T0);
  const joined = hub.join(4, "games", undefined, T0);
  const frame = framesFor(joined, 4)[0] as RoomFrame;
  assert.deepEqual(frame, {
    type: "room",
    room: "games",
    members: ["bob", "carl", "dave"],
    seq: 0,
    created: T0,
  });
  assertChatError(
    () => hub.setTopic(2, "games", "mine", T0),
    "not_allowed",
    "Only the owner or operators of games may set the topic",
  );
  // A newcomer who takes the old owner's nick does not take the room.
  hub.register(5, "ana", T0);
  hub.join(5, "games", undefined, T0);
  assertChatError(() => hub.kick(5, "games", "bob", "", T0), "not_allowed");
  // The admin still can.
  hub.setTopic("admin", "games", "Ours", T0);
});

Deno.test("Hub.disconnect() clears ownership, so a reused id does not inherit the room", () => {
  const hub = gamesHub();
  hub.disconnect(1, "Connection closed", T0);
  hub.register(1, "eve", T0);
  hub.join(1, "games", undefined, T0);
  assertChatError(() => hub.kick(1, "games", "bob", "", T0), "not_allowed");
  assertChatError(() => hub.closeRoom(1, "games", "", T0), "not_allowed");
});

Deno.test("Hub room frames name the owner by their current nick", () => {
  const hub = gamesHub();
  hub.rename(1, "anna", T0);
  const frame = framesFor(hub.join(4, "games", undefined, T0), 4)[0] as RoomFrame;
  assert.equal(frame.owner, "anna");
  assertChatError(
    () => hub.kick(2, "games", "carl", "", T0),
    "not_allowed",
    "Only the owner or operators of games may kick people: its owner is anna",
  );
});

// ---- history -----------------------------------------------------------------------------------

Deno.test("Hub replays a room's history after the room frame, oldest first, as it was", () => {
  const hub = hubWith("ana", "bob");
  hub.say(1, LOBBY, "one", T0 + 1);
  hub.say(2, LOBBY, "two", T0 + 2);
  hub.say(1, LOBBY, "waves", T0 + 3, true);
  const frames = framesFor(hub.register(3, "carl", T0 + 100), 3);
  assert.deepEqual(frames, [
    { type: "rooms", rooms: [{ name: LOBBY, members: 3 }] },
    { type: "room", room: LOBBY, members: ["ana", "bob", "carl"], history: 3, seq: 3 },
    {
      type: "message",
      room: LOBBY,
      nick: "ana",
      text: "one",
      time: T0 + 1,
      seq: 1,
      history: true,
    },
    {
      type: "message",
      room: LOBBY,
      nick: "bob",
      text: "two",
      time: T0 + 2,
      seq: 2,
      history: true,
    },
    {
      type: "message",
      room: LOBBY,
      nick: "ana",
      text: "waves",
      time: T0 + 3,
      seq: 3,
      action: true,
      history: true,
    },
  ]);
});

Deno.test("Hub history marks only the replayed copies, not the live messages", () => {
  const hub = hubWith("ana", "bob");
  const [live] = hub.say(1, LOBBY, "hi", T0);
  hub.register(3, "carl", T0);
  assert.equal((live?.frame as MessageFrame).history, undefined);
  const next = hub.say(1, LOBBY, "again", T0)[0]?.frame as MessageFrame;
  assert.equal(next.history, undefined);
  assert.equal(next.seq, 2);
});

Deno.test("Hub keeps only the last historySize messages of a room", () => {
  const hub = hubWithOptions({ historySize: 3 }, "ana");
  for (let i = 1; i <= 10; i++) hub.say(1, LOBBY, `m${i}`, T0 + i);
  const frames = framesFor(hub.register(2, "bob", T0 + 100), 2);
  assert.equal((frames[1] as RoomFrame).history, 3);
  const replayed = frames.slice(2) as MessageFrame[];
  assert.deepEqual(replayed.map((frame) => [frame.text, frame.seq, frame.time]), [
    ["m8", 8, T0 + 8],
    ["m9", 9, T0 + 9],
    ["m10", 10, T0 + 10],
  ]);
});

Deno.test("Hub keeps the last historySize messages after many more, for any count", () => {
  for (const size of [1, 2, 5, 7]) {
    const hub = hubWithOptions({ historySize: size }, "ana");
    for (let count = 1; count <= 40; count++) {
      hub.say(1, LOBBY, `m${count}`, T0);
      const id = 100 + count;
      const frames = framesFor(hub.register(id, `x${count}`, T0), id);
      const texts = (frames.slice(2) as MessageFrame[]).map((frame) => frame.text);
      const expected = Array.from(
        { length: Math.min(size, count) },
        (_, i) => `m${count - Math.min(size, count) + i + 1}`,
      );
      assert.deepEqual(texts, expected, `size ${size}, after ${count}`);
      hub.disconnect(id, "bye", T0);
    }
  }
});

Deno.test("Hub keeps DEFAULT_HISTORY messages by default", () => {
  const hub = hubWith("ana");
  for (let i = 1; i <= DEFAULT_HISTORY + 10; i++) hub.say(1, LOBBY, `m${i}`, T0);
  const frames = framesFor(hub.register(2, "bob", T0), 2);
  assert.equal((frames[1] as RoomFrame).history, DEFAULT_HISTORY);
  assert.equal(frames.length, 2 + DEFAULT_HISTORY);
  assert.equal((frames[2] as MessageFrame).seq, 11);
});

Deno.test("Hub with historySize 0 replays nothing", () => {
  const hub = hubWithOptions({ historySize: 0 }, "ana");
  hub.say(1, LOBBY, "gone", T0);
  assert.deepEqual(framesFor(hub.register(2, "bob", T0), 2), [
    { type: "rooms", rooms: [{ name: LOBBY, members: 2 }] },
    { type: "room", room: LOBBY, members: ["ana", "bob"], seq: 1 },
  ]);
});

Deno.test("Hub history is per room and goes away with the room", () => {
  const hub = hubWith("ana", "bob");
  hub.createRoom(1, "games", {}, T0);
  hub.say(1, "games", "in games", T0);
  hub.say(1, LOBBY, "in lobby", T0);
  const frames = framesFor(hub.join(2, "games", undefined, T0), 2);
  assert.deepEqual(frames.map((frame) => frame.type === "message" ? frame.text : frame.type), [
    "room",
    "in games",
  ]);
  hub.leave(1, "games", "Left", T0);
  hub.leave(2, "games", "Left", T0);
  hub.createRoom(1, "games", {}, T0);
  assert.deepEqual(framesFor(hub.join(2, "games", undefined, T0), 2).map((f) => f.type), ["room"]);
});

// ---- private messages, away, whois -------------------------------------------------------------

Deno.test("Hub.privateMessage() reaches the target and the sender, sharing a room or not", () => {
  const hub = hubWith("ana", "bob");
  hub.createRoom(2, "games", {}, T0);
  hub.leave(2, LOBBY, "Left", T0);
  assert.deepEqual(hub.privateMessage(1, "BOB", "psst  there", T0 + 1), [{
    to: [2, 1],
    frame: { type: "private", from: "ana", to: "bob", text: "psst  there", time: T0 + 1 },
  }]);
  assert.deepEqual(hub.privateMessage(2, "ana", "waves", T0 + 2, true), [{
    to: [1, 2],
    frame: { type: "private", from: "bob", to: "ana", text: "waves", time: T0 + 2, action: true },
  }]);
});

Deno.test("Hub.privateMessage() refuses an unknown nick and bad text; yourself gets it once", () => {
  const hub = hubWith("ana", "bob");
  assertChatError(
    () => hub.privateMessage(1, "zed", "hi", T0),
    "no_such_nick",
    'Nobody is called "zed"',
  );
  // A note to yourself arrives once.
  assert.deepEqual(hub.privateMessage(1, "ANA", "hi", T0).map((delivery) => delivery.to), [[1]]);
  assertChatError(() => hub.privateMessage(1, "bob", " ", T0), "text_invalid");
  assertChatError(() => hub.privateMessage(9, "bob", "hi", T0), "not_registered");
  hub.disconnect(2, "bye", T0);
  assertChatError(() => hub.privateMessage(1, "bob", "hi", T0), "no_such_nick");
});

Deno.test("Hub.privateMessage() to someone away tells the sender", () => {
  const hub = hubWith("ana", "bob");
  hub.setAway(2, "lunch");
  assert.deepEqual(hub.privateMessage(1, "bob", "hi", T0), [
    { to: [2, 1], frame: { type: "private", from: "ana", to: "bob", text: "hi", time: T0 } },
    { to: [1], frame: { type: "away_reply", nick: "bob", text: "lunch" } },
  ]);
});

Deno.test("Hub.setAway() marks away with a reason; empty text means back", () => {
  const hub = hubWith("ana", "bob");
  // Those who share a room with bob hear of it (IRC's away-notify shows it).
  assert.deepEqual(hub.setAway(2, "lunch break"), [
    { to: [2], frame: { type: "away", text: "lunch break" } },
    { to: [1], frame: { type: "user_away", nick: "bob", text: "lunch break" } },
  ]);
  assert.equal(hub.whois(1, "bob", T0).away, "lunch break");
  assert.deepEqual(hub.setAway(2, "  "), [
    { to: [2], frame: { type: "away" } },
    { to: [1], frame: { type: "user_away", nick: "bob" } },
  ]);
  assert.ok(!Object.hasOwn(hub.whois(1, "bob", T0), "away"));
  assert.equal(hub.privateMessage(1, "bob", "hi", T0).length, 1);
  assertChatError(() => hub.setAway(2, "a\u0007b"), "text_invalid");
  assertChatError(() => hub.setAway(9, "x"), "not_registered");
});

Deno.test("Hub.whois() shows shared rooms only, idle seconds and since, never an address", () => {
  const hub = hubWith("ana", "bob", "carl");
  hub.createRoom(1, "games", {}, T0);
  hub.createRoom(1, "secret", {}, T0);
  hub.join(3, "games", undefined, T0);
  hub.say(1, "games", "hi", T0 + 1_000);
  const now = T0 + 1_000 + 65_900;
  const forCarl = hub.whois(3, "ANA", now);
  assert.deepEqual(forCarl, {
    type: "whois",
    nick: "ana",
    rooms: [LOBBY, "games"],
    idle: 65,
    since: T0,
  });
  assert.deepEqual(Object.keys(forCarl).sort(), ["idle", "nick", "rooms", "since", "type"]);
  assert.deepEqual(hub.whois(2, "ana", now).rooms, [LOBBY]);
  assert.doesNotMatch(JSON.stringify(forCarl), /secret|127\.0\.0\.1|remote|address|host/);
});

Deno.test("Hub.whois() with no shared room says so, and idle follows private messages too", () => {
  const hub = hubWith("ana", "bob");
  hub.createRoom(2, "games", {}, T0);
  hub.leave(2, LOBBY, "Left", T0);
  assert.deepEqual(hub.whois(1, "bob", T0 + 5_000), {
    type: "whois",
    nick: "bob",
    rooms: [],
    idle: 5,
    since: T0,
  });
  hub.privateMessage(2, "ana", "hi", T0 + 9_000);
  assert.equal(hub.whois(1, "bob", T0 + 9_500).idle, 0);
  // A clock that went backwards gives 0, never a negative idle time.
  assert.equal(hub.whois(1, "bob", T0).idle, 0);
  // Renaming or commands do not count as activity.
  hub.rename(2, "bobby", T0 + 20_000);
  assert.equal(hub.whois(1, "bobby", T0 + 20_000).idle, 11);
});

Deno.test("Hub.whois() refuses an unknown nick", () => {
  const hub = hubWith("ana");
  assertChatError(() => hub.whois(1, "zed", T0), "no_such_nick", 'Nobody is called "zed"');
  assert.equal(hub.whois(1, "ana", T0).nick, "ana");
});

// ---- users, announce ---------------------------------------------------------------------------

Deno.test("Hub.users() of another room needs membership", () => {
  const hub = gamesHub();
  assert.deepEqual(hub.users(2, "GAMES"), {
    type: "users",
    room: "games",
    nicks: ["ana", "bob", "carl"],
  });
  assertChatError(() => hub.users(4, "games"), "not_in_room", 'You are not in room "games"');
});

Deno.test("Hub.announce() reaches everyone, or the members of one room", () => {
  const hub = gamesHub();
  assert.deepEqual(sorted(hub.announce("Restart at noon", undefined, T0)), [{
    to: [1, 2, 3, 4],
    frame: { type: "announce", text: "Restart at noon", time: T0 },
  }]);
  assert.deepEqual(sorted(hub.announce("Tournament", "Games", T0)), [{
    to: [1, 2, 3],
    frame: { type: "announce", text: "Tournament", room: "games", time: T0 },
  }]);
  assertChatError(() => hub.announce("x", "nowhere", T0), "no_such_room");
  assertChatError(() => hub.announce(" ", undefined, T0), "text_invalid");
});

// ---- look-alike nicks --------------------------------------------------------------------------

Deno.test("Hub.register() refuses a look-alike of a taken nick", () => {
  const hub = hubWith("bob", "ana", "ina", "copex", "aha");
  const lookAlikes: [string, string][] = [
    ["b0b", "bob"], // digit 0 for o
    ["B0B", "bob"],
    ["an\u0251", "ana"], // Latin alpha
    ["\u0131na", "ina"], // dotless i
    ["\u0441\u043e\u0440\u0435\u0445", "copex"], // all Cyrillic
    ["\u0410\u041d\u0410", "aha"], // all Cyrillic capitals
  ];
  for (const [nick, holder] of lookAlikes) {
    assertChatError(
      () => hub.register(9, nick, T0),
      "nick_taken",
      `Nick "${nick}" is taken: choose another`,
    );
    assert.equal(hub.idOf(nick), hub.idOf(holder), nick);
  }
  assert.equal(hub.size, 5);
  assert.equal(hub.nickOf(9), undefined);
  // The other way round too: the look-alike first, then the plain nick.
  const other = hubWith("b0b");
  assertChatError(() => other.register(2, "bob", T0), "nick_taken");
});

Deno.test("Hub.rename() refuses a look-alike of someone else's nick, not of one's own", () => {
  const hub = hubWith("ana", "bob");
  assertChatError(() => hub.rename(2, "an\u0251", T0), "nick_taken");
  assertChatError(() => hub.rename(2, "\u03b1\u03b7\u03b1", T0), "nick_taken"); // all Greek
  assert.equal(hub.nickOf(2), "bob");
  // Ana may switch to a look-alike of her own nick: nobody else is shown it.
  assert.deepEqual(framesFor(hub.rename(1, "an\u0251", T0), 1), [
    { type: "nick", old: "ana", new: "an\u0251", time: T0 },
  ]);
  assert.equal(hub.idOf("ana"), 1);
});

// ---- acknowledgements and resends --------------------------------------------------------------

/** A message ref as the server builds it from a resume token and the client's id. */
function ref(id: string, token = "tok1"): { id: string; key: string } {
  return { id, key: `${token}:${id}` };
}

Deno.test("Hub.say() with a ref acks the sender only, with the message's seq", () => {
  const hub = hubWith("ana", "bob", "carl");
  hub.say(2, LOBBY, "first", T0);
  assert.deepEqual(sorted(hub.say(1, "LOBBY", "hi", T0 + 1, false, ref("m1"))), [
    {
      to: [2, 3],
      frame: { type: "message", room: LOBBY, nick: "ana", text: "hi", time: T0 + 1, seq: 2 },
    },
    { to: [1], frame: { type: "ack", id: "m1", room: LOBBY, seq: 2, time: T0 + 1 } },
  ]);
  // A /me message is acknowledged too.
  assert.deepEqual(framesFor(hub.say(1, LOBBY, "waves", T0, true, ref("m2")), 1), [
    { type: "ack", id: "m2", room: LOBBY, seq: 3, time: T0 },
  ]);
  // Without a ref there is no ack.
  assert.deepEqual(framesFor(hub.say(1, LOBBY, "plain", T0), 1), []);
});

Deno.test("Hub.say() acks a resent ref with the original seq and delivers nothing again", () => {
  const hub = hubWith("ana", "bob");
  hub.say(1, LOBBY, "hi", T0, false, ref("m1"));
  hub.say(2, LOBBY, "hello", T0);
  // Resent, even with other text: only an ack, to the sender.
  assert.deepEqual(hub.say(1, LOBBY, "hi", T0 + 5, false, ref("m1")), [
    { to: [1], frame: { type: "ack", id: "m1", room: LOBBY, seq: 1 } },
  ]);
  assert.deepEqual(hub.say(1, LOBBY, "changed", T0 + 6, false, ref("m1")), [
    { to: [1], frame: { type: "ack", id: "m1", room: LOBBY, seq: 1 } },
  ]);
  // The seq did not move, and the history holds the message once.
  assert.equal((hub.say(2, LOBBY, "next", T0)[0]?.frame as MessageFrame).seq, 3);
  const frames = framesFor(hub.register(3, "carl", T0), 3);
  assert.deepEqual((frames.slice(2) as MessageFrame[]).map((frame) => frame.text), [
    "hi",
    "hello",
    "next",
  ]);
});

Deno.test("Hub.say() recognises a resend after a reconnect, by the ref's key", () => {
  const hub = hubWith("ana", "bob");
  hub.say(1, LOBBY, "hi", T0, false, ref("m1"));
  hub.disconnect(1, "Connection lost", T0);
  hub.register(3, "ana", T0, { rooms: [{ room: LOBBY, seq: 0 }], trusted: [LOBBY] });
  assert.deepEqual(hub.say(3, LOBBY, "hi", T0, false, ref("m1")), [
    { to: [3], frame: { type: "ack", id: "m1", room: LOBBY, seq: 1 } },
  ]);
});

Deno.test("Hub.say() treats the same id under another key as a new message", () => {
  const hub = hubWith("ana", "bob");
  hub.say(1, LOBBY, "hi", T0, false, ref("m1", "tok1"));
  const frame: ServerFrame = {
    type: "message",
    room: LOBBY,
    nick: "bob",
    text: "hi",
    time: T0,
    seq: 2,
  };
  assert.deepEqual(hub.say(2, LOBBY, "hi", T0, false, ref("m1", "tok2")), [
    { to: [1], frame, encoded: new Map([[PROTOCOL_ENCODING, encodeFrame(frame)]]) },
    { to: [2], frame: { type: "ack", id: "m1", room: LOBBY, seq: 2, time: T0 } },
  ]);
});

Deno.test("Hub.say() with a ref that is refused throws, sends no ack and leaves the ref unused", () => {
  const hub = hubWith("ana", "bob");
  hub.createRoom(2, "games", {}, T0);
  assertChatError(() => hub.say(1, LOBBY, " ", T0, false, ref("m1")), "text_invalid");
  assertChatError(() => hub.say(1, "games", "hi", T0, false, ref("m1")), "not_in_room");
  assertChatError(() => hub.say(1, "nowhere", "hi", T0, false, ref("m1")), "no_such_room");
  assertChatError(() => hub.say(9, LOBBY, "hi", T0, false, ref("m1")), "not_registered");
  // The ref was never accepted, so sending it now is a new message with the first seq.
  assert.deepEqual(framesFor(hub.say(1, LOBBY, "hi", T0, false, ref("m1")), 1), [
    { type: "ack", id: "m1", room: LOBBY, seq: 1, time: T0 },
  ]);
});

// ---- resume ------------------------------------------------------------------------------------

/** A hub where bob said m1..m`count` in the lobby and ana (id 1) has dropped. */
function droppedHub(count: number, options: HubOptions = {}): Hub {
  const hub = hubWithOptions(options, "ana", "bob");
  for (let i = 1; i <= count; i++) hub.say(2, LOBBY, `m${i}`, T0 + i);
  hub.disconnect(1, "Connection lost", T0);
  return hub;
}

/** Ana back as id 3, having seen the lobby up to `seq`: the frames she gets. */
function resumeLobby(hub: Hub, seq: number): ServerFrame[] {
  return framesFor(
    hub.register(3, "ana", T0 + 100, { rooms: [{ room: LOBBY, seq }], trusted: [LOBBY] }),
    3,
  );
}

Deno.test("Hub.register() with resume replays only the messages after since", () => {
  const hub = droppedHub(4);
  const frames = resumeLobby(hub, 2);
  assert.deepEqual(frames.slice(0, 2), [
    { type: "rooms", rooms: [{ name: LOBBY, members: 2 }] },
    { type: "room", room: LOBBY, members: ["ana", "bob"], seq: 4, since: 2, history: 2 },
  ]);
  assert.deepEqual(frames.slice(2), [
    { type: "message", room: LOBBY, nick: "bob", text: "m3", time: T0 + 3, seq: 3, history: true },
    { type: "message", room: LOBBY, nick: "bob", text: "m4", time: T0 + 4, seq: 4, history: true },
  ]);
});

Deno.test("Hub.register() with resume and nothing missed replays nothing and flags no gap", () => {
  assert.deepEqual(resumeLobby(droppedHub(4), 4).slice(1), [
    { type: "room", room: LOBBY, members: ["ana", "bob"], seq: 4, since: 4 },
  ]);
  assert.deepEqual(resumeLobby(droppedHub(0), 0).slice(1), [
    { type: "room", room: LOBBY, members: ["ana", "bob"], seq: 0, since: 0 },
  ]);
});

Deno.test("Hub.register() with resume flags a gap when the history no longer reaches back", () => {
  // History keeps m4 and m5 only.
  const cases: [number, boolean, string[]][] = [
    [0, true, ["m4", "m5"]],
    [1, true, ["m4", "m5"]],
    [2, true, ["m4", "m5"]], // m3 is lost
    [3, false, ["m4", "m5"]], // everything missed is still there
    [4, false, ["m5"]],
  ];
  for (const [since, gap, texts] of cases) {
    const frames = resumeLobby(droppedHub(5, { historySize: 2 }), since);
    const room = frames[1] as RoomFrame;
    assert.equal(room.gap, gap ? true : undefined, `since ${since}`);
    assert.equal(Object.hasOwn(room, "gap"), gap, `since ${since}`);
    assert.equal(room.since, since);
    assert.equal(room.seq, 5);
    assert.equal(room.history, texts.length);
    assert.deepEqual((frames.slice(2) as MessageFrame[]).map((frame) => frame.text), texts);
  }
});

Deno.test("Hub.register() with resume flags a gap when the room keeps no history", () => {
  assert.deepEqual(resumeLobby(droppedHub(3, { historySize: 0 }), 1).slice(1), [
    { type: "room", room: LOBBY, members: ["ana", "bob"], seq: 3, since: 1, gap: true },
  ]);
  assert.deepEqual(resumeLobby(droppedHub(3, { historySize: 0 }), 3).slice(1), [
    { type: "room", room: LOBBY, members: ["ana", "bob"], seq: 3, since: 3 },
  ]);
});

Deno.test("Hub.register() with resume past the room's seq flags a gap and replays all it has", () => {
  // The server restarted, say: the room counts from 0 again, so everything it holds is new.
  const frames = resumeLobby(droppedHub(2), 7).slice(1);
  assert.deepEqual(frames[0], {
    type: "room",
    room: LOBBY,
    members: ["ana", "bob"],
    seq: 2,
    since: 7,
    gap: true,
    history: 2,
  });
  assert.deepEqual(
    frames.slice(1).map((frame) => frame.type === "message" ? [frame.text, frame.history] : []),
    [["m1", true], ["m2", true]],
  );
});

Deno.test("Hub.register() with resume puts the member back in their rooms, in order", () => {
  const hub = hubWith("bob");
  for (const name of ["news", "games", "chess"]) hub.createRoom("admin", name, {}, T0);
  hub.join(1, "games", undefined, T0);
  hub.say(1, "games", "gg", T0);
  const resume = {
    rooms: [
      { room: "news", seq: 0 },
      { room: "GAMES", seq: 0 },
      { room: LOBBY, seq: 0 },
      { room: "chess", seq: 0 },
      { room: "games", seq: 0 }, // listed twice: entered once
    ],
    trusted: [],
  };
  const deliveries = hub.register(2, "ana", T0 + 1, resume);
  assert.deepEqual(hub.roomsOf(2), [LOBBY, "news", "games", "chess"]);
  const frames = framesFor(deliveries, 2);
  assert.deepEqual(frames, [
    {
      type: "rooms",
      rooms: [
        { name: LOBBY, members: 2 },
        { name: "news", members: 1 },
        { name: "games", members: 2 },
        { name: "chess", members: 1 },
      ],
    },
    { type: "room", room: LOBBY, members: ["ana", "bob"], seq: 0, since: 0 },
    { type: "room", room: "news", members: ["ana"], seq: 0, since: 0, created: T0 },
    {
      type: "room",
      room: "games",
      members: ["ana", "bob"],
      seq: 1,
      since: 0,
      history: 1,
      created: T0,
    },
    { type: "message", room: "games", nick: "bob", text: "gg", time: T0, seq: 1, history: true },
    { type: "room", room: "chess", members: ["ana"], seq: 0, since: 0, created: T0 },
  ]);
  // Bob hears her arrive in each room they share, once.
  assert.deepEqual(framesFor(deliveries, 1), [
    { type: "join", room: LOBBY, nick: "ana", time: T0 + 1 },
    { type: "join", room: "games", nick: "ana", time: T0 + 1 },
  ]);
});

Deno.test("Hub.register() with resume enters the lobby as new when the resume leaves it out", () => {
  const hub = droppedHub(2);
  hub.createRoom("admin", "games", {}, T0);
  const frames = framesFor(
    hub.register(3, "ana", T0, { rooms: [{ room: "games", seq: 0 }], trusted: [] }),
    3,
  );
  assert.deepEqual(frames.slice(1).map((frame) => frame.type === "room" ? frame : frame.type), [
    { type: "room", room: LOBBY, members: ["ana", "bob"], seq: 2, history: 2 },
    "message",
    "message",
    { type: "room", room: "games", members: ["ana"], seq: 0, since: 0, created: T0 },
  ]);
});

Deno.test("Hub.register() with resume rejoins a password room only when it is trusted", () => {
  const setup = () => {
    const hub = hubWith("bob");
    hub.createRoom("admin", "Vault", { password: "pw" }, T0);
    return hub;
  };
  const trusted = setup();
  const rooms = [{ room: "VAULT", seq: 0 }];
  trusted.register(2, "ana", T0, { rooms, trusted: [roomKey("Vault")] });
  assert.deepEqual(trusted.roomsOf(2), [LOBBY, "Vault"]);

  for (const keys of [[], ["lobby"], ["Vault-other"]]) {
    const hub = setup();
    const frames = framesFor(hub.register(2, "ana", T0, { rooms, trusted: keys }), 2);
    assert.deepEqual(frames.at(-1), {
      type: "notice",
      text: "Could not rejoin Vault: it needs a password (/join Vault PASSWORD)",
    });
    assert.deepEqual(hub.roomsOf(2), [LOBBY]);
    assert.deepEqual(hub.membersOf("vault"), []);
  }
});

Deno.test("Hub.register() with resume explains each room it could not rejoin", () => {
  const hub = hubWith("bob");
  hub.createRoom("admin", "small", { limit: 1 }, T0);
  hub.join(1, "small", undefined, T0);
  hub.createRoom("admin", "vault", { password: "pw" }, T0);
  hub.createRoom("admin", "games", {}, T0);
  const deliveries = hub.register(2, "ana", T0, {
    rooms: [
      { room: "gone", seq: 3 },
      { room: "small", seq: 0 },
      { room: "vault", seq: 0 },
      { room: "games", seq: 0 },
    ],
    // Trust lets a member past a password, never past a limit.
    trusted: [roomKey("small")],
  });
  assert.deepEqual(framesFor(deliveries, 2).slice(2), [
    { type: "notice", text: "Could not rejoin gone: it no longer exists" },
    { type: "notice", text: "Could not rejoin small: it is full (1/1)" },
    { type: "notice", text: "Could not rejoin vault: it needs a password (/join vault PASSWORD)" },
    { type: "room", room: "games", members: ["ana"], seq: 0, since: 0, created: T0 },
  ]);
  assert.deepEqual(hub.roomsOf(2), [LOBBY, "games"]);
  assert.deepEqual(hub.membersOf("small"), ["bob"]);
});

Deno.test("Hub.register() with resume cannot rejoin a room that went away when its owner dropped", () => {
  const hub = hubWith("ana", "bob");
  hub.createRoom(1, "mine", {}, T0);
  hub.disconnect(1, "Connection lost", T0);
  const frames = framesFor(
    hub.register(3, "ana", T0, { rooms: [{ room: "mine", seq: 0 }], trusted: ["mine"] }),
    3,
  );
  assert.deepEqual(frames.at(-1), {
    type: "notice",
    text: "Could not rejoin mine: it no longer exists",
  });
});

Deno.test("Hub.register() with resume rejoins a private room, which the room list then shows", () => {
  const hub = hubWith("bob");
  hub.createRoom("admin", "secret", { listed: false }, T0);
  const frames = framesFor(
    hub.register(2, "ana", T0, { rooms: [{ room: "secret", seq: 0 }], trusted: [] }),
    2,
  );
  assert.deepEqual(frames, [
    {
      type: "rooms",
      rooms: [{ name: LOBBY, members: 2 }, { name: "secret", members: 1, private: true }],
    },
    { type: "room", room: LOBBY, members: ["ana", "bob"], seq: 0 },
    {
      type: "room",
      room: "secret",
      members: ["ana"],
      seq: 0,
      since: 0,
      private: true,
      created: T0,
    },
  ]);
  assert.deepEqual(roomNames(hub, 1), [LOBBY]);
});

Deno.test("Hub.register() with resume still refuses a taken or invalid nick, entering nothing", () => {
  const hub = hubWith("ana");
  hub.createRoom("admin", "games", {}, T0);
  const resume = { rooms: [{ room: "games", seq: 0 }], trusted: [] };
  assertChatError(() => hub.register(2, "ana", T0, resume), "nick_taken");
  assertChatError(() => hub.register(2, "bad nick", T0, resume), "nick_invalid");
  assert.deepEqual(hub.membersOf("games"), []);
  assert.equal(hub.size, 1);
});

// ---- room frame seq ----------------------------------------------------------------------------

Deno.test("Hub sends in every room frame the room's last message number", () => {
  const hub = hubWithOptions({ historySize: 1 }, "ana", "bob");
  hub.createRoom(1, "games", {}, T0);
  for (const text of ["a", "b", "c"]) hub.say(1, "games", text, T0);
  const joined = framesFor(hub.join(2, "games", undefined, T0), 2)[0] as RoomFrame;
  assert.equal(joined.seq, 3);
  assert.equal(joined.history, 1); // history is shorter than seq: only seq says how many there were
  assert.equal(Object.hasOwn(joined, "since"), false);
  assert.equal(Object.hasOwn(joined, "gap"), false);
  hub.say(2, LOBBY, "x", T0);
  const lobby = framesFor(hub.register(3, "carl", T0), 3)[1] as RoomFrame;
  assert.equal(lobby.seq, 1);
  const created = framesFor(hub.createRoom(3, "chess", {}, T0), 3)[0] as RoomFrame;
  assert.equal(created.seq, 0);
  // A resend does not count.
  hub.say(1, "games", "d", T0, false, ref("r1"));
  hub.say(1, "games", "d", T0, false, ref("r1"));
  hub.leave(2, "games", "", T0);
  assert.equal((framesFor(hub.join(2, "games", undefined, T0), 2)[0] as RoomFrame).seq, 4);
});

Deno.test("Hub keeps nicks, rooms and messages in the stores it is given", () => {
  const roomLog = new MemoryRoomLog({ historySize: 10 });
  const nickRegistry = new MemoryNickRegistry();
  const roomDirectory = new MemoryRoomDirectory();
  const hub = hubWithOptions({ roomLog, nickRegistry, roomDirectory }, "ana", "bob");
  assert.equal(nickRegistry.holder("ANA"), 1);
  hub.createRoom(1, "Games", { topic: "chess" }, T0);
  assert.deepEqual(roomDirectory.list().map((room) => room.name), [LOBBY, "Games"]);
  assert.equal(roomDirectory.find("games")?.owner, 1);
  assert.equal(roomDirectory.find("games")?.topic, "chess");
  hub.say(1, "games", "hi", T0, false, { id: "m1", key: "tok:m1" });
  assert.equal(roomLog.lastSeq("games"), 1);
  assert.equal(roomLog.sentSeq("games", "tok:m1"), 1);
  hub.rename(2, "carol", T0);
  assert.equal(nickRegistry.holder("bob"), undefined);
  assert.equal(nickRegistry.holder("carol"), 2);
  hub.disconnect(1, "", T0);
  assert.equal(nickRegistry.holder("ana"), undefined);
  assert.equal(roomDirectory.find("games"), undefined, "the empty room went");
  assert.equal(roomLog.lastSeq("games"), 0, "and its messages");
});

Deno.test("Hub starts from a directory that holds rooms already", () => {
  const roomDirectory = new MemoryRoomDirectory();
  roomDirectory.create({ key: roomKey(LOBBY), name: LOBBY, persistent: true, listed: true });
  roomDirectory.create({ key: "class", name: "Class", persistent: true, listed: true, limit: 3 });
  const hub = hubWithOptions({ roomDirectory }, "ana");
  assert.deepEqual(roomNames(hub, 1), [LOBBY, "Class"]);
  hub.join(1, "class", undefined, T0);
  assert.deepEqual(hub.membersOf("Class"), ["ana"]);
});

Deno.test("Hub.setPersistent() keeps a user room when its last member leaves, until turned off", () => {
  const hub = gamesHub();
  assert.deepEqual(sorted(hub.setPersistent(1, "games", true)), [{
    to: [1, 2, 3],
    frame: {
      type: "mode",
      room: "games",
      by: "ana",
      changes: [{ kind: "persistent", persistent: true }],
    },
  }]);
  for (const id of [1, 2, 3]) hub.leave(id, "games", "", T0);
  assert.deepEqual(roomNames(hub, 4), [LOBBY, "games"], "kept, empty");
  hub.join(2, "games", undefined, T0);
  hub.setPersistent("admin", "games", false);
  hub.leave(2, "games", "", T0);
  assert.deepEqual(roomNames(hub, 4), [LOBBY], "gone with its last member");
});

Deno.test("Hub.setPersistent() refuses the lobby and non-owners", () => {
  const hub = gamesHub();
  assertChatError(
    () => hub.setPersistent("admin", LOBBY, false),
    "not_allowed",
    "The lobby always stays",
  );
  assertChatError(
    () => hub.setPersistent(2, "games", true),
    "not_allowed",
    "Only the owner or operators of games may change whether it stays: its owner is ana",
  );
});

Deno.test("Hub.departed() remembers who quit or renamed, newest first, with user and real name", () => {
  const hub = new Hub();
  hub.register(1, "ana", T0, undefined, { user: "a!n a", realName: "Ana\u0007 L" });
  hub.disconnect(1, "", T0);
  hub.register(2, "ANA", T0);
  hub.rename(2, "bea", T0);
  assert.deepEqual(hub.departed("Ana"), [
    { nick: "ANA", user: "ANA", realName: "" },
    { nick: "ana", user: "ana", realName: "Ana  L" },
  ]);
  assert.deepEqual(hub.departed("bea"), []);
  // Several nicks: one list, newest first across them.
  assert.deepEqual(hub.departed("bea", "ana").map((info) => info.nick), ["ANA", "ana"]);
  assert.deepEqual(hub.userInfo("BEA"), { nick: "bea", user: "bea", realName: "" });
});

Deno.test("Hub.watch() tells watchers when a nick registers, renames or leaves, until unwatched", () => {
  const hub = hubWith("ana");
  hub.watch(1, ["Bob", "cy"], true);
  const joined = hub.register(2, "bob", T0);
  assert.deepEqual(joined.at(-1), {
    to: [1],
    frame: { type: "presence", nick: "bob", online: true },
  });
  assert.deepEqual(hub.rename(2, "cy", T0).slice(1), [
    { to: [1], frame: { type: "presence", nick: "bob", online: false } },
    { to: [1], frame: { type: "presence", nick: "cy", online: true } },
  ]);
  hub.watch(1, ["cy"], false);
  assert.deepEqual(hub.disconnect(2, "", T0).filter((d) => d.frame.type === "presence"), []);
  // A watcher who leaves watches nothing more.
  hub.disconnect(1, "", T0);
  assert.deepEqual(hub.register(3, "bob", T0).filter((d) => d.frame.type === "presence"), []);
});
