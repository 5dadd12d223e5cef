/** A TCP proxy for end-to-end tests: cut, deafened or taken down on purpose. */
import { DEADLINE_MS, LineCollector } from "./harness.ts";

/**
 * A TCP proxy to the server that the test can cut, make deaf (nothing reaches the client) or take
 * down (new connections are held: accepted and read, never connected to the server).
 */
export class Proxy {
  readonly #listener: Deno.TcpListener;
  readonly #pairs = new Set<[Deno.TcpConn, Deno.TcpConn]>();
  readonly #pumps = new Set<Promise<void>>();
  readonly #held: { conn: Deno.TcpConn; lines: LineCollector }[] = [];
  #heldNext = Promise.withResolvers<LineCollector>();
  #deaf = false;
  #down = false;
  readonly done: Promise<void>;

  constructor(targetPort: number) {
    this.#listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
    this.done = this.#accept(targetPort);
  }

  get port(): number {
    return (this.#listener.addr as Deno.NetAddr).port;
  }

  /** Closes every proxied connection (new ones get through unless the proxy is down). */
  cut(): void {
    this.#deaf = false;
    for (const [a, b] of this.#pairs) {
      for (const conn of [a, b]) closeQuietly(conn);
    }
    this.#pairs.clear();
  }

  /** From now on, data from the server is dropped before it reaches the client. */
  deafen(): void {
    this.#deaf = true;
  }

  /**
   * From now on, new connections are held: nothing of theirs reaches the server, and the client
   * hears nothing (so it waits for a welcome that never comes).
   */
  down(): void {
    this.#down = true;
    this.#heldNext = Promise.withResolvers<LineCollector>();
  }

  /** What the first connection held since `down()` sends (the proxy reads it). */
  async held(): Promise<LineCollector> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    try {
      return await Promise.race([
        this.#heldNext.promise,
        new Promise<never>((_, reject) => {
          timer = setTimeout(
            () => reject(new Error(`No connection came in ${DEADLINE_MS} ms`)),
            DEADLINE_MS,
          );
        }),
      ]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** Closes the held connections (their client retries) and lets new connections through. */
  async up(): Promise<void> {
    this.#down = false;
    const held = this.#held.splice(0);
    for (const { conn } of held) closeQuietly(conn);
    await Promise.all(held.map(({ lines }) => lines.done));
  }

  async close(): Promise<void> {
    this.cut();
    await this.up();
    this.#listener.close();
    await this.done;
    await Promise.all(this.#pumps);
  }

  async #accept(targetPort: number): Promise<void> {
    try {
      for await (const client of this.#listener) {
        if (this.#down) {
          const lines = new LineCollector(client.readable);
          this.#held.push({ conn: client, lines });
          this.#heldNext.resolve(lines);
          continue;
        }
        const server = await Deno.connect({ hostname: "127.0.0.1", port: targetPort });
        const pair: [Deno.TcpConn, Deno.TcpConn] = [client, server];
        this.#pairs.add(pair);
        this.#pump(client, server, () => false);
        this.#pump(server, client, () => this.#deaf);
      }
    } catch {
      // Listener closed.
    }
  }

  #pump(from: Deno.TcpConn, to: Deno.TcpConn, drop: () => boolean): void {
    const pump = (async () => {
      const buffer = new Uint8Array(65536);
      try {
        while (true) {
          const n = await from.read(buffer);
          if (n === null) break;
          if (drop()) continue;
          let offset = 0;
          while (offset < n) offset += await to.write(buffer.subarray(offset, n));
        }
      } catch {
        // One side went away.
      }
      for (const conn of [from, to]) closeQuietly(conn);
    })();
    this.#pumps.add(pump);
    void pump.finally(() => this.#pumps.delete(pump));
  }
}

function closeQuietly(conn: Deno.TcpConn): void {
  try {
    conn.close();
  } catch {
    // Already closed.
  }
}
