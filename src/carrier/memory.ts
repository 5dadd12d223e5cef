/**
 * In-memory carrier: a connected pair of line connections and a listener handing out the server
 * ends, so sessions, dialects and the whole server can be tested in-process, without sockets.
 * Bytes written on one end are read, split into lines, on the other.
 *
 * @example
 * ```ts ignore
 * import { MemoryListener } from "./memory.ts";
 * const listener = new MemoryListener();
 * const server = new ChatServer({ listener }, log);
 * const client = listener.connect();
 * await client.write(new TextEncoder().encode('{"type":"hello","version":1,"nick":"ana"}\n'));
 * const lines = await client.readLines();
 * ```
 */
import { LineSplitter } from "../line_splitter.ts";
import type { Accepted, LineConnection, Listener } from "./connection.ts";

/** Options for {@linkcode memoryPair}. */
export interface MemoryOptions {
  /** Longest line each end accepts, in bytes. @default 16384 */
  maxLineBytes?: number;
}

/** One end of an in-memory connection. */
export class MemoryLineConnection implements LineConnection {
  readonly remote: string;
  readonly #splitter: LineSplitter;
  #chunks: Uint8Array[] = [];
  #ended = false;
  #wake: (() => void) | undefined;
  #peer: MemoryLineConnection | undefined;
  /** While set, writes to this end wait: a reader that stopped reading. */
  #paused: Promise<void> | undefined;
  #unpause: (() => void) | undefined;

  constructor(remote: string, options: MemoryOptions = {}) {
    this.remote = remote;
    this.#splitter = new LineSplitter({ maxLineBytes: options.maxLineBytes ?? 16 * 1024 });
  }

  /** Connects two ends (done by {@linkcode memoryPair}). */
  static link(a: MemoryLineConnection, b: MemoryLineConnection): void {
    a.#peer = b;
    b.#peer = a;
  }

  async readLines(): Promise<(Uint8Array | null)[] | null> {
    while (true) {
      const chunk = this.#chunks.shift();
      if (chunk !== undefined) {
        const lines = this.#splitter.push(chunk);
        if (lines.length > 0) return lines;
        continue;
      }
      if (this.#ended) {
        const tail = this.#splitter.end();
        return tail === undefined ? null : [tail];
      }
      await new Promise<void>((resolve) => this.#wake = resolve);
    }
  }

  async write(bytes: Uint8Array): Promise<void> {
    const peer = this.#peer;
    if (peer !== undefined) await peer.#paused;
    if (this.#ended || peer === undefined || peer.#ended) {
      throw new Error("The connection is closed");
    }
    peer.#receive(bytes.slice());
  }

  /** Stops taking data: writes to this end wait until `resume()` (or a close). */
  pause(): void {
    this.#paused ??= new Promise((resolve) => this.#unpause = resolve);
  }

  /** Takes data again. */
  resume(): void {
    this.#unpause?.();
    this.#paused = undefined;
    this.#unpause = undefined;
  }

  close(): void {
    if (this.#ended) return;
    this.#end();
    const peer = this.#peer;
    if (peer !== undefined) peer.#end();
  }

  /** Whether this end has been closed (by either side). */
  get closed(): boolean {
    return this.#ended;
  }

  #receive(bytes: Uint8Array): void {
    this.#chunks.push(bytes);
    this.#wakeReader();
  }

  #end(): void {
    this.#ended = true;
    this.resume();
    this.#wakeReader();
  }

  #wakeReader(): void {
    const wake = this.#wake;
    this.#wake = undefined;
    wake?.();
  }
}

/** Two connected ends: what one writes, the other reads. */
export function memoryPair(
  options: MemoryOptions = {},
): [MemoryLineConnection, MemoryLineConnection] {
  const client = new MemoryLineConnection("server", options);
  const server = new MemoryLineConnection("memory client", options);
  MemoryLineConnection.link(client, server);
  return [client, server];
}

/** A listener whose connections are made by calling {@linkcode MemoryListener.connect}. */
export class MemoryListener implements Listener {
  readonly addr = { hostname: "memory", port: 0 };
  #pending: Accepted[] = [];
  #closed = false;
  #wake: (() => void) | undefined;
  readonly #options: MemoryOptions;

  constructor(options: MemoryOptions = {}) {
    this.#options = options;
  }

  /** Opens a connection from `ip`; returns the client's end. */
  connect(ip = "127.0.0.1"): MemoryLineConnection {
    if (this.#closed) throw new Error("The listener is closed");
    const [client, server] = memoryPair(this.#options);
    this.#pending.push({ conn: server, ip });
    this.#wake?.();
    return client;
  }

  close(): void {
    this.#closed = true;
    this.#wake?.();
  }

  async *[Symbol.asyncIterator](): AsyncIterator<Accepted> {
    while (true) {
      const next = this.#pending.shift();
      if (next !== undefined) {
        yield next;
        continue;
      }
      if (this.#closed) return;
      await new Promise<void>((resolve) => this.#wake = resolve);
      this.#wake = undefined;
    }
  }
}
