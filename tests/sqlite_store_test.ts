/**
 * The SQLite store on disk: what outlives closing and opening again, what is refused at open
 * (a held, newer, damaged or foreign database), and how the schema is migrated.
 */
import assert from "node:assert/strict";
import { DatabaseSync } from "node:sqlite";
import { StoreError } from "../src/errors.ts";
import type { MessageFrame } from "../src/protocol.ts";
import { SqliteDatabase } from "../src/store/sqlite_database.ts";
import { MIGRATIONS, SCHEMA_VERSION } from "../src/store/sqlite_schema.ts";
import { DATABASE_FILE, openSqliteStore } from "../src/store/sqlite_store.ts";

function message(seq: number, room = "games"): MessageFrame {
  return { type: "message", room, nick: "ana", text: `m${seq}`, time: seq, seq };
}

/** Runs `body` with a fresh temporary folder, removed afterwards. */
async function withFolder(body: (folder: string) => void | Promise<void>): Promise<void> {
  const folder = await Deno.makeTempDir({ prefix: "chat-store-test-" });
  try {
    await body(folder);
  } finally {
    await Deno.remove(folder, { recursive: true });
  }
}

function assertStoreError(fn: () => unknown, pattern: RegExp): void {
  assert.throws(fn, (error: unknown) => {
    assert.ok(error instanceof StoreError, String(error));
    assert.match(error.message, pattern);
    return true;
  });
}

Deno.test("openSqliteStore() keeps rooms, messages, seqs and message ids across a reopen", async () => {
  await withFolder((folder) => {
    const first = openSqliteStore(folder, { historySize: 3 });
    first.roomDirectory.create({
      key: "games",
      name: "Games",
      persistent: false,
      listed: false,
      owner: 7,
      limit: 8,
      topic: "chess",
      password: "s3cret",
      created: 1000,
      inviteOnly: true,
      openTopic: true,
    });
    for (let seq = 1; seq <= 5; seq++) first.roomLog.append("games", message(seq), 100);
    first.roomLog.markSent("games", "tok:1", 5);
    first.close();

    const second = openSqliteStore(folder, { historySize: 3 });
    try {
      const record = second.roomDirectory.find("games");
      // The owner was someone connected: not kept. The password only as a hash.
      assert.deepEqual({ ...record, password: undefined }, {
        key: "games",
        name: "Games",
        persistent: false,
        listed: false,
        limit: 8,
        topic: "chess",
        password: undefined,
        created: 1000,
        inviteOnly: true,
        openTopic: true,
      });
      assert.equal(second.roomDirectory.passwordMatches("games", "s3cret"), true);
      assert.equal(second.roomLog.lastSeq("games"), 5);
      assert.deepEqual(second.roomLog.history("games").map((frame) => frame.seq), [3, 4, 5]);
      assert.deepEqual(second.roomLog.history("games")[2], message(5));
      assert.equal(second.roomLog.sentSeq("games", "tok:1"), 5);
      assert.equal(second.roomLog.append("games", message(6), 100), 6);
      assert.deepEqual(second.stats().messages, 6);
      assert.ok(second.stats().bytes > 0);
    } finally {
      second.close();
    }
  });
});

Deno.test("openSqliteStore() writes no room password into the file", async () => {
  await withFolder(async (folder) => {
    const store = openSqliteStore(folder, { historySize: 3 });
    store.roomDirectory.create({
      key: "dev",
      name: "dev",
      persistent: true,
      listed: true,
      password: "PlainTextPassword",
    });
    store.roomDirectory.update("dev", { password: "AnotherPassword" });
    store.close();
    const bytes = new TextDecoder("latin1").decode(
      await Deno.readFile(`${folder}/${DATABASE_FILE}`),
    );
    assert.equal(bytes.includes("PlainTextPassword"), false);
    assert.equal(bytes.includes("AnotherPassword"), false);
    assert.match(bytes, /scrypt\$/);
  });
});

Deno.test("SqliteDatabase: writes wait for commit, and a full batch commits by itself", async () => {
  await withFolder((folder) => {
    const store = openSqliteStore(folder, { historySize: 10, maxBatch: 3 });
    try {
      assert.equal(store.database.pending, false);
      store.roomLog.append("games", message(1), 100);
      assert.equal(store.database.pending, true);
      store.commit();
      assert.equal(store.database.pending, false);
      for (let seq = 2; seq <= 4; seq++) store.roomLog.append("games", message(seq), 100);
      // The fourth write found three waiting: they were committed first.
      assert.equal(store.database.pending, true);
      store.commit();
    } finally {
      store.close();
    }
  });
});

Deno.test("SqliteDatabase.open() refuses a database another server holds", async () => {
  await withFolder((folder) => {
    const first = openSqliteStore(folder, { historySize: 3 });
    try {
      assertStoreError(
        () => openSqliteStore(folder, { historySize: 3 }),
        /^Cannot use the database .*chat\.db: database is in use by another chat server$/,
      );
    } finally {
      first.close();
    }
    // Let go: the next one may.
    openSqliteStore(folder, { historySize: 3 }).close();
  });
});

Deno.test("SqliteDatabase.open() refuses a newer schema and leaves it as it is", async () => {
  await withFolder((folder) => {
    const path = `${folder}/${DATABASE_FILE}`;
    const raw = new DatabaseSync(path);
    raw.exec(`PRAGMA user_version = ${SCHEMA_VERSION + 1}`);
    raw.close();
    assertStoreError(
      () => SqliteDatabase.open(path),
      new RegExp(
        `it was written by a newer chat \\(schema ${SCHEMA_VERSION + 1}; this one knows up to ` +
          `${SCHEMA_VERSION}\\): run that version, or a newer one$`,
      ),
    );
    const check = new DatabaseSync(path);
    assert.deepEqual(
      { ...check.prepare("PRAGMA user_version").get() },
      { user_version: SCHEMA_VERSION + 1 },
    );
    check.close();
  });
});

Deno.test("SqliteDatabase.open() migrates a database of schema 1 and keeps its data", async () => {
  await withFolder((folder) => {
    const path = `${folder}/${DATABASE_FILE}`;
    // Written by hand as version 1 of the program wrote it.
    const raw = new DatabaseSync(path);
    raw.exec((MIGRATIONS[0]?.sql ?? "") + "PRAGMA user_version = 1;");
    raw.exec(
      "INSERT INTO rooms (key, name, persistent, listed) VALUES ('games', 'Games', 1, 1);" +
        `INSERT INTO messages (room, seq, time, frame, size) VALUES ('games', 1, 1, '${
          JSON.stringify(message(1))
        }', 90);`,
    );
    raw.close();
    const database = SqliteDatabase.open(path);
    database.close();
    assert.deepEqual(database.migrated, { from: 1, to: SCHEMA_VERSION });
    const store = openSqliteStore(folder, { historySize: 5 });
    try {
      assert.equal(store.roomDirectory.find("games")?.name, "Games");
      assert.equal(store.roomDirectory.find("games")?.created, undefined);
      assert.deepEqual(store.roomLog.history("games"), [message(1)]);
      assert.equal(store.roomLog.lastSeq("games"), 1);
    } finally {
      store.close();
    }
  });
});

Deno.test("SqliteDatabase.open() says a truncated, empty, foreign or garbage file is unusable", async () => {
  await withFolder(async (folder) => {
    const path = `${folder}/${DATABASE_FILE}`;
    const store = openSqliteStore(folder, { historySize: 5 });
    for (let seq = 1; seq <= 3000; seq++) store.roomLog.append("games", message(seq), 100);
    store.close();
    const bytes = await Deno.readFile(path);
    await Deno.writeFile(path, bytes.subarray(0, Math.floor(bytes.length / 2)));
    assertStoreError(() => SqliteDatabase.open(path), /damaged/);
    await Deno.writeFile(path, bytes.subarray(0, 60));
    assertStoreError(() => SqliteDatabase.open(path), /damaged/);
    await Deno.writeFile(path, new Uint8Array());
    assertStoreError(() => SqliteDatabase.open(path), /the file is empty \(truncated\?\)/);
    await Deno.writeTextFile(path, "not a database at all, but long enough to have a header...");
    assertStoreError(() => SqliteDatabase.open(path), /damaged or not a database/);
    await Deno.remove(path);
    const foreign = new DatabaseSync(path);
    foreign.exec("CREATE TABLE other (x)");
    foreign.close();
    assertStoreError(() => SqliteDatabase.open(path), /not a chat database/);
  });
});

Deno.test("openSqliteStore() says why a data folder cannot be made", async () => {
  await withFolder(async (folder) => {
    await Deno.writeTextFile(`${folder}/file`, "");
    assertStoreError(
      () => openSqliteStore(`${folder}/file/sub`, { historySize: 5 }),
      /^Cannot use the data folder .*file\/sub: /,
    );
  });
});

Deno.test("SqliteRoomLog.prune() deletes the oldest messages in batches; seqs never go back", async () => {
  await withFolder((folder) => {
    const store = openSqliteStore(folder, { historySize: 100 });
    const at = (seq: number, room: string, time: number) => ({ ...message(seq, room), time });
    // Old: games 1-3, chess 1; then new: games 4.
    for (let seq = 1; seq <= 3; seq++) store.roomLog.append("games", at(seq, "games", 10), 100);
    store.roomLog.append("chess", at(1, "chess", 10), 100);
    store.roomLog.append("games", at(4, "games", 1000), 100);
    assert.equal(store.prune(500, 2), 2, "a batch at most");
    assert.equal(store.prune(500, 100), 2);
    assert.equal(store.prune(500, 100), 0, "the new one stays");
    assert.deepEqual(store.roomLog.history("games").map((frame) => frame.seq), [4]);
    assert.deepEqual(store.roomLog.history("chess"), []);
    store.close();
    const again = openSqliteStore(folder, { historySize: 100 });
    try {
      assert.equal(again.roomLog.lastSeq("chess"), 1, "chess has no message left, seq stays");
      assert.equal(again.roomLog.lastSeq("games"), 4);
      assert.equal(again.stats().messages, 1);
    } finally {
      again.close();
    }
  });
});

Deno.test("SqliteRoomLog.search() finds messages indexed before a reopen, and not dropped or pruned ones", async () => {
  await withFolder((folder) => {
    const store = openSqliteStore(folder, { historySize: 2 });
    const say = (room: string, text: string, time = 10) =>
      store.roomLog.append(
        room,
        { ...message(store.roomLog.lastSeq(room) + 1, room), text, time },
        100,
      );
    say("games", "old chess news", 10);
    say("games", "chess at eight", 1000);
    say("gone", "chess in a room that goes", 1000);
    assert.equal(store.index(1), 1, "a batch at most");
    assert.equal(store.index(100), 2);
    assert.equal(store.index(100), 0);
    say("games", "chess unindexed yet", 1000);
    // Searching indexes what is new first; history holds 2, the search reaches all.
    const seqs = () => store.roomLog.search("games", "chess", 10).map((frame) => frame.seq);
    assert.deepEqual(seqs(), [3, 2, 1]);
    store.roomLog.drop("gone");
    assert.deepEqual(store.roomLog.search("gone", "chess", 10), []);
    assert.equal(store.prune(500, 100), 1);
    assert.deepEqual(seqs(), [3, 2]);
    store.close();
    const again = openSqliteStore(folder, { historySize: 2 });
    try {
      assert.deepEqual(again.roomLog.search("games", "eight", 10).map((frame) => frame.seq), [2]);
    } finally {
      again.close();
    }
  });
});
