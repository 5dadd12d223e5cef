/**
 * A dialect: how one kind of client speaks. It is chosen once, from a connection's first line,
 * turns each input line into intents for the server, and encodes what the hub emits for one
 * viewer. Adding a dialect is a new file beside its peers and a line in `detect.ts`. Pure.
 */
import type { ChatError } from "../errors.ts";
import type {
  DownloadFrame,
  HelloFrame,
  OfferFrame,
  SavedFrame,
  UploadFrame,
} from "../protocol.ts";
import type { HubEvent } from "../server/events.ts";

/** What a dialect may know about its connection when it reads or encodes. */
export interface DialectView {
  /** The connection's nick once registered. */
  readonly nick: string | undefined;
  /** Names of the rooms the connection is in, in the order joined. */
  rooms(): string[];
}

/** What one input line asks for. */
export type Intent =
  | {
    kind: "register";
    nick: string;
    resume?: HelloFrame["resume"];
    /** The server's password (a private server). */
    password?: string;
    /** The password of the account `nick` is: log in to it, then register. */
    login?: string;
  }
  | { kind: "say"; room: string; text: string; id?: string }
  | { kind: "command"; line: string; room: string; id?: string }
  | { kind: "offer"; frame: OfferFrame }
  | { kind: "saved"; frame: SavedFrame }
  | { kind: "transfer"; frame: UploadFrame | DownloadFrame }
  /** An answer for this connection alone (a pong). */
  | { kind: "reply"; frame: HubEvent }
  /** Bytes for this connection, as they are (an HTTP answer). */
  | { kind: "raw"; bytes: Uint8Array }
  /**
   * The connection speaks HTTP: the web front takes over its byte stream (the page, the
   * WebSocket); a carrier that cannot hand one over gets `fallback` instead.
   */
  | { kind: "http"; fallback: Intent[] }
  /** The connection ends: `reason` for the log and the rooms, `bye` for the client. */
  | { kind: "end"; reason: string; bye?: string; error?: ChatError };

/** What a dialect's clients can do beyond chatting. */
export interface Supports {
  /** Receive and send files (the data goes over connections of its own). */
  readonly files: boolean;
  /** Come back after a dropped connection with a token, missing nothing. */
  readonly resume: boolean;
  /** Answer the server's pings (silent clients are pinged, then dropped). */
  readonly ping: boolean;
  /**
   * Show a shared file's download link (`url` of the `file` event) to a user whose client cannot
   * fetch files itself. @default false
   */
  readonly links?: boolean;
}

/**
 * Encodings of one event, made once and shared by every viewer whose dialect gives the same
 * cache key (a dialect's name, or its name and the viewer's active room).
 */
export type SharedEncodings = Map<string, Uint8Array>;

/**
 * The shared-encodings key of an event's own protocol encoding (its JSON line, docs/PROTOCOL.md):
 * whoever encodes a frame that way first (the hub, sizing a message for history; the native
 * dialect) leaves it under this key for the rest.
 */
export const PROTOCOL_ENCODING = "protocol";

/** One connection's dialect (an instance per connection: some keep state, like an active room). */
export interface Dialect {
  readonly name: string;
  readonly supports: Supports;
  /** Turns one input line into intents. Throws `ChatError` for input it refuses. */
  read(line: string, view: DialectView): Intent[];
  /**
   * Encodes an event for this connection's viewer, reusing and filling `shared`; empty when
   * this dialect shows nothing for it.
   */
  encode(event: HubEvent, view: DialectView, shared: SharedEncodings): Uint8Array;
  /** The user moved to another room through a command (dialects with an active room follow). */
  switched?(room: string): void;
}

/** No bytes: what a dialect returns for an event it does not show. */
export const NOTHING: Uint8Array = new Uint8Array(0);
