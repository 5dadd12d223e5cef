/**
 * The process's standard streams, behind an interface so the UIs can be tested with fakes.
 * This is the only client file that touches `Deno.stdin`, `Deno.stdout` or `Deno.stderr`.
 */
import { writeAllSync } from "../pump.ts";

export interface Stdio {
  /** Whether stdin is a terminal (decides terminal UI versus line mode). */
  readonly isTerminal: boolean;
  /** Reads the next chunk of stdin; `null` at end of file. One reader at a time. */
  read(): Promise<Uint8Array | null>;
  /** Writes text to stdout, all of it, before returning. */
  write(text: string): void;
  /** Writes text to stderr. */
  writeError(text: string): void;
  /** Raw mode on or off (terminal only): keys arrive one by one, Ctrl-C as byte 3. */
  setRaw(raw: boolean): void;
  /** Terminal width in columns (80 when unknown). */
  columns(): number;
  /** Calls `listener` when the terminal is resized; returns a function that stops it. */
  onResize(listener: () => void): () => void;
}

const encoder = new TextEncoder();

/** The real standard streams of this process. */
export function denoStdio(): Stdio {
  const buffer = new Uint8Array(4096);
  return {
    isTerminal: Deno.stdin.isTerminal(),
    async read() {
      const n = await Deno.stdin.read(buffer);
      return n === null ? null : buffer.slice(0, n);
    },
    write: (text) => writeAllSync(Deno.stdout, encoder.encode(text)),
    writeError: (text) => writeAllSync(Deno.stderr, encoder.encode(text)),
    setRaw(raw) {
      if (Deno.stdin.isTerminal()) Deno.stdin.setRaw(raw);
    },
    columns() {
      try {
        return Deno.consoleSize().columns || 80;
      } catch {
        return 80;
      }
    },
    onResize(listener) {
      if (Deno.build.os === "windows") return () => {};
      Deno.addSignalListener("SIGWINCH", listener);
      return () => Deno.removeSignalListener("SIGWINCH", listener);
    },
  };
}
