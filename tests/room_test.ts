import assert from "node:assert/strict";
import type { MessageFrame } from "../src/protocol.ts";
import { Room } from "../src/server/room.ts";

function message(seq: number): MessageFrame {
  return { type: "message", room: "r", nick: "ana", text: `m${seq}`, time: seq, seq };
}

function room(historySize: number, settings = {}): Room {
  return new Room("Games", settings, { persistent: false, historySize });
}

Deno.test("Room keys its name like a nick and starts empty and listed", () => {
  const games = room(5);
  assert.equal(games.name, "Games");
  assert.equal(games.key, "games");
  assert.equal(games.members.size, 0);
  assert.equal(games.listed, true);
  assert.equal(games.owner, undefined);
  assert.equal(games.seq, 0);
  assert.deepEqual(games.history(), []);
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

Deno.test("Room.remember() keeps the last historySize messages, oldest first", () => {
  for (const size of [1, 3, 10]) {
    const r = room(size);
    for (let seq = 1; seq <= 100; seq++) {
      r.remember(message(seq), 100);
      const kept = r.history().map((frame) => frame.seq);
      const from = Math.max(1, seq - size + 1);
      assert.deepEqual(kept, Array.from({ length: seq - from + 1 }, (_, i) => from + i));
    }
  }
});

Deno.test("Room.remember() with historySize 0 keeps nothing", () => {
  const r = room(0);
  for (let seq = 1; seq <= 5; seq++) r.remember(message(seq), 100);
  assert.deepEqual(r.history(), []);
});

Deno.test("Room.info() lists only the settings that are set", () => {
  const r = room(0);
  r.members.add(7);
  assert.deepEqual(r.info(), { name: "Games", members: 1 });
  r.limit = 8;
  r.topic = "Chess";
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

Deno.test("Room.sentSeq() returns the seq a key was marked with, and undefined for others", () => {
  const r = room(5);
  assert.equal(r.sentSeq("tok:m1"), undefined);
  r.markSent("tok:m1", 3);
  r.markSent("tok:m2", 4);
  assert.equal(r.sentSeq("tok:m1"), 3);
  assert.equal(r.sentSeq("tok:m2"), 4);
  assert.equal(r.sentSeq("other:m1"), undefined);
  assert.equal(r.sentSeq("__proto__"), undefined);
});

Deno.test("Room.markSent() forgets the oldest keys past max(historySize, 1000)", () => {
  const cases: [number, number][] = [[0, 1000], [50, 1000], [1500, 1500]];
  for (const [historySize, bound] of cases) {
    const r = room(historySize);
    for (let seq = 1; seq <= bound; seq++) r.markSent(`k${seq}`, seq);
    assert.equal(r.sentSeq("k1"), 1, `all ${bound} kept`);
    r.markSent("newest", bound + 1);
    assert.equal(r.sentSeq("k1"), undefined, "the oldest went");
    assert.equal(r.sentSeq("k2"), 2);
    assert.equal(r.sentSeq(`k${bound}`), bound);
    assert.equal(r.sentSeq("newest"), bound + 1);
    for (let seq = 1; seq <= 10; seq++) r.markSent(`more${seq}`, bound + 1 + seq);
    assert.equal(r.sentSeq("k11"), undefined);
    assert.equal(r.sentSeq("k12"), 12);
  }
});
