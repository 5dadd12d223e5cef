/**
 * Wire protocol v1: one JSON object per line (UTF-8, `\n`-terminated), with a `type` field.
 * docs/PROTOCOL.md describes every frame; this file is the codec. Pure: no I/O.
 */
import { ChatError, type ErrorCode } from "./errors.ts";
import { MAX_LINE_BYTES } from "./limits.ts";

// ---- client -> server ----------------------------------------------------------------------

/** First frame of a native connection: protocol version and the nick wanted. Resent to retry. */
export interface HelloFrame {
  type: "hello";
  version: number;
  nick: string;
  client?: string;
}

/** A chat message for a room. Never interpreted as a command, even when it starts with `/`. */
export interface SayFrame {
  type: "say";
  room: string;
  text: string;
}

/** A slash command line such as `/nick bob`, run by the server's command table. */
export interface CommandFrame {
  type: "command";
  line: string;
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

export type ClientFrame = HelloFrame | SayFrame | CommandFrame | PingFrame | PongFrame;

// ---- server -> client ----------------------------------------------------------------------

/** Handshake accepted: the nick is registered. */
export interface WelcomeFrame {
  type: "welcome";
  version: number;
  server: string;
  nick: string;
}

/** You are now in `room`; `members` lists everyone there, you included. */
export interface RoomFrame {
  type: "room";
  room: string;
  members: string[];
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
  time: number;
}

/** Someone (possibly you) changed nick; sent once to everyone who shares a room with them. */
export interface NickFrame {
  type: "nick";
  old: string;
  new: string;
  time: number;
}

/** A message from someone else. `seq` numbers accepted messages per room, from 1. */
export interface MessageFrame {
  type: "message";
  room: string;
  nick: string;
  text: string;
  time: number;
  seq: number;
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

/** Information from the server, such as an announcement. */
export interface NoticeFrame {
  type: "notice";
  text: string;
}

/** A request failed; only its sender gets this. */
export interface ErrorFrame {
  type: "error";
  code: ErrorCode;
  message: string;
}

/** The server is closing this connection, and why. Nothing follows it. */
export interface ByeFrame {
  type: "bye";
  reason: string;
}

export type ServerFrame =
  | WelcomeFrame
  | RoomFrame
  | JoinFrame
  | LeaveFrame
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

type FieldKind = "string" | "number" | "strings" | "help";

interface FieldSpec {
  kind: FieldKind;
  optional?: boolean;
}

type Schema = Record<string, FieldSpec>;

const str: FieldSpec = { kind: "string" };
const optStr: FieldSpec = { kind: "string", optional: true };
const num: FieldSpec = { kind: "number" };

const CLIENT_SCHEMAS: Record<ClientFrame["type"], Schema> = {
  hello: { version: num, nick: str, client: optStr },
  say: { room: str, text: str },
  command: { line: str, room: optStr },
  ping: { token: optStr },
  pong: { token: optStr },
};

const SERVER_SCHEMAS: Record<ServerFrame["type"], Schema> = {
  welcome: { version: num, server: str, nick: str },
  room: { room: str, members: { kind: "strings" } },
  join: { room: str, nick: str, time: num },
  leave: { room: str, nick: str, reason: optStr, time: num },
  nick: { old: str, new: str, time: num },
  message: { room: str, nick: str, text: str, time: num, seq: num },
  users: { room: str, nicks: { kind: "strings" } },
  help: { commands: { kind: "help" } },
  notice: { text: str },
  error: { code: str, message: str },
  ping: { token: optStr },
  pong: { token: optStr },
  bye: { reason: str },
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

/** Parses one line from a client into a checked frame; throws `ChatError("bad_frame")`. */
export function decodeClientFrame(line: string): ClientFrame {
  return decodeWith(CLIENT_SCHEMAS, line) as unknown as ClientFrame;
}

/** Parses one line from a server into a checked frame; throws `ChatError("bad_frame")`. */
export function decodeServerFrame(line: string): ServerFrame {
  return decodeWith(SERVER_SCHEMAS, line) as unknown as ServerFrame;
}

function decodeWith(schemas: Record<string, Schema>, line: string): Record<string, unknown> {
  if (line.length > MAX_LINE_BYTES) {
    throw new ChatError("frame_too_large", `Frame is too large: over ${MAX_LINE_BYTES} bytes`);
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
    frame[name] = field;
  }
  return frame;
}

function fits(kind: FieldKind, value: unknown): boolean {
  switch (kind) {
    case "string":
      return typeof value === "string";
    case "number":
      return typeof value === "number" && Number.isFinite(value);
    case "strings":
      return Array.isArray(value) && value.every((item) => typeof item === "string");
    case "help":
      return Array.isArray(value) && value.every(isHelpEntry);
    default:
      return unreachable(kind);
  }
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
