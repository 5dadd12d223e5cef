/**
 * TLS listener: accepts TLS connections and hands them out as line connections, like the TCP
 * listener. Its certificate can be replaced while it runs (`reload`): new connections get the
 * new one, open ones keep theirs.
 */
import type { Accepted, Listener } from "./connection.ts";
import { TcpLineConnection } from "./tcp.ts";
import type { TcpListenOptions } from "./tcp_listener.ts";

/** Options for {@linkcode listenTls}. */
export interface TlsListenOptions extends TcpListenOptions {
  /** Certificate chain, PEM. */
  cert: string;
  /** Private key, PEM. */
  key: string;
}

/** A TLS listener whose certificate can be replaced. */
export interface TlsListener extends Listener {
  /**
   * Listens with a new certificate from now on, on the same port (new connections are refused
   * for the moment it takes). Rejects with Deno's error when the certificate or key is refused;
   * the old one is kept then. Needs the listener to be iterated (the server does).
   */
  reload(cert: string, key: string): Promise<void>;
}

/**
 * Binds a TLS port. Throws Deno's errors (`AddrInUse`, `AddrNotAvailable`, `PermissionDenied`, or
 * an `InvalidData` for a certificate or key it cannot use) if it cannot listen.
 */
export function listenTls(options: TlsListenOptions): TlsListener {
  const open = (cert: string, key: string, port: number) =>
    Deno.listenTls({ hostname: options.hostname, port, cert, key });
  let inner = open(options.cert, options.key, options.port);
  const addr = inner.addr;
  let closed = false;
  /** While a reload runs: the old listener has let go of the port; the new one is open. */
  let swap: { released: () => void; reopened: Promise<void> } | undefined;
  return {
    addr,
    close() {
      closed = true;
      try {
        inner.close();
      } catch {
        // Already closed.
      }
    },
    async reload(cert: string, key: string) {
      if (closed || swap !== undefined) return;
      // The port is free only once the pending accept on the old listener has ended, which the
      // iteration below reports.
      let reopened!: () => void;
      const released = new Promise<void>((resolve) => {
        swap = { released: resolve, reopened: new Promise((done) => reopened = done) };
      });
      inner.close();
      await released;
      try {
        inner = open(cert, key, addr.port);
        options = { ...options, cert, key };
      } catch (error) {
        inner = open(options.cert, options.key, addr.port);
        throw error;
      } finally {
        swap = undefined;
        reopened();
      }
    },
    async *[Symbol.asyncIterator](): AsyncIterator<Accepted> {
      while (!closed) {
        try {
          for await (const conn of inner) {
            yield { conn: new TcpLineConnection(conn, options), ip: conn.remoteAddr.hostname };
          }
        } catch (error) {
          // A listener closed by `reload` may say it is a bad resource.
          if (swap === undefined || !(error instanceof Deno.errors.BadResource)) throw error;
        }
        if (swap === undefined) return; // Closed, not reloaded.
        const { released, reopened } = swap;
        released();
        await reopened;
      }
    },
  };
}
