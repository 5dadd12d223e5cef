/**
 * Commands the client handles itself; everything else starting with `/` goes to the server,
 * whose table answers `/help`. The client adds these rows to the server's `/help`.
 */
import type { HelpEntry } from "../protocol.ts";

export type LocalAction = "clear" | "quit" | "send" | "accept" | "files";

export interface LocalCommand extends HelpEntry {
  readonly names: readonly string[];
  readonly action: LocalAction;
}

/** Client-side commands. `/quit` is also sent to the server, which says goodbye to the room. */
export const LOCAL_COMMANDS: readonly LocalCommand[] = [
  {
    names: ["clear", "clean"],
    action: "clear",
    usage: "/clear",
    summary: "Clear the screen",
    aliases: ["/clean"],
  },
  {
    names: ["send", "upload"],
    action: "send",
    usage: "/send PATH [NICK]",
    summary: "Share a file with the room, or with one person",
    aliases: ["/upload"],
  },
  {
    names: ["accept"],
    action: "accept",
    usage: "/accept ID",
    summary: "Receive a file offered to you (with --no-auto-receive)",
    aliases: [],
  },
  {
    names: ["files"],
    action: "files",
    usage: "/files",
    summary: "List files offered to you and not received yet",
    aliases: [],
  },
];

/** The local command a line names, if any (`/clear`, `/CLEAN`, `/send notes.txt`). */
export function findLocalCommand(line: string): LocalCommand | undefined {
  const match = /^\/(\S+)(\s|$)/.exec(line.trim());
  const name = match?.[1]?.toLowerCase();
  return name === undefined
    ? undefined
    : LOCAL_COMMANDS.find((command) => command.names.includes(name));
}

/** Whether a line is `/quit`, `/exit` or `/close`, with or without a reason. */
export function isQuitLine(line: string): boolean {
  return /^\/(quit|exit|close)(\s|$)/i.test(line.trim());
}

/**
 * The room a line switches to: `/switch ROOM`, `/go ROOM`, or `/join ROOM` (which only switches
 * when we are already in ROOM; the caller checks). Undefined for any other line.
 */
export function switchTarget(line: string): string | undefined {
  const match = /^\/(switch|go|join)\s+(\S+)\s*$/i.exec(line.trim());
  return match?.[2];
}

/**
 * Splits `/send` arguments into a path and an optional nick: a quoted path (`"my notes.txt" bob`),
 * or else the last word is a nick only when the whole text is not an existing path.
 */
export function parseSendArgs(
  argText: string,
  exists: (path: string) => boolean,
): { path: string; to?: string } | undefined {
  const text = argText.trim();
  if (text === "") return undefined;
  const quoted = /^"([^"]+)"(?:\s+(\S+))?$/.exec(text) ?? /^'([^']+)'(?:\s+(\S+))?$/.exec(text);
  if (quoted) {
    return quoted[2] === undefined
      ? { path: quoted[1] ?? "" }
      : { path: quoted[1] ?? "", to: quoted[2] };
  }
  const space = text.search(/\s\S+$/);
  if (space === -1 || exists(text)) return { path: text };
  return { path: text.slice(0, space).trim(), to: text.slice(space).trim() };
}
