/**
 * CTCP (https://modern.ircdocs.horse/ctcp): a PRIVMSG or NOTICE whose text is wrapped in `\x01`.
 * The dialect needs only ACTION (`/me waves`); other CTCP requests (VERSION, PING, ...) are
 * parsed so it can answer or drop them, never shown as text. Pure.
 */

/** A CTCP message: its command (ASCII letters uppercased) and the rest of the text. */
export interface Ctcp {
  command: string;
  args: string;
}

const CTCP_DELIMITER = "\x01";

/**
 * Reads the CTCP message in a PRIVMSG or NOTICE text, or returns `undefined` for plain text.
 * The closing `\x01` is optional, as many clients leave it out. The command is the text up to
 * the first space (ASCII letters uppercased); `args` is everything after that space, as is
 * (`""` when there is none). Text that is only `\x01`, or `\x01` then a space, is not CTCP.
 * A `\x01` inside the arguments is left there (the server's text rule refuses it later).
 *
 * @example
 * ```ts
 * import { parseCtcp } from "./ctcp.ts";
 *
 * parseCtcp("\x01ACTION waves\x01"); // { command: "ACTION", args: "waves" }
 * parseCtcp("\x01ACTION waves"); // { command: "ACTION", args: "waves" }
 * parseCtcp("\x01VERSION\x01"); // { command: "VERSION", args: "" }
 * parseCtcp("hello"); // undefined
 * ```
 */
export function parseCtcp(text: string): Ctcp | undefined {
  if (!text.startsWith(CTCP_DELIMITER)) return undefined;
  const body = text.endsWith(CTCP_DELIMITER) && text.length > 1 ? text.slice(1, -1) : text.slice(1);
  const space = body.indexOf(" ");
  const command = space === -1 ? body : body.slice(0, space);
  if (command === "" || command.includes(CTCP_DELIMITER)) return undefined;
  return {
    command: command.replace(/[a-z]+/g, (letters) => letters.toUpperCase()),
    args: space === -1 ? "" : body.slice(space + 1),
  };
}

/**
 * Wraps a CTCP message: `\x01COMMAND args\x01`, or `\x01COMMAND\x01` when `args` is empty.
 * Throws `TypeError` for a command that is not ASCII letters, or for `\x01`, CR, LF or NUL in
 * the arguments (the server validates user text before it gets here).
 *
 * @example
 * ```ts
 * import { formatCtcp } from "./ctcp.ts";
 *
 * formatCtcp("VERSION", "chat 1.0"); // "\x01VERSION chat 1.0\x01"
 * ```
 */
export function formatCtcp(command: string, args = ""): string {
  if (!/^[A-Za-z]+$/.test(command)) {
    throw new TypeError(`Cannot format CTCP command ${JSON.stringify(command)}`);
  }
  // deno-lint-ignore no-control-regex
  if (/[\x00\x01\r\n]/.test(args)) {
    throw new TypeError(`Cannot format CTCP ${command}: its text holds \\x01, CR, LF or NUL`);
  }
  return args === ""
    ? `${CTCP_DELIMITER}${command}${CTCP_DELIMITER}`
    : `${CTCP_DELIMITER}${command} ${args}${CTCP_DELIMITER}`;
}

/**
 * Wraps an action (`/me waves`) for IRC: `\x01ACTION waves\x01`. Throws as
 * {@linkcode formatCtcp} does.
 *
 * @example
 * ```ts
 * import { formatAction } from "./ctcp.ts";
 *
 * formatAction("waves"); // "\x01ACTION waves\x01"
 * ```
 */
export function formatAction(text: string): string {
  return formatCtcp("ACTION", text);
}
