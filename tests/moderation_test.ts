/** Moderation rules: bans by nick, address and block with expiry; mutes and room bans in the hub. */
import assert from "node:assert/strict";
import { describeBan, Moderation } from "../src/server/moderation.ts";
import { Hub } from "../src/server/hub.ts";
import { MemoryAccountStore } from "../src/store/memory_account_store.ts";
import { MemoryModerationStore } from "../src/store/memory_moderation_store.ts";
import { assertChatError } from "./assert_chat_error.ts";

Deno.test("Moderation.banFor() finds bans by nick, address and CIDR block until they expire", () => {
  const moderation = new Moderation(new MemoryModerationStore());
  moderation.ban("ana", "Eve", { reason: "spam", durationMs: 60_000, now: 0 });
  moderation.ban("ana", "10.9.0.0/16", { now: 0 });
  assert.equal(moderation.banFor("EVE", "127.0.0.1", 1000)?.label, "Eve");
  assert.equal(moderation.banFor("bob", "10.9.3.4", 1000)?.label, "10.9.0.0/16");
  assert.equal(moderation.banFor("bob", "10.8.3.4", 1000), undefined);
  const ban = moderation.banFor("eve", undefined, 1000);
  assert.equal(
    ban === undefined ? "" : describeBan(ban, 1000),
    "You are banned from this server by ana: spam (59s left)",
  );
  assert.equal(moderation.banFor("eve", undefined, 60_000), undefined, "expired");
  assert.deepEqual(moderation.bans(60_000).map((each) => each.label), ["10.9.0.0/16"]);
  moderation.unban("10.9.0.0/16");
  assertChatError(() => moderation.unban("10.9.0.0/16"), "bad_arguments");
  assertChatError(() => moderation.ban("ana", "not a nick!", { now: 0 }), "nick_invalid");
});

function hubWith(store: MemoryModerationStore): Hub {
  const accounts = new MemoryAccountStore();
  accounts.create({ key: "op", name: "op", hash: "h", created: 0, operator: true });
  const hub = new Hub({ moderation: store, accounts });
  hub.login(1, "op");
  hub.register(1, "op", 0);
  hub.register(2, "ana", 0);
  hub.register(3, "eve", 0);
  return hub;
}

Deno.test("a muted member is told why and can still read; the mute ends when due", () => {
  const store = new MemoryModerationStore();
  const hub = hubWith(store);
  new Moderation(store).mute("op", "eve", { durationMs: 120_000, now: 0 });
  assertChatError(
    () => hub.say(3, "lobby", "hi", 1000),
    "muted",
    "You are muted by op: you can read but not talk (1m 59s left)",
  );
  assertChatError(() => hub.privateMessage(3, "ana", "hi", 1000), "muted", /muted/);
  const heard = hub.say(2, "lobby", "hello", 1000);
  assert.ok(heard[0]?.to.includes(3), "eve still reads");
  assert.equal(hub.say(3, "lobby", "back", 120_000).length, 1);
});

Deno.test("a room ban keeps someone out of that room only; operators act in any room", () => {
  const store = new MemoryModerationStore();
  const hub = hubWith(store);
  hub.createRoom(2, "games", {}, 0);
  hub.join(3, "games", undefined, 0);
  assertChatError(() => hub.roomBan(3, "games", "ana", 0), "not_allowed", /owner/);
  const out = hub.roomBan(2, "games", "eve", 0);
  assert.ok(out.some((delivery) => delivery.frame.type === "left"), "kicked now");
  assert.ok(
    out.some((delivery) =>
      delivery.frame.type === "mode" && delivery.frame.changes[0]?.kind === "ban" &&
      delivery.to.includes(2)
    ),
    "the room and the owner hear of it",
  );
  assertChatError(() => hub.join(3, "games", undefined, 0), "banned", /banned from it/);
  hub.createRoom(2, "other", {}, 0);
  hub.join(3, "other", undefined, 0);
  assert.ok(hub.roomsOf(3).includes("other"), "other rooms are open");
  assert.equal(hub.isOperator(1), true);
  assert.equal(hub.isOperator(2), false);
  hub.kick(1, "other", "eve", "", 0);
  hub.roomUnban(1, "games", "eve");
  hub.join(3, "games", undefined, 0);
  hub.closeRoom(1, "games", "", 0);
});
