/**
 * The native dialect: JSON frames, one per line (docs/PROTOCOL.md), spoken by `chat join` and
 * the browser client. Every event is encoded once for all native viewers. Pure.
 */
import { ChatError } from "../errors.ts";
import { decodeClientFrame, encodeFrame, unreachable } from "../protocol.ts";
import { PROTOCOL_VERSION } from "../version.ts";
import type { HubEvent } from "../server/events.ts";
import { nativeFrame } from "./native_frames.ts";
import {
  type Dialect,
  type DialectView,
  type Intent,
  NOTHING,
  PROTOCOL_ENCODING,
  type SharedEncodings,
  type Supports,
} from "./dialect.ts";
import { LOBBY } from "../limits.ts";

const SUPPORTS: Supports = { files: true, resume: true, ping: true };

/** The native JSON-lines dialect. */
export class NativeDialect implements Dialect {
  readonly name = "native";
  readonly supports = SUPPORTS;

  read(line: string, _view: DialectView): Intent[] {
    const frame = decodeClientFrame(line);
    switch (frame.type) {
      case "hello":
        if (frame.version !== PROTOCOL_VERSION) {
          const message = `Protocol version ${frame.version} is not supported: this server ` +
            `speaks version ${PROTOCOL_VERSION}`;
          return [{
            kind: "end",
            reason: "Unsupported protocol version",
            bye: message,
            error: new ChatError("bad_version", message),
          }];
        }
        return [{
          kind: "register",
          nick: frame.nick,
          ...frame.resume === undefined ? {} : { resume: frame.resume },
          ...frame.password === undefined ? {} : { password: frame.password },
          ...frame.login === undefined ? {} : { login: frame.login },
          ...frame.token === undefined ? {} : { token: frame.token },
        }];
      case "say":
        return [{ kind: "say", room: frame.room, text: frame.text, id: frame.id }];
      case "command":
        return [{ kind: "command", line: frame.line, room: frame.room ?? LOBBY, id: frame.id }];
      case "ping":
        return [{
          kind: "reply",
          frame: frame.token === undefined
            ? { type: "pong" }
            : { type: "pong", token: frame.token },
        }];
      case "offer":
        return [{ kind: "offer", frame }];
      case "saved":
        return [{ kind: "saved", frame }];
      case "upload":
      case "download":
        return [{ kind: "transfer", frame }];
      case "checksum":
        throw new ChatError("bad_frame", "A checksum line belongs after the data of an upload");
      case "pong":
        return [];
      default:
        return unreachable(frame);
    }
  }

  encode(event: HubEvent, _view: DialectView, shared: SharedEncodings): Uint8Array {
    let bytes = shared.get(PROTOCOL_ENCODING);
    if (bytes === undefined) {
      const frame = nativeFrame(event);
      bytes = frame === undefined ? NOTHING : encodeFrame(frame);
      shared.set(PROTOCOL_ENCODING, bytes);
    }
    return bytes;
  }
}
