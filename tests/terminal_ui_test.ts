import { deepStrictEqual, equal, ok } from "node:assert/strict";
import type { Stdio } from "../src/terminal/stdio.ts";
import { TerminalUi } from "../src/terminal/terminal_ui.ts";
import { BRACKETED_PASTE_OFF, BRACKETED_PASTE_ON } from "../src/terminal/keys.ts";

const encoder = new TextEncoder();
const NOW = new Date(2024, 0, 2, 13, 7).getTime();
const STAMP = "13:07 ";

/** The input line as the UI draws it: prompt and text, then the cursor put at `cursor`. */
function inputLine(text: string, cursor = text.length): string {
  return `\r${text}\x1b[K\r${cursor > 0 ? `\x1b[${cursor}C` : ""}`;
}

interface Pending {
  chunk: Uint8Array | Error | null;
  /** Called once the UI is done with the chunk (it asks for the next one). */
  done: () => void;
}

/**
 * A terminal in memory: the test feeds stdin chunks and reads what was written. `type()` resolves
 * once the UI has handled the chunk, which it shows by asking for the next one.
 */
class FakeStdio implements Stdio {
  readonly isTerminal = true;
  output = "";
  errors = "";
  width = 80;
  failWrites = false;
  readonly rawCalls: boolean[] = [];
  readonly #queue: Pending[] = [];
  #reader: ((pending: Pending) => void) | undefined;
  #handled: (() => void) | undefined;
  readonly #resizeListeners = new Set<() => void>();

  get raw(): boolean {
    return this.rawCalls.at(-1) ?? false;
  }

  get resizeListeners(): number {
    return this.#resizeListeners.size;
  }

  async read(): Promise<Uint8Array | null> {
    this.#handled?.();
    this.#handled = undefined;
    const pending = this.#queue.shift() ??
      await new Promise<Pending>((resolve) => this.#reader = resolve);
    this.#handled = pending.done;
    if (pending.chunk instanceof Error) throw pending.chunk;
    return pending.chunk;
  }

  /** Gives the UI a chunk (text, bytes, `null` for end of file, or an error to throw). */
  send(chunk: string | Uint8Array | Error | null, done: () => void = () => {}): void {
    const pending = { chunk: typeof chunk === "string" ? encoder.encode(chunk) : chunk, done };
    const reader = this.#reader;
    this.#reader = undefined;
    if (reader === undefined) this.#queue.push(pending);
    else reader(pending);
  }

  /** Gives the UI a chunk and waits until it has handled it. */
  type(chunk: string | Uint8Array): Promise<void> {
    return new Promise((resolve) => this.send(chunk, resolve));
  }

  /** Returns what was written since the last call. */
  take(): string {
    const output = this.output;
    this.output = "";
    return output;
  }

  write(text: string): void {
    if (this.failWrites) throw new Error("Broken pipe");
    this.output += text;
  }

  writeError(text: string): void {
    this.errors += text;
  }

  setRaw(raw: boolean): void {
    this.rawCalls.push(raw);
  }

  columns(): number {
    return this.width;
  }

  onResize(listener: () => void): () => void {
    this.#resizeListeners.add(listener);
    return () => this.#resizeListeners.delete(listener);
  }

  resize(width: number): void {
    this.width = width;
    for (const listener of this.#resizeListeners) listener();
  }
}

function setup(color = false): { stdio: FakeStdio; ui: TerminalUi } {
  const stdio = new FakeStdio();
  const ui = new TerminalUi(stdio, { color, now: () => NOW });
  return { stdio, ui };
}

Deno.test("TerminalUi takes over the terminal and draws the prompt", () => {
  const { stdio, ui } = setup();
  equal(stdio.raw, true);
  equal(stdio.take(), BRACKETED_PASTE_ON + inputLine("> "));
  equal(stdio.resizeListeners, 1);
  ui.close();
});

Deno.test("TerminalUi redraws the input line as keys are typed", async () => {
  const { stdio, ui } = setup();
  stdio.take();
  await stdio.type("hel");
  equal(stdio.take(), inputLine("> hel"));
  await stdio.type("\x1b[D\x1b[D");
  equal(stdio.take(), inputLine("> hel", 3));
  ui.close();
});

Deno.test("TerminalUi.show() prints lines above the input line and keeps what is typed", async () => {
  const { stdio, ui } = setup();
  await stdio.type("helo\x1b[D");
  stdio.take();
  ui.show([{ spans: [{ text: "<bob> hi" }] }, { spans: [{ text: "* bob left" }], time: NOW }]);
  equal(
    stdio.take(),
    `\r\x1b[2K${STAMP}<bob> hi\r\n${STAMP}* bob left\r\n` + inputLine("> helo", 5),
  );
  await stdio.type("l\r");
  equal(await ui.nextLine(), "hello");
  ui.close();
});

Deno.test("TerminalUi.show() uses colours unless told not to", () => {
  const { stdio, ui } = setup(true);
  stdio.take();
  ui.show([{ spans: [{ text: "bob", style: "nick" }] }]);
  ok(stdio.take().includes("\x1b[38;5;"));
  ui.close();
});

Deno.test("TerminalUi.nextLine() resolves with the line on Enter, without echoing it", async () => {
  const { stdio, ui } = setup();
  const next = ui.nextLine();
  await stdio.type("hello");
  stdio.take();
  await stdio.type("\r");
  equal(await next, "hello");
  equal(stdio.take(), inputLine("> "), "only the emptied input line is drawn");
  ui.close();
});

Deno.test("TerminalUi queues lines entered before nextLine() is called", async () => {
  const { stdio, ui } = setup();
  await stdio.type("one\rtwo\r");
  await stdio.type("thr");
  await stdio.type("ee\r");
  equal(await ui.nextLine(), "one");
  equal(await ui.nextLine(), "two");
  equal(await ui.nextLine(), "three");
  ui.close();
});

Deno.test("TerminalUi ends input on Ctrl-C and restores the terminal", async () => {
  const { stdio, ui } = setup();
  await stdio.type("half a line");
  stdio.take();
  const next = ui.nextLine();
  stdio.send("\x03");
  equal(await next, null);
  equal(stdio.raw, false);
  equal(stdio.take(), `\r\x1b[2K${BRACKETED_PASTE_OFF}`);
  equal(await ui.nextLine(), null);
  ui.close();
  deepStrictEqual(stdio.rawCalls, [true, false]);
});

Deno.test("TerminalUi still gives lines queued before input ended", async () => {
  const { stdio, ui } = setup();
  await stdio.type("queued\r");
  stdio.send("\x03");
  equal(await ui.nextLine(), "queued");
  equal(await ui.nextLine(), null);
  ui.close();
});

Deno.test("TerminalUi ends input on Ctrl-D only when the line is empty", async () => {
  const { stdio, ui } = setup();
  await stdio.type("ab\x01\x04\r");
  equal(await ui.nextLine(), "b", "Ctrl-D deletes the character under the cursor");
  stdio.send("\x04");
  equal(await ui.nextLine(), null);
  equal(stdio.raw, false);
  ui.close();
});

Deno.test("TerminalUi ends input at the end of stdin", async () => {
  const { stdio, ui } = setup();
  stdio.send(null);
  equal(await ui.nextLine(), null);
  equal(stdio.raw, false);
  ui.close();
});

Deno.test("TerminalUi ends input when stdin cannot be read", async () => {
  const { stdio, ui } = setup();
  stdio.send(new Error("Input/output error"));
  equal(await ui.nextLine(), null);
  equal(stdio.raw, false);
  ui.close();
});

Deno.test("TerminalUi gives the terminal back when output fails", async () => {
  const { stdio, ui } = setup();
  const next = ui.nextLine();
  stdio.failWrites = true;
  stdio.send("a");
  equal(await next, null);
  equal(stdio.raw, false);
  ui.close();
});

Deno.test("TerminalUi.close() restores the terminal once and wakes nextLine()", async () => {
  const { stdio, ui } = setup();
  const next = ui.nextLine();
  ui.close();
  ui.close();
  equal(await next, null);
  deepStrictEqual(stdio.rawCalls, [true, false]);
  equal(stdio.resizeListeners, 0);
  equal(stdio.output.split(BRACKETED_PASTE_OFF).length, 2, "bracketed paste is turned off once");
});

Deno.test("TerminalUi.show() after input ended prints lines without an input line", async () => {
  const { stdio, ui } = setup();
  ui.close();
  stdio.take();
  ui.show([{ spans: [{ text: "* Disconnected" }] }]);
  equal(stdio.take(), `${STAMP}* Disconnected\r\n`);
  equal(await ui.nextLine(), null);
});

Deno.test("TerminalUi edits with keys split across chunks", async () => {
  const { stdio, ui } = setup();
  await stdio.type("ab\x1b");
  await stdio.type("[");
  await stdio.type("DX\r");
  equal(await ui.nextLine(), "aXb");
  const bytes = encoder.encode("\u00e9\u4e2d");
  for (const byte of bytes) await stdio.type(new Uint8Array([byte]));
  await stdio.type("\r");
  equal(await ui.nextLine(), "\u00e9\u4e2d");
  ui.close();
});

Deno.test("TerminalUi binds the readline keys", async () => {
  const { stdio, ui } = setup();
  const cases: [string, string][] = [
    ["world\x01hello \r", "hello world"], // Ctrl-A
    ["abc\x1b[H\x05d\r", "abcd"], // Home, Ctrl-E
    ["one two\x17three\r", "one three"], // Ctrl-W
    ["one two\x1b\x7fthree\r", "one three"], // Alt-Backspace
    ["abc\x1b[D\x15\r", "c"], // Ctrl-U
    ["abc\x1b[D\x1b[D\x0b\r", "a"], // Ctrl-K
    ["abc\x1b[D\x0b\x01\x19\r", "cab"], // Ctrl-K, Ctrl-A, Ctrl-Y
    ["abc\x1b[D\x1b[3~\x7f\r", "a"], // Delete, Backspace
    ["one two\x1bbX\x1bfY\r", "one XtwoY"], // Alt-B, Alt-F
    ["ab\x02\x02\x06X\r", "aXb"], // Ctrl-B, Ctrl-F
  ];
  for (const [keys, line] of cases) {
    await stdio.type(keys);
    equal(await ui.nextLine(), line, JSON.stringify(keys));
  }
  ui.close();
});

Deno.test("TerminalUi recalls history with Up and Down", async () => {
  const { stdio, ui } = setup();
  await stdio.type("first\rsecond\r");
  equal(await ui.nextLine(), "first");
  equal(await ui.nextLine(), "second");
  await stdio.type("draft\x1b[A\x1b[A");
  equal(stdio.take().endsWith(inputLine("> first")), true);
  await stdio.type("\x1b[B\x1b[B");
  equal(stdio.take().endsWith(inputLine("> draft")), true);
  await stdio.type("\x1b[A\r");
  equal(await ui.nextLine(), "second");
  ui.close();
});

Deno.test("TerminalUi completes with Tab from setCompletions()", async () => {
  const { stdio, ui } = setup();
  ui.setCompletions(["alice", "alex", "bob", "/join"]);
  await stdio.type("b\t");
  await stdio.type("hi\r");
  equal(await ui.nextLine(), "bob: hi");
  await stdio.type("/j\t#games\r");
  equal(await ui.nextLine(), "/join #games");
  stdio.take();
  await stdio.type("al\t");
  equal(stdio.take(), `\r\x1b[2Kalice  alex\r\n${inputLine("> al")}`);
  await stdio.type("zz\t");
  ok(stdio.take().includes("\x07"), "no match rings the bell");
  ui.close();
});

Deno.test("TerminalUi sends each line of a bracketed paste", async () => {
  const { stdio, ui } = setup();
  stdio.take();
  await stdio.type("\x1b[200~one\r\ntwo\tthree\x1b[201~");
  equal(await ui.nextLine(), "one");
  equal(stdio.take(), inputLine("> two three"));
  await stdio.type("\r");
  equal(await ui.nextLine(), "two three");
  ui.close();
});

Deno.test("TerminalUi redraws the input line to fit when the terminal is resized", async () => {
  const { stdio, ui } = setup();
  await stdio.type("abcdefghijklmnopqrst");
  stdio.take();
  stdio.resize(20);
  // The 22 columns drawn now take two rows (the terminal rewraps them), the cursor on the
  // second: up one, erase down, then 19 usable columns: the prompt, a `<` for the hidden
  // start, the last 15 characters and the cursor.
  equal(stdio.take(), "\x1b[1A\r\x1b[J" + inputLine("> <fghijklmnopqrst"));
  stdio.resize(80);
  equal(stdio.take(), "\r\x1b[J" + inputLine("> abcdefghijklmnopqrst"), "wider: nothing rewrapped");
  ui.close();
});

Deno.test("TerminalUi erases the rewrapped status row and input line on a resize", async () => {
  const { stdio, ui } = setup();
  ui.setPrompt("[lobby] ana> ");
  ui.setStatus("s".repeat(70));
  await stdio.type("x".repeat(50));
  stdio.take();
  stdio.resize(30);
  // The cursor was at column 63: row 2 of the rewrapped input line; the 70-column status row
  // above it now takes 3 rows. Up 5, erase down, draw both again, cut to 29 columns.
  const expected = "\x1b[5A\r\x1b[J" + `\r${"s".repeat(29)}\x1b[K\r\n` +
    inputLine(`[lobby] ana> <${"x".repeat(14)}`);
  equal(stdio.take(), expected);
  // Nothing stale is left to erase the next time: one row up for the status row only.
  stdio.resize(30);
  equal(
    stdio.take(),
    "\x1b[1A\r\x1b[J" + `\r${"s".repeat(29)}\x1b[K\r\n` +
      inputLine(`[lobby] ana> <${"x".repeat(14)}`),
  );
  ui.close();
});

Deno.test("TerminalUi keeps the prompt's end in view at 20 columns", async () => {
  const { stdio, ui } = setup();
  ui.setPrompt("[lobby] ana> ");
  await stdio.type("hello");
  stdio.take();
  stdio.resize(20);
  equal(stdio.take(), "\r\x1b[J" + inputLine("\u2026> hello"));
  ui.close();
});

Deno.test("TerminalUi.putBack() gives a line back to edit, unless another is being typed", async () => {
  const { stdio, ui } = setup();
  await stdio.type("too long\r");
  equal(await ui.nextLine(), "too long");
  stdio.take();
  ui.putBack("too long");
  equal(stdio.take(), inputLine("> too long"));
  await stdio.type("\x7f\x7f\x7f\x7fshort\r");
  equal(await ui.nextLine(), "too short");
  await stdio.type("typing");
  stdio.take();
  ui.putBack("other");
  equal(stdio.take(), "", "what is being typed stays");
  await stdio.type("\r");
  equal(await ui.nextLine(), "typing");
  ui.close();
});

Deno.test("TerminalUi.setPrompt() redraws the input line with the new prompt", async () => {
  const { stdio, ui } = setup();
  await stdio.type("hi");
  stdio.take();
  ui.setPrompt("[lobby] ");
  equal(stdio.take(), inputLine("[lobby] hi"));
  ui.close();
});

Deno.test("TerminalUi.clear() and Ctrl-L clear the screen and redraw the input line", async () => {
  const { stdio, ui } = setup();
  await stdio.type("hi");
  stdio.take();
  ui.clear();
  equal(stdio.take(), "\x1b[2J\x1b[H" + inputLine("> hi"));
  await stdio.type("\x0c");
  equal(stdio.take(), "\x1b[2J\x1b[H" + inputLine("> hi"));
  ui.close();
});

Deno.test("TerminalUi.bell() rings the bell", () => {
  const { stdio, ui } = setup();
  stdio.take();
  ui.bell();
  equal(stdio.take(), "\x07");
  ui.close();
});

Deno.test("TerminalUi.setStatus() cuts the status row by display width", () => {
  const { stdio, ui } = setup();
  stdio.resize(20);
  stdio.take();
  // Ten wide characters take 20 columns: nine fit in the 19 used (the last column stays free).
  ui.setStatus("\u4e2d".repeat(10));
  equal(stdio.take(), `\r${"\u4e2d".repeat(9)}\x1b[K\r\n` + inputLine("> "));
  ui.setStatus(undefined);
  equal(stdio.take(), "\r\x1b[2K\x1b[1A\r\x1b[2K" + inputLine("> "));
  ui.close();
});

Deno.test("TerminalUi enters its pageUp line on PageUp, keeping what is typed; without one, nothing", async () => {
  const stdio = new FakeStdio();
  const ui = new TerminalUi(stdio, { color: false, now: () => NOW, pageUp: "/history" });
  await stdio.type("half\x1b[5~");
  equal(await ui.nextLine(), "/history");
  await stdio.type(" typed\r");
  equal(await ui.nextLine(), "half typed");
  ui.close();
  const plain = setup();
  await plain.stdio.type("\x1b[5~x\r");
  equal(await plain.ui.nextLine(), "x");
  plain.ui.close();
});
