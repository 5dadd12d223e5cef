/**
 * A real terminal for end-to-end tests: a program runs inside a detached tmux session, keys are
 * typed with `send-keys` and the screen is read with `capture-pane`.
 */
import { DEADLINE_MS } from "./harness.ts";

const decoder = new TextDecoder();

/** Runs `tmux ARGS`; returns its stdout, or throws with its stderr. */
export async function tmux(...args: string[]): Promise<string> {
  const output = await new Deno.Command("tmux", { args, stdout: "piped", stderr: "piped" })
    .output();
  if (!output.success) {
    throw new Error(`tmux ${args.join(" ")} failed: ${decoder.decode(output.stderr)}`);
  }
  return decoder.decode(output.stdout);
}

/** Quotes a word for a POSIX shell. */
export function shellQuote(word: string): string {
  return `'${word.replaceAll("'", `'\\''`)}'`;
}

/**
 * A tmux session running one shell command in a terminal of a fixed size. Each session has a
 * tmux server of its own (`-L`, named like the session): test runs on the same machine never
 * share one, so one ending its last session cannot take another's server down mid-start.
 */
export class TmuxSession {
  readonly name = `chat-test-${Deno.pid}-${Math.random().toString(36).slice(2, 8)}`;
  readonly #width: number;
  readonly #height: number;
  readonly #scrollback: number;

  /** `scrollback`: how many lines above the visible screen `screen()` also returns. */
  constructor(options: { width?: number; height?: number; scrollback?: number } = {}) {
    this.#width = options.width ?? 100;
    this.#height = options.height ?? 30;
    this.#scrollback = options.scrollback ?? 0;
  }

  /** Runs `tmux ARGS` against this session's own tmux server. */
  run(...args: string[]): Promise<string> {
    return tmux("-L", this.name, ...args);
  }

  async start(command: string): Promise<void> {
    await this.run(
      "new-session",
      "-d",
      "-s",
      this.name,
      "-x",
      String(this.#width),
      "-y",
      String(this.#height),
      command,
    );
  }

  /** The screen (and the scrollback asked for), one string per line. */
  async screen(): Promise<string[]> {
    const history = this.#scrollback > 0 ? ["-S", String(-this.#scrollback)] : [];
    return (await this.run("capture-pane", "-p", "-t", this.name, ...history)).split("\n");
  }

  /** Types text literally (no Enter). */
  async type(text: string): Promise<void> {
    await this.run("send-keys", "-t", this.name, "-l", text);
  }

  /** Presses named keys such as Enter or C-c. */
  async press(...keys: string[]): Promise<void> {
    await this.run("send-keys", "-t", this.name, ...keys);
  }

  /** Types a line and presses Enter. */
  async enter(line: string): Promise<void> {
    await this.type(line);
    await this.press("Enter");
  }

  /** Polls the screen until `check` passes, or fails with the screen after the deadline. */
  async waitFor(check: (lines: string[]) => boolean, what: string): Promise<string[]> {
    const deadline = Date.now() + DEADLINE_MS;
    while (true) {
      const lines = await this.screen();
      if (check(lines)) return lines;
      if (Date.now() > deadline) {
        throw new Error(`Screen never showed ${what}:\n${lines.join("\n")}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 50)); // poll interval, not a sync sleep
    }
  }

  async kill(): Promise<void> {
    await this.run("kill-session", "-t", this.name).catch(() => "");
  }
}
