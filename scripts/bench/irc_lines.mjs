// @ts-check
// deno-lint-ignore-file explicit-module-boundary-types -- plain JavaScript for Node: JSDoc types
/**
 * What the load generator's IRC clients say and how they read the server's lines while they
 * register and join (scripts/bench/loadgen.mjs). Pure: no sockets, no timers, so the same code
 * runs on Node and Deno and is tested in tests/bench_irc_lines_test.ts.
 *
 * A client sends `NICK` and `USER`, waits for `001`, sends `JOIN #channel`, and counts as joined
 * on the `366` (end of NAMES) for that channel, or on its own `JOIN` echo when `joinedOn` is
 * "join". Every `PING` is answered with a `PONG`, also after joining (see `findPing`).
 *
 * @example
 * ```js
 * readIrcLine(":irc.local 001 b000001 :Welcome", "b000001", "#lobby");
 * // { kind: "welcome" }
 * ```
 */

/**
 * Numerics that end a registration or a join: nick taken or refused, no such channel, channel
 * full, banned or keyed, not registered, too many channels, and missing parameters.
 */
const FATAL_NUMERICS = new Set([
  "403",
  "405",
  "431",
  "432",
  "433",
  "436",
  "437",
  "451",
  "461",
  "462",
  "471",
  "473",
  "474",
  "475",
  "477",
  "489",
]);

/**
 * What a line means to a client that is registering and joining.
 * @typedef {{ kind: "welcome" }
 *   | { kind: "joined" }
 *   | { kind: "ping", reply: string }
 *   | { kind: "failed", reason: string }
 *   | { kind: "other" }} IrcLineMeaning
 */

/**
 * The registration a client sends on connect.
 * @param {string} nick
 * @returns {string}
 */
export function ircRegistration(nick) {
  return `NICK ${nick}\r\nUSER ${nick} 0 * :${nick}\r\n`;
}

/**
 * The JOIN a client sends once welcomed.
 * @param {string} channel With its `#`.
 * @returns {string}
 */
export function ircJoin(channel) {
  return `JOIN ${channel}\r\n`;
}

/**
 * One message to a channel.
 * @param {string} channel With its `#`.
 * @param {string} text
 * @returns {string}
 */
export function ircPrivmsg(channel, text) {
  return `PRIVMSG ${channel} :${text}\r\n`;
}

/**
 * Splits an IRC line into source, command and parameters (tags are dropped).
 * @param {string} line Without its line end.
 * @returns {{ source: string, command: string, params: string[] }}
 */
export function splitIrcLine(line) {
  let rest = line;
  if (rest.startsWith("@")) {
    const space = rest.indexOf(" ");
    rest = space === -1 ? "" : rest.slice(space + 1).trimStart();
  }
  let source = "";
  if (rest.startsWith(":")) {
    const space = rest.indexOf(" ");
    source = space === -1 ? rest.slice(1) : rest.slice(1, space);
    rest = space === -1 ? "" : rest.slice(space + 1).trimStart();
  }
  /** @type {string[]} */
  const words = [];
  while (rest !== "") {
    if (rest.startsWith(":")) {
      words.push(rest.slice(1));
      break;
    }
    const space = rest.indexOf(" ");
    if (space === -1) {
      words.push(rest);
      break;
    }
    words.push(rest.slice(0, space));
    rest = rest.slice(space + 1).trimStart();
  }
  const [command = "", ...params] = words;
  return { source, command: command.toUpperCase(), params };
}

/**
 * What one server line means to a client registering as `nick` and joining `channel`.
 * @param {string} line Without its line end (a trailing CR is ignored).
 * @param {string} nick
 * @param {string} channel With its `#`.
 * @param {"names" | "join"} [joinedOn] Count as joined on the 366 for the channel (default) or
 *   on the client's own JOIN echo.
 * @returns {IrcLineMeaning}
 */
export function readIrcLine(line, nick, channel, joinedOn = "names") {
  const { source, command, params } = splitIrcLine(line.endsWith("\r") ? line.slice(0, -1) : line);
  const lowerChannel = channel.toLowerCase();
  switch (command) {
    case "PING":
      return { kind: "ping", reply: `PONG :${params.at(-1) ?? ""}\r\n` };
    case "001":
      return { kind: "welcome" };
    case "366":
      return joinedOn === "names" && (params[1] ?? "").toLowerCase() === lowerChannel
        ? { kind: "joined" }
        : { kind: "other" };
    case "JOIN": {
      const who = source.split("!")[0] ?? "";
      const mine = who.toLowerCase() === nick.toLowerCase() &&
        (params[0] ?? "").toLowerCase() === lowerChannel;
      return joinedOn === "join" && mine ? { kind: "joined" } : { kind: "other" };
    }
    case "ERROR":
      return { kind: "failed", reason: `ERROR ${params.join(" ")}`.slice(0, 200) };
    default:
      if (FATAL_NUMERICS.has(command)) {
        return { kind: "failed", reason: `${command} ${params.slice(1).join(" ")}`.slice(0, 200) };
      }
      return { kind: "other" };
  }
}

const PING = [0x50, 0x49, 0x4e, 0x47, 0x20]; // "PING "

/**
 * The PONG for each `PING` line that starts in `buf` and ends in it (after joining, chunks are
 * scanned rather than split into lines; a PING cut by a chunk boundary is missed, which the
 * benchmark's long ping intervals make harmless). Returns "" when there is none.
 * @param {Uint8Array} buf
 * @returns {string}
 */
export function pongsFor(buf) {
  let out = "";
  let at = indexOfPing(buf, 0);
  while (at !== -1) {
    const lineStart = at === 0 || buf[at - 1] === 0x0a;
    const afterSource = !lineStart && sourceBefore(buf, at);
    const end = buf.indexOf(0x0a, at);
    if (end === -1) break;
    if (lineStart || afterSource) {
      const stop = buf[end - 1] === 0x0d ? end - 1 : end;
      const line = new TextDecoder().decode(buf.subarray(at, stop));
      const { params } = splitIrcLine(line);
      out += `PONG :${params.at(-1) ?? ""}\r\n`;
    }
    at = indexOfPing(buf, end + 1);
  }
  return out;
}

/**
 * Whether the bytes before `at` on its line are a `:source ` prefix.
 * @param {Uint8Array} buf
 * @param {number} at
 */
function sourceBefore(buf, at) {
  if (buf[at - 1] !== 0x20) return false;
  let i = at - 2;
  while (i >= 0 && buf[i] !== 0x0a && buf[i] !== 0x20) i--;
  return buf[i + 1] === 0x3a && (i < 0 || buf[i] === 0x0a);
}

/**
 * @param {Uint8Array} buf
 * @param {number} from
 */
function indexOfPing(buf, from) {
  let i = buf.indexOf(PING[0] ?? 0, from);
  while (i !== -1) {
    if (
      buf[i + 1] === PING[1] && buf[i + 2] === PING[2] && buf[i + 3] === PING[3] &&
      buf[i + 4] === PING[4]
    ) {
      return i;
    }
    i = buf.indexOf(PING[0] ?? 0, i + 1);
  }
  return -1;
}
