import assert from "node:assert/strict";
import { ChatError, type ErrorCode } from "../src/errors.ts";
import { LOBBY } from "../src/limits.ts";
import type { MessageFrame } from "../src/protocol.ts";
import { type Delivery, Hub } from "../src/server/hub.ts";

const T0 = 1000;

function assertChatError(fn: () => unknown, code: ErrorCode, message?: string): void {
  assert.throws(fn, (error: unknown) => {
    assert.ok(error instanceof ChatError, `expected ChatError, got ${String(error)}`);
    assert.equal(error.code, code);
    if (message !== undefined) assert.equal(error.message, message);
    return true;
  });
}

/** A hub with `nicks` registered as ids 1, 2, 3, ... */
function hubWith(...nicks: string[]): Hub {
  const hub = new Hub();
  nicks.forEach((nick, i) => hub.register(i + 1, nick, T0));
  return hub;
}

/** Recipients sorted, for comparing deliveries whose recipient order is not part of the contract. */
function sorted(deliveries: Delivery[]): Delivery[] {
  return deliveries.map((delivery) => ({
    to: [...delivery.to].sort((a, b) => a - b),
    frame: delivery.frame,
  }));
}

Deno.test("Hub.register() puts the first member in the lobby alone", () => {
  const hub = new Hub();
  assert.deepEqual(hub.register(1, "ana", T0), [
    { to: [1], frame: { type: "room", room: "lobby", members: ["ana"] } },
  ]);
  assert.equal(hub.size, 1);
  assert.equal(hub.nickOf(1), "ana");
  assert.deepEqual(hub.ids(), [1]);
});

Deno.test("Hub.register() tells the others and sends the joiner sorted members", () => {
  const hub = hubWith("carl", "Bob");
  assert.deepEqual(sorted(hub.register(3, "ana", T0 + 5)), [
    { to: [1, 2], frame: { type: "join", room: LOBBY, nick: "ana", time: T0 + 5 } },
    { to: [3], frame: { type: "room", room: LOBBY, members: ["ana", "Bob", "carl"] } },
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
    { to: [1], frame: { type: "room", room: LOBBY, members: ["good"] } },
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
  assert.deepEqual(hub.say(1, LOBBY, "anyone?", T0), [{
    to: [],
    frame: { type: "message", room: LOBBY, nick: "ana", text: "anyone?", time: T0, seq: 1 },
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

// Every registered member is in the lobby and no other room can exist yet, so `not_in_room`
// cannot be reached through the Hub's API: a member who left is unregistered.
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

Deno.test("Hub.rename() to the same nick only sends a notice", () => {
  const hub = hubWith("ana", "bob");
  assert.deepEqual(hub.rename(1, "ana", T0), [
    { to: [1], frame: { type: "notice", text: "You are already known as ana" } },
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

Deno.test("Hub.disconnect() tells the room with the reason and frees the nick", () => {
  const hub = hubWith("ana", "bob", "carl");
  assert.deepEqual(sorted(hub.disconnect(2, "Quit: bye", T0 + 3)), [{
    to: [1, 3],
    frame: { type: "leave", room: LOBBY, nick: "bob", reason: "Quit: bye", time: T0 + 3 },
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
    { to: [2], frame: { type: "join", room: LOBBY, nick: "carl", time: T0 + 1 } },
    { to: [3], frame: { type: "room", room: LOBBY, members: ["bob", "carl"] } },
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
