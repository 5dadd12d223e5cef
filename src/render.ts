/**
 * Turns server frames into readable lines: plain text for `nc` users and line mode, styled spans
 * for the terminal client. Every piece of untrusted text passes through `safeText`. Pure.
 *
 * Line shapes never overlap, so no message can pass for a system line: messages start with `<`,
 * actions with `**`, private messages with `[private`, system lines with `*`, errors with `!`,
 * and lines from a room other than the one being looked at with `[#room]` (the `#` keeps a room
 * named "private" from passing for a private message).
 */
import { nickKey } from "./nick.ts";
import { formatBytes } from "./units.ts";
import { type ServerFrame, unreachable } from "./protocol.ts";
import { safeText } from "./text.ts";

/** How a span is shown on a terminal; plain text ignores it. */
export type Style = "system" | "error" | "nick" | "dim" | "highlight" | "private";

/** A run of text with one style; `nick` spans carry the nick, for its colour. */
export interface Span {
  text: string;
  style?: Style;
}

/** One line to show. */
export interface Line {
  spans: Span[];
  /** When the event happened (ms since epoch), if the frame says. */
  time?: number;
  /** A replayed message: plain text shows its original time. */
  history?: boolean;
  /** Mentions the viewer, or is a private message to them: worth a bell. */
  alert?: boolean;
}

/** Who is looking: their nick and the room they are talking in. */
export interface Viewer {
  self?: string;
  room?: string;
}

const sys = (text: string): Span => ({ text, style: "system" });
const nick = (name: string): Span => ({ text: safeText(name), style: "nick" });

/** Renders a frame as zero or more lines for a viewer. */
export function renderFrame(frame: ServerFrame, viewer: Viewer = {}): Line[] {
  const { self } = viewer;
  // Events from a room other than the one being looked at say which room.
  const where = (room: string): Span[] =>
    viewer.room !== undefined && room !== viewer.room ? [sys(`[#${safeText(room)}] `)] : [];
  switch (frame.type) {
    case "welcome":
      return [{
        spans: [
          sys("* Welcome, "),
          nick(frame.nick),
          sys(`! You are connected to ${safeText(frame.server)}. Type /help for commands.`),
        ],
      }];
    case "room": {
      const others = frame.members.filter((member) => member !== self);
      const count = frame.limit === undefined
        ? `${frame.members.length}`
        : `${frame.members.length}/${frame.limit}`;
      const who = others.length === 0
        ? ` (just you so far${frame.limit === undefined ? "" : `, limit ${frame.limit}`})`
        : ` with ${others.map(safeText).join(", ")} (${count} here)`;
      const room = safeText(frame.room);
      if (frame.since !== undefined) {
        // Resuming after a dropped connection: only what was missed follows.
        const missed = frame.history ?? 0;
        const what = missed === 0
          ? (frame.gap ? "" : "; you missed nothing")
          : missed === 1
          ? "; 1 missed message follows"
          : `; ${missed} missed messages follow`;
        const lines: Line[] = [{ spans: [sys(`* Back in ${room}${who}${what}`)] }];
        if (frame.gap) {
          lines.push({
            spans: [{
              text: `! Some messages in ${room} were lost while you were away: ` +
                "the room's history does not reach back that far",
              style: "error",
            }],
          });
        }
        return lines;
      }
      const lines: Line[] = [{ spans: [sys(`* You are in ${room}${who}`)] }];
      if (frame.topic) lines.push({ spans: [sys(`* Topic: ${safeText(frame.topic)}`)] });
      if (frame.owner) lines.push({ spans: [sys("* Owner: "), nick(frame.owner)] });
      if (frame.history) {
        const messages = frame.history === 1 ? "message" : `${frame.history} messages`;
        lines.push({ spans: [sys(`* Last ${messages} in ${room}:`)] });
      }
      return lines;
    }
    case "left": {
      const room = safeText(frame.room);
      const reason = frame.reason ? safeText(frame.reason) : "";
      const text = frame.kickedBy !== undefined
        ? `* You were kicked from ${room} by ${safeText(frame.kickedBy)}${
          reason ? `: ${reason}` : ""
        }`
        : frame.closedBy !== undefined
        ? `* ${room} was closed by ${safeText(frame.closedBy)}${reason ? `: ${reason}` : ""}`
        : `* You left ${room}${reason ? ` (${reason})` : ""}`;
      return [{ spans: [sys(text)] }];
    }
    case "rooms":
      return [
        { spans: [sys(`* Rooms (${frame.rooms.length}):`)] },
        ...frame.rooms.map((room): Line => {
          const count = room.limit === undefined
            ? `${room.members}`
            : `${room.members}/${room.limit}`;
          const marks = [room.private ? "private" : "", room.password ? "password" : ""]
            .filter((mark) => mark !== "");
          return {
            spans: [
              sys(`*   ${safeText(room.name)}  ${count}`),
              ...(marks.length > 0
                ? [{ text: ` (${marks.join(", ")})`, style: "dim" as const }]
                : []),
              ...(room.topic ? [sys(`  ${safeText(room.topic)}`)] : []),
            ],
          };
        }),
        { spans: [sys("* Type /join ROOM to join one")] },
      ];
    case "join":
      return [{
        spans: [...where(frame.room), sys("* "), nick(frame.nick), sys(" joined")],
        time: frame.time,
      }];
    case "leave": {
      const reason = frame.reason ? ` (${safeText(frame.reason)})` : "";
      const what = frame.kickedBy === undefined
        ? ` left${reason}`
        : ` was kicked by ${safeText(frame.kickedBy)}${reason}`;
      return [{
        spans: [...where(frame.room), sys("* "), nick(frame.nick), sys(what)],
        time: frame.time,
      }];
    }
    case "quit": {
      const reason = frame.reason ? ` (${safeText(frame.reason)})` : "";
      return [{ spans: [sys("* "), nick(frame.nick), sys(` left${reason}`)], time: frame.time }];
    }
    case "nick":
      // Nicks are unique, so either name matching the viewer's means the viewer renamed (the
      // viewer's nick may be read before or after the change).
      if (self !== undefined && (frame.old === self || frame.new === self)) {
        return [{ spans: [sys("* You are now known as "), nick(frame.new)], time: frame.time }];
      }
      return [{
        spans: [sys("* "), nick(frame.old), sys(" is now known as "), nick(frame.new)],
        time: frame.time,
      }];
    case "message": {
      const alert = !frame.history && self !== undefined && frame.nick !== self &&
        mentions(frame.text, self);
      const text: Span = { text: safeText(frame.text), ...(alert ? { style: "highlight" } : {}) };
      // A notice is marked -nick- (as IRC clients show it): information, not conversation.
      const spans = frame.action
        ? [...where(frame.room), { text: "** " }, nick(frame.nick), { text: " " }, text]
        : frame.notice
        ? [...where(frame.room), { text: "-" }, nick(frame.nick), { text: "- " }, text]
        : [...where(frame.room), { text: "<" }, nick(frame.nick), { text: "> " }, text];
      const line: Line = { spans, time: frame.time };
      if (frame.history) line.history = true;
      if (alert) line.alert = true;
      return [line];
    }
    case "private": {
      const outgoing = frame.from === self;
      const tag: Span = {
        text: outgoing ? `[private to ${safeText(frame.to)}] ` : "[private] ",
        style: "private",
      };
      const body: Span[] = frame.action
        ? [{ text: "** " }, nick(frame.from), { text: " " + safeText(frame.text) }]
        : frame.notice
        ? [{ text: "-" }, nick(frame.from), { text: "- " + safeText(frame.text) }]
        : [{ text: "<" }, nick(frame.from), { text: "> " + safeText(frame.text) }];
      return [{ spans: [tag, ...body], time: frame.time, ...(outgoing ? {} : { alert: true }) }];
    }
    case "topic":
      return [{
        spans: [
          ...where(frame.room),
          sys("* "),
          nick(frame.nick),
          sys(
            frame.topic === ""
              ? ` cleared the topic of ${safeText(frame.room)}`
              : ` set the topic of ${safeText(frame.room)}: ${safeText(frame.topic)}`,
          ),
        ],
        time: frame.time,
      }];
    case "whois": {
      const rooms = frame.rooms.length === 0
        ? "no rooms shared with you"
        : `in ${frame.rooms.map(safeText).join(", ")}`;
      const away = frame.away ? `; away: ${safeText(frame.away)}` : "";
      return [{
        spans: [
          sys("* "),
          nick(frame.nick),
          sys(
            `: ${rooms}; idle ${duration(frame.idle)}; here since ${clockTime(frame.since)}${away}`,
          ),
        ],
      }];
    }
    case "users":
      return [{
        spans: [
          sys(`* In ${safeText(frame.room)} (${frame.nicks.length}): `),
          ...frame.nicks.flatMap((name, i) => i === 0 ? [nick(name)] : [sys(", "), nick(name)]),
        ],
      }];
    case "help": {
      const width = Math.max(...frame.commands.map((entry) => entry.usage.length));
      return [
        { spans: [sys("* Commands:")] },
        ...frame.commands.map((entry) => {
          const aliases = entry.aliases.length > 0 ? ` (also ${entry.aliases.join(", ")})` : "";
          return {
            spans: [sys(`*   ${safeText(entry.usage.padEnd(width))}  ${safeText(entry.summary)}`), {
              text: safeText(aliases),
              style: "dim" as const,
            }],
          };
        }),
      ];
    }
    case "notice":
      return [{
        spans: [...(frame.room ? where(frame.room) : []), sys(`* ${safeText(frame.text)}`)],
      }];
    case "announce":
      return [{
        spans: [{
          text: `* Announcement${frame.room ? ` to ${safeText(frame.room)}` : ""}: ` +
            safeText(frame.text),
          style: "highlight",
        }],
        time: frame.time,
        alert: true,
      }];
    case "error":
      return [{ spans: [{ text: `! ${safeText(frame.message)}`, style: "error" }] }];
    case "bye":
      return [{ spans: [sys(`* Disconnected: ${safeText(frame.reason)}`)] }];
    case "file": {
      // A size from the wire: rendering never throws, whatever a peer sent.
      const size = Number.isFinite(frame.size) && frame.size > 0 ? frame.size : 0;
      // The download link, for those who fetch it with a browser, curl or wget.
      const link = frame.url === undefined ? "" : `: ${safeText(frame.url)}`;
      const what = `${safeText(frame.name)} (${formatBytes(size)})${link}`;
      if (frame.to !== undefined) {
        return [{
          spans: [
            { text: "[private] ", style: "private" },
            sys("* "),
            nick(frame.from),
            sys(` is sending you ${what}`),
          ],
          time: frame.time,
          alert: true,
        }];
      }
      return [{
        spans: [
          ...where(frame.room ?? ""),
          sys("* "),
          nick(frame.from),
          sys(` is sending ${what}`),
        ],
        time: frame.time,
      }];
    }
    case "transfer": {
      const name = safeText(frame.name);
      const reason = frame.reason ? `: ${safeText(frame.reason)}` : "";
      if (frame.state === "failed") {
        return [{ spans: [{ text: `! Transfer of ${name} failed${reason}`, style: "error" }] }];
      }
      const done = frame.state === "delivered" ? "delivered" : "uploaded and verified";
      return [{ spans: [sys(`* ${name} ${done}${reason}`)] }];
    }
    case "ping":
    case "pong":
    case "ack":
    case "offer_ok":
    case "ready":
    case "data":
      return [];
    default:
      return unreachable(frame);
  }
}

/** A line as plain text, without styles; a replayed message starts with its `[HH:MM]`. */
export function plainText(line: Line): string {
  const text = line.spans.map((span) => span.text).join("");
  return line.history && line.time !== undefined ? `[${clockTime(line.time)}] ${text}` : text;
}

/** `HH:MM` of a time (ms since epoch), in local time. */
export function clockTime(time: number): string {
  const date = new Date(time);
  return `${String(date.getHours()).padStart(2, "0")}:${
    String(date.getMinutes()).padStart(2, "0")
  }`;
}

/** Whether a message names the viewer: their nick as a whole word, ignoring case. */
export function mentions(text: string, self: string): boolean {
  const key = nickKey(self);
  if (key === "") return false;
  // Trailing `.` and `-` are usually punctuation ("ana." or "ana-"), but a nick may end in them.
  return text.split(/[^\p{L}\p{Nd}_.\-]+/u).some((word) =>
    nickKey(word) === key || nickKey(word.replace(/[.\-]+$/, "")) === key
  );
}

/** A number of seconds as `42s`, `5m 3s`, `2h 7m` or `3d 4h`. */
export function duration(seconds: number): string {
  const s = Math.max(0, Math.floor(seconds));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m ${s % 60}s`;
  if (s < 86400) return `${Math.floor(s / 3600)}h ${Math.floor((s % 3600) / 60)}m`;
  return `${Math.floor(s / 86400)}d ${Math.floor((s % 86400) / 3600)}h`;
}
