/** The ModerationStore contract, run against every implementation. */
import assert from "node:assert/strict";
import type { BanRecord, ModerationStore } from "../src/store/moderation_store.ts";
import { MemoryModerationStore } from "../src/store/memory_moderation_store.ts";
import { SqliteModerationStore } from "../src/store/sqlite_moderation_store.ts";
import { SqliteDatabase } from "../src/store/sqlite_database.ts";

const IMPLEMENTATIONS: [string, () => ModerationStore][] = [
  ["MemoryModerationStore", () => new MemoryModerationStore()],
  ["SqliteModerationStore", () => new SqliteModerationStore(SqliteDatabase.open(":memory:"))],
];

const BAN: BanRecord = {
  kind: "nick",
  target: "eve",
  label: "Eve",
  reason: "spam",
  by: "ana",
  since: 1,
  until: 100,
};

for (const [name, make] of IMPLEMENTATIONS) {
  Deno.test(`${name} keeps bans, replacing one of the same kind and target`, () => {
    const store = make();
    store.putBan(BAN);
    store.putBan({ ...BAN, kind: "address", target: "10.0.0.0/8", label: "10.0.0.0/8" });
    store.putBan({ ...BAN, reason: "more spam", until: undefined });
    assert.deepEqual(store.bans().map((ban) => [ban.kind, ban.target, ban.reason, ban.until]), [
      ["address", "10.0.0.0/8", "spam", 100],
      ["nick", "eve", "more spam", undefined],
    ]);
    assert.equal(store.removeBan("nick", "eve"), true);
    assert.equal(store.removeBan("nick", "eve"), false);
    assert.equal(store.bans().length, 1);
  });

  Deno.test(`${name} keeps mutes and room bans`, () => {
    const store = make();
    store.putMute({ key: "eve", nick: "Eve", by: "ana", since: 1 });
    assert.deepEqual(store.mute("eve"), { key: "eve", nick: "Eve", by: "ana", since: 1 });
    assert.equal(store.mutes().length, 1);
    assert.equal(store.removeMute("eve"), true);
    assert.equal(store.mute("eve"), undefined);
    store.putRoomBan({ room: "games", key: "eve", nick: "Eve", by: "ana", since: 1 });
    assert.equal(store.roomBanned("games", "eve"), true);
    assert.equal(store.roomBanned("lobby", "eve"), false);
    assert.deepEqual(store.roomBans("games").map((ban) => ban.nick), ["Eve"]);
    assert.equal(store.removeRoomBan("games", "eve"), true);
    assert.equal(store.roomBanned("games", "eve"), false);
  });
}
