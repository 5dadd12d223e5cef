/**
 * Commands the client handles itself; everything else starting with `/` goes to the server,
 * whose table answers `/help`. The client adds these rows to the server's `/help`.
 */
import type { HelpEntry } from "../protocol.ts";

export type LocalAction = "clear" | "quit";

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
];

/** The local command a line names, if any (`/clear`, `/CLEAN`). */
export function findLocalCommand(line: string): LocalCommand | undefined {
  const match = /^\/(\S+)\s*$/.exec(line.trim());
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
