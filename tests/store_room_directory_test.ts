/** The RoomDirectory contract, run against every implementation. */
import assert from "node:assert/strict";
import { MemoryRoomDirectory } from "../src/store/memory_room_directory.ts";
import type { RoomDirectory, RoomRecord } from "../src/store/room_directory.ts";

const IMPLEMENTATIONS: [string, () => RoomDirectory][] = [
  ["MemoryRoomDirectory", () => new MemoryRoomDirectory()],
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
}
