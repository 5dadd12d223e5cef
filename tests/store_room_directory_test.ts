/** The RoomDirectory contract, run against every implementation. */
import assert from "node:assert/strict";
import { MemoryRoomDirectory } from "../src/store/memory_room_directory.ts";
import type { RoomDirectory, RoomRecord } from "../src/store/room_directory.ts";
import { SqliteDatabase } from "../src/store/sqlite_database.ts";
import { SqliteRoomDirectory } from "../src/store/sqlite_room_directory.ts";

const IMPLEMENTATIONS: [string, () => RoomDirectory][] = [
  ["MemoryRoomDirectory", () => new MemoryRoomDirectory()],
  // A database in memory: the same code as on disk, without files to clean up.
  ["SqliteRoomDirectory", () => new SqliteRoomDirectory(SqliteDatabase.open(":memory:"))],
];

function record(name: string, fields: Partial<RoomRecord> = {}): RoomRecord {
  return { key: name.toLowerCase(), name, persistent: false, listed: true, ...fields };
}

for (const [name, make] of IMPLEMENTATIONS) {
  Deno.test(`${name} creates, finds and lists rooms in creation order`, () => {
    const rooms = make();
    assert.equal(rooms.size, 0);
    assert.deepEqual(rooms.list(), []);
    rooms.create(record("Lobby", { persistent: true }));
    rooms.create(record("Games", { limit: 8, topic: "chess" }));
    rooms.create(record("Dev", { password: "pw", listed: false, owner: 3, created: 1000 }));
    assert.equal(rooms.size, 3);
    // The creation time, when given, is kept.
    assert.equal(rooms.find("dev")?.created, 1000);
    assert.deepEqual(rooms.list().map((room) => room.name), ["Lobby", "Games", "Dev"]);
    assert.deepEqual(rooms.find("games"), record("Games", { limit: 8, topic: "chess" }));
    assert.equal(rooms.find("nope"), undefined);
  });

  Deno.test(`${name}.create() refuses a key that exists`, () => {
    const rooms = make();
    rooms.create(record("Games"));
    assert.throws(() => rooms.create(record("games")), RangeError);
    assert.equal(rooms.find("games")?.name, "Games");
  });

  Deno.test(`${name}.update() sets fields given, clears those given as undefined`, () => {
    const rooms = make();
    rooms.create(record("Games", { limit: 8, topic: "chess" }));
    rooms.update("games", { topic: "go", owner: 2 });
    assert.deepEqual(rooms.find("games"), record("Games", { limit: 8, topic: "go", owner: 2 }));
    rooms.update("games", { limit: undefined, listed: false });
    assert.deepEqual(
      rooms.find("games"),
      record("Games", { topic: "go", owner: 2, listed: false }),
    );
    assert.equal(Object.hasOwn(rooms.find("games") ?? {}, "limit"), false);
    assert.throws(() => rooms.update("nope", { topic: "x" }), RangeError);
  });

  Deno.test(`${name}.remove() forgets a room, and a new one may take its key`, () => {
    const rooms = make();
    rooms.create(record("Games", { topic: "chess" }));
    rooms.create(record("Dev"));
    assert.equal(rooms.remove("games"), true);
    assert.equal(rooms.remove("games"), false);
    assert.equal(rooms.find("games"), undefined);
    assert.equal(rooms.size, 1);
    rooms.create(record("GAMES"));
    assert.deepEqual(rooms.list().map((room) => room.name), ["Dev", "GAMES"]);
    assert.equal(rooms.find("games")?.topic, undefined);
  });

  Deno.test(`${name}.passwordMatches() tells the right password from others`, () => {
    const rooms = make();
    rooms.create(record("Dev", { password: "s3cret" }));
    rooms.create(record("Open"));
    assert.equal(rooms.passwordMatches("dev", "s3cret"), true);
    assert.equal(rooms.passwordMatches("dev", "S3cret"), false);
    assert.equal(rooms.passwordMatches("dev", ""), false);
    assert.equal(rooms.passwordMatches("open", ""), false);
    assert.equal(rooms.passwordMatches("nope", "s3cret"), false);
    assert.notEqual(rooms.find("dev")?.password, undefined, "a password is set");
    rooms.update("dev", { password: "other" });
    assert.equal(rooms.passwordMatches("dev", "s3cret"), false);
    assert.equal(rooms.passwordMatches("dev", "other"), true);
    rooms.update("dev", { password: undefined });
    assert.equal(rooms.find("dev")?.password, undefined);
    assert.equal(rooms.passwordMatches("dev", "other"), false);
  });

  Deno.test(`${name}.update() makes a room persistent and back`, () => {
    const rooms = make();
    rooms.create(record("Games"));
    rooms.update("games", { persistent: true });
    assert.equal(rooms.find("games")?.persistent, true);
    rooms.update("games", { persistent: false });
    assert.equal(rooms.find("games")?.persistent, false);
  });

  Deno.test(`${name}.update() turns a room's flags on and off`, () => {
    const rooms = make();
    rooms.create(record("Games", { moderated: true }));
    rooms.update("games", { inviteOnly: true, outsiders: true, moderated: undefined });
    assert.deepEqual(rooms.find("games"), record("Games", { inviteOnly: true, outsiders: true }));
  });

  Deno.test(`${name} keeps a room's creation time`, () => {
    const rooms = make();
    rooms.create(record("Games", { created: 1_700_000_000_000 }));
    rooms.update("games", { topic: "chess" });
    assert.equal(rooms.find("games")?.created, 1_700_000_000_000);
  });
}
