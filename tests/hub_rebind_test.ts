import assert from "node:assert/strict";
import { Hub } from "../src/server/hub.ts";
import { assertChatError } from "./assert_chat_error.ts";

const T0 = 1_000;

Deno.test("Hub.rebind() moves a member to a new id quietly and replays what it missed", () => {
  const hub = new Hub();
  hub.register(1, "ana", T0);
  hub.register(2, "bob", T0);
  hub.createRoom(1, "games", {}, T0);
  hub.join(2, "games", undefined, T0);
  hub.say(2, "games", "one", T0);
  hub.say(2, "games", "two", T0);
  const deliveries = hub.rebind(1, 7, [{ room: "games", seq: 1 }]);
  assert.ok(deliveries.every((delivery) => delivery.to.length === 1 && delivery.to[0] === 7));
  const types = deliveries.map((delivery) => delivery.frame.type);
  assert.deepEqual(types, ["rooms", "room", "room", "message"]);
  const games = deliveries.find((d) => d.frame.type === "room" && d.frame.room === "games");
  assert.ok(games?.frame.type === "room" && games.frame.since === 1 && games.frame.owner === "ana");
  assert.equal(hub.nickOf(7), "ana");
  assert.equal(hub.nickOf(1), undefined);
  assert.equal(hub.idOf("ANA"), 7);
  assert.deepEqual(hub.roomsOf(7), ["lobby", "games"]);
  // The new id owns what the old one owned.
  hub.setTopic(7, "games", "chess", T0);
  assertChatError(() => hub.rebind(1, 8, []), "not_registered");
});
