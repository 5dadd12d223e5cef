/**
 * `chat join`: connect, pick a nick, then chat until the user quits or the server ends the
 * session. A dropped connection is not the end, nor is a server shutting down (it may be
 * restarting): the client reconnects by itself (backoff with jitter, shown on the status row),
 * resumes with its token, gets what it missed from each room's history, and resends messages the
 * server had not acknowledged (under the same ids, so none is delivered twice). Works through a
 * `ChatUi` and `ServerConnection`s; returns the exit code.
 */
import type { JoinCommand } from "../cli.ts";
import { parseAddress } from "../cli.ts";
import { UsageError } from "../errors.ts";
import { DEFAULT_PORT, HISTORY_PAGE, LOBBY, MAX_TEXT_BYTES } from "../limits.ts";
import {
  type ClientFrame,
  type RoomFrame,
  type SayFrame,
  type ServerFrame,
  unreachable,
} from "../protocol.ts";
import { type Line, renderFrame } from "../render.ts";
import { roomKey } from "../room_name.ts";
import { safeText } from "../text.ts";
import type { ChatUi } from "../terminal/ui.ts";
import { formatHostPort } from "../carrier/tcp.ts";
import { PROTOCOL_VERSION, VERSION } from "../version.ts";
import { ConnectError, type ServerConnection } from "./connection.ts";
import {
  actionText,
  expandHome,
  findLocalCommand,
  helpWords,
  LOCAL_COMMAND_WORDS,
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
  /** The server's password, for a private server. */
  serverPassword?: string;
  /** An account to log in to whenever the hello asks for its nick (`--password-file`). */
  login?: { readonly nick: string; readonly password: string };
  /**
   * Single sign-on: the token to log in with, asked for at every hello (a token expires: the
   * file it comes from may have been renewed since). The token names the nick.
   */
  token?: () => Promise<string>;
  /** Opens a file-transfer connection. @default `DataLink.open` (plain TCP) */
  openData?(host: string, port: number): Promise<DataLink>;
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
  /** The user's home folder, for `~` in `/send ~/notes.txt`. */
  home?: string;
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
  /** How long the server may take to answer `hello` before it is taken for no chat server. */
  handshakeMs: number;
}

/** How long a server may take to answer `hello`: a port that accepts and says nothing is not one. */
export const HANDSHAKE_TIMEOUT_MS = 10_000;

const DEFAULT_RECONNECT: ReconnectPolicy = {
  firstDelayMs: 500,
  maxDelayMs: 30_000,
  giveUpAfterMs: 5 * 60_000,
  silenceMs: 45_000,
  handshakeMs: HANDSHAKE_TIMEOUT_MS,
};

/** Longest wait between tries to reach a server that said it was shutting down (restarting). */
const RESTART_MAX_DELAY_MS = 5000;

/**
 * How many times longer to wait for a server whose operator said it is restarting (an upgrade
 * may take a while): 30 minutes instead of 5.
 */
const RESTART_PATIENCE = 6;

/** The server offered when the user is asked for one and just presses Enter. */
const DEFAULT_HOST = "127.0.0.1";

/** Longest part of an unsent message quoted back to the user, in characters. */
const QUOTED_CHARS = 60;

const system = (text: string): Line => ({ spans: [{ text, style: "system" }] });
const errorLine = (text: string): Line => ({ spans: [{ text, style: "error" }] });

/** How long to wait for the server's goodbye after `/quit` before closing anyway. */
const QUIT_WAIT_MS = 2000;

/**
 * Runs a chat session; resolves with the process exit code. Without an address on the command
 * line, asks for one, and asks again when it cannot be reached; with one, that is an exit 1.
 */
export async function join(command: JoinCommand, io: JoinIo): Promise<number> {
  const { ui } = io;
  const asking = command.host === undefined;
  try {
    while (true) {
      let host = command.host;
      let port = command.port;
      if (host === undefined) {
        const address = await askAddress(ui, port, io.signal);
        if (address === null) return 0;
        ({ host, port } = address);
      }
      let outcome: number;
      try {
        const server = await io.connect(host, port);
        ui.show([system(`* Connected to ${formatHostPort(host, port)}`)]);
        // A cluster's nodes, tried in turn from the one last connected to.
        const nodes = [{ host, port }, ...command.others ?? []];
        let current = 0;
        const node = () => nodes[current] ?? { host: "", port: 0 };
        const reconnect = async () => {
          let failure: unknown;
          for (let tried = 0; tried < nodes.length; tried++) {
            const index = (current + tried) % nodes.length;
            const next = nodes[index] ?? node();
            try {
              const connection = await io.connect(next.host, next.port);
              current = index;
              return connection;
            } catch (error) {
              if (!(error instanceof ConnectError)) throw error;
              failure = error;
            }
          }
          throw failure;
        };
        const session = new ChatSession(
          io,
          () => formatHostPort(node().host, node().port),
          reconnect,
          () => io.openData?.(node().host, node().port) ?? DataLink.open(node().host, node().port),
          command.room,
        );
        outcome = await session.run(server, command.nick);
      } catch (error) {
        if (!(error instanceof ConnectError)) throw error;
        if (asking) {
          ui.show([errorLine(`! ${error.message}`)]);
          continue;
        }
        ui.close();
        io.error(`chat: ${error.message}`);
        return 1;
      }
      return outcome;
    }
  } finally {
    ui.close();
  }
}

/** Asks for `HOST[:PORT]` until one parses (Enter alone takes the default); null if input ends. */
async function askAddress(
  ui: ChatUi,
  port: number,
  signal: AbortSignal | undefined,
): Promise<{ host: string; port: number } | null> {
  const fallback = formatHostPort(DEFAULT_HOST, port === 0 ? DEFAULT_PORT : port);
  // A signal while asking leaves, as end of input does.
  const onAbort = () => ui.close();
  signal?.addEventListener("abort", onAbort, { once: true });
  try {
    while (!signal?.aborted) {
      ui.setPrompt(`Server (host:port) [${fallback}]: `);
      const answer = await ui.nextLine();
      if (answer === null) return null;
      try {
        const address = parseAddress(answer.trim() === "" ? fallback : answer);
        return { host: address.host, port: address.port ?? port };
      } catch (error) {
        if (!(error instanceof UsageError)) throw error;
        ui.show([errorLine(`! ${error.message}`)]);
      }
    }
    return null;
  } finally {
    signal?.removeEventListener("abort", onAbort);
  }
}

/** How one connection ended: dropped, or a goodbye (`shutdown`: the whole server is going). */
type Ending =
  | { kind: "closed" }
  | { kind: "bye"; reason: string; shutdown: boolean; restart: boolean };

/** How a reconnect went: back on a new connection, or given up (with why, if not for time). */
type Reconnected = { server: ServerConnection } | { server?: undefined; why?: string };

/** The id of the `/help` sent for its table (Tab completes commands): errors about it are ours. */
const HELP_ID = "help";

const encoder = new TextEncoder();

/** One chat session, across reconnects. */
class ChatSession {
  readonly #ui: ChatUi;
  readonly #io: JoinIo;
  /** The server's address, as shown to the user. */
  /** The server's address as shown (the node connected to, in a cluster). */
  readonly #address: () => string;
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
  /** The oldest seq shown in each room: `/history` goes on from there. */
  #oldestSeq = new Map<string, number>();
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
  /** The status row's two parts: the connection's state, and the transfers' progress. */
  #connectionStatus: string | undefined;
  #transferStatus: string | undefined;
  /** Just reconnected: the room list the server sends with the welcome was seen before. */
  #hideRoomList = false;
  /** A `/help` was sent for its table alone: its answer is not shown. */
  #helpForCompletion = false;
  /** The server's command words, from its `/help` table, for Tab. */
  #serverCommands: string[] = [];

  constructor(
    io: JoinIo,
    address: () => string,
    reconnectTo: () => Promise<ServerConnection>,
    openData: () => Promise<DataLink>,
    joinRoom: string | undefined,
  ) {
    this.#ui = io.ui;
    this.#io = io;
    this.#address = address;
    this.#files = new FileTransfers({
      ui: io.ui,
      setStatus: (text) => {
        this.#transferStatus = text;
        this.#drawStatus();
      },
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

  /**
   * Runs the session on its first connection; resolves with the exit code. Throws a
   * `ConnectError` when no chat server answers there.
   */
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
      let server = first;
      while (true) {
        const ending = await this.#receiveLoop(server);
        server.close();
        this.#server = undefined;
        if (this.#quitting && this.#unacked.size === 0) return 0;
        // Told to go (kicked, flooding): that is the end. A server going down may come back.
        if (ending.kind === "bye" && !ending.shutdown) return this.#lost(ending.reason);
        const back = await this.#reconnect(ending);
        if (back.server === undefined) {
          if (this.#quitting) return 0;
          const tried = formatDuration(this.#giveUpAfter(ending));
          if (ending.kind === "closed") {
            return this.#lost(back.why ?? `could not reconnect to the server for ${tried}`);
          }
          return this.#lost(`${ending.reason} (${back.why ?? `it was not back within ${tried}`})`);
        }
        server = back.server;
      }
    } finally {
      clearInterval(watchdog);
      this.#io.signal?.removeEventListener("abort", onAbort);
      clearTimeout(this.#quitTimer);
      this.#server?.close();
    }
  }

  #attach(server: ServerConnection): void {
    this.#server = server;
    this.#lastHeard = this.#now();
    this.#pingedAt = undefined;
    server.onBadLine = (reason) =>
      this.#ui.show([errorLine(`! Ignored a bad frame from the server: ${reason}`)]);
  }

  /**
   * Sends hello until a nick is accepted; returns an exit code if the session ends first. Throws
   * a `ConnectError` when nothing answers the hello in time: whatever listens there is not a
   * chat server.
   */
  async #handshake(
    server: ServerConnection,
    nick: string | undefined,
  ): Promise<number | undefined> {
    // With a token, the token names the nick: the server says which in its welcome.
    let wanted = nick ?? (this.#io.token !== undefined ? "" : await this.#askNick());
    while (wanted !== null) {
      await server.send(await this.#hello(wanted)).catch(() => {});
      while (true) {
        const frame = await this.#answer(server);
        if (frame === "silent") {
          if (this.#quitting) return 0;
          throw new ConnectError(
            `No chat server answered on ${this.#address()} (nothing came back within ` +
              `${formatDuration(this.#policy.handshakeMs)})`,
          );
        }
        if (frame === null) return this.#quitting ? 0 : this.#lost();
        if (frame.type === "bye") return this.#lost(frame.reason);
        if (frame.type === "welcome") {
          this.#welcomed(frame, true);
          if (this.#io.echo) {
            // Tab completes the server's commands: its /help table has them.
            this.#helpForCompletion = true;
            await this.#send({ type: "command", line: "/help", id: HELP_ID });
          }
          if (this.#joinRoom !== undefined) {
            await this.#send({ type: "command", line: `/join ${this.#joinRoom}` });
          }
          return undefined;
        }
        this.#show(frame);
        if (frame.type === "error" && this.#io.token !== undefined) {
          // A refused token: asking for another nick would not help.
          this.#ui.show([system("* Check your token (--token-file FILE, or CHAT_TOKEN)")]);
          server.close();
          return 1;
        }
        if (frame.type === "error" && frame.code.startsWith("nick_")) break;
        if (
          frame.type === "error" && /^(login_failed|rate_limited)$/.test(frame.code) &&
          this.#io.login !== undefined
        ) {
          this.#ui.show([system("* Check your account's password (--password-file FILE)")]);
          server.close();
          return 1;
        }
        if (
          frame.type === "error" && /^(password_required|bad_server_password)$/.test(frame.code)
        ) {
          this.#ui.show([
            system(
              "* Give the server's password with --server-password-file FILE " +
                "(or CHAT_SERVER_PASSWORD)",
            ),
          ]);
          server.close();
          return 1;
        }
      }
      wanted = await this.#askNick();
    }
    return 0; // Input ended while choosing a nick: the user left.
  }

  /**
   * The server's answer to a hello: its next frame, `null` if the connection ended, or
   * `"silent"` (the connection closed) when nothing came within the handshake deadline.
   */
  async #answer(server: ServerConnection): Promise<ServerFrame | null | "silent"> {
    const answer = await waitOrTimeout<ServerFrame | null | "silent">(
      this.#policy.handshakeMs,
      "silent",
      (wake) => void this.#next(server).then(wake),
    );
    if (answer === "silent") server.close();
    return answer;
  }

  async #hello(nick: string): Promise<ClientFrame> {
    const hello: ClientFrame = {
      type: "hello",
      version: PROTOCOL_VERSION,
      nick,
      client: `chat ${VERSION}`,
    };
    if (this.#token !== undefined) {
      hello.resume = { token: this.#token, rooms: this.#resumeRooms ?? this.#roomsWithSeq() };
    }
    if (this.#io.serverPassword !== undefined) hello.password = this.#io.serverPassword;
    const login = this.#io.login;
    if (login !== undefined && login.nick.toLowerCase() === nick.toLowerCase()) {
      hello.login = login.password;
    }
    if (this.#io.token !== undefined) hello.token = await this.#io.token();
    return hello;
  }

  #roomsWithSeq(): { room: string; seq: number }[] {
    return [...this.#rooms.keys()].map((room) => ({ room, seq: this.#lastSeq.get(room) ?? 0 }));
  }

  /** Registered: note the nick, token and pace; `announce` shows the welcome (not on resume). */
  #welcomed(frame: ServerFrame & { type: "welcome" }, announce: boolean): void {
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
    this.#ui.setCompletions(this.#completions());
    if (announce) this.#show(frame);
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
        return {
          kind: "bye",
          reason: frame.reason,
          shutdown: frame.shutdown === true,
          restart: frame.shutdown === true && frame.restart === true,
        };
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
    // The room list comes first after a resumed welcome; it is only shown the first time.
    const hideRoomList = this.#hideRoomList;
    this.#hideRoomList = false;
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
      case "error": {
        if (this.#files.onError(frame)) return;
        if (frame.id === HELP_ID) {
          // The server would not give its /help table: Tab completes the local commands only.
          this.#helpForCompletion = false;
          return;
        }
        const say = frame.id === undefined ? undefined : this.#unacked.get(frame.id);
        if (say === undefined) break;
        this.#unacked.delete(say.id ?? "");
        this.#show(frame);
        this.#notSent(say);
        return;
      }
      case "rooms":
        if (hideRoomList) return;
        break;
      case "help":
        this.#serverCommands = helpWords(frame.commands);
        this.#ui.setCompletions(this.#completions());
        if (this.#helpForCompletion) {
          this.#helpForCompletion = false;
          return;
        }
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
        if (frame.seq < (this.#oldestSeq.get(frame.room) ?? Infinity)) {
          this.#oldestSeq.set(frame.room, frame.seq);
        }
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

  /**
   * Retries the connection with backoff and jitter, the countdown on the status row; resumes;
   * resends what was not acked. One line says the connection is lost, one that it is back.
   */
  async #reconnect(ending: Ending): Promise<Reconnected> {
    const started = this.#now();
    this.#restoring = this.#room;
    this.#resumeRooms = this.#roomsWithSeq();
    this.#files.connectionLost();
    if (!this.#quitting) {
      this.#ui.show([
        ending.kind === "bye"
          ? system(`* ${safeText(ending.reason)}: reconnecting when it is back (Ctrl-C to leave)`)
          : errorLine("! Connection lost: reconnecting in a moment (Ctrl-C to leave)"),
      ]);
    }
    let delay = this.#policy.firstDelayMs;
    // A server that shut down is usually restarting: try it often enough to be back soon after.
    const maxDelay = ending.kind === "bye"
      ? Math.min(this.#policy.maxDelayMs, RESTART_MAX_DELAY_MS)
      : this.#policy.maxDelayMs;
    try {
      for (let attempt = 1; !this.#quitting || this.#unacked.size > 0; attempt++) {
        if (this.#now() - started > this.#giveUpAfter(ending)) return {};
        // Quitting with messages still unsent: one more try to deliver them, then give up.
        if (this.#quitting && attempt > 2) return {};
        const wait = this.#quitting ? 0 : Math.round(delay * (0.5 + Math.random()));
        if (wait > 0) await this.#countdown(wait, attempt);
        if (this.#quitting && this.#unacked.size === 0) return {};
        delay = Math.min(maxDelay, delay * 2);
        this.#setConnectionStatus(`Reconnecting now (attempt ${attempt})`);
        let server: ServerConnection;
        try {
          server = await this.#reconnectTo();
        } catch (error) {
          if (error instanceof ConnectError) continue;
          throw error;
        }
        this.#attach(server);
        await server.send(await this.#hello(this.#nick)).catch(() => {});
        const frame = await this.#answer(server);
        if (frame !== null && frame !== "silent" && frame.type === "welcome") {
          // The server now sends the rooms back: the list fills again from its room frames.
          this.#rooms.clear();
          this.#resumeRooms = undefined;
          this.#hideRoomList = true;
          this.#welcomed(frame, false);
          this.#setConnectionStatus(undefined);
          this.#ui.show([system(`* Reconnected to ${this.#address()}`)]);
          for (const say of this.#unacked.values()) await this.#paced(say);
          if (this.#quitting) await this.#sendQuit(this.#quitReason);
          return { server };
        }
        // Not taken back on this try: commands typed now get "Not connected", not a dead socket.
        server.close();
        this.#server = undefined;
        if (frame === null || frame === "silent") continue;
        // Going down again (or still): it may come back once more.
        if (frame.type === "bye" && frame.shutdown) continue;
        if (frame.type === "error" || frame.type === "bye") {
          // The server is there but will not take us back (say, the nick is taken): stop here.
          const message = frame.type === "error" ? frame.message : frame.reason;
          this.#ui.show([errorLine(`! ${safeText(message)}`)]);
          return { why: `the server would not take us back: ${message}` };
        }
      }
      return {};
    } finally {
      this.#setConnectionStatus(undefined);
    }
  }

  /** How long to keep trying: longer for a server that said it is restarting. */
  #giveUpAfter(ending: Ending): number {
    const restart = ending.kind === "bye" && ending.restart;
    return this.#policy.giveUpAfterMs * (restart ? RESTART_PATIENCE : 1);
  }

  /** Waits `ms` before a reconnect attempt, counting down on the status row; quitting ends it. */
  async #countdown(ms: number, attempt: number): Promise<void> {
    for (let left = ms; left > 0 && !this.#quitting; left -= 1000) {
      this.#setConnectionStatus(
        `Reconnecting in ${Math.ceil(left / 1000)} s (attempt ${attempt}; Ctrl-C to leave)`,
      );
      await waitOrTimeout(Math.min(left, 1000), undefined, (wake) => {
        this.#wakeBackoff = () => wake(undefined);
      });
    }
  }

  #setConnectionStatus(text: string | undefined): void {
    this.#connectionStatus = text;
    this.#drawStatus();
  }

  /** The status row: the connection's state and the transfers' progress, as there are. */
  #drawStatus(): void {
    const parts = [this.#connectionStatus, this.#transferStatus].filter((part) =>
      part !== undefined
    );
    this.#ui.setStatus(parts.length === 0 ? undefined : parts.join("  |  "));
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

  /**
   * The server ended the session (with a reason, or by dropping the connection). Messages not
   * delivered are printed with the reason, so their text is not lost with the input history.
   */
  #lost(reason = "the server closed the connection"): number {
    this.#ui.close();
    const unsent = [...this.#unacked.values()];
    this.#io.error(
      `chat: Disconnected: ${reason}` +
        (unsent.length > 0
          ? ` (${unsent.length} message${unsent.length === 1 ? "" : "s"} not delivered)`
          : ""),
    );
    for (const say of unsent) {
      this.#io.error(`chat: Not delivered to ${safeText(say.room)}: ${safeText(say.text)}`);
    }
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
      // `/me waves`: shown here as the others will see it, as a message is.
      const action = actionText(line);
      if (action !== undefined && !this.#fits(action, line)) return;
      const command = historyFrom(line, this.#oldestSeq.get(this.#room));
      // A resume's replay came before: your own messages in the page are shown too.
      if (command !== line || /^\/history\b/i.test(line)) this.#replaying.delete(this.#room);
      await this.#paced({ type: "command", line: command, room: this.#room });
      if (action !== undefined && this.#io.echo) this.#echo(action, true);
      return;
    }
    const text = line.startsWith("//") ? line.slice(1) : line;
    if (!this.#fits(text, line)) return;
    const say: SayFrame = { type: "say", room: this.#room, text, id: String(this.#nextId++) };
    // Kept until acknowledged: a reconnect resends it under the same id.
    this.#unacked.set(say.id ?? "", say);
    if (this.#server !== undefined) await this.#paced(say);
    if (this.#io.echo) this.#echo(text, false);
  }

  /**
   * Whether message text is within MAX_TEXT_BYTES. If not, it is not sent: the user is told its
   * size and the limit, and the line is given back to shorten.
   */
  #fits(text: string, line: string): boolean {
    const bytes = encoder.encode(text).length;
    if (bytes <= MAX_TEXT_BYTES) return true;
    const back = this.#ui.putBack?.(line) ?? false;
    this.#ui.show([
      errorLine(
        `! Not sent: the message is too long: ${bytes} bytes, at most ${MAX_TEXT_BYTES}` +
          (back
            ? "; it is back in the input line to shorten"
            : this.#io.echo
            ? " (Up arrow brings it back to shorten)"
            : ""),
      ),
    ]);
    return false;
  }

  /** Shows our own message (or `/me` action) in the active room, as others see it. */
  #echo(text: string, action: boolean): void {
    const message: ServerFrame = {
      type: "message",
      room: this.#room,
      nick: this.#nick,
      text,
      time: this.#now(),
      seq: 0,
    };
    if (action) message.action = true;
    this.#show(message);
  }

  /** Says that a message the server refused was not sent, and where its text still is. */
  #notSent(say: SayFrame): void {
    const chars = [...say.text];
    const quoted = chars.length > QUOTED_CHARS
      ? chars.slice(0, QUOTED_CHARS - 3).join("") + "..."
      : say.text;
    this.#ui.show([
      errorLine(
        `! Not sent to ${safeText(say.room)}: "${safeText(quoted)}"` +
          (this.#io.echo ? " (it is in your input history: Up arrow)" : ""),
      ),
    ]);
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
        const home = this.#io.home;
        const parsed = parseSendArgs(args, (path) => fileExists(expandHome(path, home)));
        if (parsed === undefined) return usage("/send PATH [NICK]");
        void this.#files.send(
          expandHome(parsed.path, home),
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
        // Entering afresh: the history that follows is the oldest shown.
        if (frame.since === undefined) this.#oldestSeq.delete(frame.room);
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
      case "quit":
        for (const members of this.#rooms.values()) members.delete(frame.nick);
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

  /**
   * Tab completion: the active room's members, the other rooms' names, and the commands (the
   * server's, from its /help table, and ours), which complete only the first word.
   */
  #completions(): string[] {
    const members = [...(this.#rooms.get(this.#room) ?? [])].filter((nick) => nick !== this.#nick);
    return [...members, ...this.#rooms.keys(), ...this.#serverCommands, ...LOCAL_COMMAND_WORDS];
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

/** A duration as `10 s`, `1 minute` or `5 minutes`. */
function formatDuration(ms: number): string {
  if (ms < 60_000) return `${Math.round(ms / 1000)} s`;
  const minutes = Math.round(ms / 60_000);
  return minutes === 1 ? "1 minute" : `${minutes} minutes`;
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

/**
 * `/history` or `/history N` goes on from the oldest message shown in the room (`/history N
 * OLDEST`), so each one pages further back; with BEFORE given, the line is sent as typed.
 *
 * @example
 * ```ts
 * import { historyFrom } from "./join.ts";
 * historyFrom("/history", 120); // "/history 20 120"
 * historyFrom("/history 5", 120); // "/history 5 120"
 * historyFrom("/history 5 80", 120); // "/history 5 80"
 * ```
 */
export function historyFrom(line: string, oldest: number | undefined): string {
  const match = /^\/history(?:\s+(\d+))?\s*$/i.exec(line.trim());
  if (match === null || oldest === undefined) return line;
  return `/history ${match[1] ?? HISTORY_PAGE} ${oldest}`;
}
