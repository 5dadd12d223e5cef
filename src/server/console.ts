/**
 * The admin console: when `chat serve` runs on a terminal, its stdin takes console commands
 * while the server runs. Lines come from a terminal UI (so log lines print above what the
 * operator types); commands run through the console table.
 */
import type { Line } from "../render.ts";
import type { ChatUi } from "../terminal/ui.ts";
import { type AdminApi, runConsoleLine } from "./console_commands.ts";

/** A UI that can tell why input ended (the terminal UI can). */
export interface ConsoleUi extends ChatUi {
  readonly endedBy?: "interrupt" | "end" | "close";
}

/**
 * How the console ended: Ctrl-C, end of input (Ctrl-D), the UI closed from outside (the server
 * is stopping), or a `/shutdown` command.
 */
export type ConsoleOutcome = "interrupt" | "end" | "close" | "stop";

/** The console's first line: one line, which the terminal wraps at its own width. */
export const CONSOLE_BANNER =
  "Admin console: /help lists commands; Ctrl-D closes the console (the server keeps running); " +
  "Ctrl-C or /shutdown stops the server";

const line = (text: string, style: "system" | "error" | "dim" = "system"): Line => ({
  spans: [{ text, style }],
});

/** Runs the console until its input ends or it is told to stop the server. */
export async function runConsole(api: AdminApi, ui: ConsoleUi): Promise<ConsoleOutcome> {
  ui.setPrompt("admin> ");
  ui.show([line(CONSOLE_BANNER)]);
  while (true) {
    const input = await ui.nextLine();
    if (input === null) {
      return ui.endedBy === "interrupt" || ui.endedBy === "close" ? ui.endedBy : "end";
    }
    if (input.trim() === "") continue;
    ui.show([line(`admin> ${input}`, "dim")]);
    let result;
    try {
      result = runConsoleLine(api, input);
    } catch (error) {
      ui.show([
        line(`! Internal error: ${error instanceof Error ? error.message : error}`, "error"),
      ]);
      continue;
    }
    ui.show(result.lines.map((text) => line(text, text.startsWith("!") ? "error" : "system")));
    if (result.stop) return "stop";
  }
}
