/**
 * The plain-text dialect: people with `nc` or `telnet`. The first line is the nick; then each
 * line is a message to the active room, or a slash command. Output is rendered text, the same
 * lines `chat join` shows, without colour. Pure.
 */
import { ChatError } from "../errors.ts";
import { LOBBY } from "../limits.ts";
import { NICK_RULE } from "../nick.ts";
import type { HubEvent } from "../server/events.ts";
import { nativeFrame } from "./native_frames.ts";
import { plainText, renderFrame } from "../render.ts";
import { VERSION } from "../version.ts";
import {
  type Dialect,
  type DialectView,
  type Intent,
  NOTHING,
  type SharedEncodings,
} from "./dialect.ts";

/** The greeting a silent connection gets: it is probably a person with `nc` or `telnet`. */
export const PLAIN_GREETING = `* Welcome to chat ${VERSION}. ` +
  `Type a nick (${NICK_RULE}) and press Enter.`;

/**
 * Commands only a client with file support has; plain-text users are told where to find them
 * (files shared with them come with a download link).
 */
/** What a plain-text user is asked on a private server, after the nick. */
const PASSWORD_PROMPT = "* Type the server's password and press Enter (it shows as you type)";

const FILE_COMMANDS = /^\/(send|upload|files|get|accept|download|cancel)\b/i;

/**
 * Terminal escape sequences a line editor sends for keys (arrows, Home, End, Delete, F1-F4) but
 * never a person's text: dropped, so one arrow key does not make the line "control characters".
 */
// deno-lint-ignore no-control-regex -- ESC starts the sequences this removes
const KEY_SEQUENCES = /\x1b\[[0-9;]*[A-DHF~]|\x1bO[A-DHFPQRS]/g;

const encoder = new TextEncoder();

/** The plain-text dialect; it keeps the user's active room. */
export class PlainDialect implements Dialect {
  readonly name = "plain";
  readonly supports = { files: false, resume: false, ping: false, links: true } as const;
  #room = LOBBY;
  /** The nick last tried, and whether the server asked for its password (a private server). */
  #nickTried = "";
  #askingPassword = false;
  /**
   * The account password given with `/login NICK PASSWORD` before registering, or the token
   * given with `/login --token TOKEN` (single sign-on).
   */
  #loginTried: { login: string } | { token: string } | undefined;
  /** The shared-encodings key for the active room (made when the room changes, not per event). */
  #key = sharedKey(LOBBY);

  /** The room the user talks in. */
  get room(): string {
    return this.#room;
  }

  read(raw: string, view: DialectView): Intent[] {
    const line = raw.replace(KEY_SEQUENCES, "");
    if (view.nick === undefined) {
      if (this.#askingPassword) {
        this.#askingPassword = false;
        const login = this.#loginTried ?? {};
        return [{ kind: "register", nick: this.#nickTried, password: line.trim(), ...login }];
      }
      const nick = line.trim();
      if (/^\/(quit|exit|close)\b/i.test(nick)) {
        return [{ kind: "end", reason: "Quit", bye: "Goodbye" }];
      }
      const login = /^\/(?:login|identify)\s+(\S+)\s+(\S+)\s*$/i.exec(nick);
      if (login !== null) {
        // `/login --token TOKEN`: `--token` is no nick (a nick never starts with `-`).
        const token = login[1] === "--token";
        this.#nickTried = token ? "" : login[1] ?? "";
        this.#loginTried = token ? { token: login[2] ?? "" } : { login: login[2] ?? "" };
        return [{ kind: "register", nick: this.#nickTried, ...this.#loginTried }];
      }
      if (nick.startsWith("/")) {
        throw new ChatError(
          "not_registered",
          "Type a nick first (or /login NICK PASSWORD, or /quit to leave)",
        );
      }
      this.#nickTried = nick;
      this.#loginTried = undefined;
      return nick === "" ? [] : [{ kind: "register", nick }];
    }
    if (line.trim() === "") return [];
    if (line.startsWith("/") && !line.startsWith("//")) {
      if (FILE_COMMANDS.test(line)) {
        throw new ChatError(
          "unknown_command",
          "Files need `chat join` or the web page to send: " +
            "nc and telnet get a download link for files shared with them",
        );
      }
      return [{ kind: "command", line, room: this.#room }];
    }
    return [{ kind: "say", room: this.#room, text: line.startsWith("//") ? line.slice(1) : line }];
  }

  encode(event: HubEvent, view: DialectView, shared: SharedEncodings): Uint8Array {
    // This runs once per viewer of every event: the common case (a message seen by everyone in
    // a room) allocates nothing here once the room's rendering is shared.
    const frame = nativeFrame(event);
    if (frame === undefined) return NOTHING;
    this.#follow(frame, view);
    // Events whose rendering depends on the viewer's nick are rendered per viewer; the rest
    // once per active room (it decides the `[#room]` prefix), without a nick.
    const personal = event.type === "nick" || event.type === "room" || event.type === "private";
    if (
      event.type === "failure" &&
      (event.error.code === "password_required" || event.error.code === "bad_server_password")
    ) {
      this.#askingPassword = true;
      return encoder.encode(`! ${event.error.message}\n${PASSWORD_PROMPT}\n`);
    }
    let bytes = personal ? undefined : shared.get(this.#key);
    if (bytes === undefined) {
      const self = personal ? view.nick : undefined;
      const lines = renderFrame(frame, { self, room: this.#room }).map(plainText);
      bytes = lines.length === 0 ? NOTHING : encoder.encode(lines.join("\n") + "\n");
      if (!personal) shared.set(this.#key, bytes);
    }
    return bytes;
  }

  switched(room: string): void {
    this.#enter(room);
  }

  /** Keeps the active room in step: the room just entered, or one still held. */
  #follow(event: HubEvent, view: DialectView): void {
    if (event.type === "room") this.#enter(event.room);
    if (event.type === "left" && event.room === this.#room) this.#enter(view.rooms()[0] ?? LOBBY);
  }

  #enter(room: string): void {
    if (room === this.#room) return;
    this.#room = room;
    this.#key = sharedKey(room);
  }
}

/** The shared-encodings key of plain text rendered for viewers whose active room is `room`. */
function sharedKey(room: string): string {
  return `plain:${room}`;
}
