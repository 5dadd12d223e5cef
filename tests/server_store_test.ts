/**
 * The server over a SQLite store, in-process (memory carrier): what a restart keeps, `--room`
 * rooms kept from the last run, empty user rooms that nobody comes back to, /stats and /backup.
 */
import assert from "node:assert/strict";
import { DatabaseSync } from "node:sqlite";
import { MemoryLineConnection, MemoryListener } from "../src/carrier/memory.ts";
import { RESUME_WINDOW_MS } from "../src/limits.ts";
import { Logger } from "../src/log.ts";
import { runConsoleLine } from "../src/server/console_commands.ts";
import { ChatServer, type ServerOptions } from "../src/server/server.ts";
import { openSqliteStore } from "../src/store/sqlite_store.ts";
import type { Store } from "../src/store/store.ts";
import { LineCollector } from "./e2e/harness.ts";

const encoder = new TextEncoder();

/** A plain-text user on a memory connection, its lines collected. */
class Peer {
  readonly conn: MemoryLineConnection;
  readonly collector: LineCollector;

  constructor(conn: MemoryLineConnection) {
    this.conn = conn;
    this.collector = new LineCollector(
      new ReadableStream<Uint8Array>({
        pull: async (controller) => {
          const lines = await conn.readLines();
          if (lines === null) return controller.close();
          for (const line of lines) {
            controller.enqueue(line ?? encoder.encode("<too long>"));
            controller.enqueue(encoder.encode("\n"));
          }
        },
      }),
    );
  }

  async send(text: string): Promise<void> {
    await this.conn.write(encoder.encode(text + "\n"));
  }

  waitFor(text: string | RegExp): Promise<number> {
    return this.collector.waitFor(text, { from: 0 });
  }

  /** Sends a command and waits for its answer (lines are handled in order). */
  async roundTrip(): Promise<void> {
    const from = this.collector.lines.length;
    await this.send("/rooms");
    await this.collector.waitFor(/^\* Rooms/, { from });
  }
}

/** Runs a server on the store in `folder`, then shuts it down and closes the store. */
async function withStoredServer(
  folder: string,
  options: Partial<ServerOptions>,
  body: (connect: () => Promise<Peer>, server: ChatServer) => Promise<void>,
): Promise<void> {
  const store = openSqliteStore(folder, { historySize: options.historySize ?? 50 });
  const listener = new MemoryListener();
  const server = new ChatServer(
    { listener, maxFileBytes: 0, greetAfterMs: 60_000, store, ...options },
    new Logger({ sink: () => {} }),
  );
  const peers: Peer[] = [];
  try {
    await body(async () => {
      const peer = new Peer(listener.connect());
      peers.push(peer);
      return await Promise.resolve(peer);
    }, server);
  } finally {
    await server.shutdown();
    for (const peer of peers) {
      peer.conn.close();
      await peer.collector.done;
    }
    store.close();
  }
}

async function user(connect: () => Promise<Peer>, nick: string): Promise<Peer> {
  const peer = await connect();
  await peer.send(nick);
  await peer.waitFor("* You are in lobby");
  return peer;
}

Deno.test("a stored server keeps rooms, topics and history across a restart; --room rooms are not made twice", async () => {
  const folder = await Deno.makeTempDir({ prefix: "chat-server-store-" });
  try {
    // Flood control off: it would allow two new rooms only.
    const limits = { flood: { burst: 100, perSecond: 0 } };
    await withStoredServer(
      folder,
      { rooms: [{ name: "games", limit: 4 }], limits },
      async (connect) => {
        const ana = await user(connect, "ana");
        await ana.send("hello lobby");
        await ana.send("/create mine");
        await ana.waitFor("* You are in mine");
        await ana.send("/topic chess at eight");
        await ana.send("/create other");
        await ana.waitFor("* You are in other");
        await ana.send("/create kept");
        await ana.waitFor("* You are in kept");
        await ana.send("/persist");
        await ana.waitFor("* ana made the room stay when empty");
        await ana.send("/switch mine");
        await ana.send("in mine");
        await ana.roundTrip();
      },
    );
    let clock = Date.now();
    await withStoredServer(
      folder,
      { rooms: [{ name: "games", limit: 8 }, { name: "mine" }], clock: () => clock },
      async (connect, server) => {
        const rooms = () => server.hub.allRooms().map((room) => room.name);
        assert.deepEqual(rooms(), ["lobby", "games", "mine", "other", "kept"]);
        assert.equal(server.hub.allRooms()[1]?.limit, 8, "the command line's limit holds");
        assert.equal(server.hub.allRooms()[2]?.owner, undefined, "no owner after a restart");
        const bob = await user(connect, "bob");
        await bob.waitFor("<ana> hello lobby");
        await bob.send("/history 5");
        await bob.waitFor("* 1 older message in lobby:");
        await bob.send("/join mine");
        await bob.waitFor("* Topic: chess at eight");
        await bob.waitFor("<ana> in mine");
        // Nobody came back to "other" within the resume window: it goes; "mine" has bob.
        clock += RESUME_WINDOW_MS + 1;
        const deadline = Date.now() + 5000;
        while (rooms().includes("other") && Date.now() < deadline) {
          await new Promise((resolve) => setTimeout(resolve, 50)); // the sweep runs each second
        }
        assert.deepEqual(rooms(), ["lobby", "games", "mine", "kept"], "kept stays, empty");
        // A user's room named with --room is the operator's now: it stays when empty.
        await bob.send("/leave mine");
        await bob.waitFor(/^\* You left mine/);
        assert.deepEqual(rooms(), ["lobby", "games", "mine", "kept"]);
      },
    );
  } finally {
    await Deno.remove(folder, { recursive: true });
  }
});

Deno.test("the console's /stats and /backup work on a stored server", async () => {
  const folder = await Deno.makeTempDir({ prefix: "chat-server-store-" });
  try {
    await withStoredServer(folder, {}, async (connect, server) => {
      const ana = await user(connect, "ana");
      for (let i = 1; i <= 3; i++) await ana.send(`message ${i}`);
      await ana.roundTrip();
      const [, database] = runConsoleLine(server, "/stats").lines;
      assert.match(database ?? "", new RegExp(`^Database: ${folder}/chat\\.db, .*, 3 messages$`));
      const copy = `${folder}/copy.db`;
      assert.ok((await server.backup(copy)) > 0);
      await assert.rejects(
        server.backup(copy),
        /^ChatError: Cannot back up to .*copy\.db: the file exists$/,
      );
      assert.match(
        runConsoleLine(server, `/backup ${folder}/other.db`).lines[0] ?? "",
        /^Backing up the database to .*other\.db: the event log says when it is done$/,
      );
      // The copy is a database of its own, with the messages in it.
      const db = new DatabaseSync(copy);
      assert.deepEqual({ ...db.prepare("SELECT count(*) AS n FROM messages").get() }, { n: 3 });
      db.close();
    });
  } finally {
    await Deno.remove(folder, { recursive: true });
  }
});

Deno.test("--retain: a stored server deletes messages older than the retention, in the background", async () => {
  const folder = await Deno.makeTempDir({ prefix: "chat-server-store-" });
  try {
    let clock = Date.now();
    const day = 86_400_000;
    await withStoredServer(
      folder,
      { clock: () => clock, retainMs: day },
      async (connect, server) => {
        const ana = await user(connect, "ana");
        for (let i = 1; i <= 3; i++) await ana.send(`old ${i}`);
        await ana.roundTrip();
        clock += 2 * day;
        await ana.send("new");
        await ana.roundTrip();
        const messages = () => server.storeStats()?.messages;
        const deadline = Date.now() + 5000;
        while (messages() !== 1 && Date.now() < deadline) {
          await new Promise((resolve) => setTimeout(resolve, 50)); // the sweep runs each second
        }
        assert.equal(messages(), 1);
        const bob = await user(connect, "bob");
        await bob.waitFor("<ana> new");
        assert.ok(!bob.collector.lines.some((line) => line.includes("<ana> old")));
      },
    );
  } finally {
    await Deno.remove(folder, { recursive: true });
  }
});

Deno.test("/history pages through more than the replayed history, from the store", async () => {
  const folder = await Deno.makeTempDir({ prefix: "chat-server-store-" });
  try {
    await withStoredServer(folder, { historySize: 3 }, async (connect) => {
      const ana = await user(connect, "ana");
      for (let i = 1; i <= 10; i++) await ana.send(`m${i}`);
      await ana.roundTrip();
      const bob = await user(connect, "bob");
      await bob.waitFor("<ana> m10");
      await bob.send("/history 4 8");
      await bob.waitFor("* 4 older messages in lobby: /history 4 4 shows the ones before");
      await bob.waitFor("<ana> m7");
      await bob.send("/history 4 4");
      await bob.waitFor("* 3 older messages in lobby:");
      await bob.waitFor("<ana> m1");
      await bob.send("/history 4 1");
      await bob.waitFor("* No older messages in lobby");
      await bob.send("/search m1");
      await bob.waitFor('* 2 messages in lobby with "m1", newest first:');
      await bob.waitFor("<ana> m10");
    });
  } finally {
    await Deno.remove(folder, { recursive: true });
  }
});

Deno.test("a restart announced by the operator reaches native clients as bye with restart", async () => {
  const folder = await Deno.makeTempDir({ prefix: "chat-server-store-" });
  try {
    await withStoredServer(folder, {}, async (connect, server) => {
      const ana = await connect();
      await ana.send('{"type":"hello","version":1,"nick":"ana"}');
      await ana.waitFor('"type":"room"');
      await server.shutdown("Server is restarting", true);
      await ana.waitFor(
        '{"type":"bye","reason":"Server is restarting","shutdown":true,"restart":true}',
      );
    });
  } finally {
    await Deno.remove(folder, { recursive: true });
  }
});

Deno.test("a store that cannot commit stops the server before anything unkept goes out", async () => {
  const folder = await Deno.makeTempDir({ prefix: "chat-server-store-" });
  const inner = openSqliteStore(folder, { historySize: 50 });
  let failing = false;
  const store: Store = {
    location: inner.location,
    roomLog: inner.roomLog,
    roomDirectory: inner.roomDirectory,
    accounts: inner.accounts,
    moderation: inner.moderation,
    commit: () => {
      if (failing) throw new Error("disk I/O error");
      inner.commit();
    },
    stats: () => inner.stats(),
    prune: (before, limit) => inner.prune(before, limit),
    index: (limit) => inner.index(limit),
    backup: (file) => inner.backup(file),
    discard: () => inner.discard(),
    close: () => inner.close(),
  };
  const listener = new MemoryListener();
  const events: string[] = [];
  const server = new ChatServer(
    { listener, maxFileBytes: 0, greetAfterMs: 60_000, store },
    new Logger({ sink: (line) => events.push(line) }),
  );
  const ana = new Peer(listener.connect());
  const bob = new Peer(listener.connect());
  try {
    await ana.send('{"type":"hello","version":1,"nick":"ana"}');
    await ana.waitFor('"type":"room"');
    await bob.send("bob");
    await bob.waitFor("* You are in lobby");
    await ana.send('{"type":"say","room":"lobby","text":"kept","id":"1"}');
    await ana.waitFor('{"type":"ack","id":"1"');
    await bob.waitFor("<ana> kept");
    failing = true;
    await ana.send('{"type":"say","room":"lobby","text":"not kept","id":"2"}');
    await server.finished;
    await Promise.all([ana.collector.done, bob.collector.done]);
    assert.ok(!ana.collector.lines.some((line) => line.includes('"id":"2"')), "acknowledged");
    assert.ok(!bob.collector.lines.some((line) => line.includes("not kept")), "delivered");
    assert.ok(
      events.some((line) => /store_failed .*disk I\/O error/.test(line)),
      events.join("\n"),
    );
    assert.equal(server.storeError, "disk I/O error");
  } finally {
    ana.conn.close();
    bob.conn.close();
    await server.shutdown();
    inner.close();
    await Deno.remove(folder, { recursive: true });
  }
});
