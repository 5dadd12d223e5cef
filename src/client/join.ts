/**
 * `chat join`: connect, pick a nick, then chat until the user quits or the server ends the
 * session. A dropped connection is not the end: the client reconnects by itself (backoff with
 * jitter, a status line each attempt), resumes with its token, gets what it missed from each
 * room's history, and resends messages the server had not acknowledged (under the same ids, so
 * none is delivered twice). Works through a `ChatUi` and `ServerConnection`s; returns the exit
 * code.
 */
import type { JoinCommand } from "../cli.ts";
import { parseAddress } from "../cli.ts";
import { UsageError } from "../errors.ts";
import { LOBBY } from "../limits.ts";
import {
  type ClientFrame,
  type RoomFrame,
  type SayFrame,
  type ServerFrame,
  unreachable,
} from "../protocol.ts";
import { type Line, renderFrame } from "../render.ts";
import { roomKey } from "../room_name.ts";
import type { ChatUi } from "../terminal/ui.ts";
import { formatHostPort } from "../transport/tcp.ts";
import { PROTOCOL_VERSION, VERSION } from "../version.ts";
import { ConnectError, type ServerConnection } from "./connection.ts";
import {
  findLocalCommand,
  LOCAL_HELP,
  type LocalAction,
  parseSendArgs,
  quitReason,
  switchTarget,
} from "./local_commands.ts";
import { DataLink } from "./data_link.ts";
import { TokenBucket } from "../rate_limit.ts";
import { FileTransfers } from "./file_transfers.ts";
import { waitOrTimeout } from "./wait.ts";

/** What `join` needs from the outside world. */
export interface JoinIo {
  ui: ChatUi;
  /** Opens a connection (real TCP in the program, fakes in tests). */
  connect(host: string, port: number): Promise<ServerConnection>;
  /** Writes one line to stderr. */
  error(message: string): void;
  /** Show the user's own messages (a terminal clears the typed line on Enter; line mode does not). */
  echo?: boolean;
  /** Aborted on SIGINT/SIGTERM: leave cleanly. */
  signal?: AbortSignal;
  now?: () => number;
  /** Reconnection timing (tests shorten it). */
  reconnect?: Partial<ReconnectPolicy>;
  /** Where received files are saved. */
  downloads: string;
  /** Receive offered files without asking. */
  autoReceive: boolean;
}

/** How the client retries a dropped connection. */
export interface ReconnectPolicy {
  /** First delay, doubled each attempt up to `maxDelayMs`, then jittered by +-50%. */
  firstDelayMs: number;
  maxDelayMs: number;
  /** Stop trying after this long without a connection. */
  giveUpAfterMs: number;
  /** With nothing heard from the server this long, ping it; twice this long, it is gone. */
  silenceMs: number;
}

const DEFAULT_RECONNECT: ReconnectPolicy = {
  firstDelayMs: 500,
  maxDelayMs: 30_000,
  giveUpAfterMs: 5 * 60_000,
  silenceMs: 45_000,
};

const system = (text: string): Line => ({ spans: [{ text, style: "system" }] });
const errorLine = (text: string): Line => ({ spans: [{ text, style: "error" }] });

/** How long to wait for the server's goodbye after `/quit` before closing anyway. */
const QUIT_WAIT_MS = 2000;

/** Runs a chat session; resolves with the process exit code. */
export async function join(command: JoinCommand, io: JoinIo): Promise<number> {
  const { ui } = io;
  try {
    let host = command.host;
    let port = command.port;
    while (host === undefined) {
      ui.setPrompt("Server (host:port): ");
      const answer = await ui.nextLine();
      if (answer === null) return 0;
      try {
        const address = parseAddress(answer);
        host = address.host;
        port = address.port ?? port;
      } catch (error) {
        if (!(error instanceof UsageError)) throw error;
        ui.show([errorLine(`! ${error.message}`)]);
      }
    }
    let server: ServerConnection;
    try {
      server = await io.connect(host, port);
    } catch (error) {
      if (error instanceof ConnectError) {
        ui.close();
        io.error(`chat: ${error.message}`);
        return 1;
      }
      throw error;
    }
    ui.show([system(`* Connected to ${formatHostPort(host, port)}`)]);
    const dataHost = host;
    const session = new ChatSession(
      io,
      () => io.connect(dataHost, port),
      () => DataLink.open(dataHost, port),
      command.room,
    );
    return await session.run(server, command.nick);
  } finally {
    ui.close();
  }
}

/** How one connection ended. */
type Ending = { kind: "closed" } | { kind: "bye"; reason: string };

/** One chat session, across reconnects. */
class ChatSession {
  readonly #ui: ChatUi;
  readonly #io: JoinIo;
  readonly #reconnectTo: () => Promise<ServerConnection>;
  readonly #policy: ReconnectPolicy;
  readonly #joinRoom: string | undefined;
  #server: ServerConnection | undefined;
  #nick = "";
  #token: string | undefined;
  /** The room typed messages go to. */
  #room = LOBBY;
  /** A room to make active again once a reconnect has rejoined it. */
  #restoring: string | undefined;
  /** The rooms we are in, with their members' nicks. */
  #rooms = new Map<string, Set<string>>();
  /** The last message number seen in each room (by room name). */
  #lastSeq = new Map<string, number>();
  /** Rooms whose resume replay is under way: our own replayed messages are not shown again. */
  #replaying = new Set<string>();
  /** Messages sent but not acknowledged, in order, by id: resent after a reconnect. */
  #unacked = new Map<string, SayFrame>();
  #nextId = 1;
  #quitting = false;
  #quitReason: string | undefined;
  #quitTimer: ReturnType<typeof setTimeout> | undefined;
  /** Wakes a reconnect backoff early (quitting). */
  #wakeBackoff: () => void = () => {};
  /** The rooms (and last seq) to ask for when resuming, fixed when the connection dropped. */
  #resumeRooms: { room: string; seq: number }[] | undefined;
  /** Paces our lines under the server's flood control (from `welcome`). */
  #pace = new TokenBucket({ burst: 1, perSecond: 0 }, 0);
  #lastHeard = 0;
  #pingedAt: number | undefined;
  readonly #files: FileTransfers;

  constructor(
    io: JoinIo,
    reconnectTo: () => Promise<ServerConnection>,
    openData: () => Promise<DataLink>,
    joinRoom: string | undefined,
  ) {
    this.#ui = io.ui;
    this.#io = io;
    this.#files = new FileTransfers({
      ui: io.ui,
      send: (frame) => this.#send(frame),
      openData,
      downloads: io.downloads,
      autoReceive: io.autoReceive,
      now: () => this.#now(),
    });
    this.#reconnectTo = reconnectTo;
    this.#policy = { ...DEFAULT_RECONNECT, ...io.reconnect };
    this.#joinRoom = joinRoom;
  }

  async run(first: ServerConnection, nick: string | undefined): Promise<number> {
    const onAbort = () => {
      if (this.#nick === "") {
        // Not registered yet: nothing to say goodbye to.
        this.#quitting = true;
        this.#server?.close();
        this.#ui.close();
        return;
      }
      void this.#quit("Interrupted");
    };
    this.#io.signal?.addEventListener("abort", onAbort, { once: true });
    const watchdog = setInterval(() => this.#checkSilence(), 1000);
    try {
      this.#attach(first);
      const early = await this.#handshake(first, nick);
      if (early !== undefined) return early;
      // Input is read until the session ends; a read pending then is abandoned (the UI is
      // closed and the process exits).
      this.#inputLoop().catch(() => {});
      let server: ServerConnection | undefined = first;
      while (server !== undefined) {
        const ending = await this.#receiveLoop(server);
        server.close();
        this.#server = undefined;
        if (this.#quitting && this.#unacked.size === 0) return 0;
        if (ending.kind === "bye") return this.#lost(ending.reason);
        server = await this.#reconnect();
      }
      return this.#quitting ? 0 : this.#lost("could not reconnect to the server");
    } finally {
      clearInterval(watchdog);
      this.#io.signal?.removeEventListener("abort", onAbort);
      clearTimeout(this.#quitTimer);
      this.#server?.close();
      this.#ui.close();
    }
  }

  #attach(server: ServerConnection): void {
    this.#server = server;
    this.#lastHeard = this.#now();
    this.#pingedAt = undefined;
    server.onBadLine = (reason) =>
      this.#ui.show([errorLine(`! Ignored a bad frame from the server: ${reason}`)]);
  }

  /** Sends hello until a nick is accepted; returns an exit code if the session ends first. */
  async #handshake(
    server: ServerConnection,
    nick: string | undefined,
  ): Promise<number | undefined> {
    let wanted = nick ?? await this.#askNick();
    while (wanted !== null) {
      await server.send(this.#hello(wanted)).catch(() => {});
      while (true) {
        const frame = await this.#next(server);
        if (frame === null) return this.#quitting ? 0 : this.#lost();
        if (frame.type === "bye") return this.#lost(frame.reason);
        if (frame.type === "welcome") {
          this.#welcomed(frame);
          if (this.#joinRoom !== undefined) {
            await this.#send({ type: "command", line: `/join ${this.#joinRoom}` });
          }
          return undefined;
        }
        this.#show(frame);
        if (frame.type === "error" && frame.code.startsWith("nick_")) break;
      }
      wanted = await this.#askNick();
    }
    return 0; // Input ended while choosing a nick: the user left.
  }

  #hello(nick: string): ClientFrame {
    const hello: ClientFrame = {
      type: "hello",
      version: PROTOCOL_VERSION,
      nick,
      client: `chat ${VERSION}`,
    };
    if (this.#token !== undefined) {
      hello.resume = { token: this.#token, rooms: this.#resumeRooms ?? this.#roomsWithSeq() };
    }
    return hello;
  }

  #roomsWithSeq(): { room: string; seq: number }[] {
    return [...this.#rooms.keys()].map((room) => ({ room, seq: this.#lastSeq.get(room) ?? 0 }));
  }

  #welcomed(frame: ServerFrame & { type: "welcome" }): void {
    this.#nick = frame.nick;
    this.#token = frame.token;
    const rate = frame.floodRate ?? 0;
    // A little under the server's allowance, so flood control never has to slow us down.
    this.#pace = new TokenBucket(
      rate > 0
        ? { burst: Math.max(1, (frame.floodBurst ?? 1) - 2), perSecond: rate * 0.8 }
        : { burst: 1, perSecond: 0 },
      this.#now(),
    );
    this.#ui.setPrompt(this.#prompt());
    this.#show(frame);
  }

  async #askNick(): Promise<string | null> {
    this.#ui.setPrompt("Nick: ");
    this.#ui.show([system("* Type a nick and press Enter")]);
    while (true) {
      const line = await this.#ui.nextLine();
      if (line === null) return null;
      if (line.trim() !== "") return line.trim();
    }
  }

  /** Handles frames until the connection ends; says how. */
  async #receiveLoop(server: ServerConnection): Promise<Ending> {
    while (true) {
      const frame = await this.#next(server);
      if (frame === null) return { kind: "closed" };
      if (frame.type === "bye") {
        // Our own /quit ends with a bye too; anything else is the server ending the session.
        if (this.#quitting) continue;
        return { kind: "bye", reason: frame.reason };
      }
      this.#handle(frame);
    }
  }

  /** The next frame, noting that the server is alive. */
  async #next(server: ServerConnection): Promise<ServerFrame | null> {
    const frame = await server.next();
    this.#lastHeard = this.#now();
    this.#pingedAt = undefined;
    return frame;
  }

  #handle(frame: ServerFrame): void {
    switch (frame.type) {
      case "ping":
        void this.#send(
          frame.token === undefined ? { type: "pong" } : { type: "pong", token: frame.token },
        );
        return;
      case "ack":
        this.#unacked.delete(frame.id);
        this.#seen(frame.room, frame.seq);
        return;
      case "error":
        if (this.#files.onError(frame)) return;
        if (frame.id !== undefined) this.#unacked.delete(frame.id);
        break;
      case "offer_ok":
        this.#files.onOfferOk(frame);
        return;
      case "file":
        this.#show(frame);
        this.#files.onFile(frame);
        return;
      case "transfer":
        // Receivers get `uploaded` only for its checksum: only the sender needs to see it.
        if (!this.#files.onTransfer(frame)) return;
        break;
      case "message":
        this.#seen(frame.room, frame.seq);
        if (frame.history && frame.nick === this.#nick && this.#replaying.has(frame.room)) return;
        if (!frame.history) this.#replaying.delete(frame.room);
        break;
      default:
        break;
    }
    this.#track(frame);
    this.#show(frame);
  }

  #seen(room: string, seq: number): void {
    if (seq > (this.#lastSeq.get(room) ?? 0)) this.#lastSeq.set(room, seq);
  }

  /** Retries the connection with backoff and jitter; resumes; resends what was not acked. */
  async #reconnect(): Promise<ServerConnection | undefined> {
    const started = this.#now();
    this.#restoring = this.#room;
    this.#resumeRooms = this.#roomsWithSeq();
    this.#files.connectionLost();
    let delay = this.#policy.firstDelayMs;
    for (let attempt = 1; !this.#quitting || this.#unacked.size > 0; attempt++) {
      if (this.#now() - started > this.#policy.giveUpAfterMs) return undefined;
      // Quitting with messages still unsent: one more try to deliver them, then give up.
      if (this.#quitting && attempt > 2) return undefined;
      const wait = this.#quitting ? 0 : Math.round(delay * (0.5 + Math.random()));
      if (wait > 0) {
        this.#ui.show([
          errorLine(
            `! Connection lost: reconnecting in ${(wait / 1000).toFixed(1)} s (attempt ${attempt})`,
          ),
        ]);
        await waitOrTimeout(wait, undefined, (wake) => {
          this.#wakeBackoff = () => wake(undefined);
        });
      }
      delay = Math.min(this.#policy.maxDelayMs, delay * 2);
      let server: ServerConnection;
      try {
        server = await this.#reconnectTo();
      } catch (error) {
        if (error instanceof ConnectError) continue;
        throw error;
      }
      this.#attach(server);
      await server.send(this.#hello(this.#nick)).catch(() => {});
      const frame = await this.#next(server);
      if (frame?.type === "welcome") {
        // The server now sends the rooms back: the list fills again from its room frames.
        this.#rooms.clear();
        this.#resumeRooms = undefined;
        this.#welcomed(frame);
        this.#ui.show([system(`* Reconnected (attempt ${attempt})`)]);
        for (const say of this.#unacked.values()) await this.#paced(say);
        if (this.#quitting) await this.#sendQuit(this.#quitReason);
        return server;
      }
      // Not taken back on this try: commands typed now get "Not connected", not a dead socket.
      server.close();
      this.#server = undefined;
      if (frame?.type === "error" || frame?.type === "bye") {
        // The server is there but will not take us back (say, the nick is taken): stop here.
        this.#show(
          frame.type === "error"
            ? frame
            : { type: "error", code: "bad_frame", message: frame.reason },
        );
        return undefined;
      }
    }
    return undefined;
  }

  /** Pings a silent server; one silent for twice as long is taken for gone. */
  #checkSilence(): void {
    const server = this.#server;
    if (server === undefined) return;
    const silent = this.#now() - this.#lastHeard;
    if (silent > 2 * this.#policy.silenceMs) {
      server.close(); // The receive loop ends and the reconnect begins.
    } else if (silent > this.#policy.silenceMs && this.#pingedAt === undefined) {
      this.#pingedAt = this.#now();
      void this.#send({ type: "ping", token: String(this.#pingedAt) });
    }
  }

  /** The server ended the session (with a reason, or by dropping the connection). */
  #lost(reason = "the server closed the connection"): number {
    this.#ui.close();
    const unsent = this.#unacked.size;
    this.#io.error(
      `chat: Disconnected: ${reason}` +
        (unsent > 0 ? ` (${unsent} message${unsent === 1 ? "" : "s"} not delivered)` : ""),
    );
    return 1;
  }

  async #inputLoop(): Promise<void> {
    while (!this.#quitting) {
      const line = await this.#ui.nextLine();
      if (this.#quitting) return;
      if (line === null) {
        await this.#quit();
        return;
      }
      await this.#handleInput(line);
    }
  }

  async #handleInput(line: string): Promise<void> {
    if (line.trim() === "") return;
    const local = findLocalCommand(line);
    if (local !== undefined) {
      this.#localCommand(local.command.action, local.argText);
      return;
    }
    const reason = quitReason(line);
    if (reason !== undefined) {
      await this.#quit(reason || undefined);
      return;
    }
    // Switching between rooms we are in is local: the server needs no round trip for it.
    const target = switchTarget(line);
    if (target !== undefined) {
      const room = this.#findRoom(target);
      if (room !== undefined) {
        this.#room = room;
        this.#ui.setPrompt(this.#prompt());
        this.#ui.setCompletions(this.#completions());
        this.#ui.show([system(`* Now talking in ${room}`)]);
        return;
      }
      if (!/^\/join\s/i.test(line.trim())) {
        this.#ui.show([errorLine(`! You are not in ${target}: /join ${target} first`)]);
        return;
      }
    }
    if (line.startsWith("/") && !line.startsWith("//")) {
      if (this.#server === undefined) {
        this.#ui.show([errorLine("! Not connected: try the command again once reconnected")]);
        return;
      }
      await this.#paced({ type: "command", line, room: this.#room });
      return;
    }
    const text = line.startsWith("//") ? line.slice(1) : line;
    const say: SayFrame = { type: "say", room: this.#room, text, id: String(this.#nextId++) };
    // Kept until acknowledged: a reconnect resends it under the same id.
    this.#unacked.set(say.id ?? "", say);
    if (this.#server !== undefined) await this.#paced(say);
    if (this.#io.echo) {
      this.#show({
        type: "message",
        room: this.#room,
        nick: this.#nick,
        text,
        time: this.#now(),
        seq: 0,
      });
    }
  }

  /** `/clear`, `/send`, `/accept` and `/files`. */
  #localCommand(action: LocalAction, args: string): void {
    const usage = (text: string) => this.#ui.show([errorLine(`! Usage: ${text}`)]);
    switch (action) {
      case "clear":
        this.#ui.clear();
        return;
      case "files":
        this.#files.list();
        return;
      case "accept":
        if (!/^\S+$/.test(args)) return usage("/accept ID");
        this.#files.accept(args);
        return;
      case "send": {
        const parsed = parseSendArgs(args, fileExists);
        if (parsed === undefined) return usage("/send PATH [NICK]");
        void this.#files.send(
          parsed.path,
          parsed.to === undefined ? { room: this.#room } : { to: parsed.to },
        );
        return;
      }
      default:
        unreachable(action);
    }
  }

  /** Tells the server we are leaving and waits briefly for it to close the connection. */
  async #quit(reason?: string): Promise<void> {
    if (this.#quitting) return;
    this.#quitting = true;
    this.#quitReason = reason;
    this.#wakeBackoff();
    // While reconnecting, the reconnect sends the quit once unsent messages are out.
    if (this.#server !== undefined) await this.#sendQuit(reason);
  }

  async #sendQuit(reason: string | undefined): Promise<void> {
    await this.#send({ type: "command", line: reason ? `/quit ${reason}` : "/quit" });
    // The receive loop ends when the server closes; the timer covers a server that does not.
    const server = this.#server;
    this.#quitTimer = setTimeout(() => server?.close(), QUIT_WAIT_MS);
  }

  /** Sends a line the user asked for, waiting first if flood control would slow it anyway. */
  async #paced(frame: ClientFrame): Promise<boolean> {
    const wait = this.#pace.take(this.#now());
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    return await this.#send(frame);
  }

  async #send(frame: ClientFrame): Promise<boolean> {
    const server = this.#server;
    if (server === undefined) return false;
    try {
      await server.send(frame);
      return true;
    } catch {
      return false;
    }
  }

  /** Keeps the nick, rooms and member lists (for tab completion) in step with events. */
  #track(frame: ServerFrame): void {
    switch (frame.type) {
      case "room":
        this.#rooms.set(frame.room, new Set(frame.members));
        this.#lastSeq.set(frame.room, seenOnEntry(frame));
        if (frame.since !== undefined) this.#replaying.add(frame.room);
        if (this.#restoring === undefined || frame.room === this.#restoring) {
          this.#room = frame.room;
          this.#restoring = undefined;
        } else if (!this.#rooms.has(this.#room)) {
          this.#room = frame.room;
        }
        break;
      case "left":
        this.#rooms.delete(frame.room);
        if (this.#room === frame.room) this.#room = this.#rooms.keys().next().value ?? LOBBY;
        break;
      case "join":
        this.#rooms.get(frame.room)?.add(frame.nick);
        break;
      case "leave":
        this.#rooms.get(frame.room)?.delete(frame.nick);
        break;
      case "nick":
        for (const members of this.#rooms.values()) {
          if (members.delete(frame.old)) members.add(frame.new);
        }
        if (frame.old === this.#nick) this.#nick = frame.new;
        break;
      default:
        return;
    }
    this.#ui.setPrompt(this.#prompt());
    this.#ui.setCompletions(this.#completions());
  }

  /** The name of a room we are in, matched ignoring case and a leading `#`. */
  #findRoom(name: string): string | undefined {
    const key = roomKey(name);
    return [...this.#rooms.keys()].find((room) => roomKey(room) === key);
  }

  /** Tab completion: the active room's members, then the other rooms' names. */
  #completions(): string[] {
    const members = [...(this.#rooms.get(this.#room) ?? [])].filter((nick) => nick !== this.#nick);
    return [...members, ...this.#rooms.keys()];
  }

  #show(frame: ServerFrame): void {
    if (frame.type === "help") {
      frame = { ...frame, commands: [...frame.commands, ...LOCAL_HELP] };
    }
    const lines = renderFrame(frame, { self: this.#nick, room: this.#room });
    this.#ui.show(lines);
    if (lines.some((line) => line.alert)) this.#ui.bell();
  }

  #prompt(): string {
    return `[${this.#room}] ${this.#nick}> `;
  }

  #now(): number {
    return (this.#io.now ?? Date.now)();
  }
}

/**
 * The last message number to count as seen on entering a room. Resuming, with messages replayed:
 * where the replay starts (the replayed messages then count up to `seq`), so a connection lost
 * during the replay asks for the rest again. Otherwise, `seq`: older messages are not asked for.
 */
function seenOnEntry(frame: RoomFrame): number {
  const seq = frame.seq ?? 0;
  if (frame.since === undefined || (frame.history ?? 0) === 0) return seq;
  // A `since` past `seq` means the room started over: all of its history is replayed.
  return frame.since <= seq ? frame.since : 0;
}

function fileExists(path: string): boolean {
  try {
    return Deno.statSync(path).isFile;
  } catch {
    return false;
  }
}
