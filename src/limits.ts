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
 * Client tags on one message (IRC's `+typing`, `+draft/reply`): at most this many bytes of
 * names and values together, and at most MAX_CLIENT_TAGS of them; the rest are dropped.
 */
export const MAX_CLIENT_TAG_BYTES = 4094;
export const MAX_CLIENT_TAGS = 32;

/** Users who left (or renamed) that the server remembers for WHOWAS, newest kept. */
export const MAX_DEPARTED = 200;

/** Most nicks one user may watch for coming and going (IRC's MONITOR). */
export const MAX_WATCHED = 100;

/** Most messages one history request (IRC's CHATHISTORY) returns. */
export const MAX_HISTORY_QUERY = 100;

/** Longest user name (IRC's `USER` name, shown in `nick!user@host`), in characters. */
export const MAX_USER_NAME_CHARS = 16;

/** Longest real name (IRC's `USER` real name, shown by WHO and WHOIS), in characters. */
export const MAX_REAL_NAME_CHARS = 100;

/**
 * Nick rule: starts with a letter, digit or `_`; then letters, digits, `_`, `-` or `.`.
 * Letters and digits of any script count; spaces, punctuation, symbols, control, invisible and
 * bidi characters never match.
 */
export const NICK_REGEXP = /^[\p{L}\p{Nd}_][\p{L}\p{Nd}_.\-]*$/u;

/** Bytes a client may have waiting to be written to it before it is disconnected. */
export const DEFAULT_MAX_OUTBOX_BYTES = 256 * 1024;

/** Under load, client queues are flushed at most this often (ms): one write carries many frames. */
export const FLUSH_INTERVAL_MS = 4;

/** ...and at least this often, however busy (ms): the most batching may add to latency. */
export const MAX_FLUSH_INTERVAL_MS = 100;

/**
 * What one socket write costs beyond our JavaScript (Deno's op, the kernel's send), in ms: about
 * 10 us measured (docs/BENCHMARKS.md, "Where light traffic's CPU goes"). Flushes are spaced by it.
 */
export const WRITE_COST_MS = 0.01;

/** A write that makes no progress for this long means the client is gone or stuck: drop it. */
export const WRITE_STALL_MS = 30_000;

/** Input without a line end past this many bytes: disconnect (memory stays bounded anyway). */
export const MAX_UNTERMINATED_BYTES = 64 * 1024;

/** Flood control: lines a client may send at once, then lines per second. */
export const FLOOD_BURST = 10;
export const FLOOD_PER_SECOND = 5;

/** A client kept slowed by flood control this long without a pause is disconnected. */
export const FLOOD_DISCONNECT_MS = 10_000;

/** Nick changes: a burst, then one per ten seconds. */
export const NICK_CHANGE_LIMIT = { burst: 3, perSecond: 0.1 };

/**
 * Joining rooms: a burst, then one per two seconds. The burst is large enough for an IRC client
 * that joins the channels it is configured for on connecting (20 covers most configurations).
 */
export const JOIN_LIMIT = { burst: 20, perSecond: 0.5 };

/**
 * Creating rooms: a burst, then one per thirty seconds (an IRC client's auto-join creates the
 * channels that do not exist yet: 5 covers a fresh server and a few channels).
 */
export const CREATE_LIMIT = { burst: 5, perSecond: 1 / 30 };

/**
 * Failed logins allowed per account and per address: a burst, then one more every 30 s (an
 * online guesser gets about three thousand tries a day per account, whatever addresses it has).
 */
export const LOGIN_LIMIT = { burst: 5, perSecond: 1 / 30 };

/** Shortest and longest account password, in characters (no spaces). */
export const MIN_ACCOUNT_PASSWORD_CHARS = 6;
export const MAX_ACCOUNT_PASSWORD_CHARS = 128;

/** A TLS connection whose handshake is not over after this long is closed. */
export const TLS_HANDSHAKE_TIMEOUT_MS = 10_000;

/** A connection that has not picked a nick after this long is closed. */
export const REGISTRATION_TIMEOUT_MS = 60_000;

/** A native client silent this long is sent a ping... */
export const PING_AFTER_MS = 60_000;

/** ...and one silent this long (no pong, nothing) is taken for dead and removed. */
export const PING_TIMEOUT_MS = 120_000;

/** How often the server checks timeouts, in ms. */
export const SWEEP_MS = 1000;

/** Most connections at once (0: no limit). */
export const DEFAULT_MAX_CLIENTS = 10_000;

/** Most connections from one IP address (0: no limit). */
export const DEFAULT_MAX_PER_IP = 32;

/** How long after a dropped connection its resume token still gets the user back in. */
export const RESUME_WINDOW_MS = 5 * 60_000;

/**
 * How long a user whose connection dropped stays in their rooms, unseen to go: a resume within
 * it is quiet (nobody sees them leave and come back).
 */
export const RESUME_GRACE_MS = 15_000;

/** Most rooms a reconnecting client may ask to get back into. */
export const MAX_RESUME_ROOMS = 100;

/** Longest message id a client may attach to a `say` frame, in characters. */
export const MAX_MESSAGE_ID_CHARS = 64;

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

/** Most bytes of history replayed on entering a room (the newest messages that fit). */
export const HISTORY_REPLAY_MAX_BYTES = 64 * 1024;

/** Most messages a room may be configured to keep. */
export const MAX_HISTORY = 10_000;

/** Messages `/history` shows when not told how many. */
export const HISTORY_PAGE = 20;

/** Most messages one `/history` shows. */
export const MAX_HISTORY_PAGE = 200;

/** Most messages one `/search` shows (the newest that match). */
export const SEARCH_RESULTS = 20;

/** Largest file the server takes by default, in bytes (`--max-file-size` MiB; 0 turns sharing off). */
export const DEFAULT_MAX_FILE_BYTES = 100 * 1024 * 1024;

/** Uploads one person may have going at once. */
export const MAX_TRANSFERS_PER_USER = 3;

/** Bytes of files the server holds at once, all transfers together. */
export const MAX_SPOOL_BYTES = 2 * 1024 * 1024 * 1024;

/** A transfer connection that moves no data for this long is closed, in ms. */
export const TRANSFER_STALL_MS = 30_000;

/** How long an uploaded file waits for receivers that have not fetched it yet, in ms. */
export const TRANSFER_KEEP_MS = 10 * 60_000;

/** Size of the pieces file data is read and written in. */
export const FILE_CHUNK_BYTES = 256 * 1024;

/** Longest file name a client may offer, in characters (receivers shorten names further). */
export const MAX_OFFER_NAME_CHARS = 1024;
