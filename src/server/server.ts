/**
 * The chat server: accepts connections from the listener it is given (TCP, or memory in tests;
 * each served concurrently), owns the hub, delivers frames to sessions, greets silent `nc`
 * users, and shuts down gracefully.
 */
import {
  DEFAULT_MAX_CLIENTS,
  DEFAULT_MAX_FILE_BYTES,
  DEFAULT_MAX_OUTBOX_BYTES,
  DEFAULT_MAX_PER_IP,
  FLOOD_BURST,
  FLOOD_PER_SECOND,
  HISTORY_REPLAY_MAX_BYTES,
  LOBBY,
  MAX_LINE_BYTES,
  PING_AFTER_MS,
  PING_TIMEOUT_MS,
  REGISTRATION_TIMEOUT_MS,
  RESUME_GRACE_MS,
  RESUME_WINDOW_MS,
  SHUTDOWN_FLUSH_MS,
  SWEEP_MS,
  WRITE_STALL_MS,
} from "../limits.ts";
import type { Logger } from "../log.ts";
import { formatHostPort } from "../carrier/tcp.ts";
import type { Accepted, ByteStream, LineConnection, Listener } from "../carrier/connection.ts";
import { serveHttp } from "../carrier/http_front.ts";
import { type Delivery, Hub, type MemberId } from "./hub.ts";
import type { DialectOptions, SharedEncodings } from "../dialect/dialect.ts";
import type { HubEvent } from "./events.ts";
import { FlushScheduler, type Outbox } from "./outbox.ts";
import { type Ran, Session, type SessionHost, type SessionLimits } from "./session.ts";
import type { AdminApi, ClusterView, StoreSummary } from "./console_commands.ts";
import { Transfers } from "./transfers.ts";
import { serveFileRequest } from "./http_files.ts";
import type { DownloadFrame, OfferFrame, SavedFrame, UploadFrame } from "../protocol.ts";
import { createHash, timingSafeEqual } from "node:crypto";
import { ChatError } from "../errors.ts";
import { validateNick } from "../nick.ts";
import type { Store } from "../store/store.ts";
import { Accounts } from "./accounts.ts";
import { discoveryUrl, type TokenVerifier } from "./token_login.ts";
import { MemoryAccountStore } from "../store/memory_account_store.ts";
import { MemoryModerationStore } from "../store/memory_moderation_store.ts";
import type { BanRecord } from "../store/moderation_store.ts";
import { describeBan, Moderation } from "./moderation.ts";
import { addressMatches, hostOf } from "../address_match.ts";
import { nickKey } from "../nick.ts";
import { applyHubOp, type HubOp, type HubOpOutcome, NODE_SPAN } from "./hub_op.ts";
import { ResumeTokens } from "./resume_tokens.ts";
import type { LogHealth, OpEntry, OpLog } from "./op_log.ts";

/** Options for {@linkcode ChatServer}. */
export interface ServerOptions {
  /** Where connections come from (`listenTcp`, or a `MemoryListener` in tests). */
  listener: Listener;
  /** The password every client must give before anything else (a private server). */
  serverPassword?: string;
  /** More places connections come from, served alike (the TLS port). */
  moreListeners?: readonly Listener[];
  /** Bytes that may wait for one client before it is dropped. @default DEFAULT_MAX_OUTBOX_BYTES */
  maxOutboxBytes?: number;
  /** How long a silent connection waits before it gets the plain-text greeting, in ms. @default 500 */
  greetAfterMs?: number;
  /** Rooms to create at start (persistent, no owner). */
  rooms?: readonly { name: string; limit?: number }[];
  /** Messages each room keeps for replay. @default DEFAULT_HISTORY */
  historySize?: number;
  /** Whether users may create rooms. @default true */
  userRooms?: boolean;
  /** Most connections at once; 0 for no limit. @default DEFAULT_MAX_CLIENTS */
  maxClients?: number;
  /** Most connections from one IP address; 0 for no limit. @default DEFAULT_MAX_PER_IP */
  maxPerIp?: number;
  /** Largest file people may share, in bytes; 0 turns file sharing off. @default DEFAULT_MAX_FILE_BYTES */
  maxFileBytes?: number;
  /** Time limits and flood control (each field has a default from limits.ts). */
  limits?: Partial<SessionLimits>;
  /** How long a dropped user stays, for a quiet resume (ms; 0: not at all). @default RESUME_GRACE_MS */
  resumeGraceMs?: number;
  /** @default Date.now */
  clock?: () => number;
  /**
   * The server's web address for the download link of each shared file (`http://HOST:PORT`, as
   * `chat serve` prints it). @default no links in offers
   */
  webAddress?: string;
  /** Other sites whose pages may open a WebSocket here (`*`: any). @default none */
  allowedOrigins?: readonly string[];
  /**
   * Where rooms and messages are kept (committed before anything goes out); the caller opens
   * and closes it. @default memory, forgotten on exit
   */
  store?: Store;
  /** How long messages are kept in the store, in ms; older ones are deleted. @default forever */
  retainMs?: number;
  /** The server's name, for dialects that show one (IRC). @default "chat" */
  serverName?: string;
  /** The server's description, for dialects that show one (IRC). @default "chat VERSION" */
  serverInfo?: string;
  /** scrypt's N for account password hashes (tests make it small). @default ACCOUNT_COST */
  accountCost?: number;
  /** Accounts that are operators whatever the store says (`--admin NICK`). */
  admins?: readonly string[];
  /** Checks tokens as logins (single sign-on, `--oidc-issuer`). @default no token logins */
  tokens?: TokenVerifier;
  /**
   * The cluster's shared op log (`--redis`): this server is then one node of several that apply
   * the same hub ops in the same order. @default a server on its own
   */
  opLog?: OpLog;
}

/** A session waiting for its op to come back through the cluster's log. */
interface Waiting {
  readonly first: ((outcome: HubOpOutcome) => void) | undefined;
  readonly resolve: (ran: Ran) => void;
  readonly reject: (error: unknown) => void;
}

/** A user kept in the hub after their connection dropped, for a quiet resume. */
interface Lingering {
  readonly token: string;
  readonly member: MemberId;
  readonly reason: string;
  readonly until: number;
  /** Frames for them that history will not give back (private messages, notices). */
  readonly kept: { frame: HubEvent; encoded: SharedEncodings }[];
}

/** Frames a resumed client gets back another way: history, or its rooms' `room` frames. */
const RESYNCED: ReadonlySet<string> = new Set([
  // ...or that are not worth keeping: others' away changes, tags without a message.
  "user_away",
  "account",
  "real_name",
  "presence",
  "tags",
  "message",
  "join",
  "leave",
  "quit",
  "nick",
  "topic",
  "room",
  "mode",
]);

/** Most new messages indexed for search at once (each second). */
const INDEX_BATCH = 10_000;

/** Most old messages deleted at once (each second) under `--retain`. */
const PRUNE_BATCH = 2000;

/** Most frames kept for a lingering user; past it they are taken for gone. */
const MAX_KEPT_FRAMES = 500;

/** Where a client that lost its connection may come back: its nick and rooms, for a while. */
interface ResumeRecord {
  rooms: readonly string[];
  expires: number;
}

/** A running chat server. */
export class ChatServer implements SessionHost, AdminApi {
  readonly hub: Hub;
  readonly accounts: Accounts;
  readonly moderation: Moderation;
  readonly log: Logger;
  readonly maxOutboxBytes: number;
  readonly limits: SessionLimits;
  readonly dialectOptions: DialectOptions;
  /** Where the server listens (port 0 resolved to the real port). */
  readonly addr: { readonly hostname: string; readonly port: number };
  /** Resolves when the server has shut down and every connection is closed. */
  readonly finished: Promise<void>;
  /** The main listener first, then the others. */
  readonly #listeners: readonly Listener[];
  /** Open connections by connection id. */
  readonly #sessions = new Map<number, Session>();
  /** The session carrying each member (registered or not yet) while connected. */
  readonly #carriers = new Map<MemberId, Session>();
  readonly #running = new Set<Promise<void>>();
  readonly #flusher: FlushScheduler;
  readonly #store: Store | undefined;
  /** Why the store could not commit, if it could not: nothing more goes out. */
  #storeError: string | undefined;
  /** Shutting down: what changes now (everyone leaving) is not kept. */
  #storeFrozen = false;
  readonly #retainMs: number | undefined;
  /**
   * Until when user rooms brought back from the store may wait, empty, for their people to
   * resume into them; then the empty ones go, as they would have when their last member left.
   */
  #emptyRoomsUntil: number | undefined;
  readonly #clock: () => number;
  readonly #greetAfterMs: number;
  readonly #maxClients: number;
  readonly #maxPerIp: number;
  /** Open connections per remote IP address. */
  readonly #perIp = new Map<string, number>();
  /** Live sessions by resume token, and records of dropped ones. */
  readonly #byToken = new Map<string, Session>();
  readonly #resumable = new Map<string, ResumeRecord>();
  /** Users whose connection dropped, kept for a quiet resume: by token, and by member. */
  readonly #lingering = new Map<string, Lingering>();
  readonly #lingeringMembers = new Map<MemberId, Lingering>();
  readonly #resumeGraceMs: number;
  readonly #sweeper: ReturnType<typeof setInterval>;
  readonly #transfers: Transfers;
  /** Connections the web front is reading a request from (closed at shutdown). */
  readonly #webPending = new Set<ByteStream>();
  readonly #allowedOrigins: readonly string[];
  #nextId = 1;
  #nextMember = 1;
  /** The cluster's log, on a cluster node. */
  readonly #opLog: OpLog | undefined;
  /** Applied every op the log held at start: connections may be served. */
  readonly #ready: Promise<void>;

  /** Resolves once a cluster node has caught up with its cluster (at once for a server alone). */
  get ready(): Promise<void> {
    return this.#ready;
  }
  /** Ops of this node's sessions on their way through the log, by ticket. */
  readonly #waiting = new Map<number, Waiting>();
  #nextTicket = 1;
  /** Members by resume-token digest, across the cluster (see `hub_op.ts`). */
  readonly #tokens = new ResumeTokens();
  /** Nodes this node has said are gone (each is said once). */
  readonly #nodesDown = new Set<number>();
  #checkingNodes = false;
  /** The cluster's nodes by number, with their names (from their leases, read each second). */
  #nodeNames = new Map<number, string>();
  /** SHA-256 of the server's password, on a private server. */
  readonly #passwordDigest: Uint8Array | undefined;
  #shuttingDown = false;

  /**
   * Creates the rooms, binds the port and starts accepting. Throws `ChatError` for a bad room
   * and Deno's errors if the port cannot be bound.
   */
  constructor(options: ServerOptions, log: Logger) {
    this.log = log;
    this.#clock = options.clock ?? Date.now;
    const maxOutboxBytes = this.maxOutboxBytes = options.maxOutboxBytes ??
      DEFAULT_MAX_OUTBOX_BYTES;
    this.#store = options.store;
    this.#retainMs = options.retainMs;
    this.#flusher = new FlushScheduler(undefined, () => this.#commit());
    this.accounts = new Accounts({
      store: options.store?.accounts ?? new MemoryAccountStore(),
      clock: this.#clock,
      cost: options.accountCost,
      // A cluster's nodes change their accounts alike, in the log's order.
      write: options.opLog === undefined ? undefined : async (change) => {
        const { outcome } = await this.run(change);
        if (outcome.error !== undefined) throw outcome.error;
      },
      tokens: options.tokens,
    });
    this.moderation = new Moderation(options.store?.moderation ?? new MemoryModerationStore());
    this.hub = new Hub({
      accounts: this.accounts.store,
      moderation: this.moderation.store,
      operators: options.admins,
      historySize: options.historySize,
      userRooms: options.userRooms,
      // A quarter of a client's queue at most: the rest is for the room list, members, traffic.
      historyBytes: Math.min(HISTORY_REPLAY_MAX_BYTES, Math.floor(maxOutboxBytes / 4)),
      roomLog: options.store?.roomLog,
      roomDirectory: options.store?.roomDirectory,
    });
    this.#opLog = options.opLog;
    if (this.#opLog !== undefined) {
      this.#nextMember = this.#opLog.node * NODE_SPAN + 1;
      this.#opLog.onHealth((health) => this.#healthChanged(health));
    }
    // Kept from the last run (or made by another node): it stays when empty, and the command
    // line's limit holds.
    const rooms = (options.rooms ?? []).map((room): HubOp => ({
      kind: "keep_room",
      name: room.name,
      limit: room.limit,
      now: this.now(),
    }));
    if (this.#opLog === undefined) {
      for (const op of rooms) this.#applyNow(op, undefined);
      this.#ready = Promise.resolve();
    } else {
      this.#ready = this.#opLog.follow((entry) => this.#applyEntry(entry)).then(async () => {
        for (const op of rooms) await this.run(op);
      });
    }
    this.#commit();
    if (options.store !== undefined) this.#emptyRoomsUntil = this.now() + RESUME_WINDOW_MS;
    this.#greetAfterMs = options.greetAfterMs ?? 500;
    const issuer = options.tokens?.issuer;
    this.dialectOptions = {
      ...options.serverName === undefined ? {} : { serverName: options.serverName },
      ...options.serverInfo === undefined ? {} : { serverInfo: options.serverInfo },
      ...options.tokens === undefined
        ? {}
        : { tokens: issuer === undefined ? {} : { configuration: discoveryUrl(issuer).href } },
    };
    // A cluster node keeps no one for a quiet resume: a client comes back through any node.
    this.#resumeGraceMs = options.opLog !== undefined
      ? 0
      : options.resumeGraceMs ?? RESUME_GRACE_MS;
    this.#allowedOrigins = options.allowedOrigins ?? [];
    this.#maxClients = options.maxClients ?? DEFAULT_MAX_CLIENTS;
    this.#maxPerIp = options.maxPerIp ?? DEFAULT_MAX_PER_IP;
    this.limits = {
      flood: { burst: FLOOD_BURST, perSecond: FLOOD_PER_SECOND },
      registrationTimeoutMs: REGISTRATION_TIMEOUT_MS,
      pingAfterMs: PING_AFTER_MS,
      pingTimeoutMs: PING_TIMEOUT_MS,
      writeStallMs: WRITE_STALL_MS,
      ...options.limits,
    };
    this.#listeners = [options.listener, ...options.moreListeners ?? []];
    this.#passwordDigest = options.serverPassword === undefined
      ? undefined
      : sha256(options.serverPassword);
    this.addr = options.listener.addr;
    let spool = "";
    let maxFileBytes = options.maxFileBytes ?? DEFAULT_MAX_FILE_BYTES;
    if (maxFileBytes > 0) {
      try {
        spool = Deno.makeTempDirSync({ prefix: "chat-files-" });
      } catch (error) {
        // Without a place to keep files (no write permission, say) the server still serves chat.
        log.warn("file_sharing_off", { reason: `cannot create a spool directory: ${error}` });
        maxFileBytes = 0;
      }
    }
    this.#transfers = new Transfers(
      spool,
      { maxFileBytes, linkBase: options.webAddress },
      { log, clock: this.#clock, deliver: (deliveries) => this.deliver(deliveries) },
    );
    this.#sweeper = setInterval(() => this.#sweep(), SWEEP_MS);
    this.finished = this.#acceptLoop();
  }

  /** Why the store failed, stopping the server, if it did. */
  get storeError(): string | undefined {
    return this.#storeError;
  }

  /** Listening address as `host:port`. */
  get address(): string {
    return formatHostPort(this.addr.hostname, this.addr.port);
  }

  now(): number {
    return this.#clock();
  }

  /** Whether this server is one node of a cluster. */
  get clustered(): boolean {
    return this.#opLog !== undefined;
  }

  /** The cluster's log, on a cluster node. */
  get opLog(): OpLog | undefined {
    return this.#opLog;
  }

  /** The cluster as this node sees it (for the admin console); undefined for a server alone. */
  get cluster(): ClusterView | undefined {
    const log = this.#opLog;
    if (log === undefined) return undefined;
    const nameOf = (node: number) =>
      this.#nodeNames.get(node) ?? (node === log.node ? log.name : `node ${node}`);
    return {
      nodes: () => {
        const people = new Map<number, number>();
        for (const id of this.hub.ids()) {
          const node = Math.floor(id / NODE_SPAN);
          people.set(node, (people.get(node) ?? 0) + 1);
        }
        const numbers = new Set([...this.#nodeNames.keys(), log.node]);
        return [...numbers].sort((a, b) => a - b).map((node) => ({
          node,
          name: nameOf(node),
          people: people.get(node) ?? 0,
          self: node === log.node,
        }));
      },
      nodeOf: (member) => nameOf(Math.floor(member / NODE_SPAN)),
    };
  }

  /**
   * Carries out a hub op: at once on a server of its own, or, on a cluster node, once the
   * cluster's log hands it back in its turn (then the returned promise resolves). `first` runs
   * right after the hub changed, before anything is delivered (a welcome goes before the room
   * frames). A refusal is in the outcome's `error`. Rejects with `ChatError` `unavailable` when
   * the cluster's log cannot be reached.
   */
  run(op: HubOp, first?: (outcome: HubOpOutcome) => void): Ran | Promise<Ran> {
    const log = this.#opLog;
    if (log === undefined) return this.#applyNow(op, first);
    // A node shutting down says once that all its people left (see `shutdown`).
    if (this.#shuttingDown && op.kind === "disconnect") return { outcome: { deliveries: [] } };
    const ticket = this.#nextTicket++;
    return new Promise<Ran>((resolve, reject) => {
      this.#waiting.set(ticket, { first, resolve, reject });
      const mustLand = op.kind === "disconnect" || op.kind === "node_down";
      log.append(op, ticket, mustLand).catch((error) => {
        this.#waiting.delete(ticket);
        reject(error);
      });
    });
  }

  #applyNow(op: HubOp, first: ((outcome: HubOpOutcome) => void) | undefined): Ran {
    const outcome = applyHubOp(
      { hub: this.hub, moderation: this.moderation, accounts: this.accounts.store },
      op,
    );
    if (outcome.error === undefined) first?.(outcome);
    const pressure = this.deliver(outcome.deliveries);
    this.#afterOp(outcome);
    return pressure === undefined ? { outcome } : { outcome, pressure };
  }

  /** Applies an op from the cluster's log (every node does, in the same order). */
  #applyEntry(entry: OpEntry): void {
    const mine = entry.node === this.#opLog?.node;
    const waiting = mine ? this.#waiting.get(entry.ticket) : undefined;
    if (waiting !== undefined) this.#waiting.delete(entry.ticket);
    if (entry.late) {
      // Its sender was told it failed: no node applies it.
      waiting?.resolve({ outcome: { deliveries: [], error: unavailableError() } });
      return;
    }
    let outcome: HubOpOutcome;
    try {
      outcome = applyHubOp(
        {
          hub: this.hub,
          moderation: this.moderation,
          tokens: this.#tokens,
          accounts: this.accounts.store,
        },
        entry.op,
      );
    } catch (error) {
      this.log.error("bug", { entry: entry.id, error: String(error), stack: errorStack(error) });
      waiting?.reject(error);
      return;
    }
    let failed: unknown;
    if (outcome.error === undefined && waiting?.first !== undefined) {
      try {
        waiting.first(outcome);
      } catch (error) {
        failed = error;
      }
    }
    const pressure = this.deliver(outcome.deliveries);
    this.#afterOp(outcome);
    if (waiting !== undefined) {
      if (failed !== undefined) waiting.reject(failed);
      else waiting.resolve(pressure === undefined ? { outcome } : { outcome, pressure });
    } else if (
      mine && entry.op.kind === "register" && outcome.error === undefined &&
      this.#carriers.get(entry.op.member)?.closing !== false
    ) {
      // Registered after its session gave up waiting (or closed): it leaves again.
      void this.run({
        kind: "disconnect",
        member: entry.op.member,
        reason: "Connection closed",
        now: this.now(),
      });
    }
  }

  /** What every node does after an op: enforce a new ban, put out whom it removed. */
  #afterOp(outcome: HubOpOutcome): void {
    const act = outcome.command?.moderation;
    if (act !== undefined) {
      if (act.ban !== undefined) this.enforceBan(act.ban);
      if (act.action === "kill" && act.bye !== undefined) this.disconnect(act.target, act.bye);
    }
    if (this.#shuttingDown) return;
    for (const member of outcome.gone ?? []) {
      const session = this.#carriers.get(member);
      if (session === undefined || session.closing) continue;
      if (outcome.goneWhy !== undefined) {
        void session.close(outcome.goneWhy, outcome.goneWhy, 1000);
      } else if (Math.floor(member / NODE_SPAN) === this.#opLog?.node) {
        // This node was taken for gone by the others: its people reconnect (to any node).
        const why = "This server lost touch with the cluster: reconnect";
        void session.close(why, why, SHUTDOWN_FLUSH_MS, "resumable");
      } else void session.close("Reconnected elsewhere", undefined, 0);
    }
  }

  /** Tells everyone here once when the cluster's Redis goes away, and when it is back. */
  #healthChanged(health: LogHealth): void {
    const text = health === "healthy"
      ? "The server is back to normal: messages can be sent again"
      : "The server is degraded: messages cannot be sent right now";
    for (const session of this.#sessions.values()) {
      if (!session.closing && this.hub.nickOf(session.member) !== undefined) {
        session.send({ type: "notice", text });
      }
    }
  }

  /** Once a second on a cluster node: members of nodes whose lease ran out leave. */
  async #checkNodes(): Promise<void> {
    const log = this.#opLog;
    if (log === undefined || this.#checkingNodes || this.#shuttingDown) return;
    this.#checkingNodes = true;
    try {
      this.#nodeNames = new Map((await log.nodes()).map(({ node, name }) => [node, name]));
      const nodes = new Set(this.hub.ids().map((id) => Math.floor(id / NODE_SPAN)));
      for (const node of this.#nodesDown) nodes.delete(node);
      nodes.delete(log.node);
      if (nodes.size === 0) return;
      for (const node of await log.goneNodes([...nodes])) {
        this.#nodesDown.add(node);
        this.log.warn("node_gone", { node });
        void this.run({
          kind: "node_down",
          node,
          reason: "Connection to their server was lost",
          now: this.now(),
        });
      }
    } catch {
      // Redis is away: asked again next second.
    } finally {
      this.#checkingNodes = false;
    }
  }

  readonly schedule = (outbox: Outbox): void => this.#flusher.schedule(outbox);

  deliver(deliveries: readonly Delivery[]): Promise<void> | undefined {
    // Shutting down, everyone leaves at once: only each client's own `bye` goes out, not a
    // cascade of leave notices (n squared frames).
    if (this.#shuttingDown) return undefined;
    let congested: Set<Session> | undefined;
    for (const delivery of deliveries) {
      this.#logDelivery(delivery);
      const encoded: SharedEncodings = delivery.encoded ?? new Map();
      for (const id of delivery.to) {
        // Most of the time nobody lingers: no lookup per recipient then.
        const lingering = this.#lingeringMembers.size > 0
          ? this.#lingeringMembers.get(id)
          : undefined;
        if (lingering !== undefined) {
          this.#keep(lingering, delivery.frame, encoded);
          continue;
        }
        const session = this.#carriers.get(id);
        if (session === undefined) continue;
        session.send(delivery.frame, encoded);
        if (session.congested) (congested ??= new Set()).add(session);
      }
    }
    if (congested === undefined) return undefined;
    return Promise.all([...congested].map((session) => session.relieved())).then(() => {});
  }

  offerFile(id: MemberId, frame: OfferFrame): Delivery[] {
    const sender = this.hub.nickOf(id) ?? "";
    if (frame.to !== undefined) {
      const to = this.hub.requireIdOf(frame.to);
      if (to === id) throw new ChatError("bad_arguments", "That is you: pick someone else");
      const supports = this.#carriers.get(to)?.supports;
      if (supports?.links === true && supports.files !== true) {
        // A plain-text user gets the download link.
        const nick = this.hub.nickOf(to);
        const target = { senderId: id, sender, to: nick, recipients: [], linkViewers: [to] };
        return this.#transfers.offer(frame, target);
      }
      if (supports?.files !== true) {
        throw new ChatError(
          "file_refused",
          `${
            this.hub.nickOf(to)
          } cannot receive files: their client (nc or telnet?) has no file support`,
        );
      }
      return this.#transfers.offer(frame, {
        senderId: id,
        sender,
        to: this.hub.nickOf(to),
        recipients: [to],
      });
    }
    const { room, ids } = this.hub.othersIn(id, frame.room ?? LOBBY);
    // Plain-text users see the announcement's absence, not a file they can never fetch.
    const recipients = ids.filter((other) => this.#carriers.get(other)?.supports.files === true);
    // Plain-text users get the download link instead.
    const linkViewers = ids.filter((other) => {
      const supports = this.#carriers.get(other)?.supports;
      return supports?.files !== true && supports?.links === true;
    });
    return this.#transfers.offer(frame, { senderId: id, sender, room, recipients, linkViewers });
  }

  fileSaved(id: MemberId, frame: SavedFrame): Delivery[] {
    return this.#transfers.saved(id, frame, this.hub.nickOf(id) ?? "");
  }

  async webConnection(stream: ByteStream, head: Uint8Array, remote: string): Promise<void> {
    this.#webPending.add(stream);
    let lines: LineConnection | undefined;
    try {
      lines = await serveHttp(stream, head, {
        remote,
        maxLineBytes: MAX_LINE_BYTES,
        files: (conn, request) => serveFileRequest(this.#transfers, conn, request),
        allowedOrigins: this.#allowedOrigins,
      });
    } finally {
      this.#webPending.delete(stream);
    }
    if (lines === undefined) return;
    if (this.#shuttingDown) {
      lines.close();
      return;
    }
    // The TCP connection under it is already counted against its address.
    await this.#runSession(lines, this.#fullReason(), false);
  }

  dataConnection(frame: UploadFrame | DownloadFrame, conn: ByteStream): Promise<void> {
    return frame.type === "upload"
      ? this.#transfers.upload(conn, frame)
      : this.#transfers.download(conn, frame);
  }

  enforceBan(ban: BanRecord): void {
    const now = this.now();
    const covers = (member: MemberId, remote: string | undefined) => {
      if (ban.kind === "address") {
        return remote !== undefined && addressMatches(hostOf(remote), ban.target);
      }
      const nick = this.hub.nickOf(member);
      return nick !== undefined && nickKey(nick) === ban.target;
    };
    for (const lingering of [...this.#lingeringMembers.values()]) {
      if (covers(lingering.member, undefined)) this.#letGo(lingering);
    }
    for (const session of [...this.#sessions.values()]) {
      if (session.closing || !covers(session.member, session.remote)) continue;
      // Operators are not put out by a ban (an address ban may cover their own address).
      if (this.hub.isOperator(session.member)) continue;
      this.log.info("banned_out", { id: session.id, by: ban.by, ban: ban.label });
      void session.close(`Banned by ${ban.by}`, describeBan(ban, now), 1000);
    }
  }

  takeOver(member: MemberId, by: Session, token?: string): void {
    const lingering = this.#lingeringMembers.get(member);
    if (lingering !== undefined) {
      // Kept for a quiet resume: unless this is that resume, the newest login wins.
      if (lingering.token !== token) this.#letGo(lingering);
      return;
    }
    const session = this.#carriers.get(member);
    if (session === undefined || session === by || session.closing) return;
    if (token !== undefined && session.token === token) return; // Its resume: quietResume acts.
    this.log.info("login_elsewhere", { id: session.id, by: by.id });
    void session.close(
      "Logged in from another connection",
      "Your account was logged in from another connection",
      1000,
    );
  }

  serverPasswordMatches(given: string | undefined): boolean {
    if (this.#passwordDigest === undefined) return true;
    if (given === undefined) return false;
    // Digests of equal length, compared in constant time: the password's length leaks nothing.
    return timingSafeEqual(sha256(given), this.#passwordDigest);
  }

  linger(session: Session, reason: string): boolean {
    if (this.#resumeGraceMs <= 0 || this.#shuttingDown) return false;
    const lingering: Lingering = {
      token: session.token,
      member: session.member,
      reason,
      until: this.now() + this.#resumeGraceMs,
      kept: [],
    };
    this.#lingering.set(session.token, lingering);
    this.#lingeringMembers.set(session.member, lingering);
    this.log.info("linger", { id: session.id, nick: this.hub.nickOf(session.member), reason });
    return true;
  }

  quietResume(
    token: string,
    by: Session,
    nick: string,
    rooms: readonly { room: string; seq: number }[],
  ): Delivery[] | undefined {
    const live = this.#byToken.get(token);
    if (
      live !== undefined && live !== by && !live.closing && this.hub.idOf(nick) === live.member
    ) {
      // The old connection is still here (half-open, its drop not noticed yet): it goes, kept.
      this.log.info("resume_replaces", { id: live.id, by: by.id });
      void live.close("Connection lost", undefined, 0, "dropped");
    }
    const lingering = this.#lingering.get(token);
    if (lingering === undefined) return undefined;
    const held = this.hub.nickOf(lingering.member);
    if (held === undefined || this.hub.idOf(nick) !== lingering.member) {
      // Another nick: the kept user goes now, and the client registers as it asks.
      this.#letGo(lingering);
      return undefined;
    }
    this.#lingering.delete(token);
    this.#lingeringMembers.delete(lingering.member);
    // Offers made to the old connection are not fetched by the new one.
    this.#transfers.left(lingering.member, held);
    // The member is the same; only the session carrying it is new.
    if (this.#carriers.get(by.member) === by) this.#carriers.delete(by.member);
    by.adopt(lingering.member);
    this.#carriers.set(lingering.member, by);
    const deliveries = this.hub.resync(lingering.member, rooms);
    this.#adoptToken(token, by);
    this.log.info("resume_quiet", { id: by.id, member: lingering.member, nick: held });
    // What history does not hold comes after the room frames.
    for (const { frame, encoded } of lingering.kept) {
      deliveries.push({ to: [lingering.member], frame, encoded });
    }
    return deliveries;
  }

  /** Keeps a frame for a lingering user, or lets them go when too much piles up. */
  #keep(lingering: Lingering, frame: HubEvent, encoded: SharedEncodings): void {
    if (RESYNCED.has(frame.type)) return;
    if (lingering.kept.length >= MAX_KEPT_FRAMES) {
      // Deferred: this runs in the middle of a delivery, which must finish first.
      queueMicrotask(() => this.#letGo(lingering));
      return;
    }
    lingering.kept.push({ frame, encoded });
  }

  /**
   * A lingering user did not come back in time: their rooms hear them go now, and the token
   * still gets them back in (not quietly) within the resume window.
   */
  #letGo(lingering: Lingering): void {
    const token = lingering.token;
    if (this.#lingering.get(token) !== lingering) return;
    this.#lingering.delete(token);
    this.#lingeringMembers.delete(lingering.member);
    const nick = this.hub.nickOf(lingering.member);
    const rooms = this.hub.roomKeysOf(lingering.member);
    this.deliver(this.hub.disconnect(lingering.member, lingering.reason, this.now()));
    if (nick !== undefined) this.#transfers.left(lingering.member, nick);
    this.log.info("leave", { member: lingering.member, nick, reason: lingering.reason });
    if (!this.#shuttingDown) {
      this.#resumable.set(token, { rooms, expires: this.now() + RESUME_WINDOW_MS });
    }
  }

  ended(session: Session, resumable: boolean): void {
    this.#sessions.delete(session.id);
    if (this.#byToken.get(session.token) === session) this.#byToken.delete(session.token);
    const carrier = this.#carriers.get(session.member);
    if (carrier === session) this.#carriers.delete(session.member);
    // Kept for a quiet resume (the record is made if they do not come back in time), or carried
    // on by a new connection already: the member is not gone.
    if (this.#lingeringMembers.has(session.member) || carrier !== session) return;
    if (session.nickAtClose !== undefined) {
      this.#transfers.left(session.member, session.nickAtClose);
    }
    // No record when another session has taken the token over (it resumed meanwhile).
    if (resumable && !this.#shuttingDown && !this.#byToken.has(session.token)) {
      this.#resumable.set(session.token, {
        rooms: session.roomsAtClose,
        expires: this.now() + RESUME_WINDOW_MS,
      });
    }
  }

  takeResume(token: string, by: Session, nick: string): readonly string[] | undefined {
    const live = this.#byToken.get(token);
    // Only a resume that can succeed ends the old session or uses up the record.
    try {
      validateNick(nick);
    } catch {
      return undefined;
    }
    const holder = this.hub.idOf(nick);
    if (holder !== undefined && (live === undefined || holder !== live.member)) return undefined;
    if (live !== undefined && live !== by) {
      // The old connection is still here (half-open): it gives way to the new one.
      // A session already on its way out has left its rooms: use the ones it had.
      const rooms = live.closing ? live.roomsAtClose : live.currentRoomKeys();
      this.log.info("resume_replaces", { id: live.id, by: by.id });
      void live.close("Reconnected", undefined, 0);
      this.#adoptToken(token, by);
      return rooms;
    }
    const record = this.#resumable.get(token);
    this.#resumable.delete(token);
    // Known or not (given out before a restart, or expired), the session keeps the token: the
    // client's message ids go on deduplicating against the messages kept. Only a known one is
    // trusted with its rooms.
    this.#adoptToken(token, by);
    if (record === undefined || record.expires < this.now()) return undefined;
    return record.rooms;
  }

  /** The session takes over a resumed token (the caller sets `session.token`). */
  #adoptToken(token: string, session: Session): void {
    if (this.#byToken.get(session.token) === session) this.#byToken.delete(session.token);
    this.#byToken.set(token, session);
  }

  /** Number of open connections (registered or not). */
  get connections(): number {
    return this.#sessions.size;
  }

  recentEvents(count: number): string[] {
    return this.log.recent(count);
  }

  storeStats(): StoreSummary | undefined {
    const store = this.#store;
    return store === undefined ? undefined : { location: store.location, ...store.stats() };
  }

  async backup(file: string): Promise<number> {
    if (this.#store === undefined) {
      throw new ChatError("not_allowed", "No database to back up: this server keeps nothing");
    }
    try {
      await this.#store.backup(file);
      return (await Deno.stat(file)).size;
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      throw new ChatError("bad_arguments", `Cannot back up to ${file}: ${reason}`);
    }
  }

  /** Disconnects someone by nick, telling them and their rooms why. False if nobody has it. */
  kick(nick: string, reason: string): boolean {
    const id = this.hub.idOf(nick);
    if (id === undefined) return false;
    this.log.info("kick", { id: this.#carriers.get(id)?.id ?? id, nick, reason });
    return this.disconnect(nick, `Kicked by the server admin${reason ? `: ${reason}` : ""}`);
  }

  disconnect(nick: string, why: string): boolean {
    const id = this.hub.idOf(nick);
    const lingering = id === undefined ? undefined : this.#lingeringMembers.get(id);
    if (lingering !== undefined) {
      this.#letGo(lingering);
      return true;
    }
    const session = id === undefined ? undefined : this.#carriers.get(id);
    if (session === undefined) return false;
    void session.close(why, why, SHUTDOWN_FLUSH_MS);
    return true;
  }

  /** Writes the event log entries that room changes deserve. */
  #logDelivery({ to, frame }: Delivery): void {
    // On a cluster node, each node logs what its own people do (every node applies every op).
    if (this.#opLog !== undefined && (frame.type === "room" || frame.type === "left")) {
      to = to.filter((id) => this.#carriers.has(id));
    }
    switch (frame.type) {
      case "room":
        for (const id of to) {
          this.log.info("join", { id, nick: this.hub.nickOf(id), room: frame.room });
        }
        return;
      case "left":
        for (const id of to) {
          this.log.info("part", {
            id,
            nick: this.hub.nickOf(id),
            room: frame.room,
            reason: frame.reason,
          });
        }
        return;
      case "topic":
        this.log.info("topic", { room: frame.room, by: frame.nick, topic: frame.topic });
        return;
      case "mode":
        for (const change of frame.changes) {
          this.log.info("room_change", { room: frame.room, by: frame.by, ...change });
        }
        return;
      case "announce":
        this.log.info("announce", { room: frame.room, text: frame.text });
        return;
      default:
        return;
    }
  }

  /**
   * Stops accepting, tells every client why, gives their queues a moment to drain, closes every
   * connection. `finished` resolves when all of that is done.
   */
  async shutdown(reason = "Server is shutting down", restart = false): Promise<void> {
    if (!this.#shuttingDown) {
      this.#shuttingDown = true;
      this.log.info("shutdown", { reason, clients: this.#sessions.size });
      // What was said is kept; everyone leaving now is not (their rooms wait for them).
      this.#commit();
      const log = this.#opLog;
      if (log !== undefined) {
        // The other nodes hear at once that everyone here left (not one op per person).
        const op: HubOp = { kind: "node_down", node: log.node, reason, now: this.now() };
        let timer: ReturnType<typeof setTimeout> | undefined;
        await Promise.race([
          log.append(op, 0, true),
          new Promise((resolve) => timer = setTimeout(resolve, SHUTDOWN_FLUSH_MS)),
        ]);
        clearTimeout(timer);
      }
      this.#storeFrozen = true;
      try {
        for (const listener of this.#listeners) listener.close();
      } catch {
        // Already closed.
      }
      for (const stream of this.#webPending) {
        try {
          stream.close();
        } catch {
          // Already closed.
        }
      }
      await Promise.all(
        [...this.#sessions.values()].map((session) =>
          session.close(reason, reason, SHUTDOWN_FLUSH_MS, "final", restart ? "restart" : true)
        ),
      );
    }
    await this.finished;
  }

  /**
   * Commits the store, if any: called before every flush of outgoing bytes. False when it
   * cannot: the server then writes nothing more (what it would write is not kept) and stops.
   */
  #commit(): boolean {
    if (this.#storeError !== undefined) return false;
    if (this.#storeFrozen) return true;
    try {
      this.#store?.commit();
      return true;
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      this.#storeError = reason;
      this.log.error("store_failed", { store: this.#store?.location, error: reason });
      void this.shutdown(`Server stopped: it cannot write its database: ${reason}`);
      return false;
    }
  }

  /** Once a second: each session's time limits, and expired resume records. */
  #sweep(): void {
    // Changes that sent nothing (a room made at the console) are kept within a second.
    this.#commit();
    const now = this.now();
    // New messages into the search index, a batch a second (a search indexes the rest first).
    if (this.#store !== undefined && !this.#storeFrozen) this.#store.index(INDEX_BATCH);
    if (this.#retainMs !== undefined && this.#store !== undefined && !this.#storeFrozen) {
      // A small batch a second: deleting never holds up the chat for long.
      const deleted = this.#store.prune(now - this.#retainMs, PRUNE_BATCH);
      if (deleted > 0) this.log.info("pruned", { messages: deleted });
    }
    if (this.#emptyRoomsUntil !== undefined && this.#emptyRoomsUntil <= now) {
      this.#emptyRoomsUntil = undefined;
      for (const room of this.hub.allRooms()) {
        if (room.persistent || room.members.size > 0) continue;
        const name = room.name;
        this.hub.closeRoom("admin", name, "", now);
        this.log.info("room_gone", { room: name, reason: "nobody came back after a restart" });
      }
    }
    if (this.#opLog !== undefined) void this.#checkNodes();
    for (const session of this.#sessions.values()) session.sweep(now);
    this.#transfers.sweep(now);
    for (const [token, record] of this.#resumable) {
      if (record.expires < now) this.#resumable.delete(token);
    }
    for (const lingering of this.#lingering.values()) {
      if (lingering.until <= now) this.#letGo(lingering);
    }
  }

  async #acceptLoop(): Promise<void> {
    await this.#ready;
    await Promise.all(this.#listeners.map((listener) => this.#acceptFrom(listener)));
    clearInterval(this.#sweeper);
    await Promise.all(this.#running);
    await this.#transfers.close();
    await this.#opLog?.close();
    if (this.#storeFrozen) {
      try {
        this.#store?.discard();
      } catch {
        // A store that failed may not even roll back: what it holds was never acknowledged.
      }
    }
  }

  async #acceptFrom(listener: Listener): Promise<void> {
    // An accept can fail (out of file descriptors, say): log it, pause briefly, keep accepting.
    while (!this.#shuttingDown) {
      try {
        for await (const accepted of listener) {
          if (this.#shuttingDown) {
            accepted.conn.close();
            continue;
          }
          this.#serve(accepted);
        }
        break; // The listener was closed.
      } catch (error) {
        if (this.#shuttingDown || error instanceof Deno.errors.BadResource) break;
        this.log.error("accept_error", { error: String(error) });
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    }
  }

  /** Why a new connection is turned away when the server has its most, or undefined. */
  #fullReason(): string | undefined {
    return this.#maxClients > 0 && this.#sessions.size >= this.#maxClients
      ? `Server is full: ${this.#sessions.size} connections, its most; try again later`
      : undefined;
  }

  #serve({ conn, ip }: Accepted): void {
    const fromIp = this.#perIp.get(ip) ?? 0;
    const ban = this.moderation.banFor(undefined, ip, this.now());
    const refuse = (ban === undefined ? undefined : describeBan(ban, this.now())) ??
      this.#fullReason() ??
      (this.#maxPerIp > 0 && fromIp >= this.#maxPerIp
        ? `Too many connections from your address (${fromIp}, at most ${this.#maxPerIp})`
        : undefined);
    this.#perIp.set(ip, fromIp + 1);
    const running = this.#runSession(conn, refuse, true).finally(() => {
      const count = (this.#perIp.get(ip) ?? 1) - 1;
      if (count <= 0) this.#perIp.delete(ip);
      else this.#perIp.set(ip, count);
      this.#running.delete(running);
    });
    this.#running.add(running);
  }

  /**
   * Runs a session over a line connection until it ends; `greet` when a silent peer may be an
   * `nc` user waiting to be told what to type (not so on a WebSocket).
   */
  async #runSession(
    conn: LineConnection,
    refuse: string | undefined,
    greet: boolean,
  ): Promise<void> {
    const id = this.#nextId++;
    const member = this.#nextMember++;
    const session = new Session(id, member, conn, this, refuse);
    this.#sessions.set(id, session);
    this.#carriers.set(member, session);
    this.#byToken.set(session.token, session);
    if (refuse !== undefined) {
      this.log.warn("refuse", { id, remote: session.remote, reason: refuse });
    } else this.log.info("connect", { id, remote: session.remote });
    // Dropped once it has fired: a fired timer kept in scope holds its callback for the session's
    // whole life (about 0.3 KiB per connection).
    let greeting: ReturnType<typeof setTimeout> | undefined = greet
      ? setTimeout(() => {
        greeting = undefined;
        session.greet();
      }, this.#greetAfterMs)
      : undefined;
    try {
      await session.run();
    } finally {
      clearTimeout(greeting);
    }
  }
}

function unavailableError(): ChatError {
  return new ChatError(
    "unavailable",
    "The server is degraded: messages cannot be sent right now: try again soon",
  );
}

function errorStack(error: unknown): string | undefined {
  return error instanceof Error ? error.stack : undefined;
}

function sha256(text: string): Uint8Array {
  return new Uint8Array(createHash("sha256").update(text, "utf8").digest());
}
