/**
 * Commands the client handles itself; everything else starting with `/` goes to the server,
 * whose table answers `/help`. The client adds these rows to the server's `/help`.
 */
import { findEntry, helpEntries, splitCommandLine } from "../command_table.ts";
import type { HelpEntry } from "../protocol.ts";

export type LocalAction = "clear" | "send" | "accept" | "files";

/** One client-side command: its name and aliases (without the `/`), and its /help row. */
export interface LocalCommand {
  readonly name: string;
  readonly aliases: readonly string[];
  readonly usage: string;
  readonly summary: string;
  readonly action: LocalAction;
}

/** Client-side commands. `/quit` is not one: it goes to the server, which tells the room. */
export const LOCAL_COMMANDS: readonly LocalCommand[] = [
  {
    name: "clear",
    aliases: ["clean"],
    action: "clear",
    usage: "/clear",
    summary: "Clear the screen",
  },
  {
    name: "send",
    aliases: ["upload"],
    action: "send",
    usage: "/send PATH [NICK]",
    summary: "Share a file with the room, or with one person",
  },
  {
    name: "accept",
    aliases: [],
    action: "accept",
    usage: "/accept ID",
    summary: "Receive a file offered to you (with --no-auto-receive)",
  },
  {
    name: "files",
    aliases: [],
    action: "files",
    usage: "/files",
    summary: "List files offered to you and not received yet",
  },
];

/** The /help rows of {@linkcode LOCAL_COMMANDS}, added to the server's. */
export const LOCAL_HELP: readonly HelpEntry[] = helpEntries(LOCAL_COMMANDS);

/** Server commands the client looks at: leaving, switching rooms, and actions (echoed). */
const QUIT_NAMES = ["quit", "exit", "close"];
const SWITCH_NAMES = ["switch", "go", "join"];
const ACTION_NAMES = ["me", "action"];

/** The local commands' names and aliases as typed (`/clear`, `/clean`...), for completion. */
export const LOCAL_COMMAND_WORDS: readonly string[] = LOCAL_COMMANDS.flatMap((command) =>
  [command.name, ...command.aliases].map((name) => `/${name}`)
);

/**
 * The command words of `/help` rows (`/nick` of `/nick NEW`, and the aliases), for completion.
 *
 * @example
 * ```ts
 * import { helpWords } from "./local_commands.ts";
 * helpWords([{ usage: "/rooms", summary: "List rooms", aliases: ["/list"] }]); // ["/rooms", "/list"]
 * ```
 */
export function helpWords(entries: readonly HelpEntry[]): string[] {
  return entries.flatMap((entry) => [entry.usage.split(/\s/)[0] ?? "", ...entry.aliases])
    .filter((word) => word.startsWith("/") && word.length > 1);
}

/** A slash-command line's lowercased name and argument text; undefined for any other line. */
function commandLine(line: string): { name: string; argText: string } | undefined {
  return line.trim().startsWith("/") ? splitCommandLine(line) : undefined;
}

/**
 * The local command a line names, if any (`/clear`, `/CLEAN`, `/send notes.txt`), with the
 * argument text after the name.
 */
export function findLocalCommand(
  line: string,
): { command: LocalCommand; argText: string } | undefined {
  const parsed = commandLine(line);
  if (parsed === undefined) return undefined;
  const command = findEntry(LOCAL_COMMANDS, parsed.name);
  return command === undefined ? undefined : { command, argText: parsed.argText };
}

/** The reason a `/quit`, `/exit` or `/close` line gives (`""` for none); undefined for others. */
export function quitReason(line: string): string | undefined {
  const parsed = commandLine(line);
  return parsed !== undefined && QUIT_NAMES.includes(parsed.name) ? parsed.argText : undefined;
}

/** The text of a `/me TEXT` or `/action TEXT` line; undefined for any other line or no text. */
export function actionText(line: string): string | undefined {
  const parsed = commandLine(line);
  if (parsed === undefined || !ACTION_NAMES.includes(parsed.name)) return undefined;
  return parsed.argText === "" ? undefined : parsed.argText;
}

/**
 * A path with a leading `~` (alone, or before `/` or `\\`) made the home folder, as a shell would;
 * any other path as it is, and also when the home folder is not known.
 *
 * @example
 * ```ts
 * import { expandHome } from "./local_commands.ts";
 * expandHome("~/notes.txt", "/home/ana"); // "/home/ana/notes.txt"
 * expandHome("notes~.txt", "/home/ana"); // "notes~.txt"
 * ```
 */
export function expandHome(path: string, home: string | undefined): string {
  if (home === undefined || home === "" || !/^~(?:$|[/\\])/.test(path)) return path;
  return home.replace(/[/\\]+$/, "") + path.slice(1);
}

/**
 * The room a line switches to: `/switch ROOM`, `/go ROOM`, or `/join ROOM` (which only switches
 * when we are already in ROOM; the caller checks). Undefined for any other line.
 */
export function switchTarget(line: string): string | undefined {
  const parsed = commandLine(line);
  if (parsed === undefined || !SWITCH_NAMES.includes(parsed.name)) return undefined;
  return /^\S+$/.test(parsed.argText) ? parsed.argText : undefined;
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
