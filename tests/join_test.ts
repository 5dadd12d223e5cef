import assert from "node:assert/strict";
import { ServerConnection } from "../src/client/connection.ts";
import { join } from "../src/client/join.ts";
import type { ClientFrame, HelloFrame, ServerFrame } from "../src/protocol.ts";
import type { LineConnection } from "../src/transport/connection.ts";
import type { ChatUi } from "../src/terminal/ui.ts";

const encoder = new TextEncoder();

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
