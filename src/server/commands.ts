/**
 * Slash commands, as a data table: each entry declares its usage, summary, aliases and argument
 * counts; `runCommand` checks those once, then runs the handler. `/help` is generated from the
 * table. Pure: handlers change the hub and return deliveries.
 */
import { ChatError } from "../errors.ts";
import { quote } from "../nick.ts";
import { cleanReason } from "../text.ts";
import type { HelpEntry } from "../protocol.ts";
import type { ClientId, Delivery, Hub } from "./hub.ts";

/** What a handler may use. */
export interface CommandContext {
  readonly hub: Hub;
  readonly id: ClientId;
  /** The room the user is looking at. */
  readonly room: string;
  readonly now: number;
}

/** What a handler returns: frames to deliver, and whether (and why) the user is leaving. */
export interface CommandResult {
  deliveries: Delivery[];
  /** Set when the user leaves: their reason, cleaned, possibly empty. */
  quit?: string;
}

/** One command of the table. */
export interface Command {
  readonly name: string;
  readonly aliases: readonly string[];
  /** Usage as shown in /help, such as `/nick NEW`. */
  readonly usage: string;
  readonly summary: string;
  readonly minArgs: number;
  /** Most arguments; with `rest`, the last one takes the rest of the line, spaces included. */
  readonly maxArgs: number;
  readonly rest?: boolean;
  run(context: CommandContext, args: readonly string[]): CommandResult;
}

const reply = (context: CommandContext, frame: Delivery["frame"]): CommandResult => ({
  deliveries: [{ to: [context.id], frame }],
});

/** The server's commands, in the order /help lists them. */
export const COMMANDS: readonly Command[] = [
  {
    name: "help",
    aliases: [],
    usage: "/help",
    summary: "List the commands",
    minArgs: 0,
    maxArgs: 0,
    run: (context) => reply(context, { type: "help", commands: helpEntries(COMMANDS) }),
  },
  {
    name: "users",
    aliases: ["names"],
    usage: "/users",
    summary: "List who is in the room",
    minArgs: 0,
    maxArgs: 0,
    run: (context) => reply(context, context.hub.users(context.id, context.room)),
  },
  {
    name: "nick",
    aliases: [],
    usage: "/nick NEW",
    summary: "Change your nick",
    minArgs: 1,
    maxArgs: 1,
    run: (context, [nick = ""]) => ({
      deliveries: context.hub.rename(context.id, nick, context.now),
    }),
  },
  {
    name: "quit",
    aliases: ["exit", "close"],
    usage: "/quit [REASON]",
    summary: "Leave the chat",
    minArgs: 0,
    maxArgs: 1,
    rest: true,
    run: (_context, [reason = ""]) => ({ deliveries: [], quit: cleanReason(reason) }),
  },
];

/** /help rows for a table. */
export function helpEntries(commands: readonly Command[]): HelpEntry[] {
  return commands.map((command) => ({
    usage: command.usage,
    summary: command.summary,
    aliases: command.aliases.map((alias) => `/${alias}`),
  }));
}

/** Splits `/name args` into the lowercased name and the argument text. */
export function splitCommandLine(line: string): { name: string; argText: string } {
  const body = line.trim().replace(/^\//, "").trim();
  const space = body.search(/\s/);
  return space === -1
    ? { name: body.toLowerCase(), argText: "" }
    : { name: body.slice(0, space).toLowerCase(), argText: body.slice(space).trim() };
}

/** Finds a command by name or alias, ignoring case. */
export function findCommand(commands: readonly Command[], name: string): Command | undefined {
  const wanted = name.toLowerCase();
  return commands.find((command) => command.name === wanted || command.aliases.includes(wanted));
}

/**
 * Runs one slash-command line such as `/nick bob`. Throws `unknown_command` or `bad_arguments`
 * (with the usage) before the handler runs; the handler may throw other `ChatError`s.
 */
export function runCommand(
  commands: readonly Command[],
  context: CommandContext,
  line: string,
): CommandResult {
  const { name, argText } = splitCommandLine(line);
  const command = findCommand(commands, name);
  if (command === undefined) {
    throw new ChatError(
      "unknown_command",
      `Unknown command: ${quote("/" + name)}: type /help for the list`,
    );
  }
  const args = splitArgs(argText, command.rest ? command.maxArgs : Infinity);
  if (args.length < command.minArgs || args.length > command.maxArgs) {
    const count = args.length < command.minArgs ? "Not enough" : "Too many";
    throw new ChatError("bad_arguments", `${count} arguments: usage: ${command.usage}`);
  }
  return command.run(context, args);
}

/** Splits on white space into at most `limit` parts; the last part keeps the rest of the text. */
function splitArgs(text: string, limit: number): string[] {
  const args: string[] = [];
  let rest = text.trim();
  while (rest !== "") {
    if (args.length === limit - 1) {
      args.push(rest);
      break;
    }
    const space = rest.search(/\s/);
    if (space === -1) {
      args.push(rest);
      break;
    }
    args.push(rest.slice(0, space));
    rest = rest.slice(space).trim();
  }
  return args;
}
