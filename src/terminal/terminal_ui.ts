/**
 * The interactive terminal UI: one input line at the bottom, edited in raw mode, with incoming
 * lines printed above it so that what is being typed is never disturbed.
 *
 * It touches the terminal only through {@linkcode Stdio}, so tests drive it with a fake. Keys
 * come from `keys.ts`, editing from `line_editor.ts`, colours from `ansi.ts`; this file only
 * wires them to the terminal.
 *
 * Key bindings (readline's, for the most part):
 * | key | action |
 * |---|---|
 * | Enter | send the line |
 * | Left, Right, Ctrl-B, Ctrl-F | move by a character |
 * | Alt-B, Alt-F, Ctrl-Left, Ctrl-Right | move by a word |
 * | Home, End, Ctrl-A, Ctrl-E | go to the start or end of the line |
 * | Backspace, Delete | delete a character |
 * | Ctrl-W, Alt-Backspace | delete the word before the cursor |
 * | Ctrl-U, Ctrl-K | delete to the start or to the end of the line |
 * | Ctrl-Y | insert what was deleted last |
 * | Up, Down, Ctrl-P, Ctrl-N | browse the lines sent before |
 * | Tab | complete a nick or command (lists them when ambiguous) |
 * | Ctrl-L | clear the screen |
 * | Ctrl-C, Ctrl-D on an empty line | quit (Ctrl-D otherwise deletes a character) |
 */
import type { Line } from "../render.ts";
import { unreachable } from "../protocol.ts";
import { safeText } from "../text.ts";
import { formatLine } from "./ansi.ts";
import {
  BRACKETED_PASTE_OFF,
  BRACKETED_PASTE_ON,
  type Key,
  type KeyName,
  KeyParser,
} from "./keys.ts";
import { fit, LineEditor } from "./line_editor.ts";
import type { Stdio } from "./stdio.ts";
import type { ChatUi } from "./ui.ts";

/** Options for {@linkcode TerminalUi}. */
export interface TerminalUiOptions {
  /**
   * Whether to use colours.
   *
   * @default {true}
   */
  color?: boolean;
  /**
   * The clock, in ms since the epoch, for the timestamp of lines that carry no time.
   *
   * @default {Date.now}
   */
  now?: () => number;
  /**
   * Whether lines start with their `HH:MM` time.
   *
   * @default {true}
   */
  timestamps?: boolean;
  /**
   * A line that PageUp enters, without touching the line being typed (the chat client's
   * `/history`, to page back through a room's messages); none ignores PageUp.
   */
  pageUp?: string;
}

/** Carriage return, then erase the whole row. */
const CLEAR_ROW = "\r\x1b[2K";
/** Erase from the cursor to the end of the row. */
const ERASE_RIGHT = "\x1b[K";
/** Erase from the cursor to the end of the screen. */
const ERASE_DOWN = "\x1b[J";
/** Erase the screen, then cursor to the top left corner. */
const CLEAR_SCREEN = "\x1b[2J\x1b[H";
const BELL = "\x07";
const DEFAULT_PROMPT = "> ";
/** Most completion candidates listed after an ambiguous Tab. */
const MAX_LISTED = 50;

/** Keys that only edit the line, and what they do to it. */
const EDITING_KEYS: Readonly<Partial<Record<KeyName, (editor: LineEditor) => void>>> = {
  backspace: (editor) => editor.deleteBackward(),
  delete: (editor) => editor.deleteForward(),
  left: (editor) => editor.moveLeft(),
  ctrl_b: (editor) => editor.moveLeft(),
  right: (editor) => editor.moveRight(),
  ctrl_f: (editor) => editor.moveRight(),
  home: (editor) => editor.moveHome(),
  ctrl_a: (editor) => editor.moveHome(),
  end: (editor) => editor.moveEnd(),
  ctrl_e: (editor) => editor.moveEnd(),
  word_left: (editor) => editor.moveWordLeft(),
  word_right: (editor) => editor.moveWordRight(),
  up: (editor) => editor.historyPrevious(),
  ctrl_p: (editor) => editor.historyPrevious(),
  down: (editor) => editor.historyNext(),
  ctrl_n: (editor) => editor.historyNext(),
  ctrl_u: (editor) => editor.killToStart(),
  ctrl_k: (editor) => editor.killToEnd(),
  ctrl_w: (editor) => editor.deleteWordBackward(),
  delete_word: (editor) => editor.deleteWordBackward(),
  ctrl_y: (editor) => editor.yank(),
};

/**
 * A {@linkcode ChatUi} on a terminal. Creating it takes over the terminal (raw mode, bracketed
 * paste), draws the prompt and starts reading keys; `close()` gives the terminal back. Input ends
 * (and the terminal is given back at once) on Ctrl-C, on Ctrl-D with an empty line, and at the
 * end of stdin; lines can still be shown after that, without an input line.
 *
 * @example
 * ```ts ignore
 * import { denoStdio } from "./stdio.ts";
 * import { TerminalUi } from "./terminal_ui.ts";
 * const ui = new TerminalUi(denoStdio());
 * try {
 *   for (let line = await ui.nextLine(); line !== null; line = await ui.nextLine()) {
 *     ui.show([{ spans: [{ text: line }] }]);
 *   }
 * } finally {
 *   ui.close();
 * }
 * ```
 */
export class TerminalUi implements ChatUi {
  readonly #stdio: Stdio;
  readonly #color: boolean;
  readonly #timestamps: boolean;
  readonly #now: () => number;
  readonly #pageUp: string | undefined;
  readonly #parser = new KeyParser();
  readonly #editor = new LineEditor();
  readonly #stopResize: () => void;
  #prompt = DEFAULT_PROMPT;
  #completions: readonly string[] = [];
  /** Lines entered that no `nextLine()` call has taken yet. */
  readonly #entered: string[] = [];
  /** `nextLine()` calls waiting for a line. */
  readonly #waiting: ((line: string | null) => void)[] = [];
  /** Whether input has ended: keys are no longer read and the input line is gone. */
  #inputEnded = false;
  /** Whether the terminal is still in raw mode and bracketed paste mode. */
  #terminalTaken = false;
  #closed = false;
  /** A status line (transfer progress) shown above the input line, if any. */
  #status: string | undefined;
  /** Whether the status row is on screen now, right above the input row (the cursor's row). */
  #statusShown = false;
  #endedBy: "interrupt" | "end" | "close" | undefined;
  /** Whether keys of a chunk are being handled: the input line is drawn once, at the end. */
  #handlingKeys = false;
  /** Where the input line was last drawn: the cursor's column, and the status row's width. */
  #drawnCursor = 0;
  #drawnStatusWidth = 0;

  constructor(stdio: Stdio, options: TerminalUiOptions = {}) {
    this.#stdio = stdio;
    this.#color = options.color ?? true;
    this.#timestamps = options.timestamps ?? true;
    this.#now = options.now ?? Date.now;
    this.#pageUp = options.pageUp;
    stdio.setRaw(true);
    this.#terminalTaken = true;
    try {
      stdio.write(BRACKETED_PASTE_ON + this.#inputLine());
      this.#stopResize = stdio.onResize(() => this.#resized());
    } catch (error) {
      this.#giveBackTerminal();
      throw error;
    }
    void this.#readLoop();
  }

  /**
   * Why input ended, once it has: `interrupt` (Ctrl-C), `end` (Ctrl-D on an empty line, end of
   * stdin, or a terminal that cannot be read) or `close` (`close()` was called).
   */
  get endedBy(): "interrupt" | "end" | "close" | undefined {
    return this.#endedBy;
  }

  /** Prints lines above the input line, then redraws the input line as it was. */
  show(lines: readonly Line[]): void {
    const now = this.#now();
    this.#print(
      lines.map((line) =>
        formatLine(line, { color: this.#color, now, timestamps: this.#timestamps })
      ),
    );
  }

  /** Sets the prompt and redraws the input line. */
  setPrompt(prompt: string): void {
    this.#prompt = prompt;
    this.#redraw();
  }

  /**
   * Puts a line back into the input line to be edited (a message that was not sent), unless
   * something else is being typed there already (the line is in the history either way).
   * Returns whether it did.
   */
  putBack(line: string): boolean {
    if (this.#inputEnded || this.#editor.text !== "") return false;
    this.#editor.setText(line);
    if (!this.#handlingKeys) this.#redraw();
    return true;
  }

  /** Sets the words Tab completes (nicks, `/commands`). */
  setCompletions(words: readonly string[]): void {
    this.#completions = [...words];
  }

  /**
   * The next line entered, without its line end; lines entered earlier are queued. `null` once
   * input has ended (Ctrl-C, Ctrl-D on an empty line, end of stdin, `close()`) and the queue is
   * empty. The line is not echoed: the caller shows it if it wants to.
   */
  nextLine(): Promise<string | null> {
    const line = this.#entered.shift();
    if (line !== undefined) return Promise.resolve(line);
    if (this.#inputEnded) return Promise.resolve(null);
    return new Promise((resolve) => this.#waiting.push(resolve));
  }

  /** Clears the screen and redraws the input line at the top. */
  clear(): void {
    this.#statusShown = false;
    this.#stdio.write(CLEAR_SCREEN + this.#pendingInputLine());
  }

  /**
   * Shows `text` on a status row right above the input line (progress of a file transfer), or
   * removes the row when `text` is undefined. The line being typed is not disturbed.
   */
  setStatus(text: string | undefined): void {
    const status = text === undefined ? undefined : safeText(text);
    if (status === this.#status) return;
    this.#status = status;
    if (this.#inputEnded || this.#handlingKeys) return;
    this.#stdio.write(this.#clearStatusRow() + this.#inputLine());
  }

  /** Rings the terminal bell. */
  bell(): void {
    this.#stdio.write(BELL);
  }

  /**
   * Ends input, removes the input line and restores the terminal. Safe to call more than once.
   * A read of stdin already under way is not cancelled: its result is ignored.
   */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    try {
      this.#stopResize();
    } finally {
      this.#endInput("close");
    }
  }

  async #readLoop(): Promise<void> {
    try {
      await this.#readKeys();
    } catch (error) {
      // A bug, or stdout gone: give the terminal back rather than leave it raw, and say why.
      try {
        this.#endInput();
        this.#stdio.writeError(`Terminal input failed: ${String(error)}\n`);
      } catch {
        // Nothing is left to tell it with.
      }
    }
  }

  /** Reads and handles keys until input ends. */
  async #readKeys(): Promise<void> {
    while (!this.#inputEnded) {
      let chunk: Uint8Array | null;
      try {
        chunk = await this.#stdio.read();
      } catch {
        chunk = null; // A terminal that cannot be read (it hung up) ends input.
      }
      if (this.#inputEnded) return;
      if (chunk === null) return this.#endInput();
      this.#handleChunk(chunk);
    }
  }

  #handleChunk(chunk: Uint8Array): void {
    this.#handlingKeys = true;
    try {
      for (const key of this.#parser.feed(chunk)) {
        if (this.#inputEnded) return;
        this.#handleKey(key);
      }
    } finally {
      this.#handlingKeys = false;
    }
    this.#redraw();
  }

  #handleKey(key: Key): void {
    switch (key.type) {
      case "text":
        return this.#insert(key.text);
      case "paste":
        return this.#paste(key.text);
      case "key":
        return this.#handleNamedKey(key.name);
      default:
        return unreachable(key);
    }
  }

  #handleNamedKey(name: KeyName): void {
    switch (name) {
      case "enter":
        return this.#deliver(this.#editor.submit());
      case "tab":
        return this.#complete();
      case "ctrl_c":
        return this.#endInput("interrupt");
      case "ctrl_d":
        if (this.#editor.text === "") return this.#endInput();
        return this.#editor.deleteForward();
      case "ctrl_l":
        return this.clear();
      case "page_up":
        if (this.#pageUp !== undefined) this.#deliver(this.#pageUp);
        return;
      default:
        EDITING_KEYS[name]?.(this.#editor);
    }
  }

  #insert(text: string): void {
    if (!this.#editor.insert(text)) this.bell();
  }

  /** Pasted text: each line break sends the line so far, as if Enter had been pressed. */
  #paste(text: string): void {
    const [first = "", ...rest] = text.split("\n");
    this.#insert(first);
    for (const line of rest) {
      this.#deliver(this.#editor.submit());
      this.#insert(line);
    }
  }

  #complete(): void {
    const { matches, changed } = this.#editor.complete(this.#completions);
    if (changed) return;
    if (matches.length < 2) return this.bell();
    const listed = matches.slice(0, MAX_LISTED).map(safeText).join("  ");
    const more = matches.length > MAX_LISTED ? ` (and ${matches.length - MAX_LISTED} more)` : "";
    this.#print([formatLine({ spans: [{ text: listed + more, style: "dim" }] }, {
      color: this.#color,
    })]);
  }

  #deliver(line: string): void {
    const waiter = this.#waiting.shift();
    if (waiter === undefined) this.#entered.push(line);
    else waiter(line);
  }

  /** Writes formatted rows above the input line, in one write. */
  #print(rows: readonly string[]): void {
    if (rows.length === 0) return;
    let text = this.#inputEnded ? "" : CLEAR_ROW + this.#clearStatusRow();
    for (const row of rows) text += row + "\r\n";
    this.#stdio.write(text + this.#pendingInputLine());
  }

  /** Redraws the input line. */
  #redraw(): void {
    if (!this.#inputEnded) this.#stdio.write(this.#inputLine());
  }

  /**
   * The terminal was resized. A terminal narrower than what was drawn rewraps it (most do:
   * tmux, VTE, iTerm2, kitty, Windows Terminal), so the status row and the input line may now
   * take several rows each, with the cursor on a row below their first: go up to the first of
   * them, erase from there down (below is only ever ours), and draw both again for the new
   * width. (A terminal that cuts lines instead, such as xterm, loses a few rows of transcript
   * from view this way, rather than keeping stale copies of the prompt in it.)
   */
  #resized(): void {
    if (this.#inputEnded) return;
    const columns = Math.max(1, this.#stdio.columns());
    let up = Math.floor(this.#drawnCursor / columns);
    if (this.#statusShown) up += Math.max(1, Math.ceil(this.#drawnStatusWidth / columns));
    this.#statusShown = false;
    this.#stdio.write(`${up > 0 ? `\x1b[${up}A` : ""}\r${ERASE_DOWN}` + this.#inputLine());
  }

  /** The input line to draw after other output: none once input ended or while keys are handled. */
  #pendingInputLine(): string {
    return this.#inputEnded || this.#handlingKeys ? "" : this.#inputLine();
  }

  /** Text that draws the prompt and input over the current row and puts the cursor in place. */
  #inputLine(): string {
    const columns = this.#stdio.columns();
    const { text, cursor } = this.#editor.render(this.#prompt, columns);
    this.#drawnCursor = cursor;
    let status = "";
    if (this.#status !== undefined) {
      // Cut by display width, the last column left free (as for the input line): no wrap.
      const [row, width] = fit(this.#status, Math.max(0, columns - 1));
      this.#drawnStatusWidth = width;
      // Written on the row above the input: up one first if it is already there.
      status = `${this.#statusShown ? "\x1b[1A" : ""}\r${row}${ERASE_RIGHT}\r\n`;
      this.#statusShown = true;
    }
    return `${status}\r${text}${ERASE_RIGHT}\r${cursor > 0 ? `\x1b[${cursor}C` : ""}`;
  }

  /** Removes the status row if shown, leaving the cursor at the start of that (now empty) row. */
  #clearStatusRow(): string {
    if (!this.#statusShown) return "";
    this.#statusShown = false;
    return `${CLEAR_ROW}\x1b[1A${CLEAR_ROW}`;
  }

  /** Ends input: wakes waiting `nextLine()` calls with `null` and gives the terminal back. */
  #endInput(reason: "interrupt" | "end" | "close" = "end"): void {
    if (this.#inputEnded) return;
    this.#inputEnded = true;
    this.#endedBy = reason;
    try {
      this.#giveBackTerminal();
    } finally {
      for (const waiter of this.#waiting.splice(0)) waiter(null);
    }
  }

  /** Removes the input line, turns bracketed paste and raw mode off; once. */
  #giveBackTerminal(): void {
    if (!this.#terminalTaken) return;
    this.#terminalTaken = false;
    try {
      this.#stdio.write(CLEAR_ROW + this.#clearStatusRow() + BRACKETED_PASTE_OFF);
    } finally {
      this.#stdio.setRaw(false);
    }
  }
}
