/**
 * Expected errors that reach a user: each has a stable machine-readable code (sent on the wire)
 * and a sentence-case message with details after a colon and no final period.
 */

/** Error codes sent in `error` frames, with when each is used. */
export const ERROR_CODES = [
  "bad_frame", // the line is not a valid frame: bad JSON, unknown type, wrong field types
  "frame_too_large", // the line is longer than MAX_LINE_BYTES
  "bad_version", // the hello names a protocol version the server does not speak
  "not_registered", // a frame that needs a nick arrived before the handshake finished
  "already_registered", // a second hello after the handshake
  "nick_invalid", // the nick breaks the nick rule
  "nick_taken", // someone else has that nick (ignoring case)
  "text_invalid", // empty text, control characters, or longer than MAX_TEXT_BYTES
  "unknown_command", // no such slash command
  "bad_arguments", // a slash command got too few or too many arguments
  "no_such_room", // the room does not exist
  "not_in_room", // the user is not a member of that room
  "room_invalid", // the room name breaks the room-name rule, or a setting is out of range
  "room_exists", // a room with that name (ignoring case) already exists
  "room_full", // the room has reached its participant limit
  "wrong_password", // the room needs a password and this is not it
  "invite_only", // the room lets in only those its operators invited
  "already_in_room", // the user is already a member of that room
  "last_room", // leaving would leave the user in no room at all
  "not_allowed", // only the room's owner (or the server's admin) may do that
  "rooms_disabled", // the server does not let users create rooms
  "too_many_rooms", // the server has as many rooms as it allows
  "no_such_nick", // nobody by that nick is connected
  "rate_limited", // too many renames, joins or room creations in a short time: try again later
  "server_full", // the server, or this address, has as many connections as it allows
  "file_refused", // the server will not take this file: too large, sharing off, too many at once
  "no_such_transfer", // no transfer with that id and token (or it failed or expired)
  "password_required", // the server is private: the hello must carry its password
  "bad_server_password", // the hello carried a password, and it is not the server's
  "nick_registered", // the nick is an account the user is not logged in to
  "login_failed", // wrong account name or password (the same either way)
  "not_logged_in", // the command needs a login to an account
  "banned", // the nick or address is banned from the server, or the nick from the room
  "muted", // an operator muted the user: they can read but not talk
  "unavailable", // a cluster node cannot reach the cluster's Redis: nothing can be sent for now
] as const;

/** One of {@linkcode ERROR_CODES}. */
export type ErrorCode = typeof ERROR_CODES[number];

/** A user-facing failure: caught at the session edge and sent to the sender as an `error` frame. */
export class ChatError extends Error {
  readonly code: ErrorCode;
  /**
   * Advice naming a slash command (`use /nick to rename`): dialects with slash commands add it
   * after the message, others (IRC) leave it out.
   */
  readonly hint: string | undefined;

  constructor(code: ErrorCode, message: string, hint?: string) {
    super(message);
    this.name = "ChatError";
    this.code = code;
    this.hint = hint;
  }
}

/** An error's message with its slash-command hint, as clients with slash commands see it. */
export function withHint(error: ChatError): string {
  if (error.hint === undefined) return error.message;
  // One colon per sentence reads best: "Cannot join room "x": it needs a password (/join x PASSWORD)".
  return error.message.includes(": ")
    ? `${error.message} (${error.hint})`
    : `${error.message}: ${error.hint}`;
}

/** A command-line mistake by the user: printed with usage, exit code 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "UsageError";
  }
}

/**
 * The server's data folder or database cannot be used (locked by another server, corrupt, from a
 * newer version, not writable): printed in one line, exit code 1.
 */
export class StoreError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "StoreError";
  }
}
