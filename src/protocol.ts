/**
 * Wire protocol v1: one JSON object per line (UTF-8, `\n`-terminated), with a `type` field.
 * docs/PROTOCOL.md describes every frame; this file is the codec. Pure: no I/O.
 */
import { ChatError, type ErrorCode } from "./errors.ts";
import { MAX_LINE_BYTES, MAX_SERVER_LINE_BYTES } from "./limits.ts";

// ---- client -> server ----------------------------------------------------------------------

/** First frame of a native connection: protocol version and the nick wanted. Resent to retry. */
export interface HelloFrame {
  type: "hello";
  version: number;
  nick: string;
  client?: string;
  /** The server's password, on a private server (`chat serve --password-file`). */
  password?: string;
  /** The password of the account `nick` is, to log in to it as the connection registers. */
  login?: string;
  /**
   * A signed token from the server's identity provider (single sign-on): log in to the account
   * it names and take that nick; `nick` is then empty, or that name.
   */
  token?: string;
  /** Reconnecting: the token from the last `welcome`, and the last `seq` seen in each room. */
  resume?: ResumeRequest;
}

/** What a reconnecting client asks for: its old session back, and what it missed. */
export interface ResumeRequest {
  token: string;
  rooms: { room: string; seq: number }[];
}

/** A chat message for a room. Never interpreted as a command, even when it starts with `/`. */
export interface SayFrame {
  type: "say";
  room: string;
  text: string;
  /**
   * The client's id for this message: the server answers `ack` (or an `error` with this id), and
   * a message resent with the same id after a reconnect is not delivered twice.
   */
  id?: string;
}

/** A slash command line such as `/nick bob`, run by the server's command table. */
export interface CommandFrame {
  type: "command";
  line: string;
  /** Echoed in an `error` about this command. */
  id?: string;
  /** The room the user is looking at, for commands that default to it (such as `/users`). */
  room?: string;
}

/** Liveness check; the peer answers `pong` with the same token. Either side may send it. */
export interface PingFrame {
  type: "ping";
  token?: string;
}

/** Answer to `ping`. */
export interface PongFrame {
  type: "pong";
  token?: string;
}

/**
 * Offers a file to a room (or, with `to`, one person). The server answers `offer_ok` with where
 * to upload, or an `error` carrying `ref`. Data never travels on the chat connection.
 */
export interface OfferFrame {
  type: "offer";
  /** The client's reference, echoed in `offer_ok` or the `error`. */
  ref: string;
  name: string;
  size: number;
  /**
   * SHA-256 of the whole file, lowercase hex. Left out, it comes after the data instead (a
   * `checksum` line on the upload connection), so the sender reads the file only once.
   */
  sha256?: string;
  room?: string;
  to?: string;
}

/** After the data on an upload connection, when the offer did not carry the SHA-256. */
export interface ChecksumFrame {
  type: "checksum";
  sha256: string;
}

/** First line of an upload connection; after the server's `ready`, exactly `size` raw bytes. */
export interface UploadFrame {
  type: "upload";
  id: string;
  token: string;
}

/** First line of a download connection; the server answers `data`, then the raw bytes. */
export interface DownloadFrame {
  type: "download";
  id: string;
  token: string;
}

/**
 * A receiver's outcome of saving a file it was sent (transfer `id`): saved, or with `error`, why
 * not. The server tells the sender who saved it and who could not.
 */
export interface SavedFrame {
  type: "saved";
  id: string;
  /** Why the file could not be saved, in a few words; absent when it was saved. */
  error?: string;
}

export type ClientFrame =
  | HelloFrame
  | SayFrame
  | CommandFrame
  | PingFrame
  | PongFrame
  | OfferFrame
  | UploadFrame
  | DownloadFrame
  | ChecksumFrame
  | SavedFrame;

// ---- server -> client ----------------------------------------------------------------------

/** Handshake accepted: the nick is registered. */
export interface WelcomeFrame {
  type: "welcome";
  version: number;
  server: string;
  nick: string;
  /** Secret that lets this client resume after a dropped connection (`hello.resume`). */
  token?: string;
  /** Flood control: lines at once, then lines per second (0: none); clients pace themselves. */
  floodBurst?: number;
  floodRate?: number;
}

/** An offer was accepted: upload the file as transfer `id` with `token` on a new connection. */
export interface OfferOkFrame {
  type: "offer_ok";
  ref: string;
  id: string;
  token: string;
}

/** Someone is sending you a file (to a room you are in, or to you alone): fetch it with `token`. */
export interface FileFrame {
  type: "file";
  id: string;
  from: string;
  name: string;
  size: number;
  /** Absent when the sender declares it after the upload: it then comes in `transfer`. */
  sha256?: string;
  room?: string;
  to?: string;
  /** Your own download token for this file. */
  token: string;
  time: number;
  /**
   * Where anyone may download it over HTTP while the server holds it: the server's web address
   * and `/files/ID/LINK-TOKEN/NAME`. Absent from older servers.
   */
  url?: string;
}

/** How a transfer went: to the sender, and to receivers if it failed. */
export interface TransferFrame {
  type: "transfer";
  id: string;
  name: string;
  state: "uploaded" | "delivered" | "failed";
  /** Why it failed, or who got it. */
  reason?: string;
  /** On `uploaded`: the verified SHA-256, for receivers whose `file` frame did not carry it. */
  sha256?: string;
}

/** On an upload connection: send the bytes now. */
export interface ReadyFrame {
  type: "ready";
}

/** On a download connection: `size` raw bytes follow, then the connection closes. */
export interface DataFrame {
  type: "data";
  size: number;
}

/** A `say` with an `id` was accepted as message `seq` of `room`. */
export interface AckFrame {
  type: "ack";
  id: string;
  room: string;
  seq: number;
  /** The message's time, as the others see it (left out when acknowledging a resend). */
  time?: number;
}

/**
 * You are now in `room`; `members` lists everyone there, you included. `history` says how many
 * `message` frames marked `history` follow (the room's recent messages).
 */
export interface RoomFrame {
  type: "room";
  room: string;
  members: string[];
  topic?: string;
  limit?: number;
  /** Who set the topic and when (ms since the epoch), if known. */
  topicBy?: string;
  topicTime?: number;
  /** Nick of the room's owner, if it has one and they are connected. */
  owner?: string;
  /** Members the owner or operators made operators (they may change settings and kick), if any. */
  operators?: string[];
  /** Members who may talk while the room is moderated, if any. */
  voiced?: string[];
  history?: number;
  /** The room's last message number when you entered. */
  seq?: number;
  /** Resuming: replay starts after this seq (from `hello.resume`). */
  since?: number;
  /** Resuming: messages after `since` were lost, because history does not reach back far enough. */
  gap?: boolean;
  /** Unlisted: only its members see it in the room list. */
  private?: boolean;
  /** When the room was created (ms since the epoch), if known. */
  created?: number;
}

/** You are no longer in `room` (you left, were kicked, or it was closed), and why. */
export interface LeftFrame {
  type: "left";
  room: string;
  /** Why, in words (the kick or close reason included). */
  reason?: string;
  /** You were kicked out, by this nick (or "the server admin"). */
  kickedBy?: string;
  /** The room was closed, by this nick (or "the server admin"). */
  closedBy?: string;
}

/** One row of the room list. */
export interface RoomInfo {
  name: string;
  members: number;
  limit?: number;
  topic?: string;
  /** Unlisted: only its members (and the server's admin) see it in the list. */
  private?: boolean;
  /** Joining needs a password. */
  password?: boolean;
  /** Joining needs an invitation (`/invite`). */
  inviteOnly?: boolean;
  /** Only the room's operators and voiced members talk. */
  moderated?: boolean;
  /** Any member may set the topic (otherwise only its operators). */
  openTopic?: boolean;
  /** People outside the room may send messages to it. */
  outsiders?: boolean;
}

/** The room list: sent on registration and as the answer to `/rooms`. */
export interface RoomsFrame {
  type: "rooms";
  rooms: RoomInfo[];
}

/** A room's topic changed. */
export interface TopicFrame {
  type: "topic";
  room: string;
  topic: string;
  nick: string;
  time: number;
}

/** A private message between two people; both the recipient and the sender get it. */
export interface PrivateFrame {
  type: "private";
  from: string;
  to: string;
  text: string;
  time: number;
  /** Sent with `/me`. */
  action?: boolean;
  /** A notice (IRC's NOTICE): information, never to be answered automatically. */
  notice?: boolean;
  /** Client tags from an IRC client (`+draft/reply` and the like), passed on as they came. */
  tags?: Record<string, string>;
}

/** Answer to `/whois`: what others may know about someone (never their address). */
export interface WhoisFrame {
  type: "whois";
  nick: string;
  /** Rooms the asker shares with them. */
  rooms: string[];
  /** Seconds since they last sent a message. */
  idle: number;
  /** When they connected (ms since epoch). */
  since: number;
  away?: string;
}

/** A message from the server's operator, to everyone or to one room. */
export interface AnnounceFrame {
  type: "announce";
  text: string;
  room?: string;
  time: number;
}

/** Someone else joined a room you are in. */
export interface JoinFrame {
  type: "join";
  room: string;
  nick: string;
  time: number;
}

/** Someone else left a room you are in. */
export interface LeaveFrame {
  type: "leave";
  room: string;
  nick: string;
  reason?: string;
  /** Who removed them, when they were kicked (a nick, or `the server admin`). */
  kickedBy?: string;
  time: number;
}

/**
 * Someone disconnected: sent once to everyone who shared a room with them (not once per room);
 * they are gone from every room.
 */
export interface QuitFrame {
  type: "quit";
  nick: string;
  reason?: string;
  time: number;
  /** Keys of the rooms they were in: for the server's dialects, never sent. */
  roomKeys?: string[];
}

/** Someone (possibly you) changed nick; sent once to everyone who shares a room with them. */
export interface NickFrame {
  type: "nick";
  old: string;
  new: string;
  time: number;
}

/**
 * A message from someone else. `seq` numbers accepted messages per room, from 1. `action` marks a
 * `/me` message; `history` marks a replayed message (sent after `room`), with its original time.
 */
export interface MessageFrame {
  type: "message";
  room: string;
  nick: string;
  text: string;
  time: number;
  seq: number;
  action?: boolean;
  /** A notice (IRC's NOTICE): information, never to be answered automatically. */
  notice?: boolean;
  /** Client tags from an IRC client (`+draft/reply` and the like), passed on as they came. */
  tags?: Record<string, string>;
  history?: boolean;
}

/** Answer to `/users`. */
export interface UsersFrame {
  type: "users";
  room: string;
  nicks: string[];
}

/** One row of `/help`, generated from the server's command table. */
export interface HelpEntry {
  usage: string;
  summary: string;
  aliases: string[];
}

/** Answer to `/help`. */
export interface HelpFrame {
  type: "help";
  commands: HelpEntry[];
}

/** Information from the server for you, possibly about one room. */
export interface NoticeFrame {
  type: "notice";
  text: string;
  room?: string;
}

/** A request failed; only its sender gets this. */
export interface ErrorFrame {
  type: "error";
  code: ErrorCode;
  message: string;
  /** The `id` of the `say` or `command` frame that failed, if it had one. */
  id?: string;
}

/** The server is closing this connection, and why. Nothing follows it. */
export interface ByeFrame {
  type: "bye";
  reason: string;
  /** The whole server is shutting down (or restarting): a client may try to reconnect. */
  shutdown?: boolean;
  /** With `shutdown`: the operator says the server is restarting, so a client may wait longer. */
  restart?: boolean;
}

export type ServerFrame =
  | WelcomeFrame
  | AckFrame
  | OfferOkFrame
  | FileFrame
  | TransferFrame
  | ReadyFrame
  | DataFrame
  | RoomFrame
  | LeftFrame
  | RoomsFrame
  | TopicFrame
  | PrivateFrame
  | WhoisFrame
  | AnnounceFrame
  | JoinFrame
  | LeaveFrame
  | QuitFrame
  | NickFrame
  | MessageFrame
  | UsersFrame
  | HelpFrame
  | NoticeFrame
  | ErrorFrame
  | PingFrame
  | PongFrame
  | ByeFrame;

// ---- codec --------------------------------------------------------------------------------

type FieldKind =
  | "string"
  | "number"
  | "boolean"
  | "strings"
  | "help"
  | "rooms"
  | "resume"
  | "tags";

interface FieldSpec {
  kind: FieldKind;
  optional?: boolean;
}

type Schema = Record<string, FieldSpec>;

const str: FieldSpec = { kind: "string" };
const optStr: FieldSpec = { kind: "string", optional: true };
const num: FieldSpec = { kind: "number" };
const optNum: FieldSpec = { kind: "number", optional: true };
const optBool: FieldSpec = { kind: "boolean", optional: true };
const optTags: FieldSpec = { kind: "tags", optional: true };

const CLIENT_SCHEMAS: Record<ClientFrame["type"], Schema> = {
  hello: {
    version: num,
    nick: str,
    client: optStr,
    password: optStr,
    login: optStr,
    token: optStr,
    resume: { kind: "resume", optional: true },
  },
  say: { room: str, text: str, id: optStr },
  command: { line: str, room: optStr, id: optStr },
  ping: { token: optStr },
  pong: { token: optStr },
  offer: { ref: str, name: str, size: num, sha256: optStr, room: optStr, to: optStr },
  checksum: { sha256: str },
  upload: { id: str, token: str },
  download: { id: str, token: str },
  saved: { id: str, error: optStr },
};

const SERVER_SCHEMAS: Record<ServerFrame["type"], Schema> = {
  welcome: {
    version: num,
    server: str,
    nick: str,
    token: optStr,
    floodBurst: optNum,
    floodRate: optNum,
  },
  ack: { id: str, room: str, seq: num, time: optNum },
  offer_ok: { ref: str, id: str, token: str },
  file: {
    id: str,
    from: str,
    name: str,
    size: num,
    sha256: optStr,
    room: optStr,
    to: optStr,
    token: str,
    time: num,
    url: optStr,
  },
  transfer: { id: str, name: str, state: str, reason: optStr, sha256: optStr },
  ready: {},
  data: { size: num },
  room: {
    room: str,
    members: { kind: "strings" },
    topic: optStr,
    limit: optNum,
    owner: optStr,
    history: optNum,
    seq: optNum,
    since: optNum,
    gap: optBool,
    private: optBool,
    created: optNum,
  },
  left: { room: str, reason: optStr, kickedBy: optStr, closedBy: optStr },
  rooms: { rooms: { kind: "rooms" } },
  topic: { room: str, topic: str, nick: str, time: num },
  private: {
    from: str,
    to: str,
    text: str,
    time: num,
    action: optBool,
    notice: optBool,
    tags: optTags,
  },
  whois: { nick: str, rooms: { kind: "strings" }, idle: num, since: num, away: optStr },
  announce: { text: str, room: optStr, time: num },
  join: { room: str, nick: str, time: num },
  leave: { room: str, nick: str, reason: optStr, kickedBy: optStr, time: num },
  quit: { nick: str, reason: optStr, time: num },
  nick: { old: str, new: str, time: num },
  message: {
    room: str,
    nick: str,
    text: str,
    time: num,
    seq: num,
    action: optBool,
    notice: optBool,
    tags: optTags,
    history: optBool,
  },
  users: { room: str, nicks: { kind: "strings" } },
  help: { commands: { kind: "help" } },
  notice: { text: str, room: optStr },
  error: { code: str, message: str, id: optStr },
  ping: { token: optStr },
  pong: { token: optStr },
  bye: { reason: str, shutdown: optBool, restart: optBool },
};

const encoder = new TextEncoder();
const decoder = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

/** Encodes a frame as one line of UTF-8 JSON, `\n` included. */
export function encodeFrame(frame: ClientFrame | ServerFrame): Uint8Array {
  return encoder.encode(JSON.stringify(frame) + "\n");
}

/** Decodes UTF-8 bytes strictly; invalid UTF-8 is a `bad_frame` error. */
export function decodeUtf8(bytes: Uint8Array): string {
  try {
    return decoder.decode(bytes);
  } catch {
    throw new ChatError("bad_frame", "Line is not valid UTF-8");
  }
}

const lenientDecoder = new TextDecoder("utf-8", { ignoreBOM: true });

/** Decodes UTF-8 bytes leniently: each invalid sequence becomes U+FFFD. */
export function decodeUtf8Lenient(bytes: Uint8Array): string {
  return lenientDecoder.decode(bytes);
}

/** Parses one line from a client into a checked frame; throws `ChatError("bad_frame")`. */
export function decodeClientFrame(line: string): ClientFrame {
  return decodeWith(CLIENT_SCHEMAS, line, MAX_LINE_BYTES) as unknown as ClientFrame;
}

/** Parses one line from a server into a checked frame; throws `ChatError("bad_frame")`. */
export function decodeServerFrame(line: string): ServerFrame {
  return decodeWith(SERVER_SCHEMAS, line, MAX_SERVER_LINE_BYTES) as unknown as ServerFrame;
}

function decodeWith(
  schemas: Record<string, Schema>,
  line: string,
  maxBytes: number,
): Record<string, unknown> {
  // A guard for callers that skip the line splitter: more characters than bytes allowed is
  // always too many bytes.
  if (line.length > maxBytes) {
    throw new ChatError("frame_too_large", `Frame is too large: over ${maxBytes} bytes`);
  }
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    throw new ChatError("bad_frame", "Frame is not valid JSON");
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new ChatError("bad_frame", "Frame must be a JSON object");
  }
  const input = value as Record<string, unknown>;
  const type = Object.hasOwn(input, "type") ? input.type : undefined;
  if (typeof type !== "string") {
    throw new ChatError("bad_frame", 'Frame has no "type" string');
  }
  if (!Object.hasOwn(schemas, type)) {
    throw new ChatError("bad_frame", `Unknown frame type: ${JSON.stringify(type.slice(0, 40))}`);
  }
  const schema = schemas[type] as Schema;
  // A fresh object with only the declared fields: unknown keys (and `__proto__`) are dropped.
  const frame: Record<string, unknown> = { type };
  for (const [name, spec] of Object.entries(schema)) {
    const field = Object.hasOwn(input, name) ? input[name] : undefined;
    if (field === undefined || field === null) {
      if (spec.optional) continue;
      throw new ChatError("bad_frame", `Frame "${type}" needs field "${name}"`);
    }
    if (!fits(spec.kind, field)) {
      throw new ChatError(
        "bad_frame",
        `Frame "${type}" has a bad "${name}": expected ${spec.kind}`,
      );
    }
    frame[name] = clean(spec.kind, field);
  }
  return frame;
}

/** A checked nested value rebuilt from its declared keys only (like the frame itself). */
function clean(kind: FieldKind, value: unknown): unknown {
  const pick = (source: unknown, keys: readonly string[]) => {
    const input = source as Record<string, unknown>;
    const out: Record<string, unknown> = {};
    for (const key of keys) {
      if (Object.hasOwn(input, key) && input[key] !== undefined) out[key] = input[key];
    }
    return out;
  };
  switch (kind) {
    case "strings":
      return [...(value as string[])];
    case "help":
      return (value as unknown[]).map((entry) => {
        const picked = pick(entry, ["usage", "summary", "aliases"]);
        return { ...picked, aliases: [...(picked.aliases as string[])] };
      });
    case "rooms":
      return (value as unknown[]).map((row) =>
        pick(row, ["name", "members", "limit", "topic", "private", "password"])
      );
    case "resume": {
      const resume = value as { token: string; rooms: unknown[] };
      return {
        token: resume.token,
        rooms: resume.rooms.map((room) => pick(room, ["room", "seq"])),
      };
    }
    case "tags":
      // A fresh object of string values: `__proto__` and the like stay plain keys.
      return Object.fromEntries(Object.entries(value as Record<string, string>));
    case "string":
    case "number":
    case "boolean":
      return value;
    default:
      return unreachable(kind);
  }
}

function fits(kind: FieldKind, value: unknown): boolean {
  switch (kind) {
    case "string":
      return typeof value === "string";
    case "number":
      return typeof value === "number" && Number.isFinite(value);
    case "boolean":
      return typeof value === "boolean";
    case "strings":
      return Array.isArray(value) && value.every((item) => typeof item === "string");
    case "help":
      return Array.isArray(value) && value.every(isHelpEntry);
    case "rooms":
      return Array.isArray(value) && value.every(isRoomInfo);
    case "resume":
      return isResumeRequest(value);
    case "tags":
      return typeof value === "object" && value !== null && !Array.isArray(value) &&
        Object.values(value).every((item) => typeof item === "string");
    default:
      return unreachable(kind);
  }
}

function isResumeRequest(value: unknown): boolean {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return false;
  const request = value as Record<string, unknown>;
  return typeof request.token === "string" && Array.isArray(request.rooms) &&
    request.rooms.every((entry: unknown) => {
      if (typeof entry !== "object" || entry === null) return false;
      const { room, seq } = entry as Record<string, unknown>;
      return typeof room === "string" && typeof seq === "number" && Number.isInteger(seq) &&
        seq >= 0;
    });
}

function isRoomInfo(value: unknown): boolean {
  if (typeof value !== "object" || value === null) return false;
  const info = value as Record<string, unknown>;
  const optional = (field: unknown, kind: FieldKind) => field === undefined || fits(kind, field);
  return typeof info.name === "string" && fits("number", info.members) &&
    optional(info.limit, "number") && optional(info.topic, "string") &&
    optional(info.private, "boolean") && optional(info.password, "boolean");
}

function isHelpEntry(value: unknown): boolean {
  if (typeof value !== "object" || value === null) return false;
  const entry = value as Record<string, unknown>;
  return typeof entry.usage === "string" && typeof entry.summary === "string" &&
    Array.isArray(entry.aliases) && entry.aliases.every((alias) => typeof alias === "string");
}

/** Exhaustiveness check for `switch` statements over wire unions. */
export function unreachable(value: never): never {
  throw new Error(`Unreachable: ${JSON.stringify(value)}`);
}
