/**
 * End-to-end: a server that keeps its data (`--data`) forgets nothing it acknowledged. It is
 * killed with SIGKILL at random moments under steady traffic and restarted on the same folder;
 * senders resend what was not acknowledged, `chat join` clients reconnect by themselves, and in
 * the end every acknowledged message is stored once, in order, with seqs that never repeat or go
 * back, and the clients saw exactly those. Also: a second server on the same folder is refused, a
 * database of the first schema is migrated, and a truncated one is a one-line error.
 */
import assert from "node:assert/strict";
import { DatabaseSync } from "node:sqlite";
import {
  chatCommand,
  ChatProcess,
  DEADLINE_MS,
  freePort,
  ncUser,
  startServerOn,
} from "./harness.ts";
import { shellQuote, TmuxSession } from "./tmux.ts";

const encoder = new TextEncoder();
const decoder = new TextDecoder();

async function withDataFolder(body: (folder: string) => Promise<void>): Promise<void> {
  const folder = await Deno.makeTempDir({ prefix: "chat-data-test-" });
  try {
    await body(folder);
  } finally {
    await Deno.remove(folder, { recursive: true });
  }
}

/** Resolves when `check` holds, re-checked whenever `wake` is called; fails after the deadline. */
class Condition {
  #waiters: (() => void)[] = [];

  wake(): void {
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const wake of waiters) wake();
  }

  async until(check: () => boolean, what: string, timeoutMs = DEADLINE_MS): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!check()) {
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`Never happened: ${what}`);
      let timer: ReturnType<typeof setTimeout> | undefined;
      await new Promise<void>((resolve) => {
        this.#waiters.push(resolve);
        timer = setTimeout(resolve, left);
      });
      clearTimeout(timer);
    }
  }
}

/**
 * A native client that sends numbered messages to the lobby with ids, keeps a few in flight,
 * notes every `ack`, and after a lost connection resumes with its token and resends what was not
 * acknowledged, as PROTOCOL.md section 11.4 asks of a client.
 */
class Sender {
  readonly nick: string;
  /** Acknowledged: id -> seq. */
  readonly acked = new Map<string, number>();
  /** Sent, not acknowledged yet: id -> text, in order. */
  readonly unacked = new Map<string, string>();
  readonly changed = new Condition();
  /** Error frames received (none expected). */
  readonly errors: string[] = [];
  /** Acks taken for lost: id -> the seq they gave. */
  readonly #forgotten = new Map<string, number>();
  #token: string | undefined;
  #lastSeq = 0;
  #next = 1;
  #conn: Deno.TcpConn | undefined;
  #reading: Promise<void> = Promise.resolve();
  #sending = false;
  #window: number;

  constructor(nick: string, window = 4) {
    this.nick = nick;
    this.#window = window;
  }

  get connected(): boolean {
    return this.#conn !== undefined;
  }

  /** Connects, registers (resuming after the first time) and resends what is unacknowledged. */
  async connect(port: number): Promise<void> {
    const conn = await Deno.connect({ hostname: "127.0.0.1", port });
    this.#conn = conn;
    let welcomed: () => void = () => {};
    const welcome = new Promise<void>((resolve) => welcomed = resolve);
    this.#reading = this.#read(conn, welcomed);
    const hello: Record<string, unknown> = { type: "hello", version: 1, nick: this.nick };
    if (this.#token !== undefined) {
      hello.resume = { token: this.#token, rooms: [{ room: "lobby", seq: this.#lastSeq }] };
    }
    await this.#write(hello);
    await welcome;
    for (const [id, text] of this.unacked) await this.#write(say(id, text));
  }

  /** Starts sending: a new message whenever fewer than the window are in flight. */
  start(): void {
    this.#sending = true;
    void this.#fill();
  }

  stop(): void {
    this.#sending = false;
  }

  /**
   * Acts as if the acks of the last `count` acknowledged messages were lost with the connection:
   * they are resent after the next connect, and must be acknowledged again with the same seq.
   */
  forgetLastAcks(count: number): void {
    for (const [id, seq] of [...this.acked].slice(-count)) {
      this.acked.delete(id);
      this.#forgotten.set(id, seq);
      this.unacked.set(id, `${this.nick}-${id}`);
    }
    // Resent in the order they were first sent.
    const sorted = [...this.unacked].sort(([a], [b]) => Number(a) - Number(b));
    this.unacked.clear();
    for (const [id, text] of sorted) this.unacked.set(id, text);
  }

  /** Waits until the connection has ended (the server was killed). */
  async lost(): Promise<void> {
    await this.#reading;
  }

  close(): void {
    try {
      this.#conn?.close();
    } catch {
      // Already closed.
    }
  }

  async #fill(): Promise<void> {
    while (this.#sending && this.#conn !== undefined && this.unacked.size < this.#window) {
      const id = String(this.#next++);
      const text = `${this.nick}-${id}`;
      this.unacked.set(id, text);
      try {
        await this.#write(say(id, text));
      } catch {
        return; // The connection is gone: resent after the next connect.
      }
    }
  }

  async #write(frame: Record<string, unknown>): Promise<void> {
    const bytes = encoder.encode(JSON.stringify(frame) + "\n");
    let offset = 0;
    const conn = this.#conn;
    if (conn === undefined) throw new Error("Not connected");
    while (offset < bytes.length) offset += await conn.write(bytes.subarray(offset));
  }

  async #read(conn: Deno.TcpConn, welcomed: () => void): Promise<void> {
    let buffered = "";
    try {
      for await (const chunk of conn.readable) {
        buffered += decoder.decode(chunk, { stream: true });
        const lines = buffered.split("\n");
        buffered = lines.pop() ?? "";
        for (const line of lines) {
          const frame = JSON.parse(line);
          if (frame.type === "welcome") {
            this.#token = frame.token;
            welcomed();
          } else if (frame.type === "ack") {
            const first = this.#forgotten.get(frame.id);
            if (first !== undefined && first !== frame.seq) {
              this.errors.push(`${frame.id} acknowledged as ${first}, then as ${frame.seq}`);
            }
            this.#forgotten.delete(frame.id);
            this.unacked.delete(frame.id);
            this.acked.set(frame.id, frame.seq);
            this.#lastSeq = Math.max(this.#lastSeq, frame.seq);
            void this.#fill();
          } else if (frame.type === "message" || frame.type === "room") {
            this.#lastSeq = Math.max(this.#lastSeq, frame.seq);
          } else if (frame.type === "error") {
            this.errors.push(line);
          }
        }
        this.changed.wake();
      }
    } catch {
      // The connection broke (the server was killed): its end.
    } finally {
      this.#conn = undefined;
      this.changed.wake();
    }
  }
}

function say(id: string, text: string): Record<string, unknown> {
  return { type: "say", room: "lobby", text, id };
}

/** The lobby's stored messages, by seq: nick, text and seq of each. */
function storedLobby(folder: string): { seq: number; nick: string; text: string }[] {
  const db = new DatabaseSync(`${folder}/chat.db`);
  try {
    const rows = db.prepare("SELECT frame FROM messages WHERE room = 'lobby' ORDER BY seq").all();
    return rows.map((row) => JSON.parse(String(row.frame)));
  } finally {
    db.close();
  }
}

/** `<nick> text` lines a line-mode `chat join` printed (live or replayed), in order. */
function messagesShown(client: ChatProcess): string[] {
  return client.stdout.lines.flatMap((line) => {
    const match = /<([a-z]+)> ([a-z]+-\d+)$/.exec(line);
    return match ? [match[2] ?? ""] : [];
  });
}

const SERVER_ARGS = ["--flood-rate", "0", "--history", "10000", "--resume-grace", "0"];

Deno.test("a server killed with SIGKILL under traffic loses nothing acknowledged, and clients ride through", async () => {
  await withDataFolder(async (folder) => {
    const port = freePort();
    const args = ["--data", folder, ...SERVER_ARGS];
    let server = await startServerOn(port, args);
    const senders = [new Sender("ana"), new Sender("bob")];
    // A `chat join` that types lines (resent by itself when not acknowledged), and one that
    // only watches: both reconnect by themselves after every kill.
    const typist = new ChatProcess(["join", `127.0.0.1:${port}`, "--nick", "dee"], {
      stdin: true,
    });
    const watcher = new ChatProcess(["join", `127.0.0.1:${port}`, "--nick", "cy"], {
      stdin: true,
    });
    let typed = 0;
    try {
      await typist.stdout.waitFor(/^\* You are in lobby/);
      await watcher.stdout.waitFor(/^\* You are in lobby/);
      for (const sender of senders) await sender.connect(port);
      const kills = 3;
      for (let round = 0; round <= kills; round++) {
        for (const sender of senders) sender.start();
        for (let i = 0; i < 10; i++) await typist.send(`dee-${++typed}`);
        if (round === kills) break;
        // Killed at a random moment: after a random number of acknowledgements this round.
        const before = senders[0]?.acked.size ?? 0;
        const target = before + 20 + Math.floor(Math.random() * 80);
        await senders[0]?.changed.until(
          () => (senders[0]?.acked.size ?? 0) >= target,
          `${target} messages acknowledged`,
        );
        server.kill("SIGKILL");
        await server.exit();
        for (const sender of senders) {
          await sender.lost();
          sender.stop();
          sender.forgetLastAcks(2);
        }
        // What the typist types while the server is down is kept and sent once it is back.
        await typist.send(`dee-${++typed}`);
        const watcherFrom = watcher.stdout.lines.length;
        const typistFrom = typist.stdout.lines.length;
        server = await startServerOn(port, args);
        for (const sender of senders) await sender.connect(port);
        // Both clients come back by themselves (their backoff may take a few seconds).
        const back = { timeoutMs: 30_000 };
        await watcher.stdout.waitFor(/^\* Back in lobby/, { ...back, from: watcherFrom });
        await typist.stdout.waitFor(/^\* Back in lobby/, { ...back, from: typistFrom });
      }
      for (const sender of senders) sender.stop();
      for (const sender of senders) {
        await sender.changed.until(() => sender.unacked.size === 0, `${sender.nick} all acked`);
        assert.deepEqual(sender.errors, []);
      }
      // Everything typed and sent has reached the watcher.
      const expected = new Set([
        ...senders.flatMap((sender) =>
          [...sender.acked.keys()].map((id) => `${sender.nick}-${id}`)
        ),
        ...Array.from({ length: typed }, (_, i) => `dee-${i + 1}`),
      ]);
      await watcher.stdout.waitFor(
        () => new Set(messagesShown(watcher)).size >= expected.size,
        { timeoutMs: 30_000 },
      ).catch((error) => {
        const missing = [...expected].filter((text) => !messagesShown(watcher).includes(text));
        throw new Error(`The watcher misses ${missing.join(", ")}: ${error}`);
      });
      server.kill("SIGTERM");
      assert.equal((await server.exit()).code, 0, server.stderr.text());

      const stored = storedLobby(folder);
      // Seqs from 1 with no hole and no repeat, across every restart.
      assert.deepEqual(stored.map((message) => message.seq), stored.map((_, i) => i + 1));
      const texts = stored.map((message) => message.text);
      assert.equal(new Set(texts).size, texts.length, "a message stored twice");
      assert.deepEqual(new Set(texts), expected, "stored = acknowledged and typed");
      // Every acknowledgement's seq is the stored one, and each sender's messages are in order.
      for (const sender of senders) {
        for (const [id, seq] of sender.acked) {
          assert.equal(stored[seq - 1]?.text, `${sender.nick}-${id}`, `${sender.nick} ${id}`);
        }
        const own = texts.filter((text) => text.startsWith(`${sender.nick}-`));
        assert.deepEqual(own, [...own].sort((a, b) => number(a) - number(b)));
      }
      const typedStored = texts.filter((text) => text.startsWith("dee-"));
      assert.deepEqual(typedStored, [...typedStored].sort((a, b) => number(a) - number(b)));
      // The watcher saw each exactly once, in the stored order.
      assert.deepEqual(messagesShown(watcher), texts);
      assert.ok(stored.length > 3 * 40, `${stored.length} messages`);
    } finally {
      for (const sender of senders) sender.close();
      await typist.stop();
      await watcher.stop();
      await server.stop();
    }
  });
});

function number(text: string): number {
  return Number(text.slice(text.indexOf("-") + 1));
}

Deno.test("a second server on the same data folder is refused, in one line", async () => {
  await withDataFolder(async (folder) => {
    const first = await startServerOn(freePort(), ["--data", folder]);
    try {
      const second = new ChatProcess(
        ["serve", "--host", "127.0.0.1", "--port", "0", "--data", folder],
        {},
      );
      const status = await second.exit();
      assert.equal(status.code, 1);
      assert.equal(
        second.stderr.text(),
        `chat: Cannot use the database ${folder}/chat.db: database is in use by another chat server`,
      );
      assert.equal(second.stdout.text(), "");
      // The first one still serves.
      const ana = await ncUser(first, "ana");
      ana.close();
      await ana.lines.done;
    } finally {
      await first.stop();
    }
  });
});

/** The first schema, as version 1 of `chat serve` wrote it (frozen here on purpose). */
const SCHEMA_1 = `
  CREATE TABLE rooms (id INTEGER PRIMARY KEY, key TEXT NOT NULL UNIQUE, name TEXT NOT NULL,
    persistent INTEGER NOT NULL, member_limit INTEGER, topic TEXT, password_hash TEXT,
    listed INTEGER NOT NULL);
  CREATE TABLE messages (id INTEGER PRIMARY KEY, room TEXT NOT NULL, seq INTEGER NOT NULL,
    time INTEGER NOT NULL, frame TEXT NOT NULL, size INTEGER NOT NULL, UNIQUE (room, seq));
  CREATE TABLE room_seqs (room TEXT PRIMARY KEY, seq INTEGER NOT NULL) WITHOUT ROWID;
  CREATE TABLE sent (room TEXT NOT NULL, key TEXT NOT NULL, seq INTEGER NOT NULL,
    PRIMARY KEY (room, key));
  CREATE INDEX sent_by_room ON sent (room);
  PRAGMA user_version = 1;
`;

Deno.test("a database of the first schema is migrated: its rooms and history are there", async () => {
  await withDataFolder(async (folder) => {
    const db = new DatabaseSync(`${folder}/chat.db`);
    db.exec(SCHEMA_1);
    db.exec(
      "INSERT INTO rooms (key, name, persistent, topic, listed) VALUES " +
        "('lobby', 'lobby', 1, NULL, 1), ('games', 'games', 1, 'chess at 8', 1)",
    );
    const frame = { type: "message", room: "lobby", nick: "old", text: "from v1", time: 0, seq: 7 };
    db.prepare("INSERT INTO messages (room, seq, time, frame, size) VALUES (?, ?, ?, ?, ?)")
      .run("lobby", 7, 0, JSON.stringify(frame), 100);
    db.close();
    const server = await startServerOn(freePort(), ["--data", folder]);
    try {
      await server.stdout.waitFor(/^The database was brought up to date \(schema 1 to \d+\)$/);
      const ana = await ncUser(server, "ana");
      try {
        await ana.lines.waitFor("<old> from v1");
        // The migration added search, and indexed what was there.
        await ana.sendLine("/search from v1");
        await ana.lines.waitFor('* 1 message in lobby with "from v1", newest first:');
        const listed = ana.lines.lines.length;
        await ana.sendLine("/rooms");
        await ana.lines.waitFor(/games.*chess at 8/, { from: listed });
        await ana.sendLine("next");
        // Lines are handled in order: once /rooms is answered, "next" was taken.
        const from = ana.lines.lines.length;
        await ana.sendLine("/rooms");
        await ana.lines.waitFor(/^\* Rooms/, { from });
      } finally {
        ana.close();
        await ana.lines.done;
      }
      server.kill("SIGTERM");
      assert.equal((await server.exit()).code, 0);
      const check = new DatabaseSync(`${folder}/chat.db`);
      const version = check.prepare("PRAGMA user_version").get() as { user_version: number };
      assert.ok(version.user_version > 1);
      check.close();
      // The lobby's numbering went on from 7.
      assert.deepEqual(storedLobby(folder).map((message) => [message.seq, message.text]), [
        [7, "from v1"],
        [8, "next"],
      ]);
    } finally {
      await server.stop();
    }
  });
});

Deno.test("a truncated database is a one-line error and exit code 1", async () => {
  await withDataFolder(async (folder) => {
    const server = await startServerOn(freePort(), ["--data", folder, "--flood-rate", "0"]);
    const ana = await ncUser(server, "ana");
    for (let i = 0; i < 300; i++) await ana.sendLine(`message ${i} ${"x".repeat(200)}`);
    // Lines are handled in order: once /rooms is answered, every message was taken.
    const from = ana.lines.lines.length;
    await ana.sendLine("/rooms");
    await ana.lines.waitFor(/^\* Rooms/, { from });
    ana.close();
    await ana.lines.done;
    server.kill("SIGTERM");
    assert.equal((await server.exit()).code, 0);
    const path = `${folder}/chat.db`;
    const bytes = await Deno.readFile(path);
    await Deno.writeFile(path, bytes.subarray(0, Math.floor(bytes.length / 2)));
    const broken = new ChatProcess(
      ["serve", "--host", "127.0.0.1", "--port", "0", "--data", folder],
      {},
    );
    const status = await broken.exit();
    assert.equal(status.code, 1);
    assert.match(
      broken.stderr.text(),
      new RegExp(`^chat: Cannot use the database ${folder}/chat\\.db: the file is damaged`),
    );
    assert.equal(broken.stderr.lines.length, 1, broken.stderr.text());
  });
});

Deno.test("chat serve --compact reclaims the space of deleted messages and exits", async () => {
  await withDataFolder(async (folder) => {
    const server = await startServerOn(freePort(), ["--data", folder, "--flood-rate", "0"]);
    const ana = await ncUser(server, "ana");
    await ana.sendLine("/create big");
    await ana.lines.waitFor("* You are in big");
    for (let i = 0; i < 300; i++) await ana.sendLine(`message ${i} ${"x".repeat(500)}`);
    // Leaving the room she made deletes it and its messages.
    await ana.sendLine("/leave big");
    await ana.lines.waitFor(/^\* You left big/);
    ana.close();
    await ana.lines.done;
    server.kill("SIGTERM");
    assert.equal((await server.exit()).code, 0);
    const compact = new ChatProcess(["serve", "--data", folder, "--compact"], {});
    assert.equal((await compact.exit()).code, 0, compact.stderr.text());
    const match = /^Compacted .*chat\.db: ([\d.]+) KiB -> ([\d.]+) KiB$/.exec(
      compact.stdout.text().trim(),
    );
    assert.ok(match, compact.stdout.text());
    assert.ok(Number(match[2]) < Number(match[1]) / 2, compact.stdout.text());
  });
});

Deno.test("the admin console's /backup writes a copy while serving, and /stats shows the database", async () => {
  await withDataFolder(async (folder) => {
    const port = freePort();
    const session = new TmuxSession({ width: 160, height: 40 });
    const { command, args } = chatCommand([
      "serve",
      "--host",
      "127.0.0.1",
      "--port",
      String(port),
      "--data",
      folder,
    ]);
    await session.start(`NO_COLOR=1 ${[command, ...args].map(shellQuote).join(" ")}; sleep 60`);
    const shows = (pattern: RegExp) => (lines: string[]) => pattern.test(lines.join("\n"));
    try {
      await session.waitFor(shows(/admin>/), "the admin prompt");
      const ana = await ncUser({ port }, "ana");
      await ana.sendLine("kept in the copy");
      const from = ana.lines.lines.length;
      await ana.sendLine("/rooms");
      await ana.lines.waitFor(/^\* Rooms/, { from });
      ana.close();
      await ana.lines.done;
      await session.enter(`/backup ${folder}/copy.db`);
      await session.waitFor(shows(/INFO {2}backup file=\S+copy\.db size=/), "the backup logged");
      await session.enter("/stats");
      await session.waitFor(shows(/Database: \S+chat\.db, [\d.]+ KiB, 1 message/), "the stats");
      const copy = new DatabaseSync(`${folder}/copy.db`);
      const rows = copy.prepare("SELECT frame FROM messages").all();
      copy.close();
      assert.deepEqual(rows.map((row) => JSON.parse(String(row.frame)).text), [
        "kept in the copy",
      ]);
      await session.enter("/shutdown");
    } finally {
      await session.kill();
    }
  });
});

Deno.test("PageUp in chat join pages back through the stored messages, older each time", async () => {
  await withDataFolder(async (folder) => {
    const server = await startServerOn(freePort(), ["--data", folder, "--flood-rate", "0"]);
    const session = new TmuxSession({ width: 100, height: 40, scrollback: 300 });
    const shows = (pattern: RegExp) => (lines: string[]) => pattern.test(lines.join("\n"));
    try {
      const ana = await ncUser(server, "ana");
      for (let i = 1; i <= 80; i++) await ana.sendLine(`m${i}`);
      const from = ana.lines.lines.length;
      await ana.sendLine("/rooms");
      await ana.lines.waitFor(/^\* Rooms/, { from });
      const { command, args } = chatCommand(["join", `127.0.0.1:${server.port}`, "--nick", "bob"]);
      await session.start(`NO_COLOR=1 ${[command, ...args].map(shellQuote).join(" ")}; sleep 60`);
      // Joining replays the last 50: m31 to m80.
      await session.waitFor(shows(/Last 50 messages in lobby/), "the replay");
      await session.type("half typed");
      await session.press("PageUp");
      await session.waitFor(
        shows(/20 older messages in lobby: \/history 20 11 shows the ones before/),
        "the first page",
      );
      await session.waitFor(shows(/<ana> m11\b/), "m11");
      await session.press("PageUp");
      await session.waitFor(shows(/10 older messages in lobby:/), "the second page");
      await session.waitFor(shows(/<ana> m1\b/), "m1");
      await session.press("PageUp");
      await session.waitFor(shows(/No older messages in lobby/), "the end");
      await session.waitFor(
        (lines) => lines.filter((line) => line.trim() !== "").at(-1) === "[lobby] bob> half typed",
        "the typed line kept",
      );
      ana.close();
      await ana.lines.done;
      await session.press("C-c");
    } finally {
      await session.kill();
      await server.stop();
    }
  });
});

Deno.test("chat backup FILE copies a stopped server's database; a running one is refused with a hint", async () => {
  await withDataFolder(async (folder) => {
    const missing = new ChatProcess(["backup", `${folder}/copy.db`, "--data", folder], {});
    assert.equal((await missing.exit()).code, 1);
    assert.equal(
      missing.stderr.text(),
      `chat: No database to back up: ${folder}/chat.db does not exist`,
    );
    const server = await startServerOn(freePort(), ["--data", folder]);
    const ana = await ncUser(server, "ana");
    await ana.sendLine("in the backup");
    const from = ana.lines.lines.length;
    await ana.sendLine("/rooms");
    await ana.lines.waitFor(/^\* Rooms/, { from });
    ana.close();
    await ana.lines.done;
    const refused = new ChatProcess(["backup", `${folder}/copy.db`, "--data", folder], {});
    assert.equal((await refused.exit()).code, 1);
    assert.equal(
      refused.stderr.text(),
      `chat: Cannot use the database ${folder}/chat.db: database is in use by another chat ` +
        "server (while it runs, use /backup FILE at its admin console)",
    );
    server.kill("SIGTERM");
    assert.equal((await server.exit()).code, 0);
    const backup = new ChatProcess(["backup", `${folder}/copy.db`, "--data", folder], {});
    assert.equal((await backup.exit()).code, 0, backup.stderr.text());
    assert.match(backup.stdout.text(), /^Backed up .*chat\.db to .*copy\.db \([\d.]+ KiB\)$/);
    const copy = new DatabaseSync(`${folder}/copy.db`);
    const rows = copy.prepare("SELECT frame FROM messages").all();
    copy.close();
    assert.deepEqual(rows.map((row) => JSON.parse(String(row.frame)).text), ["in the backup"]);
  });
});
