/**
 * WebSocket frames (RFC 6455 section 5) for the server side: an incremental decoder of the
 * masked frames a client sends, and encoders of the unmasked frames a server sends. No extension
 * is ever negotiated, so the RSV bits are always 0. Pure: no I/O.
 *
 * @example
 * ```ts
 * import { encodeText, WebSocketDecoder } from "./websocket_frame.ts";
 *
 * const decoder = new WebSocketDecoder({ maxMessageBytes: 64 * 1024 });
 * // The masked frame for "Hello" from RFC 6455 section 5.7:
 * const bytes = Uint8Array.of(0x81, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f, 0x9f, 0x4d, 0x51, 0x58);
 * decoder.push(bytes); // [{ type: "text", text: "Hello" }]
 * encodeText("Hello"); // 0x81 0x05 "Hello"
 * ```
 */

/** Frame opcodes (RFC 6455 section 5.2). */
export const OPCODE = {
  continuation: 0x0,
  text: 0x1,
  binary: 0x2,
  close: 0x8,
  ping: 0x9,
  pong: 0xa,
} as const;

/** A frame opcode. */
export type Opcode = typeof OPCODE[keyof typeof OPCODE];

/** Longest payload of a control frame (close, ping, pong), in bytes. */
export const MAX_CONTROL_PAYLOAD_BYTES = 125;

/** Longest close reason, in bytes of UTF-8: a control payload less the 2-byte code. */
export const MAX_CLOSE_REASON_BYTES = MAX_CONTROL_PAYLOAD_BYTES - 2;

/**
 * Default for {@linkcode WebSocketDecoderOptions.maxMessageBytes}: the same as the most a TCP
 * client may send without a line end (`MAX_UNTERMINATED_BYTES` in src/limits.ts).
 */
export const DEFAULT_MAX_MESSAGE_BYTES = 64 * 1024;

/** Close codes (RFC 6455 section 7.4.1) this file produces or names. */
export const CLOSE_CODE = {
  normal: 1000,
  goingAway: 1001,
  protocolError: 1002,
  invalidData: 1007,
  policyViolation: 1008,
  tooBig: 1009,
  internalError: 1011,
} as const;

/** The close codes a decoding error carries. */
export type WebSocketErrorCode = 1002 | 1007 | 1009;

/** What the decoder makes of the bytes a client sends. */
export type WebSocketEvent =
  | { type: "text"; text: string }
  | { type: "binary"; data: Uint8Array }
  | { type: "ping"; data: Uint8Array }
  | { type: "pong"; data: Uint8Array }
  /** The client's close frame; `code` is absent when the frame had no payload. */
  | { type: "close"; code?: number; reason: string }
  /**
   * The client broke the protocol: close the connection with `code` (the reason fits a close
   * frame). The decoder produces nothing after it.
   */
  | { type: "error"; code: WebSocketErrorCode; reason: string };

/** Options for {@linkcode WebSocketDecoder}. */
export interface WebSocketDecoderOptions {
  /**
   * Largest message, in bytes, summed over its fragments. A frame whose header announces more
   * is refused with close code 1009 before any of its payload is held.
   * @default {DEFAULT_MAX_MESSAGE_BYTES}
   */
  maxMessageBytes?: number;
}

const FIN = 0x80;
const RSV = 0x70;
const OPCODE_BITS = 0x0f;
const MASK = 0x80;
const LENGTH_BITS = 0x7f;
const LENGTH_16 = 126;
const LENGTH_64 = 127;
const MASK_KEY_BYTES = 4;
/** A message buffer at most this large is kept for the next text message. */
const REUSED_BUFFER_BYTES = 16 * 1024;
const EMPTY = new Uint8Array(0);

/**
 * Whether a close code may appear in a close frame: 1000-1003, 1007-1014 (RFC 6455 and the IANA
 * registry), 3000-4999 (libraries and applications). Never 1004 (reserved), 1005, 1006 or 1015
 * (meaningful only locally), 1016-2999 (reserved) or anything else.
 */
export function isSendableCloseCode(code: number): boolean {
  return (code >= 1000 && code <= 1003) || (code >= 1007 && code <= 1014) ||
    (code >= 3000 && code <= 4999);
}

type Phase = "header" | "payload" | "stopped";

/**
 * Decodes the frames a client sends into messages and control events, from chunks of any size
 * (one byte at a time works, and so do many frames in one chunk).
 *
 * Enforced: client frames are masked; RSV bits are 0; opcodes are known; control frames are
 * final and carry at most 125 bytes; fragments continue a started message, with control frames
 * allowed between them; a 64-bit length has its high bit clear; text is valid UTF-8 (checked
 * over the whole message); a close payload is empty or a sendable code and a UTF-8 reason.
 * Breaking a rule yields an `error` event (1002, 1007, or 1009 for a message over
 * `maxMessageBytes`, as soon as a header announces it) and then nothing more. After a `close`
 * event the decoder ignores what follows, since a client sends nothing after its close frame.
 *
 * Each payload byte is copied once, from the chunk into a buffer the decoder owns, and unmasked
 * there; a binary message is handed out as that buffer, not a copy. Chunks may be reused by the
 * caller as soon as `push` returns.
 *
 * @example
 * ```ts
 * import { WebSocketDecoder } from "./websocket_frame.ts";
 *
 * const decoder = new WebSocketDecoder();
 * // An unmasked frame, which a client must never send:
 * decoder.push(Uint8Array.of(0x81, 0x02, 0x68, 0x69));
 * // [{ type: "error", code: 1002, reason: "Client frame not masked" }]
 * ```
 */
export class WebSocketDecoder {
  readonly #maxMessageBytes: number;
  readonly #textDecoder = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });
  #phase: Phase = "header";

  // The frame header being read: 2 bytes, 0, 2 or 8 of extended length, 4 of mask key.
  readonly #head = new Uint8Array(14);
  readonly #headView = new DataView(this.#head.buffer);
  #headLength = 0;
  #headNeeded = 2;
  #fin = false;
  #opcode = 0;
  readonly #mask = new Uint8Array(MASK_KEY_BYTES);

  // The frame payload being read.
  #payloadLength = 0;
  #payloadRead = 0;

  // The data message being reassembled (bytes of finished fragments, then the current one).
  #messageOpcode = 0;
  #messageBytes = 0;
  #message: Uint8Array = EMPTY;

  /** The payload of the control frame being read. */
  readonly #control = new Uint8Array(MAX_CONTROL_PAYLOAD_BYTES);

  constructor(options: WebSocketDecoderOptions = {}) {
    const max = options.maxMessageBytes ?? DEFAULT_MAX_MESSAGE_BYTES;
    if (!Number.isSafeInteger(max) || max < 0) {
      throw new TypeError(`Invalid maxMessageBytes: ${max}`);
    }
    this.#maxMessageBytes = max;
  }

  /** Feeds the next bytes from the client; returns the events they complete, in order. */
  push(chunk: Uint8Array): WebSocketEvent[] {
    const events: WebSocketEvent[] = [];
    let offset = 0;
    while (offset < chunk.length && this.#phase !== "stopped") {
      offset = this.#phase === "header"
        ? this.#readHeader(chunk, offset, events)
        : this.#readPayload(chunk, offset, events);
    }
    return events;
  }

  #readHeader(chunk: Uint8Array, offset: number, events: WebSocketEvent[]): number {
    while (this.#headLength < this.#headNeeded && offset < chunk.length) {
      this.#head[this.#headLength++] = chunk[offset++] ?? 0;
      const error = this.#checkHeader();
      if (error !== undefined) {
        this.#stop(events, error);
        return offset;
      }
    }
    if (this.#headLength === this.#headNeeded) this.#startPayload(events);
    return offset;
  }

  /** Checks what the latest header byte completes; returns the error it shows, if any. */
  #checkHeader(): WebSocketEvent | undefined {
    const head = this.#head;
    const read = this.#headLength;
    if (read === 1) return this.#checkFirstByte(head[0] ?? 0);
    if (read === 2) {
      const second = head[1] ?? 0;
      if ((second & MASK) === 0) return protocolError("Client frame not masked");
      const length = second & LENGTH_BITS;
      if (isControl(this.#opcode) && length > MAX_CONTROL_PAYLOAD_BYTES) {
        return protocolError("Control frame payload over 125 bytes");
      }
      if (length < LENGTH_16) {
        this.#headNeeded = 2 + MASK_KEY_BYTES;
        return this.#setLength(length);
      }
      this.#headNeeded = 2 + (length === LENGTH_16 ? 2 : 8) + MASK_KEY_BYTES;
      return undefined;
    }
    if (read === 3 && this.#headNeeded === 2 + 8 + MASK_KEY_BYTES && ((head[2] ?? 0) & 0x80)) {
      return protocolError("Payload length with the high bit set");
    }
    if (read === this.#headNeeded - MASK_KEY_BYTES) {
      const view = this.#headView;
      // Exact below 2^53; anything larger is far over any limit anyway.
      const length = read === 4
        ? view.getUint16(2)
        : view.getUint32(2) * 0x1_0000_0000 + view.getUint32(6);
      return this.#setLength(length);
    }
    return undefined;
  }

  #checkFirstByte(first: number): WebSocketEvent | undefined {
    if ((first & RSV) !== 0) return protocolError("Reserved bits set without an extension");
    const opcode = first & OPCODE_BITS;
    this.#fin = (first & FIN) !== 0;
    this.#opcode = opcode;
    switch (opcode) {
      case OPCODE.continuation:
        if (this.#messageOpcode === 0) {
          return protocolError("Continuation frame without a message to continue");
        }
        return undefined;
      case OPCODE.text:
      case OPCODE.binary:
        if (this.#messageOpcode !== 0) {
          return protocolError("New message before the fragmented one ended");
        }
        return undefined;
      case OPCODE.close:
      case OPCODE.ping:
      case OPCODE.pong:
        return this.#fin ? undefined : protocolError("Fragmented control frame");
      default:
        return protocolError(`Unknown opcode: ${opcode}`);
    }
  }

  #setLength(length: number): WebSocketEvent | undefined {
    if (!isControl(this.#opcode) && this.#messageBytes + length > this.#maxMessageBytes) {
      return {
        type: "error",
        code: CLOSE_CODE.tooBig,
        reason: `Message over ${this.#maxMessageBytes} bytes`,
      };
    }
    this.#payloadLength = length;
    return undefined;
  }

  #startPayload(events: WebSocketEvent[]): void {
    this.#mask.set(this.#head.subarray(this.#headNeeded - MASK_KEY_BYTES, this.#headNeeded));
    this.#payloadRead = 0;
    if (!isControl(this.#opcode) && this.#opcode !== OPCODE.continuation) {
      this.#messageOpcode = this.#opcode;
    }
    this.#phase = "payload";
    if (this.#payloadLength === 0) this.#endFrame(events);
  }

  #readPayload(chunk: Uint8Array, offset: number, events: WebSocketEvent[]): number {
    const take = Math.min(this.#payloadLength - this.#payloadRead, chunk.length - offset);
    let target: Uint8Array;
    let at: number;
    if (isControl(this.#opcode)) {
      target = this.#control;
      at = this.#payloadRead;
    } else {
      at = this.#messageBytes + this.#payloadRead;
      this.#reserve(at + take, this.#messageBytes + this.#payloadLength);
      target = this.#message;
    }
    target.set(chunk.subarray(offset, offset + take), at);
    unmask(target, at, take, this.#mask, this.#payloadRead);
    this.#payloadRead += take;
    if (this.#payloadRead === this.#payloadLength) this.#endFrame(events);
    return offset + take;
  }

  /**
   * Makes the message buffer hold at least `needed` bytes, growing it no further than `limit`
   * (the end of the current frame): memory follows the bytes that arrived, not what a header
   * announced.
   */
  #reserve(needed: number, limit: number): void {
    const capacity = this.#message.length;
    if (capacity >= needed) return;
    const grown = new Uint8Array(Math.min(limit, Math.max(needed, capacity * 2, 256)));
    grown.set(this.#message.subarray(0, this.#messageBytes + this.#payloadRead));
    this.#message = grown;
  }

  #endFrame(events: WebSocketEvent[]): void {
    this.#phase = "header";
    this.#headLength = 0;
    this.#headNeeded = 2;
    const opcode = this.#opcode;
    if (isControl(opcode)) {
      this.#endControlFrame(opcode, this.#control.subarray(0, this.#payloadLength), events);
      return;
    }
    this.#messageBytes += this.#payloadLength;
    if (this.#fin) this.#endMessage(events);
  }

  #endControlFrame(opcode: number, payload: Uint8Array, events: WebSocketEvent[]): void {
    if (opcode === OPCODE.ping) {
      events.push({ type: "ping", data: payload.slice() });
    } else if (opcode === OPCODE.pong) {
      events.push({ type: "pong", data: payload.slice() });
    } else {
      const close = this.#decodeClose(payload);
      if (close.type === "error") {
        this.#stop(events, close);
      } else {
        events.push(close);
        this.#phase = "stopped";
      }
    }
  }

  #decodeClose(payload: Uint8Array): WebSocketEvent {
    if (payload.length === 0) return { type: "close", reason: "" };
    if (payload.length === 1) return protocolError("Close payload of 1 byte");
    const code = (payload[0] ?? 0) * 0x100 + (payload[1] ?? 0);
    if (!isSendableCloseCode(code)) return protocolError(`Invalid close code: ${code}`);
    const reason = this.#decodeUtf8(payload.subarray(2));
    if (reason === undefined) {
      return {
        type: "error",
        code: CLOSE_CODE.invalidData,
        reason: "Invalid UTF-8 in close reason",
      };
    }
    return { type: "close", code, reason };
  }

  #endMessage(events: WebSocketEvent[]): void {
    const bytes = this.#message.subarray(0, this.#messageBytes);
    const opcode = this.#messageOpcode;
    this.#messageOpcode = 0;
    this.#messageBytes = 0;
    if (opcode === OPCODE.binary) {
      // Handed out as is: the next message gets a buffer of its own.
      this.#message = EMPTY;
      events.push({ type: "binary", data: bytes });
      return;
    }
    if (this.#message.length > REUSED_BUFFER_BYTES) this.#message = EMPTY;
    const text = this.#decodeUtf8(bytes);
    if (text === undefined) {
      this.#stop(events, {
        type: "error",
        code: CLOSE_CODE.invalidData,
        reason: "Invalid UTF-8 in text message",
      });
    } else {
      events.push({ type: "text", text });
    }
  }

  #decodeUtf8(bytes: Uint8Array): string | undefined {
    try {
      return this.#textDecoder.decode(bytes);
    } catch {
      return undefined;
    }
  }

  #stop(events: WebSocketEvent[], error: WebSocketEvent): void {
    events.push(error);
    this.#phase = "stopped";
    this.#message = EMPTY;
  }
}

function isControl(opcode: number): boolean {
  return (opcode & 0x8) !== 0;
}

function protocolError(reason: string): WebSocketEvent {
  return { type: "error", code: CLOSE_CODE.protocolError, reason };
}

/** XORs `length` bytes of `bytes` from `start` with the mask, the first being payload byte `index`. */
function unmask(
  bytes: Uint8Array,
  start: number,
  length: number,
  mask: Uint8Array,
  index: number,
): void {
  const m0 = mask[index & 3] ?? 0;
  const m1 = mask[(index + 1) & 3] ?? 0;
  const m2 = mask[(index + 2) & 3] ?? 0;
  const m3 = mask[(index + 3) & 3] ?? 0;
  const end = start + length;
  let i = start;
  for (; i + 4 <= end; i += 4) {
    bytes[i] = (bytes[i] ?? 0) ^ m0;
    bytes[i + 1] = (bytes[i + 1] ?? 0) ^ m1;
    bytes[i + 2] = (bytes[i + 2] ?? 0) ^ m2;
    bytes[i + 3] = (bytes[i + 3] ?? 0) ^ m3;
  }
  for (; i < end; i++) bytes[i] = (bytes[i] ?? 0) ^ (mask[(index + i - start) & 3] ?? 0);
}

// ---- encoding (server to client: never masked) -----------------------------------------------

/** Options for {@linkcode encodeFrame} and {@linkcode encodeFrameHeader}. */
export interface EncodeFrameOptions {
  /**
   * Whether this is the last frame of its message. Control frames are always final.
   * @default {true}
   */
  fin?: boolean;
}

/**
 * The header of an unmasked frame carrying `payloadLength` bytes: 2, 4 or 10 bytes, with the
 * shortest length encoding. For a caller that writes the payload itself.
 */
export function encodeFrameHeader(
  opcode: Opcode,
  payloadLength: number,
  options: EncodeFrameOptions = {},
): Uint8Array {
  const fin = options.fin ?? true;
  if (!Object.values(OPCODE).includes(opcode)) throw new TypeError(`Unknown opcode: ${opcode}`);
  if (!Number.isSafeInteger(payloadLength) || payloadLength < 0) {
    throw new TypeError(`Invalid payload length: ${payloadLength}`);
  }
  if (isControl(opcode) && (!fin || payloadLength > MAX_CONTROL_PAYLOAD_BYTES)) {
    throw new TypeError(
      `A control frame is final and carries at most ${MAX_CONTROL_PAYLOAD_BYTES} bytes`,
    );
  }
  const first = (fin ? FIN : 0) | opcode;
  if (payloadLength < LENGTH_16) return Uint8Array.of(first, payloadLength);
  if (payloadLength <= 0xffff) {
    return Uint8Array.of(first, LENGTH_16, payloadLength >> 8, payloadLength & 0xff);
  }
  const header = new Uint8Array(10);
  header[0] = first;
  header[1] = LENGTH_64;
  new DataView(header.buffer).setBigUint64(2, BigInt(payloadLength));
  return header;
}

/**
 * One unmasked frame: a header and a copy of the payload, in one buffer. Throws a TypeError for
 * an unknown opcode, or a control frame that is not final or carries over 125 bytes.
 *
 * @example
 * ```ts
 * import { encodeFrame, OPCODE } from "./websocket_frame.ts";
 *
 * encodeFrame(OPCODE.text, new TextEncoder().encode("Hel"), { fin: false }); // 0x01 0x03 "Hel"
 * encodeFrame(OPCODE.continuation, new TextEncoder().encode("lo")); // 0x80 0x02 "lo"
 * ```
 */
export function encodeFrame(
  opcode: Opcode,
  payload: Uint8Array,
  options: EncodeFrameOptions = {},
): Uint8Array {
  const header = encodeFrameHeader(opcode, payload.length, options);
  const frame = new Uint8Array(header.length + payload.length);
  frame.set(header);
  frame.set(payload, header.length);
  return frame;
}

/** One text frame holding the whole of `text` as UTF-8. */
export function encodeText(text: string): Uint8Array {
  return encodeFrame(OPCODE.text, new TextEncoder().encode(text));
}

/**
 * One text frame around bytes that already hold UTF-8 lines, each ending in `\n` (as the outbox
 * coalesces them for TCP): a header and the same bytes, nothing re-encoded. Several chat lines
 * then cost one message instead of one each (writing a message per line measured about 20 times
 * slower). The receiving page splits each message on `\n` and drops the empty piece after the
 * last one. The bytes must be valid UTF-8 (a browser fails the connection otherwise); they are
 * not checked here. Throws a TypeError when `chunk` is empty or does not end in `\n`.
 *
 * @example
 * ```ts
 * import { encodeTextLines } from "./websocket_frame.ts";
 *
 * const lines = new TextEncoder().encode('{"type":"ping"}\n{"type":"pong"}\n');
 * encodeTextLines(lines); // 0x81 0x20, then the same 32 bytes
 * ```
 */
export function encodeTextLines(chunk: Uint8Array): Uint8Array {
  if (chunk.length === 0 || chunk[chunk.length - 1] !== 0x0a) {
    throw new TypeError("encodeTextLines() needs lines that end in \\n");
  }
  return encodeFrame(OPCODE.text, chunk);
}

/**
 * Lines (each ending in `\n`, maybe `\r\n`) as one text message each, without their line ends,
 * written back to back: the framing of subprotocols that carry one line per message, as IRC over
 * WebSocket (`text.ircv3.net`) does. Throws a TypeError unless `chunk` ends in `\n`.
 *
 * @example
 * ```ts
 * import { encodeTextMessages } from "./websocket_frame.ts";
 *
 * encodeTextMessages(new TextEncoder().encode("PING x\r\nPONG y\r\n")); // 2 frames, "PING x", "PONG y"
 * ```
 */
export function encodeTextMessages(chunk: Uint8Array): Uint8Array {
  if (chunk.length === 0 || chunk[chunk.length - 1] !== 0x0a) {
    throw new TypeError("encodeTextMessages() needs lines that end in \\n");
  }
  const frames: Uint8Array[] = [];
  let start = 0;
  for (let i = 0; i < chunk.length; i++) {
    if (chunk[i] !== 0x0a) continue;
    const end = i > start && chunk[i - 1] === 0x0d ? i - 1 : i;
    frames.push(encodeFrame(OPCODE.text, chunk.subarray(start, end)));
    start = i + 1;
  }
  const out = new Uint8Array(frames.reduce((sum, frame) => sum + frame.length, 0));
  let offset = 0;
  for (const frame of frames) {
    out.set(frame, offset);
    offset += frame.length;
  }
  return out;
}

/**
 * A close frame: the code and the reason as UTF-8, the reason cut at a character boundary to fit
 * its 123 bytes; without a code, an empty close frame. Throws a TypeError for a code that must
 * not be sent (see {@linkcode isSendableCloseCode}), or a reason without a code.
 *
 * @example
 * ```ts
 * import { encodeClose } from "./websocket_frame.ts";
 *
 * encodeClose(1000, "bye"); // 0x88 0x05 0x03 0xe8 "bye"
 * encodeClose(); // 0x88 0x00
 * ```
 */
export function encodeClose(code?: number, reason = ""): Uint8Array {
  if (code === undefined) {
    if (reason !== "") throw new TypeError("A close reason needs a close code");
    return encodeFrame(OPCODE.close, EMPTY);
  }
  if (!Number.isInteger(code) || !isSendableCloseCode(code)) {
    throw new TypeError(`Close code ${code} must not be sent`);
  }
  const text = new TextEncoder().encode(reason);
  let length = Math.min(text.length, MAX_CLOSE_REASON_BYTES);
  // A cut inside a character backs off to its first byte: text[length] is then not 10xxxxxx.
  while (length > 0 && length < text.length && ((text[length] ?? 0) & 0xc0) === 0x80) length--;
  const payload = new Uint8Array(2 + length);
  payload[0] = code >> 8;
  payload[1] = code & 0xff;
  payload.set(text.subarray(0, length), 2);
  return encodeFrame(OPCODE.close, payload);
}

/** A ping frame; the client answers with a pong carrying the same bytes (at most 125). */
export function encodePing(data: Uint8Array = EMPTY): Uint8Array {
  return encodeFrame(OPCODE.ping, data);
}

/** A pong frame, the answer to a ping, carrying the ping's bytes (at most 125). */
export function encodePong(data: Uint8Array = EMPTY): Uint8Array {
  return encodeFrame(OPCODE.pong, data);
}
