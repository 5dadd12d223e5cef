/** TCP listener: accepts sockets and hands them out as line connections. */
import type { Accepted, Listener } from "./connection.ts";
import { TcpLineConnection, type TcpOptions } from "./tcp.ts";

/** Options for {@linkcode listenTcp}. */
export interface TcpListenOptions extends TcpOptions {
  /** Address to listen on. */
  hostname: string;
  /** Port to listen on; 0 picks a free one. */
  port: number;
}

/**
 * Binds a TCP port. Throws Deno's errors (`AddrInUse`, `AddrNotAvailable`, `PermissionDenied`)
 * if it cannot be bound.
 */
export function listenTcp(options: TcpListenOptions): Listener {
  const listener = Deno.listen({ hostname: options.hostname, port: options.port });
  return {
    addr: listener.addr,
    close() {
      try {
        listener.close();
      } catch {
        // Already closed.
      }
    },
    // Each iteration starts afresh, so the server can go on accepting after an accept error.
    async *[Symbol.asyncIterator](): AsyncIterator<Accepted> {
      for await (const conn of listener) {
        yield { conn: new TcpLineConnection(conn, options), ip: conn.remoteAddr.hostname };
      }
    },
  };
}
