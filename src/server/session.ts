/**
 * One connection's life: read lines -> decode -> hub or command table -> deliveries. The first
 * line decides the mode: a line starting with `{` means the native JSON protocol; anything else
 * is a plain-text user (`nc`, `telnet`), whose first line is the nick. Sessions never write to
 * sockets themselves: frames go through the connection's bounded outbox.
 *
 * Flood control happens here: each line takes a token from the client's bucket; a client out of
 * tokens is slowed (its socket is not read until the bucket refills, so TCP pushes back), and
 * one too far behind is disconnected.
 */
import { findEntry, runTable, splitCommandLine } from "../command_table.ts";
import { ChatError } from "../errors.ts";
import {
  CREATE_LIMIT,
  FLOOD_DISCONNECT_MS,
  JOIN_LIMIT,
  LOBBY,
  MAX_LINE_BYTES,
  MAX_MESSAGE_ID_CHARS,
  MAX_RESUME_ROOMS,
  NICK_CHANGE_LIMIT,
} from "../limits.ts";
import type { Logger } from "../log.ts";
import { NICK_RULE } from "../nick.ts";
import {
  type ClientFrame,
  decodeClientFrame,
  decodeUtf8,
  type DownloadFrame,
  encodeFrame,
  type HelloFrame,
  type OfferFrame,
  type SavedFrame,
  type ServerFrame,
  unreachable,
  type UploadFrame,
} from "../protocol.ts";
import { plainText, renderFrame, type Viewer } from "../render.ts";
import { roomKey } from "../room_name.ts";
import type { LineConnection } from "../transport/connection.ts";
import { PROTOCOL_VERSION, VERSION } from "../version.ts";
import { COMMANDS, type LimitedAction } from "./commands.ts";
import type { ClientId, Delivery, EncodedFrame, Hub, MessageRef } from "./hub.ts";
import { Outbox } from "./outbox.ts";
import { type BucketOptions, TokenBucket } from "../rate_limit.ts";

/** Time limits a session enforces (the server's sweep calls `sweep()`). */
export interface SessionLimits {
  /** Flood control for every line; `perSecond` 0 turns it (and the action limits) off. */
  readonly flood: BucketOptions;
  /** Close a connection that has not picked a nick after this long (ms; 0: never). */
  readonly registrationTimeoutMs: number;
  /** Ping a silent native client after this long (ms; 0: never)... */
  readonly pingAfterMs: number;
  /** ...and drop it when silent this long. */
  readonly pingTimeoutMs: number;
  /** Drop a client whose socket takes no data for this long while we have some for it (ms). */
  readonly writeStallMs: number;
}

/** What a session needs from its server. */
export interface SessionHost {
  readonly hub: Hub;
  readonly log: Logger;
  readonly limits: SessionLimits;
  readonly maxOutboxBytes: number;
  now(): number;
  /** Sends each delivery to its recipients (encoded once per format). */
  deliver(deliveries: readonly Delivery[]): void;
  /** Asks for an outbox flush on the next turn. */
  schedule(outbox: Outbox): void;
  /**
   * A reconnecting client presents its token: the server ends a stale session holding it (a
   * half-open connection) and returns the keys of the rooms that session was in, or undefined
   * when the token is unknown or expired, or when `nick` could not be registered anyway (then
   * nothing is used up or ended).
   */
  takeResume(token: string, by: Session, nick: string): readonly string[] | undefined;
  /** A session ended; `resumable` when the client may come back with its token. */
  ended(session: Session, resumable: boolean): void;
  /** Checks and registers a file offer; returns what to deliver. Throws `ChatError`. */
  offerFile(id: ClientId, frame: OfferFrame): Delivery[];
  /** A receiver reports whether it saved a file it was sent; returns what to deliver. */
  fileSaved(id: ClientId, frame: SavedFrame): Delivery[];
  /** Serves an upload or download connection; resolves when it is over (the conn is closed). */
  dataConnection(frame: UploadFrame | DownloadFrame, conn: Deno.Conn): Promise<void>;
}

type Mode = "unknown" | "native" | "plain" | "http" | "data";

const encoder = new TextEncoder();

/** How long a client that ended its input may take to receive what is still queued for it. */
const DRAIN_ON_EOF_MS = 1000;

/** The greeting a silent connection gets: it is probably a person with `nc` or `telnet`. */
export const PLAIN_GREETING = `* Welcome to chat ${VERSION}. ` +
  `Type a nick (${NICK_RULE}) and press Enter.`;
const GREETING_BYTES = encoder.encode(PLAIN_GREETING + "\n");

const HTTP_REQUEST = /^[A-Z]{3,10} \S+ HTTP\/\d(\.\d)?$/;
const HTTP_REPLY = "HTTP/1.1 400 Bad Request\r\nContent-Type: text/plain; charset=utf-8\r\n" +
  "Connection: close\r\n\r\nThis is a chat server, not a web server: connect with " +
  "`chat join HOST:PORT` or `nc HOST PORT`.\n";

/** One client connection. */
export class Session {
  readonly id: ClientId;
  /** Secret the client may present to resume after a dropped connection. */
  token: string = crypto.randomUUID();
  readonly #conn: LineConnection;
  readonly #host: SessionHost;
  readonly #outbox: Outbox;
  readonly #refuse: string | undefined;
  readonly #createdAt: number;
  readonly #flood: TokenBucket;
  /** Allowances for renames, joins and room creation, made on first use (most never need one). */
  #buckets: Partial<Record<LimitedAction, TokenBucket>> = {};
  #mode: Mode = "unknown";
  /** The room a plain-text user talks in (native clients name the room in each frame). */
  #room = LOBBY;
  #lastInput: number;
  /** Since when flood control has been slowing this client without a pause. */
  #throttledSince: number | undefined;
  #pinged = false;
  #closing = false;
  #aborting = false;
  #resumable = false;
  #closeReason = "Connection closed";
  #closed: Promise<void> = Promise.resolve();
  /** An upload or download this connection turned out to be, once handed over. */
  #dataTask: Promise<void> | undefined;
  #dataConn: Deno.Conn | undefined;
  /** Whether lines read with the current one are still waiting to be handled. */
  #moreInBatch = false;
  /** The nick the session had when it closed. */
  #nickAtClose: string | undefined;
  /** Keys of the rooms the session was in when it closed (for a resume record). */
  #roomsAtClose: string[] = [];
  /** The `id` of the frame being handled, for errors about it. */
  #currentRef: string | undefined;

  /** `refuse` turns the connection away with that reason, in whichever mode it speaks. */
  constructor(id: ClientId, conn: LineConnection, host: SessionHost, refuse?: string) {
    this.id = id;
    this.#conn = conn;
    this.#host = host;
    this.#refuse = refuse;
    const now = host.now();
    this.#createdAt = now;
    this.#lastInput = now;
    const flood = host.limits.flood;
    this.#flood = new TokenBucket(flood, now);

    this.#outbox = new Outbox({
      maxBytes: host.maxOutboxBytes,
      write: (bytes) => conn.write(bytes),
      schedule: host.schedule,
      clock: () => host.now(),
      onOverflow: () => this.#abort("Too slow: outgoing queue full", true),
      onError: () => this.#abort("Connection lost", true),
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

  /** The nick the session had when it closed, if it had one. */
  get nickAtClose(): string | undefined {
    return this.#nickAtClose;
  }

  /** Keys of the rooms the session was in when it closed. */
  get roomsAtClose(): readonly string[] {
    return this.#roomsAtClose;
  }

  /** Whether the session is ending (or has ended). */
  get closing(): boolean {
    return this.#closing || this.#aborting;
  }

  /** Keys of the rooms the session is in now. */
  currentRoomKeys(): string[] {
    return this.#host.hub.roomKeysOf(this.id);
  }

  /** Whether the client speaks the native protocol. */
  get native(): boolean {
    return this.#mode === "native";
  }

  /** Reads and handles lines until the connection ends. Never rejects. */
  async run(): Promise<void> {
    try {
      while (!this.#closing) {
        const lines = await this.#conn.readLines();
        if (lines === null) break;
        this.#lastInput = this.#host.now();
        this.#pinged = false;
        for (const [index, line] of lines.entries()) {
          if (this.#closing || this.#aborting) break;
          this.#moreInBatch = index < lines.length - 1;
          const now = this.#host.now();
          const wait = this.#flood.take(now);
          if (wait === 0) {
            this.#throttledSince = undefined;
          } else {
            this.#throttledSince ??= now;
            if (now - this.#throttledSince > FLOOD_DISCONNECT_MS) {
              this.#host.log.warn("flood", { id: this.id, remote: this.remote });
              await this.close(
                "Excess flood",
                "Disconnected for flooding: slow down",
                DRAIN_ON_EOF_MS,
              );
              break;
            }
            // Out of tokens: hold this client's input until the bucket refills (TCP pushes back).
            await new Promise((resolve) => setTimeout(resolve, wait));
          }
          if (this.#closing) break;
          this.#handleLine(line);
          if (this.#dataTask !== undefined) break;
        }
        if (this.#dataTask !== undefined) break;
      }
    } catch (error) {
      this.#readFailed(error);
    }
    if (this.#dataTask !== undefined) {
      // A file transfer connection: the transfer owns (and closes) the socket from here.
      await this.#dataTask;
      this.#closing = true;
      this.#host.ended(this, false);
      this.#host.log.info("disconnect", { id: this.id, reason: "Transfer connection done" });
      return;
    }
    // End of input: let what is queued (say, the answer to a last command) go out first.
    await this.close("Connection closed", undefined, DRAIN_ON_EOF_MS, true);
    await this.#closed;
    this.#host.ended(this, this.#resumable);
    this.#host.log.info("disconnect", { id: this.id, reason: this.#closeReason });
  }

  /** Queues a frame for this client, in its mode's encoding. */
  send(frame: ServerFrame, encoded: EncodedFrame = {}): void {
    if (this.#mode === "http") return;
    if (this.#mode === "native") {
      encoded.json ??= encodeFrame(frame);
      this.#outbox.push(encoded.json);
      return;
    }
    this.#followRoom(frame);
    // Plain text: frames whose rendering depends on the viewer's nick are rendered per recipient;
    // the rest once per active room, without a viewer nick (plain text shows no highlights).
    const personal = frame.type === "nick" || frame.type === "room" || frame.type === "private";
    let text = personal ? undefined : encoded.text?.get(this.#room);
    if (text === undefined) {
      const self = personal ? this.#host.hub.nickOf(this.id) : undefined;
      text = encodePlain(frame, { self, room: this.#room });
      if (!personal) (encoded.text ??= new Map()).set(this.#room, text);
    }
    if (text.length > 0) this.#outbox.push(text);
  }

  /** Sends a plain-text line to a connection that has not spoken yet. */
  greet(): void {
    if (!this.undecided) return;
    if (this.#refuse !== undefined) {
      this.#mode = "plain";
      this.#turnAway();
      return;
    }
    this.#outbox.push(GREETING_BYTES);
  }

  /**
   * Checks the time limits: registration timeout, ping and ping timeout for native clients, and
   * a stalled write. Called about once a second by the server.
   */
  sweep(now: number): void {
    if (this.#closing || this.#mode === "data") return;
    const limits = this.#host.limits;
    const registered = this.#host.hub.nickOf(this.id) !== undefined;
    if (!registered) {
      if (
        limits.registrationTimeoutMs > 0 && now - this.#createdAt > limits.registrationTimeoutMs
      ) {
        const seconds = Math.round(limits.registrationTimeoutMs / 1000);
        void this.close(
          "Registration timeout",
          `No nick chosen within ${seconds} s`,
          DRAIN_ON_EOF_MS,
        );
      }
      return;
    }
    const stalled = this.#outbox.writingSince;
    if (stalled !== undefined && limits.writeStallMs > 0 && now - stalled > limits.writeStallMs) {
      this.#abort("Too slow: no data taken for a while", true);
      return;
    }
    if (this.#mode !== "native" || limits.pingAfterMs <= 0) return;
    const idle = now - this.#lastInput;
    if (idle > limits.pingTimeoutMs) {
      this.#abort(`Ping timeout: no answer for ${Math.round(idle / 1000)} s`, true);
    } else if (idle > limits.pingAfterMs && !this.#pinged) {
      this.#pinged = true;
      this.send({ type: "ping", token: String(now) });
    }
  }

  /**
   * Ends the session: the rooms hear `reason`, the client gets a `bye` saying `byeText` (if
   * given), and the socket closes once the queue has drained or `waitMs` has passed. Only the
   * first call counts; every call resolves when the socket is closed. `resumable` marks an end
   * the client did not ask for, after which it may come back with its token; `shutdown` tells
   * the client the whole server is stopping (it may wait and reconnect).
   */
  close(
    reason: string,
    byeText: string | undefined,
    waitMs: number,
    resumable = false,
    shutdown = false,
  ): Promise<void> {
    if (this.#dataConn !== undefined) {
      // A transfer connection: closing the socket ends the transfer's handling of it.
      try {
        this.#dataConn.close();
      } catch {
        // Already closed.
      }
      return this.#dataTask ?? Promise.resolve();
    }
    if (this.#closing) return this.#closed;
    this.#closing = true;
    this.#closeReason = reason;
    this.#nickAtClose = this.#host.hub.nickOf(this.id);
    this.#resumable = resumable && this.#mode === "native";
    this.#roomsAtClose = this.currentRoomKeys();
    this.#leaveHub(reason);
    if (byeText !== undefined) {
      this.send(
        shutdown
          ? { type: "bye", reason: byeText, shutdown: true }
          : { type: "bye", reason: byeText },
      );
    }
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

  /** A read failed: a protocol-level refusal from the transport, or a broken socket. */
  #readFailed(error: unknown): void {
    if (!(error instanceof ChatError)) {
      // A broken socket: run() goes on to close(..., resumable), which decides (once).
      this.#host.log.warn("read_error", { id: this.id, error: String(error) });
      return;
    }
    this.#host.log.warn("refused_input", { id: this.id, reason: error.message });
    if (this.#mode === "unknown") {
      // Not a chat client at all (a TLS handshake, binary garbage): nothing useful to say.
      void this.close(error.message, undefined, 0);
      return;
    }
    this.send({ type: "error", code: error.code, message: error.message });
    void this.close(error.message, error.message, DRAIN_ON_EOF_MS);
  }

  #handleLine(line: Uint8Array | null): void {
    this.#currentRef = undefined;
    try {
      if (line === null) {
        throw new ChatError("frame_too_large", `Line is too long: over ${MAX_LINE_BYTES} bytes`);
      }
      const text = decodeUtf8(line);
      if (this.#mode === "unknown") {
        if (HTTP_REQUEST.test(text)) {
          this.#mode = "http";
          this.#host.log.info("http_request", { id: this.id, remote: this.remote });
          this.#outbox.push(encoder.encode(HTTP_REPLY));
          void this.close("Not a chat client (HTTP)", undefined, DRAIN_ON_EOF_MS);
          return;
        }
        this.#mode = text.trimStart().startsWith("{") ? "native" : "plain";
        this.#host.log.info("mode", { id: this.id, mode: this.#mode });
        if (this.#refuse !== undefined) {
          this.#turnAway();
          return;
        }
      }
      if (this.#mode === "native") this.#handleFrame(decodeClientFrame(text));
      else this.#handlePlain(text);
    } catch (error) {
      if (error instanceof ChatError) {
        const frame: ServerFrame = { type: "error", code: error.code, message: error.message };
        if (this.#currentRef !== undefined) frame.id = this.#currentRef;
        this.send(frame);
        return;
      }
      this.#host.log.error("bug", { id: this.id, error: String(error), stack: errorStack(error) });
      this.#abort("Internal server error", false);
    }
  }

  /** Refuses the connection (server full, too many from one address) in its own mode. */
  #turnAway(): void {
    const reason = this.#refuse ?? "Refused";
    this.send({ type: "error", code: "server_full", message: reason });
    void this.close("Refused: " + reason, reason, DRAIN_ON_EOF_MS);
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
        this.#register(frame.nick, frame.resume);
        return;
      case "say":
        this.#currentRef = frame.id;
        this.#requireNick();
        this.#host.deliver(
          this.#host.hub.say(
            this.id,
            frame.room,
            frame.text,
            this.#host.now(),
            false,
            this.#ref(frame.id),
          ),
        );
        return;
      case "command":
        this.#currentRef = frame.id;
        this.#requireNick();
        this.#command(frame.line, frame.room ?? LOBBY);
        return;
      case "ping":
        this.send(
          frame.token === undefined ? { type: "pong" } : { type: "pong", token: frame.token },
        );
        return;
      case "offer":
        this.#currentRef = frame.ref;
        this.#requireNick();
        this.#host.deliver(this.#host.offerFile(this.id, frame));
        return;
      case "saved":
        this.#requireNick();
        this.#host.deliver(this.#host.fileSaved(this.id, frame));
        return;
      case "upload":
      case "download":
        this.#startData(frame);
        return;
      case "checksum":
        throw new ChatError("bad_frame", "A checksum line belongs after the data of an upload");
      case "pong":
        return;
      default:
        unreachable(frame);
    }
  }

  /** Hands the connection to the file transfer it was opened for (its first and only line). */
  #startData(frame: UploadFrame | DownloadFrame): void {
    if (this.#host.hub.nickOf(this.id) !== undefined) {
      throw new ChatError(
        "bad_frame",
        `An ${frame.type} frame opens a connection of its own: it cannot follow a hello`,
      );
    }
    const conn = this.#moreInBatch ? undefined : this.#conn.detach?.();
    if (conn === undefined) {
      throw new ChatError("bad_frame", `Send nothing after the ${frame.type} line until answered`);
    }
    this.#mode = "data";
    this.#dataConn = conn;
    this.#dataTask = this.#host.dataConnection(frame, conn).catch((error) => {
      this.#host.log.warn("transfer_error", { id: this.id, error: String(error) });
    });
  }

  /** The hub's reference for a client message id: unique to this client across reconnects. */
  #ref(id: string | undefined): MessageRef | undefined {
    if (id === undefined) return undefined;
    if (id === "" || id.length > MAX_MESSAGE_ID_CHARS) {
      this.#currentRef = undefined; // Not echoed back: it may be huge.
      throw new ChatError(
        "bad_frame",
        `Message id must be 1 to ${MAX_MESSAGE_ID_CHARS} characters`,
      );
    }
    return { id, key: `${this.token}:${id}` };
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
        this.#register(nick, undefined);
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

  #register(nick: string, resume: HelloFrame["resume"]): void {
    const hub = this.#host.hub;
    if (hub.nickOf(this.id) !== undefined) {
      throw new ChatError("already_registered", "You are already registered: use /nick to rename");
    }
    // A known token: its old session (if still hanging on) gives way, and this one inherits the
    // token, so message ids keep deduplicating across the reconnect.
    if (resume !== undefined && resume.rooms.length > MAX_RESUME_ROOMS) {
      throw new ChatError("bad_frame", `A resume may name at most ${MAX_RESUME_ROOMS} rooms`);
    }
    const trusted = resume === undefined
      ? undefined
      : this.#host.takeResume(resume.token, this, nick);
    // Without a known token, rejoining is joining: it counts against the join allowance.
    const now = this.#host.now();
    const rooms = resume === undefined
      ? []
      : trusted !== undefined
      ? resume.rooms
      : resume.rooms.filter(({ room }) =>
        roomKey(room) === roomKey(LOBBY) || this.#bucket("join").tryTake(now)
      );
    const deliveries = hub.register(
      this.id,
      nick,
      now,
      resume === undefined ? undefined : { rooms, trusted: trusted ?? [] },
    );
    if (resume !== undefined && trusted !== undefined) this.token = resume.token;
    const registered = hub.nickOf(this.id) ?? nick;
    this.#host.log.info("register", {
      id: this.id,
      nick: registered,
      mode: this.#mode,
      resumed: resume === undefined ? undefined : trusted !== undefined,
    });
    const welcome: ServerFrame = {
      type: "welcome",
      version: PROTOCOL_VERSION,
      server: `chat ${VERSION}`,
      nick: registered,
    };
    if (this.#mode === "native") {
      welcome.token = this.token;
      welcome.floodBurst = this.#host.limits.flood.burst;
      welcome.floodRate = Math.max(0, this.#host.limits.flood.perSecond);
    }
    this.send(welcome);
    this.#host.deliver(deliveries);
  }

  #command(line: string, room: string): void {
    const hub = this.#host.hub;
    const now = this.#host.now();
    const limit = findEntry(COMMANDS, splitCommandLine(line).name)?.limit;
    const bucket = limit === undefined ? undefined : this.#bucket(limit);
    if (bucket !== undefined && bucket.waitMs(now) > 0) {
      throw this.#slowDown(limit === "nick" ? "nick changes" : `/${limit} commands`, bucket);
    }
    const before = hub.nickOf(this.id);
    const result = runTable(COMMANDS, { hub, id: this.id, room, now }, line);
    // Only what succeeded counts against the allowance: a mistyped nick or room costs nothing.
    bucket?.take(now);
    if (result.switchTo !== undefined && this.#mode === "plain") this.#room = result.switchTo;
    this.#host.deliver(result.deliveries);
    const after = hub.nickOf(this.id);
    if (before !== after) this.#host.log.info("nick", { id: this.id, old: before, new: after });
    if (result.quit !== undefined) {
      const reason = result.quit === "" ? "Quit" : `Quit: ${result.quit}`;
      void this.close(reason, "Goodbye", DRAIN_ON_EOF_MS);
    }
  }

  /** The allowance for one kind of action, made on first use. */
  #bucket(kind: LimitedAction): TokenBucket {
    let bucket = this.#buckets[kind];
    if (bucket === undefined) {
      const limit = kind === "nick"
        ? NICK_CHANGE_LIMIT
        : kind === "join"
        ? JOIN_LIMIT
        : CREATE_LIMIT;
      const off = this.#host.limits.flood.perSecond <= 0;
      bucket = new TokenBucket(off ? { burst: 1, perSecond: 0 } : limit, this.#host.now());
      this.#buckets[kind] = bucket;
    }
    return bucket;
  }

  #slowDown(what: string, bucket: TokenBucket): ChatError {
    const seconds = Math.max(1, Math.ceil(bucket.waitMs(this.#host.now()) / 1000));
    return new ChatError("rate_limited", `Slow down: too many ${what}: try again in ${seconds} s`);
  }

  #requireNick(): void {
    if (this.#host.hub.nickOf(this.id) === undefined) {
      throw new ChatError("not_registered", "Send a hello frame with your nick first");
    }
  }

  /** Keeps a plain-text user's active room in step: the room just entered, or one still held. */
  #followRoom(frame: ServerFrame): void {
    if (frame.type === "room") this.#room = frame.room;
    if (frame.type === "left" && frame.room === this.#room) {
      this.#room = this.#host.hub.roomsOf(this.id)[0] ?? LOBBY;
    }
  }

  /** Drops the connection at once (overflow, write error, bug); the rooms hear `reason`. */
  #abort(reason: string, resumable: boolean): void {
    if (this.#closing || this.#aborting) return;
    this.#aborting = true;
    this.#host.log.warn("drop", { id: this.id, reason });
    // Deferred: this may run in the middle of a fan-out, and the room must see the frame being
    // delivered before it sees this client leave.
    queueMicrotask(() => void this.close(reason, undefined, 0, resumable));
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
