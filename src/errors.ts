/**
 * Expected errors that reach a user: each has a stable machine-readable code (sent on the wire)
 * and a sentence-case message with details after a colon and no final period.
 */

/** Error codes sent in `error` frames. */
export type ErrorCode =
  | "bad_frame" // the line is not a valid frame: bad JSON, unknown type, wrong field types
  | "frame_too_large" // the line is longer than MAX_LINE_BYTES
  | "bad_version" // the hello names a protocol version the server does not speak
  | "not_registered" // a frame that needs a nick arrived before the handshake finished
  | "already_registered" // a second hello after the handshake
  | "nick_invalid" // the nick breaks the nick rule
  | "nick_taken" // someone else has that nick (ignoring case)
  | "text_invalid" // empty text, control characters, or longer than MAX_TEXT_BYTES
  | "unknown_command" // no such slash command
  | "bad_arguments" // a slash command got too few or too many arguments
  | "no_such_room" // the room does not exist
  | "not_in_room"; // the user is not a member of that room

/** A user-facing failure: caught at the session edge and sent to the sender as an `error` frame. */
export class ChatError extends Error {
  readonly code: ErrorCode;

  constructor(code: ErrorCode, message: string) {
    super(message);
    this.name = "ChatError";
    this.code = code;
  }
}

/** A command-line mistake by the user: printed with usage, exit code 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "UsageError";
  }
}
