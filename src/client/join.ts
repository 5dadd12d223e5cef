/**
 * `chat join`: connect, pick a nick, then chat until the user quits or the server goes away.
 * Works through a `ChatUi` (terminal or line mode) and a `ServerConnection`; returns the exit code.
 */
import type { JoinCommand } from "../cli.ts";
import { parseAddress } from "../cli.ts";
import { UsageError } from "../errors.ts";
import { LOBBY } from "../limits.ts";
import type { ServerFrame } from "../protocol.ts";
import { type Line, renderFrame } from "../render.ts";
import { PROTOCOL_VERSION, VERSION } from "../version.ts";
import { ConnectError, type ServerConnection } from "./connection.ts";
import { findLocalCommand, isQuitLine, LOCAL_COMMANDS, switchTarget } from "./local_commands.ts";
import { roomKey } from "../room_name.ts";
import type { ChatUi } from "../terminal/ui.ts";

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
}

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
    const where = host.includes(":") ? `[${host}]:${port}` : `${host}:${port}`;
    ui.show([system(`* Connected to ${where}`)]);
    return await new ChatSession(server, ui, io, command.room).run(command.nick);
  } finally {
    ui.close();
  }
}

/** One connected session: handshake, then the receive and input loops. */
class ChatSession {
  readonly #server: ServerConnection;
  readonly #ui: ChatUi;
  readonly #io: JoinIo;
  #nick = "";
  /** The room typed messages go to. */
  #room = LOBBY;
  /** The rooms we are in, with their members' nicks. */
  #rooms = new Map<string, Set<string>>();
  #quitting = false;
  #quitTimer: ReturnType<typeof setTimeout> | undefined;

  readonly #joinRoom: string | undefined;

  constructor(server: ServerConnection, ui: ChatUi, io: JoinIo, joinRoom?: string) {
    this.#joinRoom = joinRoom;
    this.#server = server;
    this.#ui = ui;
    this.#io = io;
    server.onBadLine = (reason) =>
      ui.show([errorLine(`! Ignored a bad frame from the server: ${reason}`)]);
  }

  async run(nick: string | undefined): Promise<number> {
    const onAbort = () => void this.#quit("Interrupted");
    this.#io.signal?.addEventListener("abort", onAbort, { once: true });
    try {
      const early = await this.#handshake(nick);
      if (early !== undefined) return early;
      // Input is read until the connection ends; a read pending then is abandoned (the UI is
      // closed and the process exits).
      this.#inputLoop().catch(() => {});
      const code = await this.#receiveLoop();
      this.#quitting = true;
      this.#ui.close();
      return code;
    } finally {
      this.#io.signal?.removeEventListener("abort", onAbort);
      clearTimeout(this.#quitTimer);
      this.#server.close();
    }
  }

  /** Sends hello until a nick is accepted; returns an exit code if the session ends first. */
  async #handshake(nick: string | undefined): Promise<number | undefined> {
    let wanted = nick ?? await this.#askNick();
    while (wanted !== null) {
      await this.#send({
        type: "hello",
        version: PROTOCOL_VERSION,
        nick: wanted,
        client: `chat ${VERSION}`,
      });
      while (true) {
        const frame = await this.#server.next();
        if (frame === null) return this.#lost();
        if (frame.type === "bye") return this.#lost(frame.reason);
        if (frame.type === "welcome") {
          this.#nick = frame.nick;
          this.#ui.setPrompt(this.#prompt());
          this.#show(frame);
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

  async #askNick(): Promise<string | null> {
    this.#ui.setPrompt("Nick: ");
    this.#ui.show([system("* Type a nick and press Enter")]);
    while (true) {
      const line = await this.#ui.nextLine();
      if (line === null) return null;
      if (line.trim() !== "") return line.trim();
    }
  }

  async #receiveLoop(): Promise<number> {
    let bye: string | undefined;
    while (true) {
      const frame = await this.#server.next();
      if (frame === null) break;
      if (frame.type === "bye") {
        bye = frame.reason;
        continue;
      }
      this.#track(frame);
      this.#show(frame);
    }
    return this.#quitting ? 0 : this.#lost(bye);
  }

  /** The server ended the session (with a reason, or by dropping the connection). */
  #lost(reason = "the server closed the connection"): number {
    this.#ui.close();
    this.#io.error(`chat: Disconnected: ${reason}`);
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
    if (local?.action === "clear") {
      this.#ui.clear();
      return;
    }
    if (isQuitLine(line)) {
      await this.#quit(line.trim().replace(/^\/\S+\s*/, "") || undefined);
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
      await this.#send({ type: "command", line, room: this.#room });
      return;
    }
    const text = line.startsWith("//") ? line.slice(1) : line;
    if (await this.#send({ type: "say", room: this.#room, text }) && this.#io.echo) {
      this.#show({
        type: "message",
        room: this.#room,
        nick: this.#nick,
        text,
        time: (this.#io.now ?? Date.now)(),
        seq: 0,
      });
    }
  }

  /** Tells the server we are leaving and waits briefly for it to close the connection. */
  async #quit(reason?: string): Promise<void> {
    if (this.#quitting) return;
    this.#quitting = true;
    await this.#send({ type: "command", line: reason ? `/quit ${reason}` : "/quit" });
    // The receive loop ends when the server closes; the timer covers a server that does not.
    this.#quitTimer = setTimeout(() => this.#server.close(), QUIT_WAIT_MS);
  }

  async #send(frame: Parameters<ServerConnection["send"]>[0]): Promise<boolean> {
    try {
      await this.#server.send(frame);
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
        this.#room = frame.room;
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
      frame = { ...frame, commands: [...frame.commands, ...LOCAL_COMMANDS] };
    }
    const lines = renderFrame(frame, { self: this.#nick, room: this.#room });
    this.#ui.show(lines);
    if (lines.some((line) => line.alert)) this.#ui.bell();
  }

  #prompt(): string {
    return `[${this.#room}] ${this.#nick}> `;
  }
}
