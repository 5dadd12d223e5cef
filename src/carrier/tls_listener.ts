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
   * Listens with a new certificate from now on (on the same port). Throws Deno's errors when
   * the certificate or key is refused; the old one is kept then.
   */
  reload(cert: string, key: string): void;
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
    reload(cert: string, key: string) {
      if (closed) return;
      // The port must be free to listen again: the old listener goes first, and comes back with
      // its certificate if the new one is refused.
      const old = inner;
      old.close();
      try {
        inner = open(cert, key, addr.port);
      } catch (error) {
        inner = open(options.cert, options.key, addr.port);
        throw error;
      }
      options = { ...options, cert, key };
    },
    async *[Symbol.asyncIterator](): AsyncIterator<Accepted> {
      while (!closed) {
        const current = inner;
        try {
          for await (const conn of current) {
            yield { conn: new TcpLineConnection(conn, options), ip: conn.remoteAddr.hostname };
          }
        } catch (error) {
          // A listener closed by `reload` ends its iteration (or says it is a bad resource).
          if (current === inner || !(error instanceof Deno.errors.BadResource)) throw error;
        }
        if (current === inner) return; // Closed, not reloaded.
      }
    },
  };
}
