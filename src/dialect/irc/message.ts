/**
 * The IRC message codec: one line of the client protocol (https://modern.ircdocs.horse) with
 * IRCv3 message tags (https://ircv3.net/specs/extensions/message-tags), parsed into a message and
 * formatted back. Pure: it knows nothing of sockets, sessions or the hub.
 *
 * ```
 * ['@' <tags> SPACE] [':' <source> SPACE] <command> <parameters>
 * ```
 *
 * Parts are separated by one or more spaces (only U+0020). The last parameter may start with `:`
 * and then runs to the end of the line, spaces and all (the "trailing" parameter).
 *
 * The codec takes and returns strings, without the line end. The caller (the carrier, then the
 * IRC dialect) splits the byte stream at LF, drops a CR before it, and decodes each line as
 * UTF-8 with `new TextDecoder("utf-8", { fatal: true })`. A line that is not valid UTF-8 (many
 * older IRC clients send latin-1 or another 8-bit charset) must not be guessed at: the dialect
 * refuses that one line with `FAIL <command> INVALID_UTF8 :<text>` (the command found by parsing
 * a lenient decoding of the line, used for nothing else; a line without one is ignored) and keeps the
 * connection, as ergo does with `enforce-utf8`, and advertises `UTF8ONLY` in ISUPPORT so clients
 * know. irctest's utf8.py expects exactly that FAIL, as the first reply.
 *
 * Limits (see the constants below):
 * - the part after the tags is at most 512 bytes including CRLF, so 510 bytes here;
 * - the tag data a client sends (between `@` and the space) is at most 4094 bytes;
 * - so a client's whole line is at most {@linkcode MAX_CLIENT_LINE_BYTES} bytes without CRLF,
 *   which is the cap for the carrier's line splitter; a longer line, or one breaking either
 *   limit above, is answered with `417 ERR_INPUTTOOLONG` and the connection is kept.
 * The server may send up to 8191 bytes of tags ({@linkcode MAX_TAG_SECTION_BYTES}); parse such
 * lines (in a client) with `{ maxTagBytes: MAX_TAG_SECTION_BYTES - 2 }`.
 *
 * Parsing never throws: every problem is an {@linkcode IrcParseError} in the result. Formatting
 * throws `TypeError` for messages that cannot be written as one line (a parameter holding CR, LF
 * or NUL, a space in a parameter that is not the last one): those are the server's bugs, since
 * user text is validated before it gets here.
 *
 * @example
 * ```ts
 * import { formatMessage, parseMessage } from "./message.ts";
 *
 * const result = parseMessage("@+draft/reply=12 :ana!a@host privmsg #games :hi all");
 * if (result.ok) {
 *   result.message.command; // "PRIVMSG"
 *   result.message.params; // ["#games", "hi all"]
 *   result.message.tags.get("+draft/reply"); // "12"
 * }
 * formatMessage({ source: "chat.local", command: "001", params: ["ana", "Welcome, ana"] });
 * // ":chat.local 001 ana :Welcome, ana"
 * ```
 */

/** Longest line in bytes without its tags, including the CRLF (RFC 1459, modern IRC). */
export const MAX_LINE_BYTES = 512;

/** Longest line in bytes without its tags and without the CRLF: what `parseMessage` checks. */
export const MAX_BODY_BYTES = MAX_LINE_BYTES - 2;

/** Most tag data (between `@` and the space) a client may send, in bytes (IRCv3). */
export const MAX_CLIENT_TAG_BYTES = 4094;

/** Longest tag section a server may send, including the `@` and the space, in bytes (IRCv3). */
export const MAX_TAG_SECTION_BYTES = 8191;

/**
 * Longest line a client may send, without the CRLF: `@`, 4094 bytes of tags, a space, and 510
 * bytes of the rest. The carrier's line splitter uses this cap; a longer line gets 417.
 */
export const MAX_CLIENT_LINE_BYTES = 1 + MAX_CLIENT_TAG_BYTES + 1 + MAX_BODY_BYTES;

/** A parsed IRC message. */
export interface IrcMessage {
  /** Tags by key (client-only tags keep their `+`), values unescaped; `""` for a tag without one. */
  tags: Map<string, string>;
  /** Who sent it (`nick!user@host` or a server name), without the `:`; absent if not given. */
  source?: string;
  /** The command, with ASCII letters uppercased (`PRIVMSG`), or a three-digit numeric. */
  command: string;
  /** The parameters, the trailing one without its `:`; may be empty. */
  params: string[];
}

/** What {@linkcode formatMessage} takes: tags as a map or a record, params optional. */
export interface IrcMessageInit {
  tags?: ReadonlyMap<string, string> | Readonly<Record<string, string>>;
  source?: string;
  command: string;
  params?: readonly string[];
}

/**
 * Why a line could not be parsed:
 * - `empty`: nothing but spaces (modern IRC: ignore it silently);
 * - `no_command`: tags or a source but no command (reply nothing, or 421 with `*`);
 * - `bad_character`: a NUL, CR or LF inside the line;
 * - `line_too_long`: over {@linkcode MAX_BODY_BYTES} bytes after the tags (reply 417);
 * - `tags_too_long`: over the tag data limit, {@linkcode MAX_CLIENT_TAG_BYTES} by default
 *   (reply 417).
 */
export type IrcParseErrorReason =
  | "empty"
  | "no_command"
  | "bad_character"
  | "line_too_long"
  | "tags_too_long";

/** A line that could not be parsed: a reason for code, a sentence for people. */
export interface IrcParseError {
  reason: IrcParseErrorReason;
  message: string;
}

/** The result of {@linkcode parseMessage}: a message, or why there is none. */
export type IrcParseResult =
  | { ok: true; message: IrcMessage }
  | { ok: false; error: IrcParseError };

/** Options for {@linkcode parseMessage}. */
export interface ParseMessageOptions {
  /**
   * Most bytes of tag data (between `@` and the space).
   * @default {MAX_CLIENT_TAG_BYTES}
   */
  maxTagBytes?: number;
  /**
   * Most bytes after the tags (the source, command and parameters), without CRLF.
   * @default {MAX_BODY_BYTES}
   */
  maxBodyBytes?: number;
}

// Forbidden anywhere in a line: they would end it, or end a C string.
const BAD_CHARACTER = /[\0\r\n]/;
// A tag key: an optional client-only `+`, an optional vendor (a host name) and `/`, a name.
const TAG_KEY = /^\+?(?:[A-Za-z0-9][A-Za-z0-9.-]*\/)?[A-Za-z0-9-]+$/;
// A command: letters, or a three-digit numeric.
const COMMAND = /^(?:[A-Za-z]+|[0-9]{3})$/;

/**
 * Parses one IRC line (without CR or LF). Never throws: a line that is not a message gives
 * `{ ok: false, error }` with the reason (see {@linkcode IrcParseErrorReason}).
 *
 * Tags with keys that are not valid are skipped, as IRCv3 requires ("MUST NOT reject the
 * message"); when a key repeats, the last value wins. Tag values are unescaped: `\:` is `;`, `\s`
 * a space, `\\` a backslash, `\r` CR, `\n` LF; a backslash before any other character is
 * dropped, and so is one at the very end. The command has its ASCII letters uppercased and is
 * not checked further (an unknown one is the dialect's 421). There is no limit on the number of
 * parameters besides the line length.
 *
 * @example
 * ```ts
 * import { parseMessage } from "./message.ts";
 *
 * parseMessage("PING"); // { ok: true, message: { tags: Map {}, command: "PING", params: [] } }
 * parseMessage("   "); // { ok: false, error: { reason: "empty", message: "Line is empty" } }
 * ```
 */
export function parseMessage(line: string, options: ParseMessageOptions = {}): IrcParseResult {
  const maxTagBytes = options.maxTagBytes ?? MAX_CLIENT_TAG_BYTES;
  const maxBodyBytes = options.maxBodyBytes ?? MAX_BODY_BYTES;
  if (BAD_CHARACTER.test(line)) {
    return failure("bad_character", "Line contains a NUL, CR or LF character");
  }
  let rest = line;
  const tags = new Map<string, string>();
  if (rest.startsWith("@")) {
    const space = rest.indexOf(" ");
    const tagData = space === -1 ? rest.slice(1) : rest.slice(1, space);
    const tagBytes = utf8Length(tagData);
    if (tagBytes > maxTagBytes) {
      return failure(
        "tags_too_long",
        `Message tags are too long: ${tagBytes} bytes, at most ${maxTagBytes}`,
      );
    }
    if (space === -1) return failure("no_command", "Line has tags but no command");
    parseTags(tagData, tags);
    rest = rest.slice(space + 1);
  }
  const bodyBytes = utf8Length(rest);
  if (bodyBytes > maxBodyBytes) {
    return failure(
      "line_too_long",
      `Line is too long: ${bodyBytes} bytes, at most ${maxBodyBytes} without tags`,
    );
  }
  rest = skipSpaces(rest);
  let source: string | undefined;
  if (rest.startsWith(":")) {
    const space = rest.indexOf(" ");
    if (space === -1) return failure("no_command", "Line has a source but no command");
    if (space > 1) source = rest.slice(1, space);
    rest = skipSpaces(rest.slice(space + 1));
  }
  if (rest === "") {
    return /^ *$/.test(line)
      ? failure("empty", "Line is empty")
      : failure("no_command", "Line has no command");
  }
  const commandEnd = rest.indexOf(" ");
  const command = asciiUpper(commandEnd === -1 ? rest : rest.slice(0, commandEnd));
  rest = commandEnd === -1 ? "" : rest.slice(commandEnd + 1);
  const params: string[] = [];
  for (rest = skipSpaces(rest); rest !== ""; rest = skipSpaces(rest)) {
    if (rest.startsWith(":")) {
      params.push(rest.slice(1));
      break;
    }
    const end = rest.indexOf(" ");
    if (end === -1) {
      params.push(rest);
      break;
    }
    params.push(rest.slice(0, end));
    rest = rest.slice(end + 1);
  }
  const message: IrcMessage = { tags, command, params };
  if (source !== undefined) message.source = source;
  return { ok: true, message };
}

/**
 * Formats a message as one IRC line, without CRLF. The last parameter gets a `:` only when it
 * needs one: when it is empty, starts with `:` or holds a space. Tag values are escaped (the
 * reverse of {@linkcode parseMessage}); a tag with the value `""` is written as its key alone.
 *
 * Throws `TypeError` for what cannot be written as one line: a command that is not letters or
 * three digits, a source that is empty or holds a space, a tag key that is not valid, a NUL in a
 * tag value, a parameter holding CR, LF or NUL, or a parameter other than the last that is empty,
 * holds a space or starts with `:`. Lengths are not checked: the caller splits long text with
 * `splitText` (./split_text.ts) first.
 *
 * @example
 * ```ts
 * import { formatMessage } from "./message.ts";
 *
 * formatMessage({ command: "PRIVMSG", params: ["#games", "gg"] }); // "PRIVMSG #games gg"
 * formatMessage({ tags: { time: "2024-01-01T00:00:00.000Z" }, command: "PRIVMSG", params: ["bob", "hi there"] });
 * // "@time=2024-01-01T00:00:00.000Z PRIVMSG bob :hi there"
 * ```
 */
export function formatMessage(message: IrcMessageInit): string {
  const parts: string[] = [];
  const tags = message.tags instanceof Map ? [...message.tags] : Object.entries(message.tags ?? {});
  if (tags.length > 0) {
    parts.push("@" + tags.map(([key, value]) => formatTag(key, value)).join(";"));
  }
  if (message.source !== undefined) {
    if (message.source === "" || /[ \0\r\n]/.test(message.source)) {
      throw new TypeError(`Cannot format source ${JSON.stringify(message.source)}`);
    }
    parts.push(":" + message.source);
  }
  if (!COMMAND.test(message.command)) {
    throw new TypeError(`Cannot format command ${JSON.stringify(message.command)}`);
  }
  parts.push(message.command);
  const params = message.params ?? [];
  params.forEach((param, index) => {
    if (BAD_CHARACTER.test(param)) {
      throw new TypeError(`Cannot format parameter ${index}: it contains a NUL, CR or LF`);
    }
    const needsColon = param === "" || param.startsWith(":") || param.includes(" ");
    if (index < params.length - 1) {
      if (needsColon) {
        throw new TypeError(
          `Cannot format parameter ${index} of ${params.length}: ` +
            `only the last may be empty, start with ":" or hold a space`,
        );
      }
      parts.push(param);
    } else {
      parts.push(needsColon ? ":" + param : param);
    }
  });
  return parts.join(" ");
}

/**
 * Escapes a tag value for the wire: `;` as `\:`, space as `\s`, backslash as `\\`, CR as `\r`,
 * LF as `\n`.
 *
 * @example
 * ```ts
 * import { escapeTagValue } from "./message.ts";
 *
 * escapeTagValue("a b;c"); // "a\\sb\\:c"
 * ```
 */
export function escapeTagValue(value: string): string {
  return value.replace(/[\\; \r\n]/g, (char) => TAG_ESCAPES[char] ?? char);
}

/**
 * Unescapes a tag value from the wire (the reverse of {@linkcode escapeTagValue}). A backslash
 * before any other character is dropped (`\b` is `b`), and so is a lone backslash at the end.
 *
 * @example
 * ```ts
 * import { unescapeTagValue } from "./message.ts";
 *
 * unescapeTagValue("a\\sb\\:c\\"); // "a b;c"
 * ```
 */
export function unescapeTagValue(value: string): string {
  if (!value.includes("\\")) return value;
  return value.replace(/\\(.?)/gsu, (_, next: string) => TAG_UNESCAPES[next] ?? next);
}

/** The UTF-8 length of a string in bytes (a lone surrogate counts 3, as TextEncoder writes it). */
export function utf8Length(text: string): number {
  let bytes = 0;
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    if (unit < 0x80) bytes += 1;
    else if (unit < 0x800) bytes += 2;
    else if (unit >= 0xd800 && unit <= 0xdbff && isLowSurrogate(text.charCodeAt(i + 1))) {
      bytes += 4;
      i++;
    } else bytes += 3;
  }
  return bytes;
}

const TAG_ESCAPES: Readonly<Record<string, string>> = {
  "\\": "\\\\",
  ";": "\\:",
  " ": "\\s",
  "\r": "\\r",
  "\n": "\\n",
};

const TAG_UNESCAPES: Readonly<Record<string, string>> = {
  "\\": "\\",
  ":": ";",
  "s": " ",
  "r": "\r",
  "n": "\n",
};

function isLowSurrogate(unit: number): boolean {
  return unit >= 0xdc00 && unit <= 0xdfff;
}

function failure(reason: IrcParseErrorReason, message: string): IrcParseResult {
  return { ok: false, error: { reason, message } };
}

function skipSpaces(text: string): string {
  let i = 0;
  while (text.charCodeAt(i) === 0x20) i++;
  return i === 0 ? text : text.slice(i);
}

function asciiUpper(text: string): string {
  return text.replace(/[a-z]+/g, (letters) => letters.toUpperCase());
}

function parseTags(data: string, into: Map<string, string>): void {
  for (const tag of data.split(";")) {
    const equals = tag.indexOf("=");
    const key = equals === -1 ? tag : tag.slice(0, equals);
    if (!TAG_KEY.test(key)) continue;
    // Delete first so the order of keys is the order of their last appearance.
    into.delete(key);
    into.set(key, equals === -1 ? "" : unescapeTagValue(tag.slice(equals + 1)));
  }
}

function formatTag(key: string, value: string): string {
  if (!TAG_KEY.test(key)) throw new TypeError(`Cannot format tag key ${JSON.stringify(key)}`);
  if (value.includes("\0")) throw new TypeError(`Cannot format tag ${key}: its value holds NUL`);
  return value === "" ? key : `${key}=${escapeTagValue(value)}`;
}
