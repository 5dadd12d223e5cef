/**
 * The UI when stdin is not a terminal, for scripts and tests: reads lines from stdin, prints one
 * plain line per event, no colours, no prompt.
 */
import { LineSplitter } from "../line_splitter.ts";
import { MAX_LINE_BYTES } from "../limits.ts";
import { type Line, plainText } from "../render.ts";
import type { Stdio } from "./stdio.ts";
import type { ChatUi } from "./ui.ts";

const decoder = new TextDecoder();

/** Line-oriented UI over standard streams. */
export class LineUi implements ChatUi {
  readonly #stdio: Stdio;
  readonly #splitter = new LineSplitter({ maxLineBytes: MAX_LINE_BYTES });
  #queued: string[] = [];
  #ended = false;
  #closed = false;
  #wakeOnClose: (value: null) => void = () => {};
  /** Resolves when `close()` is called, so a pending `nextLine()` returns null at once. */
  readonly #closing: Promise<null> = new Promise((resolve) => this.#wakeOnClose = resolve);

  constructor(stdio: Stdio) {
    this.#stdio = stdio;
  }

  show(lines: readonly Line[]): void {
    if (lines.length === 0) return;
    this.#stdio.write(lines.map((line) => plainText(line) + "\n").join(""));
  }

  setPrompt(_prompt: string): void {}

  setCompletions(_words: readonly string[]): void {}

  async nextLine(): Promise<string | null> {
    while (this.#queued.length === 0) {
      if (this.#ended || this.#closed) return null;
      const chunk = await Promise.race([this.#stdio.read(), this.#closing]);
      if (this.#closed) return null;
      if (chunk === null) {
        this.#ended = true;
        const tail = this.#splitter.end();
        if (tail !== undefined) this.#queued.push(decoder.decode(tail));
        break;
      }
      for (const line of this.#splitter.push(chunk)) {
        if (line === null) {
          this.#stdio.writeError(`chat: input line is too long: over ${MAX_LINE_BYTES} bytes\n`);
        } else {
          this.#queued.push(decoder.decode(line));
        }
      }
    }
    return this.#queued.shift() ?? null;
  }

  clear(): void {}

  bell(): void {}

  setStatus(_text: string | undefined): void {}

  close(): void {
    this.#closed = true;
    this.#wakeOnClose(null);
  }
}
