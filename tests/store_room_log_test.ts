/**
 * The RoomLog contract, run against every implementation (memory and SQLite; Redis adds a line
 * to `IMPLEMENTATIONS`).
 */
import assert from "node:assert/strict";
import type { MessageFrame } from "../src/protocol.ts";
import { MemoryRoomLog } from "../src/store/memory_room_log.ts";
import type { RoomLog } from "../src/store/room_log.ts";
import { SqliteDatabase } from "../src/store/sqlite_database.ts";
import { SqliteRoomLog } from "../src/store/sqlite_room_log.ts";

const IMPLEMENTATIONS: [string, (historySize: number) => RoomLog][] = [
  ["MemoryRoomLog", (historySize) => new MemoryRoomLog({ historySize })],
  // A database in memory: the same code as on disk, without files to clean up.
  [
    "SqliteRoomLog",
    (historySize) => new SqliteRoomLog(SqliteDatabase.open(":memory:"), { historySize }),
  ],
];

function message(seq: number, room = "games"): MessageFrame {
  return { type: "message", room, nick: "ana", text: `m${seq}`, time: seq, seq };
}

/** Appends messages numbered on from the room's last seq. */
function appendMany(log: RoomLog, room: string, count: number, size = 100): void {
  for (let i = 0; i < count; i++) log.append(room, message(log.lastSeq(room) + 1, room), size);
}

for (const [name, make] of IMPLEMENTATIONS) {
  Deno.test(`${name} starts every room at seq 0 with no history`, () => {
    const log = make(5);
    assert.equal(log.lastSeq("games"), 0);
    assert.deepEqual(log.history("games"), []);
    assert.deepEqual(log.replay("games", undefined, 1000), { frames: [], trimmed: false });
    assert.equal(log.sentSeq("games", "tok:m1"), undefined);
  });

  Deno.test(`${name}.append() returns the next seq, per room`, () => {
    const log = make(5);
    assert.equal(log.append("games", message(1), 100), 1);
    assert.equal(log.append("games", message(2), 100), 2);
    assert.equal(log.append("chess", message(1, "chess"), 100), 1);
    assert.equal(log.lastSeq("games"), 2);
    assert.equal(log.lastSeq("chess"), 1);
  });

  Deno.test(`${name}.append() refuses a seq out of order`, () => {
    const log = make(5);
    log.append("games", message(1), 100);
    assert.throws(() => log.append("games", message(1), 100), RangeError);
    assert.throws(() => log.append("games", message(3), 100), RangeError);
    assert.equal(log.lastSeq("games"), 1);
  });

  Deno.test(`${name}.history() keeps the last historySize messages, oldest first`, () => {
    for (const size of [1, 3, 10]) {
      const log = make(size);
      for (let seq = 1; seq <= 100; seq++) {
        log.append("games", message(seq), 100);
        const kept = log.history("games").map((frame) => frame.seq);
        const from = Math.max(1, seq - size + 1);
        assert.deepEqual(kept, Array.from({ length: seq - from + 1 }, (_, i) => from + i));
      }
    }
  });

  Deno.test(`${name} with historySize 0 keeps nothing but still counts`, () => {
    const log = make(0);
    appendMany(log, "games", 5);
    assert.deepEqual(log.history("games"), []);
    assert.deepEqual(log.replay("games", undefined, 1000), { frames: [], trimmed: false });
    assert.equal(log.lastSeq("games"), 5);
  });

  Deno.test(`${name}.replay() gives what came after since, within the byte budget`, () => {
    const log = make(10);
    appendMany(log, "games", 6, 100);
    const seqs = (since: number | undefined, budget: number) => {
      const { frames, trimmed } = log.replay("games", since, budget);
      return { seqs: frames.map((frame) => frame.seq), trimmed };
    };
    assert.deepEqual(seqs(undefined, 1000), { seqs: [1, 2, 3, 4, 5, 6], trimmed: false });
    assert.deepEqual(seqs(4, 1000), { seqs: [5, 6], trimmed: false });
    assert.deepEqual(seqs(6, 1000), { seqs: [], trimmed: false });
    assert.deepEqual(seqs(undefined, 300), { seqs: [4, 5, 6], trimmed: true });
    assert.deepEqual(seqs(3, 300), { seqs: [4, 5, 6], trimmed: false });
    assert.deepEqual(seqs(undefined, 99), { seqs: [], trimmed: true });
  });

  Deno.test(`${name}.replay() holds no more than historySize messages`, () => {
    const log = make(3);
    appendMany(log, "games", 10);
    const { frames, trimmed } = log.replay("games", 2, 10_000);
    assert.deepEqual(frames.map((frame) => frame.seq), [8, 9, 10]);
    assert.equal(trimmed, false);
  });

  Deno.test(`${name}.query() gives kept messages within bounds, from either end`, () => {
    const log = make(10);
    appendMany(log, "games", 10); // seqs 1-10, time = seq
    const seqs = (frames: MessageFrame[]) => frames.map((frame) => frame.seq);
    assert.deepEqual(seqs(log.query("games", { limit: 3, from: "newest" })), [8, 9, 10]);
    assert.deepEqual(seqs(log.query("games", { limit: 3, from: "oldest" })), [1, 2, 3]);
    assert.deepEqual(
      seqs(log.query("games", { before: { seq: 7 }, limit: 2, from: "newest" })),
      [5, 6],
    );
    assert.deepEqual(
      seqs(log.query("games", { after: { seq: 7 }, limit: 5, from: "oldest" })),
      [8, 9, 10],
    );
    assert.deepEqual(
      seqs(
        log.query("games", { after: { time: 4 }, before: { time: 8 }, limit: 9, from: "oldest" }),
      ),
      [5, 6, 7],
    );
    // Bounds the wrong way round, a limit of 0, a room nobody wrote to: nothing.
    assert.deepEqual(
      log.query("games", { after: { seq: 8 }, before: { seq: 4 }, limit: 9, from: "oldest" }),
      [],
    );
    assert.deepEqual(log.query("games", { limit: 0, from: "newest" }), []);
    assert.deepEqual(log.query("chess", { limit: 5, from: "newest" }), []);
  });

  Deno.test(`${name}.sentSeq() returns the seq a key was marked with, and undefined for others`, () => {
    const log = make(5);
    assert.equal(log.sentSeq("games", "tok:m1"), undefined);
    log.markSent("games", "tok:m1", 3);
    log.markSent("games", "tok:m2", 4);
    assert.equal(log.sentSeq("games", "tok:m1"), 3);
    assert.equal(log.sentSeq("games", "tok:m2"), 4);
    assert.equal(log.sentSeq("games", "other:m1"), undefined);
    assert.equal(log.sentSeq("games", "__proto__"), undefined);
    assert.equal(log.sentSeq("chess", "tok:m1"), undefined, "ids are per room");
  });

  Deno.test(`${name}.markSent() keeps the newest max(historySize, 1000) keys, forgets older ones`, () => {
    const cases: [number, number][] = [[0, 1000], [50, 1000], [1500, 1500]];
    for (const [historySize, bound] of cases) {
      const log = make(historySize);
      const sent = (key: string) => log.sentSeq("games", key);
      for (let seq = 1; seq <= bound; seq++) log.markSent("games", `k${seq}`, seq);
      assert.equal(sent("k1"), 1, `all ${bound} kept`);
      // Twice the bound: the oldest are gone (a log may forget in batches), the newest all kept.
      for (let seq = bound + 1; seq <= 2 * bound; seq++) log.markSent("games", `k${seq}`, seq);
      assert.equal(sent("k1"), undefined, "the oldest went");
      for (let seq = bound + 1; seq <= 2 * bound; seq++) assert.equal(sent(`k${seq}`), seq);
      // A key marked again counts as new.
      log.markSent("games", `k${bound + 1}`, 9999);
      assert.equal(sent(`k${bound + 1}`), 9999);
    }
  });

  Deno.test(`${name}.page() gives the newest messages below a seq, oldest first`, () => {
    const log = make(10);
    appendMany(log, "games", 6);
    const seqs = (before: number, limit: number) =>
      log.page("games", before, limit).map((frame) => frame.seq);
    assert.deepEqual(seqs(7, 3), [4, 5, 6]);
    assert.deepEqual(seqs(4, 10), [1, 2, 3]);
    assert.deepEqual(seqs(1, 5), []);
    assert.deepEqual(seqs(5, 0), []);
    assert.deepEqual(log.page("chess", 5, 5), []);
  });

  Deno.test(`${name}.search() finds messages with every word, newest first, in one room`, () => {
    const log = make(10);
    const texts = ["Chess at eight", "chess club news", "go at nine", "CHESSBOARD for sale"];
    texts.forEach((text, i) => log.append("games", { ...message(i + 1), text }, 100));
    log.append("chess", { ...message(1, "chess"), text: "chess elsewhere" }, 100);
    const found = (words: string, limit = 10) =>
      log.search("games", words, limit).map((frame) => frame.seq);
    assert.deepEqual(found("chess"), [4, 2, 1], "word starts, any case, newest first");
    assert.deepEqual(found("chess at"), [1]);
    assert.deepEqual(found("at"), [3, 1]);
    assert.deepEqual(found("chess", 2), [4, 2]);
    assert.deepEqual(found("tennis"), []);
    assert.deepEqual(found("  ,; "), []);
    assert.deepEqual(found('"chess"'), [4, 2, 1], "quotes are not syntax");
    assert.deepEqual(log.search("games", "chess", 10)[0]?.text, "CHESSBOARD for sale");
  });

  Deno.test(`${name}.drop() forgets a room's seq, history and ids, and only that room's`, () => {
    const log = make(5);
    appendMany(log, "games", 3);
    appendMany(log, "chess", 2);
    log.markSent("games", "tok:m1", 1);
    log.drop("games");
    assert.equal(log.lastSeq("games"), 0);
    assert.deepEqual(log.history("games"), []);
    assert.equal(log.sentSeq("games", "tok:m1"), undefined);
    assert.equal(log.append("games", message(1), 100), 1);
    assert.equal(log.lastSeq("chess"), 2);
  });
}
