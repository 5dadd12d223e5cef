/**
 * TLS listener: accepts TLS connections and hands them out as line connections, like the TCP
 * listener. It runs on `node:tls`, whose server can drop a peer that never finishes its
 * handshake (Deno's TLS listener keeps such a socket open even after `close`) and can change its
 * certificate while it runs (`reload`): new connections get the new one, open ones keep theirs.
 */
import type { Socket } from "node:net";
import tls from "node:tls";
import type { Accepted, Listener } from "./connection.ts";
import { NodeSocketStream } from "./node_socket.ts";
import { TcpLineConnection } from "./tcp.ts";
import type { TcpListenOptions } from "./tcp_listener.ts";

/** Options for {@linkcode listenTls}. */
export interface TlsListenOptions extends TcpListenOptions {
  /** Certificate chain, PEM. */
  cert: string;
  /** Private key, PEM. */
  key: string;
  /** A connection whose handshake is not over after this many ms is closed. */
  handshakeTimeoutMs: number;
}

/** A TLS listener whose certificate can be replaced. */
export interface TlsListener extends Listener {
  /**
   * Uses a new certificate for new connections from now on. Throws when the certificate or key
   * cannot be used; the old one is kept then.
   */
  reload(cert: string, key: string): void;
}

/**
 * Binds a TLS port. Rejects with Deno's errors (`AddrInUse`, `AddrNotAvailable`,
 * `PermissionDenied`) if the port cannot be bound, or node's if the certificate or key is unusable.
 */
export function listenTls(options: TlsListenOptions): Promise<TlsListener> {
  const accepted: Accepted[] = [];
  let wake: (() => void) | undefined;
  let closed = false;
  const notify = () => {
    const resume = wake;
    wake = undefined;
    resume?.();
  };
  /** Deadlines of connections still in their handshake, by the peer's address and port. */
  const handshaking = new Map<string, ReturnType<typeof setTimeout>>();
  const peer = (socket: Socket) => `${socket.remoteAddress}|${socket.remotePort}`;
  const server = tls.createServer({
    cert: options.cert,
    key: options.key,
    handshakeTimeout: options.handshakeTimeoutMs,
    minVersion: "TLSv1.2",
  }, (socket) => {
    clearTimeout(handshaking.get(peer(socket)));
    handshaking.delete(peer(socket));
    if (closed) {
      socket.destroy();
      return;
    }
    const stream = new NodeSocketStream(socket);
    accepted.push({
      conn: new TcpLineConnection(stream, options),
      ip: stream.remoteAddr.hostname,
    });
    notify();
  });
  // A failed handshake: node destroys the socket; nothing else to do.
  server.on("tlsClientError", () => {});
  // An unfinished one is ended here: node's own handshakeTimeout does not fire under Deno.
  server.on("connection", (raw: Socket) => {
    const key = peer(raw);
    const timer = setTimeout(() => {
      handshaking.delete(key);
      raw.destroy();
    }, options.handshakeTimeoutMs);
    handshaking.set(key, timer);
    raw.once("close", () => {
      if (handshaking.get(key) === timer) {
        clearTimeout(timer);
        handshaking.delete(key);
      }
    });
  });
  return new Promise((resolve, reject) => {
    server.once("error", (error: Error) => reject(asListenError(error)));
    server.listen({ host: options.hostname, port: options.port }, () => {
      const address = server.address();
      const port = typeof address === "object" && address !== null ? address.port : options.port;
      resolve({
        addr: { hostname: options.hostname, port },
        close() {
          if (closed) return;
          closed = true;
          server.close();
          notify();
        },
        reload(cert: string, key: string) {
          server.setSecureContext({ cert, key });
        },
        async *[Symbol.asyncIterator](): AsyncIterator<Accepted> {
          while (true) {
            const next = accepted.shift();
            if (next !== undefined) {
              yield next;
              continue;
            }
            if (closed) return;
            await new Promise<void>((resolve) => wake = resolve);
          }
        },
      });
    });
  });
}

/** Node's listen errors as Deno's, which `chat serve` words for the operator. */
function asListenError(error: Error): Error {
  switch ((error as { code?: string }).code) {
    case "EADDRINUSE":
      return new Deno.errors.AddrInUse(error.message);
    case "EADDRNOTAVAIL":
      return new Deno.errors.AddrNotAvailable(error.message);
    case "EACCES":
      return new Deno.errors.PermissionDenied(error.message);
    default:
      return error;
  }
}
