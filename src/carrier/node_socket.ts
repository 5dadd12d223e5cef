/**
 * A `node:net` socket (such as a TLS socket from `node:tls`) as the pull-style byte stream the
 * line carrier reads from, so the TLS port runs through the same `TcpLineConnection` as TCP.
 * Node pushes data to callbacks: it is queued here, and the socket is paused while too much
 * waits (TCP then pushes back on the peer, as with Deno's sockets). Errors come out as Deno's
 * error classes, so `isConnectionGone` recognises them.
 */
import type { Socket } from "node:net";
import type { ByteStream } from "./connection.ts";

/** Bytes queued from the socket before it is paused. */
const HIGH_WATER = 256 * 1024;

/** How long a closed socket may take to send what it still holds before it is dropped, in ms. */
const CLOSE_GRACE_MS = 5_000;

/** The socket as a byte stream, with the peer's address. */
export class NodeSocketStream implements ByteStream {
  readonly remoteAddr: Deno.NetAddr;
  readonly #socket: Socket;
  readonly #queue: Uint8Array[] = [];
  #queued = 0;
  #ended = false;
  #error: Error | undefined;
  #wake: (() => void) | undefined;

  constructor(socket: Socket) {
    this.#socket = socket;
    this.remoteAddr = {
      transport: "tcp",
      hostname: plainIp(socket.remoteAddress ?? "unknown"),
      port: socket.remotePort ?? 0,
    };
    socket.setNoDelay(true);
    socket.setKeepAlive(true);
    socket.on("data", (chunk: Uint8Array) => {
      this.#queue.push(chunk);
      this.#queued += chunk.length;
      if (this.#queued > HIGH_WATER) socket.pause();
      this.#wakeReader();
    });
    socket.on("end", () => {
      this.#ended = true;
      this.#wakeReader();
    });
    socket.on("close", () => {
      this.#ended = true;
      this.#wakeReader();
    });
    socket.on("error", (error: Error) => {
      this.#error = asDenoError(error);
      this.#wakeReader();
    });
  }

  async read(buffer: Uint8Array): Promise<number | null> {
    while (this.#queue.length === 0) {
      if (this.#error !== undefined) throw this.#error;
      if (this.#ended) return null;
      await new Promise<void>((resolve) => this.#wake = resolve);
    }
    const head = this.#queue[0] ?? new Uint8Array(0);
    const n = Math.min(buffer.length, head.length);
    buffer.set(head.subarray(0, n));
    if (n === head.length) this.#queue.shift();
    else this.#queue[0] = head.subarray(n);
    this.#queued -= n;
    if (this.#queued <= HIGH_WATER / 2 && this.#socket.isPaused()) this.#socket.resume();
    return n;
  }

  async write(bytes: Uint8Array): Promise<number> {
    const socket = this.#socket;
    if (this.#error !== undefined) throw this.#error;
    if (socket.destroyed || socket.writableEnded) throw new Deno.errors.BrokenPipe("Socket closed");
    // Node copies nothing: the caller must not reuse the bytes, so they are copied here.
    const ok = socket.write(bytes.slice());
    if (!ok) {
      await new Promise<void>((resolve) => {
        const done = () => {
          socket.off("drain", done);
          socket.off("close", done);
          resolve();
        };
        socket.on("drain", done);
        socket.on("close", done);
      });
      if (socket.destroyed && socket.writableLength > 0) {
        throw this.#error ?? new Deno.errors.BrokenPipe("Socket closed");
      }
    }
    return bytes.length;
  }

  /**
   * Closes the stream. What `write` handed to Node may still be in its buffer (a write resolves
   * before the bytes leave): `end` sends it, then TLS's close_notify, where `destroy` would drop
   * it (a file's last chunk, a refusal's last line). A peer that does not take it within
   * CLOSE_GRACE_MS is dropped.
   */
  close(): void {
    this.#ended = true;
    const socket = this.#socket;
    if (!socket.destroyed) {
      socket.end();
      const timer = setTimeout(() => socket.destroy(), CLOSE_GRACE_MS);
      Deno.unrefTimer(timer);
      socket.once("close", () => clearTimeout(timer));
    }
    this.#wakeReader();
  }

  #wakeReader(): void {
    const wake = this.#wake;
    this.#wake = undefined;
    wake?.();
  }
}

/** An IPv4 address as itself, not as the IPv6-mapped form a dual-stack socket reports. */
function plainIp(address: string): string {
  return address.startsWith("::ffff:") && address.includes(".") ? address.slice(7) : address;
}

/** Node's socket errors as the Deno error classes the carriers check for. */
function asDenoError(error: Error): Error {
  const code = (error as { code?: string }).code;
  switch (code) {
    case "ECONNRESET":
      return new Deno.errors.ConnectionReset(error.message);
    case "EPIPE":
      return new Deno.errors.BrokenPipe(error.message);
    case "ECONNABORTED":
      return new Deno.errors.ConnectionAborted(error.message);
    case "ETIMEDOUT":
      return new Deno.errors.TimedOut(error.message);
    default:
      return new Deno.errors.ConnectionReset(error.message);
  }
}
