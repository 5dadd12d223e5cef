/** What the join loop needs from a user interface: the line UI and the terminal UI provide it. */
import type { Line } from "../render.ts";

export interface ChatUi {
  /** Shows lines to the user; on a terminal, above the line being typed, which stays intact. */
  show(lines: readonly Line[]): void;
  /** Sets the prompt shown before the input line (terminal only; the line UI ignores it). */
  setPrompt(prompt: string): void;
  /**
   * Gives a line that was not sent back to the user to edit: into the input line, if nothing
   * else is typed there. Returns whether it did (line mode has no input line, and no method).
   */
  putBack?(line: string): boolean;
  /** Words offered by tab completion (nicks, commands). */
  setCompletions(words: readonly string[]): void;
  /**
   * The next line the user entered, without its line end. `null` when input ends: stdin at end
   * of file, Ctrl-D on an empty line, or Ctrl-C.
   */
  nextLine(): Promise<string | null>;
  /** Shows a status line (transfer progress) above the input line; undefined removes it. */
  setStatus(text: string | undefined): void;
  /** Rings the terminal bell (terminal) or does nothing (line mode). */
  bell(): void;
  /** Clears the screen (terminal) or does nothing (line mode). */
  clear(): void;
  /** Restores the terminal and stops reading input. Safe to call more than once. */
  close(): void;
}
