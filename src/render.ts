/**
 * Turns server frames into readable lines: plain text for `nc` users and line mode, styled spans
 * for the terminal client. Every piece of untrusted text passes through `safeText`. Pure.
 */
import { type ServerFrame, unreachable } from "./protocol.ts";
import { safeText } from "./text.ts";

/** How a span is shown on a terminal; plain text ignores it. */
export type Style = "system" | "error" | "nick" | "dim";

/** A run of text with one style; `nick` spans carry the nick, for its colour. */
export interface Span {
  text: string;
  style?: Style;
}

/** One line to show. `time` (ms since epoch) is when the event happened, if the frame says. */
export interface Line {
  spans: Span[];
  time?: number;
}

const sys = (text: string): Span => ({ text, style: "system" });
const nick = (name: string): Span => ({ text: safeText(name), style: "nick" });

/** Renders a frame as zero or more lines. `self` is the viewer's nick, if known. */
export function renderFrame(frame: ServerFrame, self?: string): Line[] {
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
      const who = others.length === 0
        ? " (just you so far)"
        : ` with ${others.map(safeText).join(", ")} (${frame.members.length} here)`;
      return [{ spans: [sys(`* You are in ${safeText(frame.room)}${who}`)] }];
    }
    case "join":
      return [{ spans: [sys("* "), nick(frame.nick), sys(" joined")], time: frame.time }];
    case "leave": {
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
    case "message":
      return [{
        spans: [{ text: "<" }, nick(frame.nick), { text: "> " + safeText(frame.text) }],
        time: frame.time,
      }];
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
      return [{ spans: [sys(`* ${safeText(frame.text)}`)] }];
    case "error":
      return [{ spans: [{ text: `! ${safeText(frame.message)}`, style: "error" }] }];
    case "bye":
      return [{ spans: [sys(`* Disconnected: ${safeText(frame.reason)}`)] }];
    case "ping":
    case "pong":
      return [];
    default:
      return unreachable(frame);
  }
}

/** A line as plain text, without styles or timestamp. */
export function plainText(line: Line): string {
  return line.spans.map((span) => span.text).join("");
}
