/**
 * One connection's life: read lines, limits, timeouts, close. The first line picks the
 * connection's dialect (`src/dialect/detect.ts`), which turns lines into intents and encodes
 * events; the session carries intents to the hub or the command table and never looks at how a
 * dialect speaks. Sessions never write to sockets themselves: bytes go through the
 * connection's bounded outbox.
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
import {
  decodeUtf8,
  decodeUtf8Lenient,
  type DownloadFrame,
  type HelloFrame,
  type OfferFrame,
  type SavedFrame,
  type ServerFrame,
  unreachable,
  type UploadFrame,
} from "../protocol.ts";
import { roomKey } from "../room_name.ts";
import type {
  Dialect,
  DialectOptions,
  DialectView,
  Intent,
  SharedEncodings,
  Supports,
} from "../dialect/dialect.ts";
import { detectDialect } from "../dialect/detect.ts";
import { PLAIN_GREETING } from "../dialect/plain.ts";
import type { ByteStream, LineConnection } from "../carrier/connection.ts";
import { PROTOCOL_VERSION, VERSION } from "../version.ts";
import {
  type AccountRequest,
  type CommandResult,
  COMMANDS,
  type LimitedAction,
} from "./commands.ts";
import type { Accounts } from "./accounts.ts";
import { describeBan, type Moderation } from "./moderation.ts";
import type { BanRecord } from "../store/moderation_store.ts";
import { hostOf } from "../address_match.ts";
import { nickKey } from "../nick.ts";
import type { Delivery, Hub, Identity, MemberId, MessageRef } from "./hub.ts";
import type { HubEvent } from "./events.ts";
import { Outbox } from "./outbox.ts";
import { type BucketOptions, TokenBucket } from "../rate_limit.ts";
import type { HubOp, HubOpOutcome } from "./hub_op.ts";
import { isSecretCommand } from "../secret_commands.ts";
import { createHash } from "node:crypto";

/** What running a hub op did (see `SessionHost.run`). */
export interface Ran {
  readonly outcome: HubOpOutcome;
  /** Resolves when the queues it filled past their high-water mark have drained. */
  readonly pressure?: Promise<void>;
}

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
  /** The hub, to read: every change goes through `run`. */
  readonly hub: Hub;
  /**
   * Carries out a hub op and delivers what it caused: at once (a result), or on a cluster node
   * once the cluster's log hands it back (a promise; it rejects with `ChatError` `unavailable`
   * when the log cannot be reached). `first` runs after the hub changed and before anything is
   * delivered. A refusal is the outcome's `error`.
   */
  run(op: HubOp, first?: (outcome: HubOpOutcome) => void): Ran | Promise<Ran>;
  /** Whether the server is one node of a cluster (its ops take a trip through Redis). */
  readonly clustered: boolean;
  readonly log: Logger;
  readonly limits: SessionLimits;
  readonly maxOutboxBytes: number;
  /** What every connection's dialect is told (the server's name). */
  readonly dialectOptions: DialectOptions;
  now(): number;
  /**
   * Sends each delivery to its recipients (encoded once per dialect). Returns a promise when a
   * recipient's queue is now above its high-water mark: it resolves once every such queue has
   * drained enough or its connection is gone. Until then the sender should read no more.
   */
  deliver(deliveries: readonly Delivery[]): Promise<void> | undefined;
  /** Asks for an outbox flush on the next turn. */
  schedule(outbox: Outbox): void;
  /**
   * A reconnecting client presents its token: the server ends a stale session holding it (a
   * half-open connection) and returns the keys of the rooms that session was in, or undefined
   * when the token is unknown or expired (the session still keeps the token, untrusted), or when
   * `nick` could not be registered anyway (then nothing is used up or ended).
   */
  takeResume(token: string, by: Session, nick: string): readonly string[] | undefined;
  /**
   * A registered session's connection dropped: the server may keep its user in the hub for a
   * while (true), for a quiet resume; the session then does not leave the hub itself.
   */
  linger(session: Session, reason: string): boolean;
  /**
   * A client presents the token of a user the server kept (see `linger`) under the same nick:
   * the user moves to this session, and what it gets is returned; undefined when there is none.
   */
  quietResume(
    token: string,
    by: Session,
    nick: string,
    rooms: readonly { room: string; seq: number }[],
  ): Delivery[] | undefined;
  /**
   * Whether `given` is the server's password (compared in constant time); always true on a
   * server without one.
   */
  serverPasswordMatches(given: string | undefined): boolean;
  /** Server bans and mutes. */
  readonly moderation: Moderation;
  /** Disconnects whoever holds `nick`, telling them and their rooms `why`. */
  disconnect(nick: string, why: string): boolean;
  /** Disconnects everyone a new ban covers. */
  enforceBan(ban: BanRecord): void;
  /** Accounts: passwords are checked and hashed there, off the hub. */
  readonly accounts: Accounts;
  /**
   * Someone logged in to an account held by another connection (a second device): the newest
   * login wins, so `member`'s connection is closed (or its kept user let go), unless it is the
   * one `token` resumes.
   */
  takeOver(member: MemberId, by: Session, token?: string): void;
  /** A session ended; `resumable` when the client may come back with its token. */
  ended(session: Session, resumable: boolean): void;
  /** Checks and registers a file offer; returns what to deliver. Throws `ChatError`. */
  offerFile(id: MemberId, frame: OfferFrame): Delivery[];
  /** A receiver reports whether it saved a file it was sent; returns what to deliver. */
  fileSaved(id: MemberId, frame: SavedFrame): Delivery[];
  /** Serves an upload or download connection; resolves when it is over (the conn is closed). */
  dataConnection(frame: UploadFrame | DownloadFrame, conn: ByteStream): Promise<void>;
  /**
   * Serves a connection that spoke HTTP (`head`: every byte read from it so far) through the
   * web front: the page, or a WebSocket that runs a session of its own. Resolves when the
   * connection is over (closed). Never rejects.
   */
  webConnection(stream: ByteStream, head: Uint8Array, remote: string): Promise<void>;
}

const encoder = new TextEncoder();

/** How long a client that ended its input may take to receive what is still queued for it. */
const DRAIN_ON_EOF_MS = 1000;

const GREETING_BYTES = encoder.encode(PLAIN_GREETING + "\n");

/**
 * Most messages one connection may have on their way through a cluster's log at once before its
 * next line waits for them.
 */
const MAX_PIPELINED = 64;

/** Wrong or missing server passwords one connection may give before it is closed. */
const MAX_PASSWORD_TRIES = 3;

/**
 * How a session ends: for good (a quit, a kick, a refusal), `resumable` (the server dropped it:
 * the client may come back with its token), or `dropped` (the connection went away by itself:
 * resumable, and the server keeps the user for a quiet resume).
 */
export type Ending = "final" | "resumable" | "dropped";

/** What a connection whose dialect is not known yet supports: nothing. */
const UNDECIDED: Supports = { files: false, resume: false, ping: false };

/** One client connection. */
export class Session {
  /** The connection's number, for the event log. */
  readonly id: number;
  /** Secret the client may present to resume after a dropped connection. */
  token: string = crypto.randomUUID();
  #member: MemberId;
  readonly #conn: LineConnection;
  readonly #host: SessionHost;
  readonly #outbox: Outbox;
  readonly #refuse: string | undefined;
  readonly #createdAt: number;
  readonly #flood: TokenBucket;
  /** Allowances for renames, joins and room creation, made on first use (most never need one). */
  #buckets: Partial<Record<LimitedAction, TokenBucket>> = {};
  /** How the client speaks, once its first line has said. */
  #dialect: Dialect | undefined;
  /** Whether the connection was handed to a file transfer. */
  #data = false;
  readonly #view: DialectView;
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
  #dataConn: { close(): void } | undefined;
  /** Whether the connection went to the web front: it is no chat session any more. */
  #handedOver = false;
  /** Recipients' queues this client's last line filled past their high-water mark. */
  #pressure: Promise<void>[] = [];
  /** Whether lines read with the current one are still waiting to be handled. */
  #moreInBatch = false;
  /** The nick the session had when it closed. */
  #nickAtClose: string | undefined;
  /** Keys of the rooms the session was in when it closed (for a resume record). */
  #roomsAtClose: string[] = [];
  /** Wrong or missing server passwords given on this connection. */
  #passwordTries = 0;
  /** The `id` of the frame being handled, for errors about it. */
  #currentRef: string | undefined;
  /** Message ops on their way through a cluster's log, not waited for (see `#pipelined`). */
  #inFlight = 0;
  /** An account request under way (a password being checked): input waits for it. */
  #busy: Promise<void> | undefined;

  /**
   * `id` numbers the connection; `member` is who it carries in the hub (a new member, unless a
   * quiet resume hands it one that was kept). `refuse` turns the connection away with that
   * reason, in whichever mode it speaks.
   */
  constructor(
    id: number,
    member: MemberId,
    conn: LineConnection,
    host: SessionHost,
    refuse?: string,
  ) {
    this.id = id;
    this.#member = member;
    this.#conn = conn;
    this.#host = host;
    this.#refuse = refuse;
    const now = host.now();
    this.#createdAt = now;
    this.#lastInput = now;
    const flood = host.limits.flood;
    this.#flood = new TokenBucket(flood, now);
    const hub = host.hub;
    const current = () => this.#member;
    this.#view = {
      get nick() {
        return hub.nickOf(current());
      },
      rooms: () => hub.roomsOf(current()),
      user: (nick) => hub.userInfo(nick),
      departed: (...nicks) => hub.departed(...nicks),
      members: (key) => hub.memberNicks(key),
      roomKeysOf: (nick) => hub.roomKeysOfNick(nick),
    };

    this.#outbox = new Outbox({
      maxBytes: host.maxOutboxBytes,
      write: (bytes) => conn.write(bytes),
      schedule: host.schedule,
      clock: () => host.now(),
      onOverflow: () => this.#abort("Too slow: outgoing queue full", "resumable"),
      onError: () => this.#abort("Connection lost", "dropped"),
    });
  }

  /** Who the connection carries in the hub (registered or not yet). */
  get member(): MemberId {
    return this.#member;
  }

  /**
   * Carries a member kept from a dropped connection instead of its own, unregistered one (a
   * quiet resume; the server calls this before the hub hears of the member again).
   */
  adopt(member: MemberId): void {
    this.#member = member;
  }

  /** The peer's address. */
  get remote(): string {
    return this.#conn.remote;
  }

  /** Whether the first line has not arrived yet (the server may greet a silent person). */
  get undecided(): boolean {
    return this.#dialect === undefined && !this.#data && !this.#closing;
  }

  /** The nick the session had when it closed, if it had one. */
  get nickAtClose(): string | undefined {
    return this.#nickAtClose;
  }

  /** Keys of the rooms the session was in when it closed. */
  get roomsAtClose(): readonly string[] {
    return this.#roomsAtClose;
  }

  /** Whether this client's queue is above its high-water mark (see `relieved`). */
  get congested(): boolean {
    return this.#outbox.congested;
  }

  /** Resolves when this client's queue has drained enough, or the connection is gone. */
  relieved(): Promise<void> {
    return this.#outbox.relieved();
  }

  /** Whether the session is ending (or has ended). */
  get closing(): boolean {
    return this.#closing || this.#aborting;
  }

  /** Keys of the rooms the session is in now. */
  currentRoomKeys(): string[] {
    return this.#host.hub.roomKeysOf(this.member);
  }

  /** What the client's dialect supports (nothing before its first line). */
  get supports(): Supports {
    return this.#dialect?.supports ?? UNDECIDED;
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
          const pending = this.#handleLine(line);
          if (pending !== undefined) await pending;
          if (this.#busy !== undefined) await this.#busy;
          if (this.#dataTask !== undefined) break;
          await this.#backOff();
        }
        if (this.#dataTask !== undefined) break;
      }
    } catch (error) {
      this.#readFailed(error);
    }
    if (this.#dataTask !== undefined) {
      // A file transfer or web connection: it owns (and closes) the socket from here. A web
      // connection is no session of ours any more (a WebSocket runs one of its own).
      this.#closing = true;
      if (this.#handedOver) this.#host.ended(this, false);
      await this.#dataTask;
      if (!this.#handedOver) this.#host.ended(this, false);
      this.#host.log.info("disconnect", {
        id: this.id,
        reason: this.#handedOver ? "Handed to the web front" : "Transfer connection done",
      });
      return;
    }
    // End of input: let what is queued (say, the answer to a last command) go out first.
    await this.close("Connection closed", undefined, DRAIN_ON_EOF_MS, "dropped");
    await this.#closed;
    this.#host.ended(this, this.#resumable);
    this.#host.log.info("disconnect", { id: this.id, reason: this.#closeReason });
  }

  /**
   * Queues an event for this client in its dialect, sharing encodings with other viewers
   * through `shared`. A connection whose dialect is not known yet gets it as plain text.
   */
  send(frame: HubEvent, shared: SharedEncodings = new Map()): void {
    const dialect = this.#dialect ?? (this.#fallback ??= detectDialect(""));
    const bytes = dialect.encode(frame, this.#view, shared);
    this.#push(bytes);
  }

  /** Queues bytes for this client, unless its dialect holds them back for now (`hold`). */
  #push(bytes: Uint8Array): void {
    const now = bytes.length > 0 && this.#dialect?.hold !== undefined
      ? this.#dialect.hold(bytes)
      : bytes;
    if (now.length > 0) this.#outbox.push(now);
  }

  /** The dialect used to tell a connection that never spoke why it is closed. */
  #fallback: Dialect | undefined;

  /** Sends a plain-text line to a connection that has not spoken yet. */
  greet(): void {
    if (!this.undecided) return;
    if (this.#refuse !== undefined) {
      this.#dialect = detectDialect("");
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
    if (this.#closing || this.#data) return;
    const limits = this.#host.limits;
    const registered = this.#host.hub.nickOf(this.member) !== undefined;
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
      const seconds = Math.round((now - stalled) / 1000);
      this.#abort(`Too slow: no data taken for ${seconds} s`, "resumable");
      return;
    }
    if (!this.supports.ping || limits.pingAfterMs <= 0) return;
    const idle = now - this.#lastInput;
    if (idle > limits.pingTimeoutMs) {
      this.#abort(`Ping timeout: no answer for ${Math.round(idle / 1000)} s`, "resumable");
    } else if (idle > limits.pingAfterMs && !this.#pinged) {
      this.#pinged = true;
      this.send({ type: "ping", token: String(now) });
    }
  }

  /**
   * Ends the session: the rooms hear `reason`, the client gets a `bye` saying `byeText` (if
   * given), and the socket closes once the queue has drained or `waitMs` has passed. Only the
   * first call counts; every call resolves when the socket is closed. `ending` says whether the
   * client may come back (see {@linkcode Ending}); `shutdown` tells the client the whole server
   * is stopping (it may wait and reconnect), `"restart"` that it is restarting.
   */
  close(
    reason: string,
    byeText: string | undefined,
    waitMs: number,
    ending: Ending = "final",
    shutdown: boolean | "restart" = false,
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
    this.#nickAtClose = this.#host.hub.nickOf(this.member);
    this.#resumable = ending !== "final" && this.supports.resume;
    this.#roomsAtClose = this.currentRoomKeys();
    const quiet = this.#resumable && ending === "dropped" && this.#nickAtClose !== undefined;
    if (!(quiet && this.#host.linger(this, reason))) this.#leaveHub(reason);
    if (byeText !== undefined) {
      this.send(
        shutdown === "restart"
          ? { type: "bye", reason: byeText, shutdown: true, restart: true }
          : shutdown
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
    this.#outbox.abandon();
  }

  /** A read failed: a protocol-level refusal from the transport, or a broken socket. */
  #readFailed(error: unknown): void {
    if (!(error instanceof ChatError)) {
      // A broken socket: run() goes on to close(..., "dropped"), which decides (once).
      this.#host.log.warn("read_error", { id: this.id, error: String(error) });
      return;
    }
    this.#host.log.warn("refused_input", { id: this.id, reason: error.message });
    if (this.#dialect === undefined) {
      // Not a chat client at all (a TLS handshake, binary garbage): nothing useful to say.
      void this.close(error.message, undefined, 0);
      return;
    }
    this.send({ type: "error", code: error.code, message: error.message });
    void this.close(error.message, error.message, DRAIN_ON_EOF_MS);
  }

  #handleLine(line: Uint8Array | null): Promise<void> | undefined {
    this.#currentRef = undefined;
    try {
      if (line === null) {
        throw new ChatError("frame_too_large", `Line is too long: over ${MAX_LINE_BYTES} bytes`);
      }
      const { text, valid } = this.#decode(line);
      if (this.#dialect === undefined) {
        this.#dialect = detectDialect(text, this.#host.dialectOptions);
        this.#host.log.info("mode", { id: this.id, mode: this.#dialect.name });
        if (this.#refuse !== undefined && this.#dialect.name !== "http") {
          this.#turnAway();
          return undefined;
        }
      }
      // A line may ask for several things (IRC's `PRIVMSG #a,#b`, `JOIN #a,#b`): one that fails
      // is reported with its ref, and the rest are still carried out.
      const dialect = this.#dialect;
      let pending: Promise<void> | undefined;
      try {
        const read = valid ? dialect.read(text, this.#view) : dialect.read(text, this.#view, {
          invalidUtf8: true,
        });
        pending = this.#actAll(dialect, read, 0);
      } finally {
        if (pending === undefined) this.#lineDone(dialect);
      }
      return pending?.catch((error) => this.#failed(error)).finally(() => this.#lineDone(dialect));
    } catch (error) {
      this.#failed(error);
    }
    return undefined;
  }

  /**
   * Carries out a line's intents from `from` on, in order; when one waits (for the cluster's
   * log), the rest follow once it is done, and the promise returned resolves after the last.
   */
  #actAll(dialect: Dialect, intents: Intent[], from: number): Promise<void> | undefined {
    for (let index = from; index < intents.length; index++) {
      if (this.#closing) return undefined;
      this.#currentRef = undefined;
      let waiting: Promise<void> | undefined;
      try {
        waiting = this.#act(intents[index] as Intent);
      } catch (error) {
        if (!(error instanceof ChatError)) throw error;
        this.#fail(error);
      }
      if (waiting !== undefined) {
        return waiting.catch((error) => {
          if (!(error instanceof ChatError)) throw error;
          this.#fail(error);
        }).then(() => this.#actAll(dialect, intents, index + 1));
      }
    }
    return undefined;
  }

  /** Whatever the dialect held back while the line was handled goes out. */
  #lineDone(dialect: Dialect): void {
    const held = dialect.lineDone?.();
    if (held !== undefined && held.length > 0) this.#outbox.push(held);
  }

  /** A line failed: a refusal is told to the client; anything else is a bug. */
  #failed(error: unknown): void {
    if (error instanceof ChatError) {
      this.#fail(error);
      return;
    }
    this.#host.log.error("bug", { id: this.id, error: String(error), stack: errorStack(error) });
    this.#abort("Internal server error", "final");
  }

  /**
   * A line's text: invalid UTF-8 is refused (`bad_frame`) unless the connection's dialect (or,
   * for the first line, the dialect it picks) takes such lines; then it gets the lenient
   * decoding, and `valid` is false so the dialect can answer in its own words.
   */
  #decode(line: Uint8Array): { text: string; valid: boolean } {
    try {
      return { text: decodeUtf8(line), valid: true };
    } catch (error) {
      const text = decodeUtf8Lenient(line);
      const dialect = this.#dialect ?? detectDialect(text, this.#host.dialectOptions);
      if (dialect.lenientUtf8 !== true) throw error;
      return { text, valid: false };
    }
  }

  /** Tells the client its request failed (with the request's ref, when it had one). */
  #fail(error: ChatError): void {
    this.send(
      this.#currentRef === undefined
        ? { type: "failure", error }
        : { type: "failure", error, ref: this.#currentRef },
    );
  }

  /** Refuses the connection (server full, too many from one address) in its own dialect. */
  #turnAway(): void {
    const reason = this.#refuse ?? "Refused";
    this.send({ type: "error", code: "server_full", message: reason });
    void this.close("Refused: " + reason, reason, DRAIN_ON_EOF_MS);
  }

  /**
   * Carries out one intent of the client's. Returns a promise when it waits for the cluster's
   * log (the client's next intent waits for it too).
   */
  #act(intent: Intent): Promise<void> | undefined {
    const host = this.#host;
    const member = this.member;
    // Lines, so the raw bytes kept for a web front are not needed.
    if (intent.kind !== "http") this.#conn.settle?.();
    switch (intent.kind) {
      case "register":
        this.#checkServerPassword(intent.password);
        if (intent.login !== undefined || intent.token !== undefined) {
          const { nick, resume } = intent;
          const login = intent.token !== undefined ? { token: intent.token } : intent.login ?? "";
          const identity = { user: intent.user, realName: intent.realName };
          this.#accountTask(() => this.#loginThenRegister(nick, login, resume, identity));
          return;
        }
        return this.#register(intent.nick, intent.resume, {
          user: intent.user,
          realName: intent.realName,
        });
      case "say":
        this.#currentRef = intent.id;
        this.#requireNick();
        return this.#pipelined({
          kind: "say",
          member,
          room: intent.room,
          text: intent.text,
          now: host.now(),
          message: messageKind(intent),
          ref: this.#ref(intent.id),
          tags: intent.tags,
        });
      case "tell":
        this.#currentRef = intent.id;
        this.#requireNick();
        return this.#pipelined({
          kind: "tell",
          member,
          nick: intent.nick,
          text: intent.text,
          now: host.now(),
          message: messageKind(intent),
          tags: intent.tags,
        });
      case "tag":
        this.#currentRef = intent.id;
        this.#requireNick();
        return this.#pipelined({
          kind: "tag",
          member,
          target: intent.room !== undefined ? { room: intent.room } : { nick: intent.nick ?? "" },
          tags: intent.tags,
          now: host.now(),
        });
      case "bot":
        this.#requireNick();
        return this.#run({ kind: "bot", member, bot: intent.bot });
      case "wallops":
        this.#requireNick();
        return this.#run({ kind: "wallops", member, wallops: intent.wallops });
      case "real_name":
        this.#requireNick();
        return this.#run({ kind: "real_name", member, realName: intent.realName });
      case "watch":
        this.#requireNick();
        return this.#run({ kind: "watch", member, nicks: intent.nicks, watch: intent.watch });
      case "history":
        this.#currentRef = intent.id;
        this.#requireNick();
        this.#deliver(host.hub.history(this.member, intent.room, intent.query));
        return;
      case "command":
        this.#currentRef = intent.id;
        this.#requireNick();
        return this.#command(intent.line, intent.room);
      case "join":
        this.#currentRef = intent.id;
        this.#requireNick();
        return this.#join(intent.room, intent.password, intent.create === true);
      case "offer":
        this.#currentRef = intent.frame.ref;
        this.#requireNick();
        this.#deliver(host.offerFile(this.member, intent.frame));
        return;
      case "saved":
        this.#requireNick();
        this.#deliver(host.fileSaved(this.member, intent.frame));
        return;
      case "transfer":
        this.#startData(intent.frame);
        return;
      case "reply":
        this.send(intent.frame);
        return;
      case "raw":
        this.#push(intent.bytes);
        return;
      case "http": {
        const raw = this.#conn.takeRaw?.();
        if (raw === undefined) {
          let waiting: Promise<void> | undefined;
          for (const each of intent.fallback) {
            waiting = waiting === undefined ? this.#act(each) : waiting.then(() => this.#act(each));
          }
          return waiting;
        }
        this.#data = true;
        this.#handedOver = true;
        this.#dataConn = raw.stream;
        this.#dataTask = host.webConnection(raw.stream, raw.head, this.remote);
        return;
      }
      case "authenticate":
        this.#currentRef = intent.id;
        this.#accountTask(() => this.#authenticate(intent));
        return;
      case "end":
        if (intent.error !== undefined) {
          this.send({ type: "failure", error: intent.error });
        }
        void this.close(intent.reason, intent.bye, DRAIN_ON_EOF_MS);
        return;
      default:
        unreachable(intent);
    }
  }

  /**
   * Runs a hub op through the server (see `SessionHost.run`): `first` right after the hub
   * changed, before anything is delivered; `after` once it is delivered. A refusal is thrown
   * (or rejected) as `ChatError`. Returns a promise when the op waits for the cluster's log.
   */
  #run(
    op: HubOp,
    after?: (outcome: HubOpOutcome) => void,
    first?: (outcome: HubOpOutcome) => void,
  ): Promise<void> | undefined {
    const ran = this.#host.run(op, first);
    if (ran instanceof Promise) {
      return ran.then((done) => {
        this.#ran(done);
        after?.(done.outcome);
      });
    }
    this.#ran(ran);
    after?.(ran.outcome);
    return undefined;
  }

  /**
   * Runs a message op (`say`, `tell`, `tag`) without waiting for it on a cluster node: the next
   * line is read while it travels through the cluster's log (which keeps their order), up to
   * MAX_PIPELINED at once; a refusal comes back later, with its ref. A dialect that holds its
   * output for a line (IRC's labeled-response) waits for each.
   */
  #pipelined(op: HubOp): Promise<void> | undefined {
    const waiting = this.#run(op);
    if (waiting === undefined || this.#dialect?.hold !== undefined) return waiting;
    const ref = this.#currentRef;
    this.#inFlight += 1;
    const done = waiting.catch((error) => {
      if (!(error instanceof ChatError)) throw error;
      if (this.#closing) return;
      this.send(ref === undefined ? { type: "failure", error } : { type: "failure", error, ref });
    }).catch((error) => this.#failed(error)).finally(() => this.#inFlight -= 1);
    return this.#inFlight >= MAX_PIPELINED ? done : undefined;
  }

  #ran({ outcome, pressure }: Ran): void {
    if (pressure !== undefined) this.#pressure.push(pressure);
    if (outcome.error !== undefined) throw outcome.error;
  }

  /** Delivers what a line of this client's caused, noting queues it filled too far. */
  #deliver(deliveries: readonly Delivery[]): void {
    const pressure = this.#host.deliver(deliveries);
    if (pressure !== undefined) this.#pressure.push(pressure);
  }

  /**
   * Flow control: while a queue this client's input filled (its own, or a recipient's) is above
   * its high-water mark, its next line is not read, so TCP slows the sender down instead of
   * the queues growing until healthy readers are dropped. Only a reader that takes no data for
   * the stall timeout is dropped (by `sweep`), which relieves its queue.
   */
  async #backOff(): Promise<void> {
    if (this.#outbox.congested) this.#pressure.push(this.#outbox.relieved());
    if (this.#pressure.length === 0) return;
    const pressure = this.#pressure;
    this.#pressure = [];
    await Promise.all(pressure);
  }

  /** Hands the connection to the file transfer it was opened for (its first and only line). */
  #startData(frame: UploadFrame | DownloadFrame): void {
    if (this.#host.hub.nickOf(this.member) !== undefined) {
      throw new ChatError(
        "bad_frame",
        `An ${frame.type} frame opens a connection of its own: it cannot follow a hello`,
      );
    }
    const conn = this.#moreInBatch ? undefined : this.#conn.detach?.();
    if (conn === undefined) {
      throw new ChatError("bad_frame", `Send nothing after the ${frame.type} line until answered`);
    }
    this.#data = true;
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
    // A cluster's log never holds the token itself: its digest is as unique.
    const sender = this.#host.clustered ? digest(this.token) : this.token;
    return { id, key: `${sender}:${id}` };
  }

  /**
   * On a private server the password comes with the nick. The third wrong or missing one closes
   * the connection after saying so (a guesser pays a reconnect for every three tries).
   */
  #checkServerPassword(given: string | undefined): void {
    if (this.#host.serverPasswordMatches(given)) return;
    this.#passwordTries += 1;
    this.#host.log.warn("bad_server_password", { id: this.id, remote: this.remote });
    if (this.#passwordTries >= MAX_PASSWORD_TRIES) {
      // After the failure below has been queued.
      queueMicrotask(() => void this.close("Wrong server password", undefined, DRAIN_ON_EOF_MS));
    }
    throw given === undefined
      ? new ChatError("password_required", "This server is private: its password is needed to join")
      : new ChatError("bad_server_password", "That is not the server's password");
  }

  #register(
    nick: string,
    resume: HelloFrame["resume"],
    identity: Identity,
  ): Promise<void> | undefined {
    const hub = this.#host.hub;
    this.#refuseBanned(nick);
    if (hub.nickOf(this.member) !== undefined) {
      throw new ChatError(
        "already_registered",
        "You are already registered",
        "use /nick to rename",
      );
    }
    // A known token: its old session (if still hanging on) gives way, and this one inherits the
    // token, so message ids keep deduplicating across the reconnect.
    if (resume !== undefined && resume.rooms.length > MAX_RESUME_ROOMS) {
      throw new ChatError("bad_frame", `A resume may name at most ${MAX_RESUME_ROOMS} rooms`);
    }
    const quiet = resume === undefined
      ? undefined
      : this.#host.quietResume(resume.token, this, nick, resume.rooms);
    if (quiet !== undefined && resume !== undefined) {
      this.token = resume.token;
      this.#host.log.info("register", {
        id: this.id,
        nick: hub.nickOf(this.member),
        mode: this.#dialect?.name,
        resumed: "quietly",
      });
      this.send(this.#welcome());
      this.#deliver(quiet);
      return;
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
    const token = resume?.token ?? this.token;
    const refused = (error: unknown) => {
      // Banned meanwhile (on another node of a cluster): refused and closed, as above.
      if (error instanceof ChatError && error.code === "banned") {
        queueMicrotask(() => void this.close("Banned", undefined, DRAIN_ON_EOF_MS));
      }
      throw error;
    };
    let waiting: Promise<void> | undefined;
    try {
      waiting = this.#run(
        {
          kind: "register",
          member: this.member,
          nick,
          now,
          identity,
          resume: resume === undefined ? undefined : { rooms, trusted: trusted ?? [] },
          // In a cluster the client may come back through another node: the token says who.
          token: this.#host.clustered ? digest(token) : undefined,
          address: hostOf(this.remote),
        },
        undefined,
        () => {
          // Kept even when not trusted (see `takeResume`), so resent messages are recognised.
          if (resume !== undefined) this.token = resume.token;
          this.#host.log.info("register", {
            id: this.id,
            nick: hub.nickOf(this.member) ?? nick,
            mode: this.#dialect?.name,
            resumed: resume === undefined ? undefined : trusted !== undefined,
          });
          this.send(this.#welcome());
        },
      );
    } catch (error) {
      refused(error);
    }
    return waiting?.catch(refused);
  }

  /** The `welcome` frame for this (registered) client. */
  #welcome(): ServerFrame {
    const welcome: ServerFrame = {
      type: "welcome",
      version: PROTOCOL_VERSION,
      server: `chat ${VERSION}`,
      nick: this.#host.hub.nickOf(this.member) ?? "",
    };
    if (this.supports.resume) {
      welcome.token = this.token;
      welcome.floodBurst = this.#host.limits.flood.burst;
      welcome.floodRate = Math.max(0, this.#host.limits.flood.perSecond);
    }
    return welcome;
  }

  /**
   * Runs a slash command line; with `create`, a `/join` of a missing room makes it (with its
   * own allowance). Returns a promise when it waits for the cluster's log.
   */
  #command(line: string, room: string, create = false): Promise<void> | undefined {
    const hub = this.#host.hub;
    const now = this.#host.now();
    const limit = findEntry(COMMANDS, splitCommandLine(line).name)?.limit;
    const bucket = limit === undefined ? undefined : this.#bucket(limit);
    if (bucket !== undefined && bucket.waitMs(now) > 0) {
      throw this.#slowDown(limit === "nick" ? "nick changes" : `/${limit} commands`, bucket);
    }
    const before = hub.nickOf(this.member);
    const after = (result: CommandResult, created: boolean) => {
      if (result.moderation !== undefined) {
        // Enforced by the server (on every node of a cluster); logged here, with who did it.
        const { ban: _ban, bye: _bye, ...act } = result.moderation;
        this.#host.log.info("moderation", { id: this.id, ...act });
      }
      if (result.account !== undefined) {
        const request = result.account;
        this.#accountTask(() => this.#accountRequest(request));
      }
      // Only what succeeded counts against the allowance: a mistyped nick or room costs nothing.
      (created ? this.#bucket("create") : bucket)?.take(now);
      const after = hub.nickOf(this.member);
      if (before !== after) this.#host.log.info("nick", { id: this.id, old: before, new: after });
      if (result.quit !== undefined) {
        const reason = result.quit === "" ? "Quit" : `Quit: ${result.quit}`;
        void this.close(reason, "Goodbye", DRAIN_ON_EOF_MS);
      }
    };
    const switched = (result: CommandResult) => {
      if (result.switchTo !== undefined) this.#dialect?.switched?.(result.switchTo);
    };
    if (isSecretCommand(line)) {
      // It holds a password, so it never goes to a cluster's log; it changes nothing in the hub
      // itself (an account request is carried out after).
      const context = { hub, id: this.member, room, now, moderation: this.#host.moderation };
      const result = runTable(COMMANDS, context, line);
      switched(result);
      this.#deliver(result.deliveries);
      after(result, false);
      return undefined;
    }
    if (create && this.#bucket("create").waitMs(now) > 0) create = false;
    return this.#run(
      { kind: "command", member: this.member, room, line, now, create },
      (outcome) => after(outcome.command ?? { deliveries: [] }, outcome.created === true),
      (outcome) => {
        if (outcome.command !== undefined) switched(outcome.command);
      },
    );
  }

  /** Joins a room, or creates it when `create` and it does not exist (each its allowance). */
  #join(
    room: string,
    password: string | undefined,
    create: boolean,
  ): Promise<void> | undefined {
    const line = password === undefined ? `/join ${room}` : `/join ${room} ${password}`;
    return this.#command(line, room, create);
  }

  /**
   * Runs an account request off the hub (passwords are hashed on worker threads); this
   * connection's input waits until it is done, so its lines keep their order.
   */
  #accountTask(task: () => Promise<void>): void {
    const ref = this.#currentRef;
    this.#busy = task().catch((error) => {
      if (this.#closing) return;
      if (error instanceof ChatError) {
        this.send(ref === undefined ? { type: "failure", error } : { type: "failure", error, ref });
        return;
      }
      this.#host.log.error("bug", { id: this.id, error: String(error), stack: errorStack(error) });
      this.#abort("Internal server error", "final");
    }).finally(() => this.#busy = undefined);
  }

  /**
   * `hello` (or `/login` typed before a nick) with an account password, or with a token (single
   * sign-on: the token names the account; `nick` is empty or that name).
   */
  async #loginThenRegister(
    nick: string,
    password: string | { readonly token: string },
    resume: HelloFrame["resume"],
    identity: Identity = {},
  ): Promise<void> {
    const hub = this.#host.hub;
    if (hub.nickOf(this.member) !== undefined) {
      throw new ChatError("already_registered", "You are already registered", "use /login");
    }
    const record = typeof password === "string"
      ? await this.#verify(nick, password)
      : await this.#verifyToken(password.token, nick);
    if (this.#closing) return;
    await this.#takeOver(record.key, resume?.token);
    const before = this.member;
    await this.#run({ kind: "login", member: before, account: record.key });
    await this.#register(record.name, resume, identity);
    if (this.member !== before) {
      // A quiet resume handed over the kept member (logged in already).
      await this.#run({ kind: "logout", member: before });
      await this.#run({ kind: "login", member: this.member, account: record.key });
    }
    this.#host.log.info("login", { id: this.id, account: record.name });
  }

  /**
   * Logs in to an account without taking its nick (IRC's SASL and OPER; see the `authenticate`
   * intent), then tells the dialect (`logged_in`).
   */
  async #authenticate(intent: Extract<Intent, { kind: "authenticate" }>): Promise<void> {
    const hub = this.#host.hub;
    const purpose = intent.purpose;
    // A token (SASL OAUTHBEARER) names its account; an account the client asked for must be it.
    const record = "token" in intent
      ? await this.#verifyToken(intent.token, intent.account)
      : await this.#verify(intent.account, intent.password);
    if (this.#closing) return;
    if (purpose === "oper" && !hub.isOperatorAccount(record.key)) {
      throw new ChatError("not_allowed", `Account ${record.name} is not an operator`);
    }
    if (purpose === "sasl") {
      this.#refuseBanned(record.name);
      await this.#takeOver(record.key);
    }
    await this.#run({ kind: "login", member: this.member, account: record.key });
    this.#host.log.info("login", { id: this.id, account: record.name, purpose });
    this.send({
      type: "logged_in",
      account: record.name,
      operator: hub.isOperator(this.member),
      purpose,
    });
  }

  /** A banned nick (or address) is refused with the reason and time left, then closed. */
  #refuseBanned(nick: string): void {
    const now = this.#host.now();
    const ban = this.#host.moderation.banFor(nick, hostOf(this.remote), now);
    if (ban === undefined) return;
    this.#host.log.warn("refused_banned", { id: this.id, remote: this.remote, nick });
    queueMicrotask(() => void this.close("Banned", undefined, DRAIN_ON_EOF_MS));
    throw new ChatError("banned", describeBan(ban, now));
  }

  /** Checks a password for an account, logging a failure (never the password). */
  async #verify(nick: string, password: string) {
    try {
      return await this.#host.accounts.verify(nick, password, this.remote);
    } catch (error) {
      if (error instanceof ChatError) {
        this.#host.log.warn("login_failed", {
          id: this.id,
          remote: this.remote,
          account: nick,
          reason: error.code,
        });
      }
      throw error;
    }
  }

  /**
   * Checks a token (single sign-on) and returns the account it names, logging a failure (never
   * the token). With `nick` (a hello's), the token must name that nick.
   */
  async #verifyToken(token: string, nick = "") {
    try {
      const record = await this.#host.accounts.loginWithToken(token, this.remote);
      if (nick !== "" && nickKey(nick) !== record.key) {
        throw new ChatError(
          "login_failed",
          `Token refused: it is for ${record.name}, not ${nick}`,
        );
      }
      return record;
    } catch (error) {
      if (error instanceof ChatError) {
        this.#host.log.warn("login_failed", {
          id: this.id,
          remote: this.remote,
          account: nick === "" ? undefined : nick,
          reason: error.message,
        });
      }
      throw error;
    }
  }

  /** The newest login wins: whoever else holds the account's nick or login is let go. */
  async #takeOver(key: string, token?: string): Promise<void> {
    const hub = this.#host.hub;
    if (this.#host.clustered) {
      // Wherever they are connected: every node removes them, in the log's order.
      await this.#run({
        kind: "take_over",
        member: this.member,
        account: key,
        now: this.#host.now(),
      });
      return;
    }
    for (const holder of [hub.idOf(key), hub.loggedIn(key)]) {
      if (holder !== undefined && holder !== this.member) {
        this.#host.takeOver(holder, this, token);
      }
    }
  }

  /** Carries out `/register`, `/login`, `/passwd` or `/unregister`. */
  async #accountRequest(request: AccountRequest): Promise<void> {
    const host = this.#host;
    const hub = host.hub;
    const notice = (text: string) => this.send({ type: "notice", text });
    const member = this.member;
    switch (request.kind) {
      case "register": {
        const nick = hub.nickOf(this.member) ?? "";
        const record = await host.accounts.register(nick, request.password);
        if (this.#closing) return;
        await this.#run({ kind: "login", member, account: record.key });
        host.log.info("account_registered", { id: this.id, account: record.name });
        notice(
          `Nick ${record.name} is now your account: next time log in with ` +
            `/login ${record.name} PASSWORD (chat join --password-file FILE)`,
        );
        return;
      }
      case "login": {
        const record = "token" in request
          ? await this.#verifyToken(request.token)
          : await this.#verify(request.nick, request.password);
        if (this.#closing) return;
        this.#refuseBanned(record.name);
        await this.#takeOver(record.key);
        await this.#run({ kind: "login", member, account: record.key });
        const nick = hub.nickOf(member);
        if (nick === undefined || nickKey(nick) !== record.key || nick !== record.name) {
          await this.#run({ kind: "rename", member, nick: record.name, now: host.now() });
        }
        host.log.info("login", { id: this.id, account: record.name });
        notice(`Logged in as ${record.name}`);
        return;
      }
      case "passwd": {
        const name = this.#accountName();
        await host.accounts.change(name, request.old, request.password, this.remote);
        host.log.info("account_password_changed", { id: this.id, account: name });
        notice("Password changed");
        return;
      }
      case "unregister": {
        const name = this.#accountName();
        await host.accounts.remove(name, request.password, this.remote);
        await this.#run({ kind: "logout", member });
        host.log.info("account_deleted", { id: this.id, account: name });
        notice(`Account ${name} deleted: the nick is free for anyone`);
        return;
      }
      default:
        unreachable(request);
    }
  }

  /** The name of the account this connection is logged in to. */
  #accountName(): string {
    const key = this.#host.hub.accountOf(this.member);
    const record = key === undefined ? undefined : this.#host.accounts.store.find(key);
    if (record === undefined) throw new ChatError("not_logged_in", "You are not logged in");
    return record.name;
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
    if (this.#host.hub.nickOf(this.member) === undefined) {
      throw new ChatError("not_registered", "Send a hello frame with your nick first");
    }
  }

  /** Drops the connection at once (overflow, write error, bug); the rooms hear `reason`. */
  #abort(reason: string, ending: Ending): void {
    if (this.#closing || this.#aborting) return;
    this.#aborting = true;
    this.#host.log.warn("drop", { id: this.id, reason });
    // Deferred: this may run in the middle of a fan-out, and the room must see the frame being
    // delivered before it sees this client leave.
    queueMicrotask(() => void this.close(reason, undefined, 0, ending));
  }

  #leaveHub(reason: string): void {
    const nick = this.#host.hub.nickOf(this.member);
    // A cluster's other nodes never heard of a member that did not register.
    if (nick === undefined && this.#host.clustered) return;
    const ran = this.#host.run({
      kind: "disconnect",
      member: this.member,
      reason,
      now: this.#host.now(),
    });
    // Someone leaving is retried until the cluster's log takes it.
    if (ran instanceof Promise) ran.catch(() => {});
    if (nick !== undefined) this.#host.log.info("leave", { id: this.id, nick, reason });
  }
}

/** How an intent's text is meant: a notice, a `/me` action, or plain text. */
function messageKind(intent: { notice?: boolean; action?: boolean }): "text" | "action" | "notice" {
  return intent.notice === true ? "notice" : intent.action === true ? "action" : "text";
}

/** A resume token as a cluster's log carries it: its SHA-256, so Redis never holds the token. */
function digest(token: string): string {
  return createHash("sha256").update(token, "utf8").digest("base64url");
}

function errorStack(error: unknown): string | undefined {
  return error instanceof Error ? error.stack : undefined;
}
