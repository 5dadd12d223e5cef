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
}

/** Writes events such as `connect`, `join`, `nick`, `error`. */
export class Logger {
  readonly #format: LogFormat;
  readonly #sink: (line: string) => void;
  readonly #clock: () => number;

  constructor(options: LoggerOptions) {
    this.#format = options.format ?? "text";
    this.#sink = options.sink;
    this.#clock = options.clock ?? Date.now;
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
      this.#sink(JSON.stringify(record));
      return;
    }
    const pairs = Object.entries(fields)
      .filter(([, value]) => value !== undefined)
      .map(([key, value]) => `${key}=${formatValue(value)}`);
    this.#sink([time, level.toUpperCase().padEnd(5), event, ...pairs].join(" "));
  }
}

function formatValue(value: string | number | boolean | undefined): string {
  const text = String(value);
  return /^[\w.:\-\[\]/@]+$/.test(text) ? text : JSON.stringify(text);
}
