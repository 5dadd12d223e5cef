/**
 * Command line -> typed options for each subcommand. Pure: commander's output is captured and
 * returned, never printed here, and nothing exits. Usage mistakes become exit code 2, with a
 * message in our words: commander's error wording never reaches the user.
 */
import { Command, CommanderError, InvalidArgumentError } from "@commander-js/extra-typings";
import { ChatError, UsageError } from "./errors.ts";
import {
  DEFAULT_HISTORY,
  DEFAULT_MAX_CLIENTS,
  DEFAULT_MAX_FILE_BYTES,
  DEFAULT_MAX_OUTBOX_BYTES,
  DEFAULT_MAX_PER_IP,
  DEFAULT_PORT,
  FLOOD_BURST,
  FLOOD_PER_SECOND,
  LOBBY,
  MAX_HISTORY,
  MAX_ROOM_LIMIT,
  PING_AFTER_MS,
  REGISTRATION_TIMEOUT_MS,
  RESUME_GRACE_MS,
  WRITE_STALL_MS,
} from "./limits.ts";
import { roomKey, validateRoomName } from "./room_name.ts";
import type { LogFormat } from "./log.ts";
import { validateNick } from "./nick.ts";
import { VERSION } from "./version.ts";
import { parseFingerprint } from "./fingerprint.ts";
import { DEFAULT_NAME_CLAIM, parseIssuer } from "./oidc_issuer.ts";

/** `chat serve`. */
export interface ServeCommand {
  kind: "serve";
  hostname: string;
  port: number;
  logFormat: LogFormat;
  /** Rooms to create at start. */
  rooms: { name: string; limit?: number }[];
  /** Messages each room keeps for people who join. */
  history: number;
  /** Whether users may create rooms. */
  userRooms: boolean;
  /** Colours in the admin console. */
  color: boolean;
  /** Most connections at once (0: no limit). */
  maxClients: number;
  /** Most connections from one address (0: no limit). */
  maxPerIp: number;
  /** Lines per second per client after the burst (0: no flood control). */
  floodRate: number;
  floodBurst: number;
  /** Outgoing queue cap per client, in KiB. */
  maxQueueKiB: number;
  /** Seconds a reader may take no data while we have some for it, before it is dropped. */
  stallTimeout: number;
  /** Seconds a dropped user stays for a quiet resume (0: not at all). */
  resumeGrace: number;
  /** Seconds to pick a nick (0: no limit). */
  registrationTimeout: number;
  /** Seconds of silence before a native client is pinged; dropped after twice that (0: never). */
  pingInterval: number;
  /** Largest shared file, in MiB (0: file sharing off). */
  maxFileMiB: number;
  /** Port for TLS beside the plain one (off when absent; 0 picks a free port). */
  tlsPort?: number;
  /** The operator's certificate and key (PEM); a self-signed one is made when absent. */
  tlsCert?: string;
  tlsKey?: string;
  /** Listen for TLS only: no plain port (no `nc`). */
  tlsOnly: boolean;
  /** A file holding the password every client must give (a private server). */
  passwordFile?: string;
  /** Other sites whose pages may open a WebSocket (`https://web.example`, or `*`). */
  allowOrigins: string[];
  /** Accounts that are operators (`--admin NICK`, repeatable). */
  admins: string[];
  /** The data folder (`--data`); undefined for the platform's default (main finds it). */
  data: string | undefined;
  /** Keep nothing on disk (`--memory`): a restart forgets every room and message. */
  memory: boolean;
  /** Days messages are kept (`--retain`); undefined keeps them until their room goes. */
  retainDays: number | undefined;
  /** Compact the database (`--compact`) and exit instead of serving. */
  compact: boolean;
  /** The server's name, shown to IRC clients. */
  serverName: string;
  /** The server's description, shown to IRC clients (`LINKS`, `WHOIS`); undefined: the default. */
  serverInfo?: string;
  /** The cluster's Redis (`--redis redis://...`): this server is then one of its nodes. */
  redis?: string;
  /** A file holding the Redis password. */
  redisPasswordFile?: string;
  /** This node's name in the cluster (default: host name and port). */
  node?: string;
  /** Single sign-on: tokens from this OpenID Connect issuer are logins (`--oidc-issuer`). */
  oidc?: OidcSettings;
}

/** `chat serve --oidc-issuer URL --oidc-audience ID [--oidc-claim NAME]`. */
export interface OidcSettings {
  /** The issuer, as in its tokens' `iss`. */
  issuer: string;
  /** The audience tokens must be for (this server's client id at the provider). */
  audience: string;
  /** The claim that names the account. */
  claim: string;
}

/** `chat join`. Address and nick may be missing, to be asked for on a terminal. */
export interface JoinCommand {
  kind: "join";
  host?: string;
  port: number;
  nick?: string;
  /** A room to join straight away. */
  room?: string;
  /**
   * More nodes of the same cluster (`chat join HOST1:PORT,HOST2:PORT`): a reconnect tries them in
   * turn after the first address.
   */
  others?: { host: string; port: number }[];
  color: boolean;
  /** Where received files go (main fills in the default). */
  downloads?: string;
  /** Receive offered files without asking. */
  autoReceive: boolean;
  /** Connect with TLS. */
  tls: boolean;
  /** Accept and remember a server's certificate the first time without asking. */
  trustOnFirstUse: boolean;
  /** The certificate fingerprint the server must have (`SHA256:...`). */
  fingerprint?: string;
  /** A file holding a private server's password. */
  serverPasswordFile?: string;
  /** A file holding the password of the account `nick` is (log in as the connection starts). */
  passwordFile?: string;
  /** A file holding a token for single sign-on (read again at every connection). */
  tokenFile?: string;
}

/** `chat backup FILE`: a copy of a stopped server's database. */
export interface BackupCommand {
  kind: "backup";
  /** The copy to write (a new file). */
  file: string;
  /** The data folder; undefined for the platform's default (main finds it). */
  data: string | undefined;
}

/** Nothing to run: print this and exit (help, version, usage errors). */
export interface ExitCommand {
  kind: "exit";
  code: number;
  stdout: string;
  stderr: string;
}

export type CliCommand = ServeCommand | JoinCommand | BackupCommand | ExitCommand;

/** Reads `--redis`: a `redis://` or `rediss://` URL with a host. */
export function parseRedisUrl(text: string): string {
  let url: URL | undefined;
  try {
    url = new URL(text);
  } catch {
    url = undefined;
  }
  if (url === undefined || !/^rediss?:$/.test(url.protocol) || url.hostname === "") {
    throw new UsageError(
      `Not a Redis address: ${JSON.stringify(text)} (redis://HOST:PORT, or rediss:// for TLS)`,
    );
  }
  return text;
}

/** Reads `--fingerprint`: `SHA256:` and base64, or 64 hex digits. */
export function parseFingerprintOption(text: string): string {
  const fingerprint = parseFingerprint(text);
  if (fingerprint === undefined) {
    throw new UsageError(
      `Not a certificate fingerprint: ${JSON.stringify(text)} (SHA256:... as chat serve prints it)`,
    );
  }
  return fingerprint;
}

/** A host and port, as typed by a user. */
export interface HostPort {
  host: string;
  port?: number;
}

/**
 * Parses `HOST`, `HOST:PORT`, `[IPV6]`, `[IPV6]:PORT` or a bare IPv6 address.
 * Throws `UsageError` with the reason.
 */
export function parseAddress(text: string): HostPort {
  const input = text.trim();
  if (input === "") throw new UsageError("Address is empty: expected HOST[:PORT]");
  const bad = (why: string) => new UsageError(`Bad address "${input}": ${why}`);
  const port = (portText: string) => {
    try {
      return parsePort(portText, false);
    } catch (error) {
      if (!(error instanceof UsageError)) throw error;
      throw bad("the port must be a whole number from 1 to 65535");
    }
  };
  const bracketed = /^\[([^\]]*)\](?::(.*))?$/.exec(input);
  if (bracketed) {
    const host = bracketed[1] ?? "";
    if (host === "") throw bad("the host is missing");
    return bracketed[2] === undefined ? { host } : { host, port: port(bracketed[2]) };
  }
  const colons = input.split(":").length - 1;
  if (colons > 1) return { host: input }; // a bare IPv6 address such as ::1
  if (colons === 0) return { host: input };
  const [host = "", portText = ""] = input.split(":");
  if (host === "") throw bad("the host is missing");
  return { host, port: port(portText) };
}

/** Parses a port number: 1 to 65535, or 0 as well when `allowZero` (pick any free port). */
export function parsePort(text: string, allowZero: boolean): number {
  return parseCount(text.trim(), allowZero ? 0 : 1, 65535, "Port");
}

/** Parses `NAME[:LIMIT]` for `chat serve --room`. */
export function parseRoomSpec(text: string): { name: string; limit?: number } {
  const [rawName = "", limitText, ...rest] = text.split(":");
  if (rest.length > 0) throw new UsageError(`Room must be NAME or NAME:LIMIT: got "${text}"`);
  const name = validateRoomName(rawName);
  if (limitText === undefined) return { name };
  return { name, limit: parseCount(limitText, 1, MAX_ROOM_LIMIT, "Room limit") };
}

/**
 * Parses an origin for `chat serve --allow-origin`: `http://` or `https://`, a host, an optional
 * port, nothing after it; returned as the browser sends it in `Origin` (`https://web.example`,
 * the default port left out). `*` stands for every origin.
 */
export function parseOrigin(text: string): string {
  if (text === "*") return text;
  const bad = new UsageError(
    `Origin must be http:// or https:// and a host (and port), or *: got "${text}"`,
  );
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw bad;
  }
  const bare = /^https?:\/\/[^/?#@]+\/?$/i.test(text);
  if (!bare || (url.protocol !== "http:" && url.protocol !== "https:")) throw bad;
  return url.origin;
}

/**
 * Parses a whole number option from `min` to `max`: digits only, without a leading zero (`08`
 * is refused, as the server's `/limit` refuses it).
 */
export function parseCount(text: string, min: number, max: number, what: string): number {
  if (!/^(0|[1-9]\d{0,8})$/.test(text) || Number(text) < min || Number(text) > max) {
    throw new UsageError(`${what} must be a whole number from ${min} to ${max}: got "${text}"`);
  }
  return Number(text);
}

/** Parses a history length: 0 (off) to MAX_HISTORY. */
export function parseHistory(text: string): number {
  return parseCount(text, 0, MAX_HISTORY, "History");
}

/** Parses `--server-name`: a host-like name (letters, digits, `.` and `-`), as IRC shows it. */
export function parseServerName(text: string): string {
  if (!/^[A-Za-z0-9](?:[A-Za-z0-9.-]{0,62})$/.test(text)) {
    throw new UsageError(
      `--server-name must be 1 to 63 letters, digits, dots or dashes, starting with a letter or digit: got "${text}"`,
    );
  }
  return text;
}

/** Parses `--server-info`: 1 to 100 printable characters, the server's description. */
export function parseServerInfo(text: string): string {
  // deno-lint-ignore no-control-regex
  if (!/^[^\x00-\x1f\x7f]{1,100}$/u.test(text) || text.trim() === "") {
    throw new UsageError(
      `--server-info must be 1 to 100 characters, without control characters: got "${text}"`,
    );
  }
  return text;
}

/**
 * Parses `--oidc-issuer`: an `https://` URL, or `http://` on this machine (loopback) only,
 * without query or fragment; returned as given (it must match the tokens' `iss` exactly).
 */
export function parseOidcIssuer(text: string): string {
  try {
    parseIssuer(text);
  } catch (error) {
    if (error instanceof TypeError) throw new UsageError(`--oidc-issuer: ${error.message}`);
    throw error;
  }
  return text;
}

/** Parses `--oidc-audience` and `--oidc-claim`: a non-empty value without spaces. */
export function parseOidcWord(option: string): (text: string) => string {
  return (text) => {
    if (!/^\S{1,256}$/.test(text)) {
      throw new UsageError(`${option} must be 1 to 256 characters without spaces: got "${text}"`);
    }
    return text;
  };
}

/** Parses `--log-format`: `text` or `json`. */
export function parseLogFormat(text: string): LogFormat {
  if (text === "text" || text === "json") return text;
  throw new UsageError(`--log-format must be text or json: got "${text}"`);
}

/**
 * Wraps a parser so commander reports its `UsageError` as an invalid argument, after handing
 * the message (ours) to `report`: commander's own sentence around it is not shown.
 */
function argParser<T>(
  parse: (text: string) => T,
  report: (message: string) => void,
): (text: string) => T {
  return (text) => {
    try {
      return parse(text);
    } catch (error) {
      if (error instanceof UsageError || error instanceof ChatError) {
        report(error.message);
        throw new InvalidArgumentError(error.message);
      }
      throw error;
    }
  };
}

/**
 * A commander error in our words: the details (the option, the argument, a suggestion) taken
 * from it, the sentence ours. `invalid` is our parser's message for an invalid value; `name` is
 * the command's name as typed (`chat join`).
 */
function ourWords(error: CommanderError, invalid: string | undefined, name: string): string {
  const detail = (pattern: RegExp) => pattern.exec(error.message)?.[1];
  const suggestion = detail(/Did you mean ([^?\s]+)\?/);
  const didYouMean = suggestion === undefined ? "" : ` (did you mean ${suggestion}?)`;
  switch (error.code) {
    case "commander.invalidArgument":
      if (invalid !== undefined) return invalid;
      break;
    case "commander.unknownOption": {
      const flag = detail(/unknown option '([^']*)'/);
      if (flag !== undefined) return `Unknown option ${flag} for ${name}${didYouMean}`;
      break;
    }
    case "commander.unknownCommand": {
      const command = detail(/unknown command '([^']*)'/);
      if (command !== undefined) {
        return `Unknown command "${command}"${didYouMean || ": use chat serve or chat join"}`;
      }
      break;
    }
    case "commander.excessArguments": {
      const got = detail(/but got \d+: (.*)\.$/s);
      if (got !== undefined) {
        return name === "chat join"
          ? `Too many arguments: chat join takes one address (HOST[:PORT]): got ${got}`
          : name === "chat backup"
          ? `Too many arguments: chat backup takes one file: got ${got}`
          : `Too many arguments: ${name} takes none, only options: got ${got}`;
      }
      break;
    }
    case "commander.optionMissingArgument": {
      const flags = detail(/option '([^']*)' argument missing/);
      if (flags !== undefined) return `Option ${flags.split(" ")[0]} needs a value: ${flags}`;
      break;
    }
    default:
      break;
  }
  // Not one commander makes for this program today: its words, as a sentence of ours.
  const text = error.message.replace(/^error: /, "").split("\n")[0] ?? "";
  return text.charAt(0).toUpperCase() + text.slice(1).replace(/\.$/, "");
}

/** Options for {@linkcode parseCli}. */
export interface ParseCliOptions {
  /** Whether a missing address or nick can be asked for (stdin is a terminal). */
  interactive: boolean;
  /** Whether `CHAT_TOKEN` holds a token (the token names the nick, so none is needed). */
  tokenInEnv?: boolean;
}

/** Parses the arguments after the program name. */
export function parseCli(args: readonly string[], options: ParseCliOptions): CliCommand {
  let stdout = "";
  let stderr = "";
  let result: ServeCommand | JoinCommand | BackupCommand | undefined;
  /** Our message for the last invalid option value or argument. */
  let invalid: string | undefined;
  const parsed = <T>(parse: (text: string) => T) =>
    argParser(parse, (message) => invalid = message);
  // Commander's output is captured, for the program and each subcommand alike.
  const output = {
    writeOut: (text: string) => stdout += text,
    writeErr: (text: string) => stderr += text,
    outputError: (text: string, write: (text: string) => void) => write(text),
  };

  const program = new Command("chat")
    .description("Chat over a network: run a server, or join one from a terminal.")
    .version(VERSION, "-V, --version", "Print the version")
    .helpOption("-h, --help", "Show help")
    .helpCommand(false)
    .exitOverride()
    .configureOutput(output)
    .addHelpText(
      "after",
      "\nExamples:\n  chat serve --port 12345 --room games:8\n" +
        "  chat join 127.0.0.1:12345 --nick ana --room games",
    );

  const serve = program.command("serve")
    .description("Run a chat server")
    .option("--host <host>", "Address to listen on", "0.0.0.0")
    .option(
      "--port <port>",
      "Port to listen on (0 picks a free port)",
      parsed((text) => parsePort(text, true)),
      DEFAULT_PORT,
    )
    .option(
      "--log-format <format>",
      "Event log format on stderr: text or json",
      parsed(parseLogFormat),
      "text" as LogFormat,
    )
    .option(
      "--room <name[:limit]>",
      "Create a room at start, with an optional participant limit (repeatable)",
      (text: string, previous: { name: string; limit?: number }[]) => [
        ...previous,
        parsed(parseRoomSpec)(text),
      ],
      [] as { name: string; limit?: number }[],
    )
    .option(
      "--history <count>",
      `Messages each room keeps for people who join (0 turns it off)`,
      parsed(parseHistory),
      DEFAULT_HISTORY,
    )
    .option("--no-user-rooms", "Do not let users create rooms (only --room and the console)")
    .option("--no-color", "Do not use colours in the admin console")
    .option(
      "--max-clients <n>",
      "Most connections at once (0: no limit)",
      parsed((t) => parseCount(t, 0, 1_000_000, "--max-clients")),
      DEFAULT_MAX_CLIENTS,
    )
    .option(
      "--max-per-ip <n>",
      "Most connections from one address (0: no limit)",
      parsed((t) => parseCount(t, 0, 1_000_000, "--max-per-ip")),
      DEFAULT_MAX_PER_IP,
    )
    .option(
      "--flood-rate <n>",
      "Lines per second per client after a burst; 0 turns flood control off",
      parsed((t) => parseCount(t, 0, 1_000_000, "--flood-rate")),
      FLOOD_PER_SECOND,
    )
    .option(
      "--flood-burst <n>",
      "Lines a client may send at once before being slowed",
      parsed((t) => parseCount(t, 1, 1_000_000, "--flood-burst")),
      FLOOD_BURST,
    )
    .option(
      "--max-queue <kib>",
      "Outgoing queue per client, in KiB; a client that falls this far behind is dropped",
      parsed((t) => parseCount(t, 16, 1_048_576, "--max-queue")),
      DEFAULT_MAX_OUTBOX_BYTES / 1024,
    )
    .option(
      "--stall-timeout <seconds>",
      "Drop a client that takes no data for this long while some waits for it",
      parsed((t) => parseCount(t, 1, 86_400, "--stall-timeout")),
      WRITE_STALL_MS / 1000,
    )
    .option(
      "--resume-grace <seconds>",
      "Keep a user whose connection dropped this long, so a resume goes unnoticed (0: never)",
      parsed((t) => parseCount(t, 0, 3600, "--resume-grace")),
      RESUME_GRACE_MS / 1000,
    )
    .option(
      "--registration-timeout <seconds>",
      "Close connections that pick no nick in time (0: never)",
      parsed((t) => parseCount(t, 0, 86_400, "--registration-timeout")),
      REGISTRATION_TIMEOUT_MS / 1000,
    )
    .option(
      "--max-file-size <mib>",
      "Largest file people may share, in MiB (0 turns file sharing off)",
      parsed((t) => parseCount(t, 0, 1_048_576, "--max-file-size")),
      DEFAULT_MAX_FILE_BYTES / (1024 * 1024),
    )
    .option(
      "--admin <nick>",
      "The account NICK is an operator: it may /ban, /mute, /kick and /closeroom (repeatable)",
      (text: string, previous: string[]) => [...previous, parsed(validateNick)(text)],
      [] as string[],
    )
    .option(
      "--allow-origin <origin>",
      "Let pages from this site open a WebSocket here, such as a web IRC client (repeatable; * for any)",
      (text: string, previous: string[]) => [...previous, parsed(parseOrigin)(text)],
      [] as string[],
    )
    .option(
      "--ping-interval <seconds>",
      "Ping silent clients after this long, drop them after twice that (0: never)",
      parsed((t) => parseCount(t, 0, 86_400, "--ping-interval")),
      PING_AFTER_MS / 1000,
    )
    .option(
      "--tls-port <port>",
      "Also listen for TLS on this port (IRC clients use 6697 by convention)",
      parsed((text) => parsePort(text, true)),
    )
    .option("--tls-cert <file>", "TLS certificate chain, PEM (default: a self-signed one, kept)")
    .option("--tls-key <file>", "TLS private key, PEM (with --tls-cert)")
    .option("--tls-only", "Listen for TLS only (with --tls-port): no plain port, no nc")
    .option(
      "--password-file <file>",
      "Make the server private: every client must give the password in FILE (first line)",
    )
    .option(
      "--data <dir>",
      "Folder for rooms and history (default: the platform's application data folder)",
    )
    .option("--memory", "Keep nothing on disk: a restart forgets every room and message")
    .option(
      "--retain <days>",
      "Delete messages older than this many days (default: keep them)",
      parsed((t) => parseCount(t, 1, 36_500, "--retain")),
    )
    .option("--compact", "Reclaim the space of deleted messages in the database, then exit")
    .option(
      "--server-name <name>",
      "The server's name, as IRC clients see it",
      parsed(parseServerName),
      "chat",
    )
    .option(
      "--server-info <text>",
      "The server's description, as IRC clients see it in LINKS and WHOIS (default: chat VERSION)",
      parsed(parseServerInfo),
    )
    .option(
      "--redis <url>",
      "Be one node of a cluster: every server given the same Redis shares rooms, nicks and history",
      parsed(parseRedisUrl),
    )
    .option("--redis-password-file <file>", "The Redis password, in FILE (first line)")
    .option("--node <name>", "This node's name in the cluster (default: host name and port)")
    .option(
      "--oidc-issuer <url>",
      "Single sign-on: take signed tokens from this OpenID Connect issuer as logins",
      parsed(parseOidcIssuer),
    )
    .option(
      "--oidc-audience <id>",
      "With --oidc-issuer: the audience (client id) tokens must be for",
      parsed(parseOidcWord("--oidc-audience")),
    )
    .option(
      "--oidc-claim <name>",
      "With --oidc-issuer: the token claim that names the account",
      parsed(parseOidcWord("--oidc-claim")),
      DEFAULT_NAME_CLAIM,
    )
    .action((opts) => {
      result = {
        kind: "serve",
        hostname: opts.host,
        port: opts.port,
        logFormat: opts.logFormat,
        rooms: opts.room,
        history: opts.history,
        userRooms: opts.userRooms,
        color: opts.color,
        maxClients: opts.maxClients,
        maxPerIp: opts.maxPerIp,
        floodRate: opts.floodRate,
        floodBurst: opts.floodBurst,
        maxQueueKiB: opts.maxQueue,
        stallTimeout: opts.stallTimeout,
        resumeGrace: opts.resumeGrace,
        registrationTimeout: opts.registrationTimeout,
        pingInterval: opts.pingInterval,
        maxFileMiB: opts.maxFileSize,
        tlsPort: opts.tlsPort,
        tlsCert: opts.tlsCert,
        tlsKey: opts.tlsKey,
        tlsOnly: opts.tlsOnly === true,
        passwordFile: opts.passwordFile,
        allowOrigins: opts.allowOrigin,
        admins: opts.admin,
        data: opts.data,
        memory: opts.memory === true,
        retainDays: opts.retain,
        compact: opts.compact === true,
        serverName: opts.serverName,
        ...opts.serverInfo === undefined ? {} : { serverInfo: opts.serverInfo },
        redis: opts.redis,
        redisPasswordFile: opts.redisPasswordFile,
        node: opts.node,
      };
      if ((opts.oidcIssuer === undefined) !== (opts.oidcAudience === undefined)) {
        throw new InvalidArgumentError("--oidc-issuer and --oidc-audience go together");
      }
      if (opts.oidcIssuer !== undefined && opts.oidcAudience !== undefined) {
        result.oidc = {
          issuer: opts.oidcIssuer,
          audience: opts.oidcAudience,
          claim: opts.oidcClaim,
        };
      }
      if (opts.tlsOnly === true && opts.tlsPort === undefined) {
        throw new InvalidArgumentError("--tls-only needs --tls-port");
      }
      if ((opts.tlsCert === undefined) !== (opts.tlsKey === undefined)) {
        throw new InvalidArgumentError("--tls-cert and --tls-key go together");
      }
    });

  const join = program.command("join")
    .description("Join a chat server")
    .argument(
      "[address]",
      `Server as HOST[:PORT] (port ${DEFAULT_PORT} if omitted); a cluster's nodes as ` +
        "HOST1:PORT,HOST2:PORT (tried in turn when reconnecting)",
      parsed((text) => text.split(",").map(parseAddress)),
    )
    .option("--nick <nick>", "Your nick", parsed(validateNick))
    .option("--room <room>", "A room to join straight away", parsed(validateRoomName))
    .option("--downloads <dir>", "Where received files are saved (default: ~/Downloads/chat)")
    .option("--no-auto-receive", "Ask before receiving files (/files, /accept ID)")
    .option("--no-color", "Do not use colours")
    .option("--tls", "Connect with TLS (the server's --tls-port)")
    .option(
      "--trust-on-first-use",
      "With --tls: accept a server's certificate the first time without asking, and remember it",
    )
    .option(
      "--fingerprint <SHA256:...>",
      "With --tls: the server's certificate fingerprint, as `chat serve` prints it",
      parsed(parseFingerprintOption),
    )
    .option("--server-password-file <file>", "A private server's password (first line of FILE)")
    .option(
      "--password-file <file>",
      "Your account's password (first line of FILE): log in to the account --nick names",
    )
    .option(
      "--token-file <file>",
      "Single sign-on: log in with the token in FILE (first line, read at every connection)",
    )
    .action((addresses, opts) => {
      const [address, ...others] = addresses ?? [];
      result = {
        kind: "join",
        host: address?.host,
        port: address?.port ?? DEFAULT_PORT,
        ...(others.length > 0
          ? { others: others.map((each) => ({ host: each.host, port: each.port ?? DEFAULT_PORT })) }
          : {}),
        nick: opts.nick,
        room: opts.room,
        color: opts.color,
        downloads: opts.downloads,
        autoReceive: opts.autoReceive,
        tls: opts.tls === true || opts.fingerprint !== undefined,
        trustOnFirstUse: opts.trustOnFirstUse === true,
        fingerprint: opts.fingerprint,
        serverPasswordFile: opts.serverPasswordFile,
        passwordFile: opts.passwordFile,
        ...opts.tokenFile === undefined ? {} : { tokenFile: opts.tokenFile },
      };
      if (opts.tokenFile !== undefined && opts.passwordFile !== undefined) {
        throw new InvalidArgumentError("--token-file and --password-file do not go together");
      }
    });

  const backup = program.command("backup")
    .description(
      "Copy a stopped server's database to FILE (while it runs, use /backup at its console)",
    )
    .argument("<file>", "The copy to write (a new file)")
    .option("--data <dir>", "The server's data folder (default: as chat serve)")
    .action((file, opts) => {
      result = { kind: "backup", file, data: opts.data };
    });

  for (const command of [serve, join, backup]) {
    command.exitOverride().configureOutput(output);
  }

  try {
    if (args.length === 0) {
      program.outputHelp({ error: true });
      return { kind: "exit", code: 2, stdout: "", stderr };
    }
    program.parse([...args], { from: "user" });
  } catch (error) {
    if (!(error instanceof CommanderError)) throw error;
    // Help and version exit 0; everything else is a usage mistake.
    if (error.exitCode === 0) return { kind: "exit", code: 0, stdout, stderr };
    const sub = args.find((arg) => arg === "serve" || arg === "join" || arg === "backup");
    const usage = sub === "serve"
      ? serve
      : sub === "join"
      ? join
      : sub === "backup"
      ? backup
      : program;
    return usageError(ourWords(error, invalid, sub === undefined ? "chat" : `chat ${sub}`), usage);
  }
  if (result === undefined) {
    return usageError("Missing command: chat serve or chat join", program);
  }
  if (result.kind === "serve") {
    if (result.memory && result.data !== undefined) {
      return usageError("--data and --memory do not go together: --memory keeps nothing", serve);
    }
    if (result.memory && result.compact) {
      return usageError("--compact needs a database: --memory keeps nothing", serve);
    }
    if (result.memory && result.retainDays !== undefined) {
      return usageError("--retain needs a database: --memory keeps nothing to delete", serve);
    }
    if (result.redis !== undefined) {
      const clash = result.data !== undefined
        ? "--data"
        : result.compact
        ? "--compact"
        : result.retainDays !== undefined
        ? "--retain"
        : undefined;
      if (clash !== undefined) {
        return usageError(
          `${clash} does not go with --redis: a cluster keeps its rooms and history in Redis`,
          serve,
        );
      }
    } else if (result.redisPasswordFile !== undefined || result.node !== undefined) {
      const option = result.node !== undefined ? "--node" : "--redis-password-file";
      return usageError(`${option} needs --redis`, serve);
    }
    if (result.data !== undefined && result.data.trim() === "") {
      return usageError("--data needs a folder: got an empty name", serve);
    }
    const seen = new Set([roomKey(LOBBY)]);
    for (const room of result.rooms) {
      if (seen.has(roomKey(room.name))) {
        return usageError(
          roomKey(room.name) === roomKey(LOBBY)
            ? `--room ${room.name}: the lobby always exists, no need to create it`
            : `--room ${room.name} is given twice`,
          serve,
        );
      }
      seen.add(roomKey(room.name));
    }
  }
  if (result.kind === "join" && !options.interactive) {
    const missing = result.host === undefined
      ? "address"
      : result.nick === undefined && result.tokenFile === undefined && !options.tokenInEnv
      ? "--nick"
      : undefined;
    if (missing !== undefined) {
      return usageError(
        `Missing ${missing} (it can only be asked for when stdin is a terminal)`,
        join,
      );
    }
  }
  return result;
}

function usageError(message: string, command: { name(): string; usage(): string }): ExitCommand {
  const name = command.name() === "chat" ? "chat" : `chat ${command.name()}`;
  const line = message.split("\n")[0] ?? message;
  return {
    kind: "exit",
    code: 2,
    stdout: "",
    stderr: `chat: ${line}\nUsage: ${name} ${command.usage()}\nRun "${name} --help" for more.\n`,
  };
}
