import assert from "node:assert/strict";
import { ConnectError, connectTcp, ServerConnection } from "../src/client/connection.ts";
import { historyFrom, join, type JoinIo } from "../src/client/join.ts";
import type { JoinCommand } from "../src/cli.ts";
import type { ClientFrame, HelloFrame, ServerFrame } from "../src/protocol.ts";
import { type Line, plainText } from "../src/render.ts";
import type { LineConnection } from "../src/carrier/connection.ts";
import type { ChatUi } from "../src/terminal/ui.ts";

const encoder = new TextEncoder();
/** Longest wait for a line to be shown. */
const WAIT_MS = 5000;

/** A connection to a scripted server: `reply` answers each frame the client sends. */
class FakeConnection implements LineConnection {
  readonly remote = "fake";
  readonly #reply: (frame: ClientFrame, conn: FakeConnection) => void;
  #lines: ((Uint8Array | null)[] | null)[] = [];
  #reader: (() => void) | undefined;

  constructor(reply: (frame: ClientFrame, conn: FakeConnection) => void) {
    this.#reply = reply;
  }

  /** Sends frames to the client. */
  push(...frames: ServerFrame[]): void {
    this.#lines.push(frames.map((frame) => encoder.encode(JSON.stringify(frame))));
    this.#wake();
  }

  /** Ends the connection, as a dropped one ends. */
  drop(): void {
    this.#lines.push(null);
    this.#wake();
  }

  async readLines(): Promise<(Uint8Array | null)[] | null> {
    while (this.#lines.length === 0) await new Promise<void>((resolve) => this.#reader = resolve);
    return this.#lines.shift() ?? null;
  }

  write(bytes: Uint8Array): Promise<void> {
    this.#reply(JSON.parse(new TextDecoder().decode(bytes)), this);
    return Promise.resolve();
  }

  close(): void {
    this.drop();
  }

  #wake(): void {
    this.#reader?.();
    this.#reader = undefined;
  }
}

/** A UI whose input ends when `endInput` is called. */
function fakeUi(): { ui: ChatUi; endInput: () => void } {
  let end: (line: string | null) => void = () => {};
  const input = new Promise<string | null>((resolve) => end = resolve);
  const ui: ChatUi = {
    show: () => {},
    setPrompt: () => {},
    setCompletions: () => {},
    nextLine: () => input,
    setStatus: () => {},
    bell: () => {},
    clear: () => {},
    close: () => {},
  };
  return { ui, endInput: () => end(null) };
}

/**
 * A UI that records what the session does with it: lines shown (as plain text), prompts, the
 * status row, completions, lines given back. `type` enters a line; `end` ends input.
 */
class RecordingUi implements ChatUi {
  readonly shown: string[] = [];
  readonly prompts: string[] = [];
  readonly statuses: (string | undefined)[] = [];
  readonly putBacks: string[] = [];
  completions: readonly string[] = [];
  closed = false;
  readonly #typed: (string | null)[] = [];
  #reader: ((line: string | null) => void) | undefined;
  #watchers: (() => void)[] = [];

  show(lines: readonly Line[]): void {
    this.shown.push(...lines.map(plainText));
    for (const watcher of this.#watchers.splice(0)) watcher();
  }

  setPrompt(prompt: string): void {
    this.prompts.push(prompt);
  }

  setCompletions(words: readonly string[]): void {
    this.completions = words;
  }

  nextLine(): Promise<string | null> {
    if (this.closed) return Promise.resolve(null);
    const typed = this.#typed.shift();
    if (typed !== undefined) return Promise.resolve(typed);
    return new Promise((resolve) => this.#reader = resolve);
  }

  setStatus(text: string | undefined): void {
    this.statuses.push(text);
  }

  putBack(line: string): boolean {
    this.putBacks.push(line);
    return true;
  }

  bell(): void {}

  clear(): void {}

  close(): void {
    this.closed = true;
    this.#deliver(null);
  }

  /** Enters a line, or ends input with `null`. */
  type(line: string | null): void {
    this.#deliver(line);
  }

  /** Waits until a shown line matches; returns it. Fails with what was shown after 5 s. */
  async waitFor(match: string | RegExp): Promise<string> {
    const test = (line: string) =>
      typeof match === "string" ? line.includes(match) : match.test(line);
    const deadline = Date.now() + WAIT_MS;
    while (true) {
      const line = this.shown.find(test);
      if (line !== undefined) return line;
      const left = deadline - Date.now();
      if (left <= 0) {
        throw new Error(`Never shown: ${String(match)}; shown:\n${this.shown.join("\n")}`);
      }
      let timer: ReturnType<typeof setTimeout> | undefined;
      await new Promise<void>((resolve) => {
        this.#watchers.push(resolve);
        timer = setTimeout(resolve, left);
      });
      clearTimeout(timer);
    }
  }

  #deliver(line: string | null): void {
    const reader = this.#reader;
    this.#reader = undefined;
    if (reader !== undefined) reader(line);
    else this.#typed.push(line);
  }
}

/** Connections answered by `scripts`, one script per connection, in order. */
function scripted(
  scripts: ((frame: ClientFrame, conn: FakeConnection) => void)[],
): (host: string, port: number) => Promise<ServerConnection> {
  return () => {
    const script = scripts.shift();
    if (script === undefined) return Promise.reject(new ConnectError("Cannot connect: refused"));
    return Promise.resolve(new ServerConnection(new FakeConnection(script)));
  };
}

const COMMAND: JoinCommand = {
  kind: "join",
  host: "h",
  port: 1,
  nick: "ana",
  color: false,
  autoReceive: false,
  tls: false,
  trustOnFirstUse: false,
};

/** Join options for a test: a terminal-like session (own lines echoed), errors collected. */
function joinIo(
  ui: ChatUi,
  connect: JoinIo["connect"],
  options: Partial<JoinIo> & { errors?: string[] } = {},
): JoinIo {
  const errors = options.errors ?? [];
  return {
    ui,
    connect,
    error: (message) => errors.push(message),
    echo: true,
    reconnect: { firstDelayMs: 0 },
    downloads: "unused",
    autoReceive: false,
    ...options,
  };
}

const welcome: ServerFrame = {
  type: "welcome",
  version: 1,
  server: "test",
  nick: "ana",
  token: "t",
};

/**
 * Runs a session whose connection drops twice: first in the lobby at message 5, then right after
 * the resumed connection's `frames`. Returns the rooms each resuming `hello` asked for.
 */
async function resumeRoomsAfter(frames: ServerFrame[]): Promise<unknown[]> {
  const { ui, endInput } = fakeUi();
  const hellos: HelloFrame[] = [];
  const scripts: ((frame: ClientFrame, conn: FakeConnection) => void)[] = [
    (frame, conn) => {
      if (frame.type !== "hello") return;
      conn.push(welcome, { type: "room", room: "lobby", members: ["ana"], seq: 5 });
      conn.drop();
    },
    (frame, conn) => {
      if (frame.type !== "hello") return;
      hellos.push(frame);
      conn.push(welcome, ...frames);
      conn.drop();
    },
    // Resumed again: the session ends here.
    (frame, conn) => {
      if (frame.type === "hello") {
        hellos.push(frame);
        conn.push(welcome);
        endInput();
      } else if (frame.type === "command") {
        conn.drop(); // the goodbye to /quit
      }
    },
  ];
  const code = await join({
    kind: "join",
    host: "h",
    port: 1,
    nick: "ana",
    color: false,
    autoReceive: false,
    tls: false,
    trustOnFirstUse: false,
  }, {
    ui,
    connect: () => {
      const script = scripts.shift();
      if (script === undefined) return Promise.reject(new Error("too many connections"));
      return Promise.resolve(new ServerConnection(new FakeConnection(script)));
    },
    error: () => {},
    reconnect: { firstDelayMs: 0 },
    downloads: "unused",
    autoReceive: false,
  });
  assert.equal(code, 0);
  return hellos.map((hello) => hello.resume?.rooms);
}

function message(seq: number): ServerFrame {
  return {
    type: "message",
    room: "lobby",
    nick: "bob",
    text: `${seq}`,
    time: 0,
    seq,
    history: true,
  };
}

Deno.test("join() resumes from where a replay was cut off, not from the last message", async () => {
  const rooms = await resumeRoomsAfter([
    // 6 to 9 are replayed, but the connection drops after 6.
    { type: "room", room: "lobby", members: ["ana"], seq: 9, since: 5, history: 4 },
    message(6),
  ]);
  // Messages 7 to 9 never came: they are asked for again.
  assert.deepEqual(rooms, [[{ room: "lobby", seq: 5 }], [{ room: "lobby", seq: 6 }]]);
});

Deno.test("join() resumes from the room's last message when nothing is replayed", async () => {
  const rooms = await resumeRoomsAfter([
    { type: "room", room: "lobby", members: ["ana"], seq: 9, since: 5, gap: true },
  ]);
  assert.deepEqual(rooms, [[{ room: "lobby", seq: 5 }], [{ room: "lobby", seq: 9 }]]);
});

Deno.test("join() counts a room that started over from its replay", async () => {
  // The server restarted: the room is at 2, below the 5 asked for, and replays all it has.
  const rooms = await resumeRoomsAfter([
    { type: "room", room: "lobby", members: ["ana"], seq: 2, since: 5, history: 2, gap: true },
    message(1),
  ]);
  assert.deepEqual(rooms, [[{ room: "lobby", seq: 5 }], [{ room: "lobby", seq: 1 }]]);
});

const lobby: ServerFrame = { type: "room", room: "lobby", members: ["ana", "bob"], seq: 3 };
const roomList: ServerFrame = { type: "rooms", rooms: [{ name: "lobby", members: 2 }] };

/** A script for a server that welcomes ana into the lobby and closes on /quit. */
function welcoming(
  extra: (frame: ClientFrame, conn: FakeConnection) => void = () => {},
): (frame: ClientFrame, conn: FakeConnection) => void {
  return (frame, conn) => {
    if (frame.type === "hello") conn.push(welcome, roomList, lobby);
    else if (frame.type === "command" && frame.line.startsWith("/quit")) conn.drop();
    extra(frame, conn);
  };
}

Deno.test("join() shows the user's own /me and /action, as the others see them", async () => {
  const ui = new RecordingUi();
  const sent: ClientFrame[] = [];
  const done = join(COMMAND, joinIo(ui, scripted([welcoming((frame) => sent.push(frame))])));
  await ui.waitFor("* You are in lobby");
  ui.type("/me waves at everyone");
  await ui.waitFor("** ana waves at everyone");
  ui.type("/ACTION dances");
  await ui.waitFor("** ana dances");
  ui.type(null);
  assert.equal(await done, 0);
  const commands = sent.filter((frame) => frame.type === "command").map((frame) => frame.line);
  assert.deepEqual(commands, ["/help", "/me waves at everyone", "/ACTION dances", "/quit"]);
});

Deno.test("join() refuses a message over the limit before sending or showing it, and gives it back", async () => {
  const ui = new RecordingUi();
  const sent: ClientFrame[] = [];
  const done = join(COMMAND, joinIo(ui, scripted([welcoming((frame) => sent.push(frame))])));
  await ui.waitFor("* You are in lobby");
  const long = "\u00e9".repeat(2049); // 4098 bytes of UTF-8
  ui.type(long);
  await ui.waitFor(
    "! Not sent: the message is too long: 4098 bytes, at most 4096; it is back in the input " +
      "line to shorten",
  );
  ui.type(`/me ${"x".repeat(4097)}`);
  await ui.waitFor("4097 bytes, at most 4096");
  ui.type("short");
  await ui.waitFor("<ana> short");
  ui.type(null);
  assert.equal(await done, 0);
  assert.deepEqual(ui.putBacks, [long, `/me ${"x".repeat(4097)}`]);
  assert.ok(!ui.shown.some((line) => line.includes("\u00e9\u00e9") || line.includes("xxx")));
  const texts = sent.flatMap((frame) =>
    frame.type === "say" ? [frame.text] : frame.type === "command" ? [frame.line] : []
  );
  assert.deepEqual(texts, ["/help", "short", "/quit"]);
});

Deno.test("join() keeps going through a server restart: reconnects, says so once, keeps the input", async () => {
  const ui = new RecordingUi();
  const errors: string[] = [];
  let first: FakeConnection | undefined;
  const hellos: HelloFrame[] = [];
  const done = join(
    COMMAND,
    joinIo(
      ui,
      scripted([
        welcoming((frame, conn) => {
          if (frame.type === "hello") first = conn;
        }),
        // The server came back: a new welcome, the room list again, and the lobby.
        welcoming((frame) => {
          if (frame.type === "hello") hellos.push(frame);
        }),
      ]),
      { errors },
    ),
  );
  await ui.waitFor("* You are in lobby");
  first?.push({ type: "bye", reason: "Server is shutting down", shutdown: true });
  first?.drop();
  await ui.waitFor("* Reconnected to h:1");
  ui.type("still here");
  await ui.waitFor("<ana> still here");
  ui.type(null);
  assert.equal(await done, 0, errors.join("\n"));
  assert.deepEqual(errors, []);
  assert.equal(ui.closed, true);
  assert.equal(hellos.length, 1);
  assert.equal(hellos[0]?.resume?.token, "t", "it asks for its rooms back");
  // One line to say it is going, one to say it is back; the status row in between.
  assert.deepEqual(ui.shown.filter((line) => /shutting|Reconnected|Connection lost/.test(line)), [
    "* Server is shutting down: reconnecting when it is back (Ctrl-C to leave)",
    "* Reconnected to h:1",
  ]);
  assert.ok(ui.statuses.includes("Reconnecting now (attempt 1)"), ui.statuses.join("\n"));
  assert.equal(ui.statuses.at(-1), undefined, "the status row is gone once back");
  // The room list and the welcome are not shown again.
  assert.equal(ui.shown.filter((line) => line.startsWith("* Rooms (")).length, 1);
  assert.equal(ui.shown.filter((line) => line.startsWith("* Welcome")).length, 1);
});

Deno.test("join() ends with exit 1 and a true reason when a restarting server does not come back", async () => {
  const ui = new RecordingUi();
  const errors: string[] = [];
  let first: FakeConnection | undefined;
  const done = join(
    COMMAND,
    joinIo(
      ui,
      scripted([welcoming((frame, conn) => {
        if (frame.type === "hello") first = conn;
      })]),
      { errors, reconnect: { firstDelayMs: 50, giveUpAfterMs: 1000 } },
    ),
  );
  await ui.waitFor("* You are in lobby");
  first?.push({ type: "bye", reason: "Server is shutting down", shutdown: true });
  assert.equal(await done, 1);
  assert.deepEqual(errors, [
    "chat: Disconnected: Server is shutting down (it was not back within 1 s)",
  ]);
  assert.ok(
    ui.statuses.some((status) =>
      /^Reconnecting in 1 s \(attempt \d+; Ctrl-C to leave\)$/.test(status ?? "")
    ),
    ui.statuses.join("\n"),
  );
});

Deno.test("join() waits six times longer for a server its operator said is restarting", async () => {
  const ui = new RecordingUi();
  const errors: string[] = [];
  let first: FakeConnection | undefined;
  const started = Date.now();
  const done = join(
    COMMAND,
    joinIo(
      ui,
      scripted([welcoming((frame, conn) => {
        if (frame.type === "hello") first = conn;
      })]),
      { errors, reconnect: { firstDelayMs: 50, maxDelayMs: 100, giveUpAfterMs: 200 } },
    ),
  );
  await ui.waitFor("* You are in lobby");
  first?.push({ type: "bye", reason: "Server is restarting", shutdown: true, restart: true });
  assert.equal(await done, 1);
  assert.deepEqual(errors, [
    "chat: Disconnected: Server is restarting (it was not back within 1 s)",
  ]);
  assert.ok(Date.now() - started >= 1200, "gave up before six times the policy");
});

Deno.test("join() still ends on any other goodbye, such as a kick", async () => {
  const ui = new RecordingUi();
  const errors: string[] = [];
  const done = join(
    COMMAND,
    joinIo(
      ui,
      scripted([welcoming((frame, conn) => {
        if (frame.type === "say") conn.push({ type: "bye", reason: "Kicked by the server admin" });
      })]),
      { errors },
    ),
  );
  await ui.waitFor("* You are in lobby");
  ui.type("hello");
  assert.equal(await done, 1);
  assert.deepEqual(errors, [
    "chat: Disconnected: Kicked by the server admin (1 message not delivered)",
    "chat: Not delivered to lobby: hello",
  ]);
});

Deno.test("join() says which lines typed while away were not sent, and where they still are", async () => {
  const ui = new RecordingUi();
  let first: FakeConnection | undefined;
  const games: ServerFrame = { type: "room", room: "games", members: ["ana"], seq: 1 };
  const done = join(
    COMMAND,
    joinIo(
      ui,
      scripted([
        welcoming((frame, conn) => {
          if (frame.type === "hello") {
            first = conn;
            conn.push(games);
          }
        }),
        // Back, but the games room is gone: its messages are refused.
        (frame, conn) => {
          if (frame.type === "hello") {
            conn.push(welcome, roomList, { ...lobby, since: 3 }, {
              type: "notice",
              text: "Could not rejoin games: it no longer exists",
            });
          } else if (frame.type === "say" && frame.room === "games") {
            conn.push({
              type: "error",
              code: "not_in_room",
              message: "You are not in games",
              id: frame.id,
            });
          } else if (frame.type === "say") {
            conn.push({ type: "ack", id: frame.id ?? "", room: frame.room, seq: 4 });
          } else if (frame.type === "command" && frame.line.startsWith("/quit")) {
            conn.drop();
          }
        },
      ]),
      { reconnect: { firstDelayMs: 200 } },
    ),
  );
  await ui.waitFor("* You are in games");
  first?.drop();
  await ui.waitFor("! Connection lost");
  ui.type("anyone playing tonight?");
  await ui.waitFor("<ana> anyone playing tonight?");
  await ui.waitFor("* Reconnected");
  await ui.waitFor(
    '! Not sent to games: "anyone playing tonight?" (it is in your input history: Up arrow)',
  );
  const refused = ui.shown.indexOf("! You are not in games");
  assert.ok(refused > ui.shown.indexOf("* Could not rejoin games: it no longer exists"));
  ui.type(null);
  assert.equal(await done, 0, "nothing is left to deliver");
});

Deno.test("join() gives up on a port that accepts and never answers, saying so", async () => {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const { port } = listener.addr as Deno.NetAddr;
  const held: Deno.Conn[] = [];
  const accepting = (async () => {
    for await (const conn of listener) held.push(conn);
  })();
  try {
    const ui = new RecordingUi();
    const errors: string[] = [];
    const code = await join(
      { ...COMMAND, host: "127.0.0.1", port },
      joinIo(ui, connectTcp, { errors, reconnect: { handshakeMs: 1000 } }),
    );
    assert.equal(code, 1);
    assert.deepEqual(errors, [
      `chat: No chat server answered on 127.0.0.1:${port} (nothing came back within 1 s)`,
    ]);
  } finally {
    listener.close();
    await accepting;
    for (const conn of held) conn.close();
  }
});

Deno.test("join() asks for the address with a default, and again when it cannot be reached", async () => {
  const ui = new RecordingUi();
  const tried: string[] = [];
  const done = join({ ...COMMAND, host: undefined, port: 12345 }, {
    ...joinIo(ui, (host, port) => {
      tried.push(`${host}:${port}`);
      return Promise.reject(
        new ConnectError(`Cannot connect to ${host}:${port}: connection refused`),
      );
    }),
  });
  ui.type("");
  await ui.waitFor("! Cannot connect to 127.0.0.1:12345: connection refused");
  ui.type("example.org:4000");
  await ui.waitFor("! Cannot connect to example.org:4000: connection refused");
  ui.type(null);
  assert.equal(await done, 0);
  assert.deepEqual(tried, ["127.0.0.1:12345", "example.org:4000"]);
  assert.equal(ui.prompts[0], "Server (host:port) [127.0.0.1:12345]: ");
  assert.equal(ui.prompts.length, 3, "asked three times");
});

Deno.test("join() with an address given exits 1 when it cannot be reached", async () => {
  const ui = new RecordingUi();
  const errors: string[] = [];
  const code = await join(COMMAND, joinIo(ui, scripted([]), { errors }));
  assert.equal(code, 1);
  assert.deepEqual(errors, ["chat: Cannot connect: refused"]);
});

Deno.test("join() reconnects quietly: one line when lost, the attempts on the status row, one when back", async () => {
  const ui = new RecordingUi();
  let first: FakeConnection | undefined;
  const scripts = [
    welcoming((frame, conn) => {
      if (frame.type === "hello") first = conn;
    }),
  ];
  let tries = 0;
  const connect = scripted(scripts);
  const done = join(
    COMMAND,
    joinIo(ui, (host, port) => {
      // The first two tries after the drop fail; the third gets through.
      tries += 1;
      if (tries === 2 || tries === 3) {
        return Promise.reject(new ConnectError("Cannot connect: refused"));
      }
      return connect(host, port);
    }, { reconnect: { firstDelayMs: 1 } }),
  );
  await ui.waitFor("* You are in lobby");
  scripts.push(welcoming());
  first?.drop();
  await ui.waitFor("* Reconnected to h:1");
  ui.type(null);
  assert.equal(await done, 0);
  assert.deepEqual(ui.shown.filter((line) => /Connection lost|Reconnect/.test(line)), [
    "! Connection lost: reconnecting in a moment (Ctrl-C to leave)",
    "* Reconnected to h:1",
  ]);
  for (const attempt of [1, 2, 3]) {
    assert.ok(ui.statuses.includes(`Reconnecting now (attempt ${attempt})`), `${attempt}`);
  }
  assert.equal(ui.statuses.at(-1), undefined);
  assert.equal(ui.shown.filter((line) => line.startsWith("* Rooms (")).length, 1);
});

Deno.test("join() completes commands from the server's /help table and its own, without showing it", async () => {
  const ui = new RecordingUi();
  const done = join(
    COMMAND,
    joinIo(
      ui,
      scripted([welcoming((frame, conn) => {
        if (frame.type === "command" && frame.line === "/help") {
          conn.push({
            type: "help",
            commands: [
              { usage: "/nick NEW", summary: "Change your nick", aliases: [] },
              { usage: "/rooms", summary: "List rooms", aliases: ["/list"] },
            ],
          });
        }
      })]),
    ),
  );
  await ui.waitFor("* You are in lobby");
  ui.type("/help");
  await ui.waitFor("* Commands:");
  ui.type(null);
  assert.equal(await done, 0);
  for (const word of ["bob", "lobby", "/nick", "/rooms", "/list", "/clear", "/clean", "/send"]) {
    assert.ok(ui.completions.includes(word), word);
  }
  // Only the /help the user typed was shown.
  assert.equal(ui.shown.filter((line) => line === "* Commands:").length, 1);
});

Deno.test("join() says it offers a file only once the server took the offer; ~ is the home folder", async () => {
  const home = await Deno.makeTempDir({ prefix: "chat-join-test-" });
  // No server listens on the transfer port: the upload fails after the offer is taken.
  const closed = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const { port } = closed.addr as Deno.NetAddr;
  closed.close();
  try {
    await Deno.writeTextFile(`${home}/small.txt`, "0123456789");
    const ui = new RecordingUi();
    const offers: ClientFrame[] = [];
    const done = join(
      { ...COMMAND, host: "127.0.0.1", port },
      joinIo(
        ui,
        scripted([welcoming((frame, conn) => {
          if (frame.type !== "offer") return;
          offers.push(frame);
          conn.push(
            frame.to === "zed"
              ? {
                type: "error",
                code: "no_such_nick",
                message: 'Nobody is called "zed"',
                id: frame.ref,
              }
              : { type: "offer_ok", ref: frame.ref, id: "7", token: "k" },
          );
        })]),
        { home },
      ),
    );
    await ui.waitFor("* You are in lobby");
    ui.type("/send ~/small.txt zed");
    await ui.waitFor('! Cannot send small.txt: Nobody is called "zed"');
    assert.ok(!ui.shown.some((line) => line.startsWith("* Offering")), ui.shown.join("\n"));
    ui.type("/send ~/small.txt");
    await ui.waitFor("* Offering small.txt (10 B) to lobby");
    await ui.waitFor("! Sending small.txt failed");
    ui.type("/send not-here.txt");
    await ui.waitFor(`! Cannot send not-here.txt: no such file in ${Deno.cwd()}`);
    ui.type(null);
    assert.equal(await done, 0);
    assert.deepEqual(offers.map((offer) => offer.type === "offer" && offer.name), [
      "small.txt",
      "small.txt",
    ]);
  } finally {
    await Deno.remove(home, { recursive: true });
  }
});

Deno.test("historyFrom() makes /history go on from the oldest message shown", () => {
  assert.equal(historyFrom("/history", 120), "/history 20 120");
  assert.equal(historyFrom("/HISTORY 5 ", 120), "/history 5 120");
  assert.equal(historyFrom("/history 5 80", 120), "/history 5 80");
  assert.equal(historyFrom("/history", undefined), "/history");
  assert.equal(historyFrom("/historyx", 120), "/historyx");
});

Deno.test("join() with a token sends it in every hello, read anew, and takes the nick from the welcome", async () => {
  const ui = new RecordingUi();
  const hellos: HelloFrame[] = [];
  let first: FakeConnection | undefined;
  let reads = 0;
  const done = join(
    { ...COMMAND, nick: undefined },
    joinIo(
      ui,
      scripted([
        welcoming((frame, conn) => {
          if (frame.type === "hello") [hellos[0], first] = [frame, conn];
        }),
        welcoming((frame) => {
          if (frame.type === "hello") hellos.push(frame);
        }),
      ]),
      { token: () => Promise.resolve(`token-${++reads}`) },
    ),
  );
  await ui.waitFor("* You are in lobby");
  first?.drop();
  await ui.waitFor("* Reconnected to h:1");
  ui.type(null);
  assert.equal(await done, 0);
  // No nick was asked for: the first hello has none, the next one the welcome's.
  assert.ok(!ui.prompts.includes("Nick: "));
  assert.deepEqual(hellos.map((hello) => [hello.nick, hello.token]), [
    ["", "token-1"],
    ["ana", "token-2"],
  ]);
});

Deno.test("join() with a refused token says so and exits 1, asking for no nick", async () => {
  const ui = new RecordingUi();
  const done = join(
    { ...COMMAND, nick: undefined },
    joinIo(
      ui,
      scripted([(frame, conn) => {
        if (frame.type !== "hello") return;
        conn.push({
          type: "error",
          code: "login_failed",
          message: "Token refused: it has expired: get a new one",
        });
      }]),
      { token: () => Promise.resolve("expired") },
    ),
  );
  assert.equal(await done, 1);
  assert.ok(
    ui.shown.some((line) => line.includes("Token refused: it has expired")),
    ui.shown.join("\n"),
  );
  assert.ok(ui.shown.includes("* Check your token (--token-file FILE, or CHAT_TOKEN)"));
  assert.ok(!ui.prompts.includes("Nick: "));
});
