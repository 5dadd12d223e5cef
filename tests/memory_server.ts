/**
 * The whole server in-process over the memory carrier, for tests: peers whose lines are
 * collected as they come, and a server that is shut down (its peers closed) after the body.
 */
import { MemoryLineConnection, MemoryListener } from "../src/carrier/memory.ts";
import { Logger } from "../src/log.ts";
import { LineCollector } from "./e2e/harness.ts";
import { ChatServer, type ServerOptions } from "../src/server/server.ts";

const encoder = new TextEncoder();

/** One end of a memory connection, its lines collected as they come. */
export class Peer {
  readonly conn: MemoryLineConnection;
  readonly #collector: LineCollector;

  constructor(conn: MemoryLineConnection) {
    this.conn = conn;
    // The collector reads bytes: the lines go back to bytes, one per line.
    this.#collector = new LineCollector(
      new ReadableStream<Uint8Array>({
        pull: async (controller) => {
          const lines = await conn.readLines();
          if (lines === null) return controller.close();
          for (const line of lines) {
            controller.enqueue(line ?? encoder.encode("<too long>"));
            controller.enqueue(encoder.encode("\n"));
          }
        },
      }),
    );
  }

  get lines(): string[] {
    return this.#collector.lines;
  }

  get done(): Promise<void> {
    return this.#collector.done;
  }

  async send(text: string): Promise<void> {
    await this.conn.write(encoder.encode(text));
  }

  /** Waits for a line that includes `text` (or matches it); returns its index. */
  waitFor(text: string | RegExp): Promise<number> {
    return this.#collector.waitFor(text);
  }
}

export async function withMemoryServer(
  options: Partial<ServerOptions>,
  body: (connect: () => Peer, server: ChatServer) => Promise<void>,
): Promise<void> {
  const listener = new MemoryListener();
  const log = new Logger({ sink: () => {} });
  const server = new ChatServer(
    { listener, maxFileBytes: 0, greetAfterMs: 60_000, ...options },
    log,
  );
  const peers: Peer[] = [];
  try {
    await body(() => {
      const peer = new Peer(listener.connect());
      peers.push(peer);
      return peer;
    }, server);
  } finally {
    await server.shutdown();
    for (const peer of peers) {
      peer.conn.close();
      await peer.done;
    }
  }
}
