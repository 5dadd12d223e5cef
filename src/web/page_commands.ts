/**
 * Commands the browser client handles itself, as a table like the terminal's
 * (`src/client/local_commands.ts`): its `/help` rows are made by the same `helpEntries` from
 * `src/command_table.ts` and added to the server's table, as `chat join` does. Pure.
 */
import { helpEntries } from "../command_table.ts";
import type { HelpEntry } from "../protocol.ts";

/** One page command: its name and aliases (without the `/`), and its /help row. */
export interface PageCommand {
  readonly name: string;
  readonly aliases: readonly string[];
  readonly usage: string;
  readonly summary: string;
}

/** What the page does itself; everything else starting with `/` goes to the server. */
export const PAGE_COMMANDS: readonly PageCommand[] = [
  {
    name: "send",
    aliases: ["upload"],
    usage: "/send [NICK]",
    summary: "Pick a file to share with the room, or with one person (or drop it here)",
  },
];

/** The /help rows of {@linkcode PAGE_COMMANDS}, shown after the server's. */
export const PAGE_HELP: readonly HelpEntry[] = helpEntries(PAGE_COMMANDS);

/** The names and aliases of the page's `/send`, for recognising it as typed. */
export const SEND_NAMES: readonly string[] = PAGE_COMMANDS
  .filter((command) => command.name === "send")
  .flatMap((command) => [command.name, ...command.aliases]);
