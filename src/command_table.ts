/**
 * Slash-command tables: each entry declares its usage, summary, aliases and argument counts;
 * `runTable` checks those once, then runs the handler, and `helpEntries` makes `/help` from the
 * table. Used by the users' commands and by the server's admin console. Pure.
 */
import { ChatError } from "./errors.ts";
import { quote } from "./nick.ts";
import type { HelpEntry } from "./protocol.ts";

/** One command of a table whose handlers take a `C` and return an `R`. */
export interface TableEntry<C, R> {
  readonly name: string;
  readonly aliases: readonly string[];
  /** Usage as shown in /help, such as `/nick NEW`. */
  readonly usage: string;
  readonly summary: string;
  readonly minArgs: number;
  /** Most arguments; with `rest`, the last one takes the rest of the line, spaces included. */
  readonly maxArgs: number;
  readonly rest?: boolean;
  run(context: C, args: readonly string[]): R;
}

/** /help rows for a table (or any list of commands with a usage, summary and aliases). */
export function helpEntries(
  commands: readonly Pick<TableEntry<unknown, unknown>, "usage" | "summary" | "aliases">[],
): HelpEntry[] {
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
export function findEntry<T extends { name: string; aliases: readonly string[] }>(
  commands: readonly T[],
  name: string,
): T | undefined {
  const wanted = name.toLowerCase();
  return commands.find((command) => command.name === wanted || command.aliases.includes(wanted));
}

/**
 * Runs one slash-command line such as `/nick bob`. Throws `unknown_command` or `bad_arguments`
 * (with the usage) before the handler runs; the handler may throw other `ChatError`s.
 */
export function runTable<C, R>(
  commands: readonly TableEntry<C, R>[],
  context: C,
  line: string,
): R {
  const { name, argText } = splitCommandLine(line);
  const command = findEntry(commands, name);
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
