/**
 * Every limit the program enforces, in one place. docs/PROTOCOL.md and README list them.
 * Server-side limits that an operator may want to change are defaults for `ServerOptions`.
 */

/** Default TCP port for `chat serve` and for `chat join HOST` without a port. */
export const DEFAULT_PORT = 12345;

/** Longest accepted line (one frame, or one plain-text line), in bytes, excluding the line end. */
export const MAX_LINE_BYTES = 16 * 1024;

/**
 * Longest line a client accepts from a server. Server frames such as `room` and `users` grow
 * with the number of members, so this is far above MAX_LINE_BYTES.
 */
export const MAX_SERVER_LINE_BYTES = 4 * 1024 * 1024;

/** Longest message text, in bytes of UTF-8. Longer messages are refused, never truncated. */
export const MAX_TEXT_BYTES = 4096;

/** Longest quit or kick reason, in characters; longer reasons are cut (a reason never blocks). */
export const MAX_REASON_CHARS = 200;

/** Longest nick, in characters (code points). */
export const MAX_NICK_CHARS = 24;

/**
 * Nick rule: starts with a letter, digit or `_`; then letters, digits, `_`, `-` or `.`.
 * Letters and digits of any script count; spaces, punctuation, symbols, control, invisible and
 * bidi characters never match.
 */
export const NICK_REGEXP = /^[\p{L}\p{Nd}_][\p{L}\p{Nd}_.\-]*$/u;

/** Bytes a client may have waiting to be written to it before it is disconnected. */
export const DEFAULT_MAX_OUTBOX_BYTES = 256 * 1024;

/** How long shutdown waits for farewell frames to be written before closing sockets, in ms. */
export const SHUTDOWN_FLUSH_MS = 1000;

/** Name of the room everyone joins on arrival. It always exists and cannot be closed. */
export const LOBBY = "lobby";

/** Longest room name, in characters. */
export const MAX_ROOM_NAME_CHARS = 32;

/** Largest participant limit a room may have. */
export const MAX_ROOM_LIMIT = 10_000;

/** Most rooms a server holds (the lobby included). */
export const MAX_ROOMS = 1000;

/** Longest room topic, in characters. */
export const MAX_TOPIC_CHARS = 300;

/** Longest room password, in characters (no spaces). */
export const MAX_PASSWORD_CHARS = 64;

/** Messages each room keeps for replay to people who join (0 turns history off). */
export const DEFAULT_HISTORY = 50;

/** Most messages a room may be configured to keep. */
export const MAX_HISTORY = 10_000;
