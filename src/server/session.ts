/**
 * One connection's life: read lines -> decode -> hub or command table -> deliveries. The first
 * line decides the mode: a line starting with `{` means the native JSON protocol; anything else
 * is a plain-text user (`nc`, `telnet`), whose first line is the nick. Sessions never write to
 * sockets themselves: frames go through the connection's bounded outbox.
 */
import { ChatError } from "../errors.ts";
import { LOBBY, MAX_LINE_BYTES } from "../limits.ts";
import { NICK_RULE } from "../nick.ts";
import {
  type ClientFrame,
  decodeClientFrame,
  decodeUtf8,
  encodeFrame,
  type ServerFrame,
  unreachable,
} from "../protocol.ts";
import { plainText, renderFrame, type Viewer } from "../render.ts";
import { PROTOCOL_VERSION, VERSION } from "../version.ts";
import type { LineConnection } from "../transport/connection.ts";
import { runTable } from "../command_table.ts";
import { COMMANDS } from "./commands.ts";
import type { ClientId, Delivery, Hub } from "./hub.ts";
import { Outbox } from "./outbox.ts";
import type { Logger } from "../log.ts";

/** What a session needs from its server. */
export interface SessionHost {
  readonly hub: Hub;
  readonly log: Logger;
  now(): number;
  /** Sends each delivery to its recipients (encoded once per format). */
  deliver(deliveries: readonly Delivery[]): void;
  /** Forgets a finished session. */
  remove(id: ClientId): void;
  /** Asks for an outbox flush on the next turn. */
  schedule(outbox: Outbox): void;
  readonly maxOutboxBytes: number;
}

/** Encodings of one frame, filled in lazily and shared by all its recipients. */
export interface EncodedFrame {
  json?: Uint8Array;
  /** Plain-text renderings, by the viewer's active room (it decides the `[room]` prefix). */
  text?: Map<string, Uint8Array>;
}

type Mode = "unknown" | "native" | "plain";

const encoder = new TextEncoder();

/** How long a client that ended its input may take to receive what is still queued for it. */
const DRAIN_ON_EOF_MS = 1000;

/** The greeting a silent connection gets: it is probably a person with `nc` or `telnet`. */
export const PLAIN_GREETING = `* Welcome to chat ${VERSION}. ` +
  `Type a nick (${NICK_RULE}) and press Enter.`;

/** One client connection. */
export class Session {
  readonly id: ClientId;
  readonly #conn: LineConnection;
  readonly #host: SessionHost;
  readonly #outbox: Outbox;
  #mode: Mode = "unknown";
  /** The room a plain-text user talks in (native clients name the room in each frame). */
  #room = LOBBY;
  #closing = false;
  #aborting = false;
  #closeReason = "Connection closed";
  #closed: Promise<void> = Promise.resolve();

  constructor(id: ClientId, conn: LineConnection, host: SessionHost) {
    this.id = id;
    this.#conn = conn;
    this.#host = host;
    this.#outbox = new Outbox({
      maxBytes: host.maxOutboxBytes,
      write: (bytes) => conn.write(bytes),
      schedule: host.schedule,
      onOverflow: () => this.#abort("Too slow: outgoing queue full"),
      onError: () => this.#abort("Connection lost"),
    });
  }

  /** The peer's address. */
  get remote(): string {
    return this.#conn.remote;
  }

  /** Whether the first line has not arrived yet (the server may greet a silent person). */
  get undecided(): boolean {
    return this.#mode === "unknown" && !this.#closing;
  }

  /** Reads and handles lines until the connection ends. Never rejects. */
  async run(): Promise<void> {
    try {
      while (!this.#closing) {
        const lines = await this.#conn.readLines();
        if (lines === null) break;
        for (const line of lines) {
          if (this.#closing) break;
          this.#handleLine(line);
        }
      }
    } catch (error) {
      this.#host.log.warn("read_error", { id: this.id, error: String(error) });
    }
    // End of input: let what is queued (say, the answer to a last command) go out first.
    await this.close("Connection closed", undefined, DRAIN_ON_EOF_MS);
    await this.#closed;
    this.#host.remove(this.id);
    this.#host.log.info("disconnect", { id: this.id, reason: this.#closeReason });
  }

  /** Queues a frame for this client, in its mode's encoding. */
  send(frame: ServerFrame, encoded: EncodedFrame = {}): void {
    if (this.#mode === "native") {
      encoded.json ??= encodeFrame(frame);
      this.#outbox.push(encoded.json);
      return;
    }
    this.#followRoom(frame);
    // Plain text: frames whose rendering depends on the viewer's nick are rendered per recipient;
    // the rest once per active room.
    const personal = frame.type === "nick" || frame.type === "room" || frame.type === "private";
    let text = personal ? undefined : encoded.text?.get(this.#room);
    if (text === undefined) {
      text = encodePlain(frame, { self: this.#host.hub.nickOf(this.id), room: this.#room });
      if (!personal) (encoded.text ??= new Map()).set(this.#room, text);
    }
    if (text.length > 0) this.#outbox.push(text);
  }

  /** Keeps a plain-text user's active room in step: the room just entered, or one still held. */
  #followRoom(frame: ServerFrame): void {
    if (frame.type === "room") this.#room = frame.room;
    if (frame.type === "left" && frame.room === this.#room) {
      this.#room = this.#host.hub.roomsOf(this.id)[0] ?? LOBBY;
    }
  }

  /** Sends a plain-text line to a connection that has not spoken yet. */
  greet(): void {
    if (this.undecided) this.#outbox.push(encoder.encode(PLAIN_GREETING + "\n"));
  }

  /**
   * Ends the session: the rooms hear `reason`, the client gets a `bye` saying `byeText` (if
   * given), and the socket closes once the queue has drained or `waitMs` has passed. Only the
   * first call counts; every call resolves when the socket is closed.
   */
  close(reason: string, byeText: string | undefined, waitMs: number): Promise<void> {
    if (this.#closing) return this.#closed;
    this.#closing = true;
    this.#closeReason = reason;
    this.#leaveHub(reason);
    if (byeText !== undefined) this.send({ type: "bye", reason: byeText });
    this.#closed = this.#drainThenClose(waitMs);
    return this.#closed;
  }

  async #drainThenClose(waitMs: number): Promise<void> {
    if (waitMs > 0 && this.#outbox.pendingBytes > 0) {
      let timer: ReturnType<typeof setTimeout> | undefined;
      await Promise.race([
        this.#outbox.drained(),
        new Promise<void>((resolve) => timer = setTimeout(resolve, waitMs)),
      ]);
      clearTimeout(timer);
    }
    this.#conn.close();
  }

  #handleLine(line: Uint8Array | null): void {
    try {
      if (line === null) {
        throw new ChatError("frame_too_large", `Line is too long: over ${MAX_LINE_BYTES} bytes`);
      }
      const text = decodeUtf8(line);
      if (this.#mode === "unknown") {
        this.#mode = text.trimStart().startsWith("{") ? "native" : "plain";
        this.#host.log.info("mode", { id: this.id, mode: this.#mode });
      }
      if (this.#mode === "native") this.#handleFrame(decodeClientFrame(text));
      else this.#handlePlain(text);
    } catch (error) {
      if (error instanceof ChatError) {
        this.send({ type: "error", code: error.code, message: error.message });
        return;
      }
      this.#host.log.error("bug", { id: this.id, error: String(error), stack: errorStack(error) });
      this.#abort("Internal server error");
    }
  }

  #handleFrame(frame: ClientFrame): void {
    switch (frame.type) {
      case "hello":
        if (frame.version !== PROTOCOL_VERSION) {
          const message = `Protocol version ${frame.version} is not supported: this server ` +
            `speaks version ${PROTOCOL_VERSION}`;
          this.send({ type: "error", code: "bad_version", message });
          void this.close("Unsupported protocol version", message, DRAIN_ON_EOF_MS);
          return;
        }
        this.#register(frame.nick);
        return;
      case "say":
        this.#requireNick();
        this.#host.deliver(this.#host.hub.say(this.id, frame.room, frame.text, this.#host.now()));
        return;
      case "command":
        this.#requireNick();
        this.#command(frame.line, frame.room ?? LOBBY);
        return;
      case "ping":
        this.send(
          frame.token === undefined ? { type: "pong" } : { type: "pong", token: frame.token },
        );
        return;
      case "pong":
        return;
      default:
        unreachable(frame);
    }
  }

  #handlePlain(line: string): void {
    const hub = this.#host.hub;
    if (hub.nickOf(this.id) === undefined) {
      const nick = line.trim();
      if (/^\/(quit|exit|close)\b/i.test(nick)) {
        void this.close("Quit", "Goodbye", DRAIN_ON_EOF_MS);
      } else if (nick.startsWith("/")) {
        throw new ChatError("not_registered", "Type a nick first (or /quit to leave)");
      } else if (nick !== "") {
        this.#register(nick);
      }
      return;
    }
    if (line.trim() === "") return;
    if (line.startsWith("/") && !line.startsWith("//")) {
      this.#command(line, this.#room);
      return;
    }
    const text = line.startsWith("//") ? line.slice(1) : line;
    this.#host.deliver(hub.say(this.id, this.#room, text, this.#host.now()));
  }

  #register(nick: string): void {
    const hub = this.#host.hub;
    if (hub.nickOf(this.id) !== undefined) {
      throw new ChatError("already_registered", "You are already registered: use /nick to rename");
    }
    const deliveries = hub.register(this.id, nick, this.#host.now());
    const registered = hub.nickOf(this.id) ?? nick;
    this.#host.log.info("register", { id: this.id, nick: registered, mode: this.#mode });
    this.send({
      type: "welcome",
      version: PROTOCOL_VERSION,
      server: `chat ${VERSION}`,
      nick: registered,
    });
    this.#host.deliver(deliveries);
  }

  #command(line: string, room: string): void {
    const hub = this.#host.hub;
    const before = hub.nickOf(this.id);
    const result = runTable(COMMANDS, { hub, id: this.id, room, now: this.#host.now() }, line);
    if (result.switchTo !== undefined && this.#mode === "plain") this.#room = result.switchTo;
    this.#host.deliver(result.deliveries);
    const after = hub.nickOf(this.id);
    if (before !== after) this.#host.log.info("nick", { id: this.id, old: before, new: after });
    if (result.quit !== undefined) {
      const reason = result.quit === "" ? "Quit" : `Quit: ${result.quit}`;
      void this.close(reason, "Goodbye", DRAIN_ON_EOF_MS);
    }
  }

  #requireNick(): void {
    if (this.#host.hub.nickOf(this.id) === undefined) {
      throw new ChatError("not_registered", "Send a hello frame with your nick first");
    }
  }

  /** Drops the connection at once (overflow, write error, bug); the rooms hear `reason`. */
  #abort(reason: string): void {
    if (this.#closing || this.#aborting) return;
    this.#aborting = true;
    this.#host.log.warn("drop", { id: this.id, reason });
    // Deferred: this may run in the middle of a fan-out, and the room must see the frame being
    // delivered before it sees this client leave.
    queueMicrotask(() => void this.close(reason, undefined, 0));
  }

  #leaveHub(reason: string): void {
    const nick = this.#host.hub.nickOf(this.id);
    const deliveries = this.#host.hub.disconnect(this.id, reason, this.#host.now());
    if (nick !== undefined) this.#host.log.info("leave", { id: this.id, nick, reason });
    this.#host.deliver(deliveries);
  }
}

function encodePlain(frame: ServerFrame, viewer: Viewer): Uint8Array {
  const lines = renderFrame(frame, viewer).map(plainText);
  return lines.length === 0 ? new Uint8Array(0) : encoder.encode(lines.join("\n") + "\n");
}

function errorStack(error: unknown): string | undefined {
  return error instanceof Error ? error.stack : undefined;
}
