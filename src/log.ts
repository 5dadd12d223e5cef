/**
 * The server's one logger: structured events written as readable text lines or JSON lines.
 * Output goes to a sink passed in (main.ts passes stderr), so tests can capture it.
 */

export type LogFormat = "text" | "json";
export type LogLevel = "info" | "warn" | "error";
export type LogFields = Record<string, string | number | boolean | undefined>;

/** Options for {@linkcode Logger}. */
export interface LoggerOptions {
  /** @default "text" */
  format?: LogFormat;
  /** Where finished lines go (without a line end). */
  sink: (line: string) => void;
  /** @default Date.now */
  clock?: () => number;
  /** How many recent lines to keep for `recent()` (the admin console's event log). @default 1000 */
  keep?: number;
}

/** Writes events such as `connect`, `join`, `nick`, `error`. */
export class Logger {
  readonly #format: LogFormat;
  #sink: (line: string) => void;
  readonly #clock: () => number;
  readonly #keep: number;
  #recent: string[] = [];

  constructor(options: LoggerOptions) {
    this.#format = options.format ?? "text";
    this.#sink = options.sink;
    this.#clock = options.clock ?? Date.now;
    this.#keep = options.keep ?? 1000;
  }

  /** The last `count` lines written, oldest first. */
  recent(count: number): string[] {
    const wanted = Math.min(count, this.#keep);
    return wanted <= 0 ? [] : this.#recent.slice(-wanted);
  }

  /** Sends output elsewhere from now on (the admin console takes it over on a terminal). */
  redirect(sink: (line: string) => void): void {
    this.#sink = sink;
  }

  info(event: string, fields: LogFields = {}): void {
    this.#write("info", event, fields);
  }

  warn(event: string, fields: LogFields = {}): void {
    this.#write("warn", event, fields);
  }

  error(event: string, fields: LogFields = {}): void {
    this.#write("error", event, fields);
  }

  #write(level: LogLevel, event: string, fields: LogFields): void {
    const time = new Date(this.#clock()).toISOString();
    if (this.#format === "json") {
      // The record's own keys come first and win over fields of the same name.
      const record: Record<string, unknown> = { time, level, event };
      for (const [key, value] of Object.entries(fields)) if (!(key in record)) record[key] = value;
      this.#emit(JSON.stringify(record));
      return;
    }
    const pairs = Object.entries(fields)
      .filter(([, value]) => value !== undefined)
      .map(([key, value]) => `${key}=${formatValue(value)}`);
    this.#emit([time, level.toUpperCase().padEnd(5), event, ...pairs].join(" "));
  }

  #emit(line: string): void {
    if (this.#keep > 0) {
      this.#recent.push(line);
      // Trimmed in batches: O(1) amortised per line.
      if (this.#recent.length >= 2 * this.#keep) this.#recent = this.#recent.slice(-this.#keep);
    }
    this.#sink(line);
  }
}

function formatValue(value: string | number | boolean | undefined): string {
  const text = String(value);
  return /^[\w.:\-\[\]/@]+$/.test(text) ? text : JSON.stringify(text);
}
