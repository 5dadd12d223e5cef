/**
 * The plain-text dialect: people with `nc` or `telnet`. The first line is the nick; then each
 * line is a message to the active room, or a slash command. Output is rendered text, the same
 * lines `chat join` shows, without colour. Pure.
 */
import { ChatError } from "../errors.ts";
import { LOBBY } from "../limits.ts";
import { NICK_RULE } from "../nick.ts";
import type { ServerFrame } from "../protocol.ts";
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

/** Commands only a client with file support has; plain-text users are told where to find them. */
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
  readonly supports = { files: false, resume: false, ping: false } as const;
  #room = LOBBY;

  /** The room the user talks in. */
  get room(): string {
    return this.#room;
  }

  read(raw: string, view: DialectView): Intent[] {
    const line = raw.replace(KEY_SEQUENCES, "");
    if (view.nick === undefined) {
      const nick = line.trim();
      if (/^\/(quit|exit|close)\b/i.test(nick)) {
        return [{ kind: "end", reason: "Quit", bye: "Goodbye" }];
      }
      if (nick.startsWith("/")) {
        throw new ChatError("not_registered", "Type a nick first (or /quit to leave)");
      }
      return nick === "" ? [] : [{ kind: "register", nick }];
    }
    if (line.trim() === "") return [];
    if (line.startsWith("/") && !line.startsWith("//")) {
      if (FILE_COMMANDS.test(line)) {
        throw new ChatError(
          "unknown_command",
          "Files need `chat join`: nc and telnet cannot send or receive them",
        );
      }
      return [{ kind: "command", line, room: this.#room }];
    }
    return [{ kind: "say", room: this.#room, text: line.startsWith("//") ? line.slice(1) : line }];
  }

  encode(event: HubEvent, view: DialectView, shared: SharedEncodings): Uint8Array {
    const frame = nativeFrame(event);
    if (frame === undefined) return NOTHING;
    this.#follow(frame, view);
    // Events whose rendering depends on the viewer's nick are rendered per viewer; the rest
    // once per active room (it decides the `[#room]` prefix), without a nick.
    const personal = frame.type === "nick" || frame.type === "room" || frame.type === "private";
    const key = `${this.name}:${this.#room}`;
    let bytes = personal ? undefined : shared.get(key);
    if (bytes === undefined) {
      const self = personal ? view.nick : undefined;
      const lines = renderFrame(frame, { self, room: this.#room }).map(plainText);
      bytes = lines.length === 0 ? NOTHING : encoder.encode(lines.join("\n") + "\n");
      if (!personal) shared.set(key, bytes);
    }
    return bytes;
  }

  switched(room: string): void {
    this.#room = room;
  }

  /** Keeps the active room in step: the room just entered, or one still held. */
  #follow(event: ServerFrame, view: DialectView): void {
    if (event.type === "room") this.#room = event.room;
    if (event.type === "left" && event.room === this.#room) this.#room = view.rooms()[0] ?? LOBBY;
  }
}
