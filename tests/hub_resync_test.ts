import assert from "node:assert/strict";
import { Hub } from "../src/server/hub.ts";
import { assertChatError } from "./assert_chat_error.ts";

const T0 = 1_000;

Deno.test("Hub.resync() gives a returning member what it missed and changes nothing", () => {
  const hub = new Hub();
  hub.register(1, "ana", T0);
  hub.register(2, "bob", T0);
  hub.createRoom(1, "games", {}, T0);
  hub.join(2, "games", undefined, T0);
  hub.say(2, "games", "one", T0);
  hub.say(2, "games", "two", T0);
  const deliveries = hub.resync(1, [{ room: "games", seq: 1 }]);
  assert.ok(deliveries.every((delivery) => delivery.to.length === 1 && delivery.to[0] === 1));
  const types = deliveries.map((delivery) => delivery.frame.type);
  assert.deepEqual(types, ["rooms", "room", "room", "message"]);
  const games = deliveries.find((d) => d.frame.type === "room" && d.frame.room === "games");
  assert.ok(games?.frame.type === "room" && games.frame.since === 1 && games.frame.owner === "ana");
  const missed = deliveries.at(-1)?.frame;
  assert.ok(missed?.type === "message" && missed.text === "two" && missed.seq === 2);
  // The member is who it was: same nick, same rooms, still the owner, and bob heard nothing.
  assert.equal(hub.idOf("ANA"), 1);
  assert.deepEqual(hub.roomsOf(1), ["lobby", "games"]);
  assert.equal(hub.setTopic(1, "games", "chess", T0).length > 0, true);
  assertChatError(() => hub.resync(9, []), "not_registered");
});
