import assert from "node:assert/strict";
import type { MessageFrame } from "../src/protocol.ts";
import { Room, type RoomSettings } from "../src/server/room.ts";
import { MemoryRoomDirectory } from "../src/store/memory_room_directory.ts";
import { MemoryRoomLog } from "../src/store/memory_room_log.ts";

function message(seq: number): MessageFrame {
  return { type: "message", room: "games", nick: "ana", text: `m${seq}`, time: seq, seq };
}

function room(historySize: number, settings: RoomSettings = {}): Room {
  const directory = new MemoryRoomDirectory();
  directory.create({ key: "games", name: "Games", persistent: false, listed: true, ...settings });
  return new Room("games", { directory, log: new MemoryRoomLog({ historySize }) });
}

Deno.test("Room keys its name like a nick and starts empty and listed", () => {
  const games = room(5);
  assert.equal(games.name, "Games");
  assert.equal(games.key, "games");
  assert.equal(games.members.size, 0);
  assert.equal(games.listed, true);
  assert.equal(games.owner, undefined);
  assert.equal(games.seq, 0);
});

Deno.test("Room.seq is the newest seq in its room log", () => {
  const log = new MemoryRoomLog({ historySize: 5 });
  const directory = new MemoryRoomDirectory();
  directory.create({ key: "games", name: "Games", persistent: false, listed: true });
  const games = new Room("games", { directory, log });
  log.append("games", message(1), 100);
  log.append("other", message(1), 100);
  log.append("games", message(2), 100);
  assert.equal(games.seq, 2);
});

Deno.test("Room.full is reached at the limit, and never without one", () => {
  const limited = room(0, { limit: 2 });
  assert.equal(limited.full, false);
  limited.members.add(1);
  assert.equal(limited.full, false);
  limited.members.add(2);
  assert.equal(limited.full, true);
  limited.limit = undefined;
  assert.equal(limited.full, false);
  const open = room(0);
  for (let id = 0; id < 1000; id++) open.members.add(id);
  assert.equal(open.full, false);
});

Deno.test("Room.info() lists only the settings that are set", () => {
  const r = room(0);
  r.members.add(7);
  assert.deepEqual(r.info(), { name: "Games", members: 1 });
  r.limit = 8;
  r.setTopic("Chess", "ana", 1000);
  r.password = "pw";
  r.listed = false;
  assert.deepEqual(r.info(), {
    name: "Games",
    members: 1,
    limit: 8,
    topic: "Chess",
    private: true,
    password: true,
  });
  assert.doesNotMatch(JSON.stringify(r.info()), /"pw"/);
});

Deno.test("Room reads its settings from the directory and writes changes through to it", () => {
  const directory = new MemoryRoomDirectory();
  directory.create({ key: "games", name: "Games", persistent: true, listed: true, limit: 4 });
  const games = new Room("games", { directory, log: new MemoryRoomLog({ historySize: 0 }) });
  assert.equal(games.persistent, true);
  assert.equal(games.limit, 4);
  directory.update("games", { topic: "Chess" });
  assert.equal(games.topic, "Chess");
  games.limit = undefined;
  games.owner = 3;
  assert.deepEqual(directory.find("games"), {
    key: "games",
    name: "Games",
    persistent: true,
    listed: true,
    topic: "Chess",
    owner: 3,
  });
  directory.remove("games");
  assert.throws(() => games.name, RangeError);
});
