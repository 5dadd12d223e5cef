/**
 * Someone opened the chat port with a web browser or `curl`: the first line is an HTTP request.
 * The connection goes to the web front (`src/carrier/http_front.ts`: the browser client and its
 * WebSocket); where the carrier cannot hand it over, a short HTTP answer says what this port is
 * for, and the connection closes. Pure.
 */
import type { HubEvent } from "../server/events.ts";
import { type Dialect, type DialectView, type Intent, NOTHING } from "./dialect.ts";

/** An HTTP request line: `GET / HTTP/1.1`. */
export const HTTP_REQUEST = /^[A-Z]{3,10} \S+ HTTP\/\d(\.\d)?$/;

const REPLY = new TextEncoder().encode(
  "HTTP/1.1 400 Bad Request\r\nContent-Type: text/plain; charset=utf-8\r\n" +
    "Connection: close\r\n\r\nThis is a chat server, not a web server: connect with " +
    "`chat join HOST:PORT` or `nc HOST PORT`.\n",
);

/** Hands the connection to the web front once; shows no chat events. */
export class HttpDialect implements Dialect {
  readonly name = "http";
  readonly supports = { files: false, resume: false, ping: false } as const;
  #answered = false;

  read(_line: string, _view: DialectView): Intent[] {
    if (this.#answered) return [];
    this.#answered = true;
    return [{
      kind: "http",
      fallback: [
        { kind: "raw", bytes: REPLY },
        { kind: "end", reason: "Not a chat client (HTTP)" },
      ],
    }];
  }

  encode(_event: HubEvent): Uint8Array {
    return NOTHING;
  }
}
