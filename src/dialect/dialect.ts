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
import type { HistoryRequest, HubEvent } from "../server/events.ts";

/** What a dialect may know about its connection when it reads or encodes. */
export interface DialectView {
  /** The connection's nick once registered. */
  readonly nick: string | undefined;
  /** Names of the rooms the connection is in, in the order joined. */
  rooms(): string[];
  /** Who is connected under a nick (ignoring case), if anyone is now. */
  user(nick: string): UserInfo | undefined;
  /** Who went by any of these nicks lately (quit or renamed), newest first (IRC's WHOWAS). */
  departed(...nicks: string[]): readonly UserInfo[];
  /** The nicks of a room's members now, in the order they came in; none for no such room. */
  members(roomKey: string): readonly string[];
  /** Keys of the rooms whoever holds a nick is in now; none if nobody does. */
  roomKeysOf(nick: string): readonly string[];
}

/** What anyone may know about a connected user (never their address). */
export interface UserInfo {
  readonly nick: string;
  /** The user name given at registration (IRC's `USER`), or the nick. */
  readonly user: string;
  /** The real name given at registration, or "". */
  readonly realName: string;
  /** Away text, when away. */
  readonly away?: string;
  /** The user said they are a bot (IRC's bot mode, `+B`). */
  readonly bot?: boolean;
  /** The account the user is logged in to (its name), if any. */
  readonly account?: string;
  /** The user is logged in to an account that is one of the server's operators. */
  readonly operator?: boolean;
  /** The user wants the operators' wallops (IRC's user mode +w). */
  readonly wallops?: boolean;
}

/** What one input line asks for. */
export type Intent =
  | {
    kind: "register";
    nick: string;
    resume?: HelloFrame["resume"];
    /** IRC's `USER` name and real name (other dialects have none). */
    user?: string;
    realName?: string;
    /** The server's password, on a private server. */
    password?: string;
    /** The password of the account `nick` is: log in to it, then register. */
    login?: string;
    /** A signed token (single sign-on): log in to the account it names, then register. */
    token?: string;
  }
  | {
    kind: "say";
    room: string;
    text: string;
    id?: string;
    /** A `/me` action, or a notice (never answered automatically); neither: text. */
    action?: boolean;
    notice?: boolean;
    /** Client tags to pass on (IRC's `+draft/reply` and the like). */
    tags?: Record<string, string>;
  }
  /** A private message (`/msg`), possibly an action or a notice. */
  | {
    kind: "tell";
    nick: string;
    text: string;
    id?: string;
    action?: boolean;
    notice?: boolean;
    tags?: Record<string, string>;
  }
  /** Client tags without a message (IRC's TAGMSG), to a room or to one person. */
  | { kind: "tag"; room?: string; nick?: string; tags: Record<string, string>; id?: string }
  /** Mark yourself as a bot, or not (IRC's user mode `+B`). */
  | { kind: "bot"; bot: boolean }
  /** Want the operators' wallops, or no longer (IRC's user mode +w). */
  | { kind: "wallops"; wallops: boolean }
  /** A new real name (IRC's SETNAME). */
  | { kind: "real_name"; realName: string }
  /** Start (`watch`) or stop watching nicks for coming and going (IRC's MONITOR). */
  | { kind: "watch"; nicks: string[]; watch: boolean }
  /** Messages from a room's history (IRC's CHATHISTORY). */
  | { kind: "history"; room: string; query: HistoryRequest; id?: string }
  | { kind: "command"; line: string; room: string; id?: string }
  /**
   * Join a room (`/join`), or with `create` make it when it does not exist (`/create`, with its
   * own allowance): one step, so a client need not know the rooms it cannot see.
   */
  | { kind: "join"; room: string; password?: string; create?: boolean; id?: string }
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
  /**
   * Log in to an account without taking its nick (IRC's SASL and OPER). The password is checked
   * off the hub and the connection's input waits meanwhile (so a registration that follows waits
   * for it); then the dialect hears `logged_in`, or a failure with `id`. A `sasl` login is a
   * login like `/login` (the newest wins: another connection holding the account is let go); an
   * `oper` login is made only when the account is an operator, and lets nobody go.
   */
  | {
    kind: "authenticate";
    account: string;
    password: string;
    purpose: "sasl" | "oper";
    id?: string;
  }
  /**
   * Log in with a bearer token (IRC's SASL OAUTHBEARER, single sign-on): the token names the
   * account (`account`, when given, must be it); otherwise as a `sasl` login with a password.
   */
  | { kind: "authenticate"; token: string; account?: string; purpose: "sasl"; id?: string }
  /** The connection ends: `reason` for the log and the rooms, `bye` for the client. */
  | { kind: "end"; reason: string; bye?: string; error?: ChatError };

/** What the session knows of a line beyond its text. */
export interface ReadOptions {
  /**
   * The line was not valid UTF-8: `line` is its lenient decoding (U+FFFD for each invalid
   * sequence), good for finding the command, not for using the text. Only a dialect with
   * `lenientUtf8` gets such lines. @default false
   */
  readonly invalidUtf8?: boolean;
}

/** What the server tells every dialect (`chat serve` options). */
export interface DialectOptions {
  /** The server's name, for dialects that show one (IRC's prefixes and numerics). @default "chat" */
  readonly serverName?: string;
  /** The server's description (IRC's `LINKS` and `WHOIS`). @default "chat VERSION" */
  readonly serverInfo?: string;
  /**
   * The server takes bearer tokens as logins (single sign-on, `--oidc-issuer`): IRC offers SASL
   * OAUTHBEARER. `configuration` is the identity provider's discovery URL, told to a client
   * whose token is refused. @default no token logins
   */
  readonly tokens?: { readonly configuration?: string };
}

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
  /**
   * Takes lines that are not valid UTF-8, each invalid sequence read as U+FFFD and `read` told
   * (`invalidUtf8`), so the dialect refuses the line in its own words (IRC's `FAIL ...
   * INVALID_UTF8`); otherwise the session refuses such a line and closes. @default false
   */
  readonly lenientUtf8?: boolean;
  /** Turns one input line into intents. Throws `ChatError` for input it refuses. */
  read(line: string, view: DialectView, options?: ReadOptions): Intent[];
  /**
   * Encodes an event for this connection's viewer, reusing and filling `shared`; empty when
   * this dialect shows nothing for it.
   */
  encode(event: HubEvent, view: DialectView, shared: SharedEncodings): Uint8Array;
  /**
   * Output for this connection while one of its lines is being handled: a dialect may hold it
   * back (returning less, or nothing) to reword it when the line is done (IRC's
   * labeled-response). Without it, everything goes out as it comes.
   */
  hold?(bytes: Uint8Array): Uint8Array;
  /** The line is handled: what was held back, reworded (empty when nothing was). */
  lineDone?(): Uint8Array;
  /** The user moved to another room through a command (dialects with an active room follow). */
  switched?(room: string): void;
}

/** No bytes: what a dialect returns for an event it does not show. */
export const NOTHING: Uint8Array = new Uint8Array(0);
