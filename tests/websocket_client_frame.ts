/**
 * Test helper: the frames a WebSocket client sends (masked), built by hand so tests can also
 * build the ones a client must not send (unmasked, RSV bits, unknown opcodes, long lengths).
 */
import { createHash } from "node:crypto";
import type { WebSocketEvent } from "../src/carrier/websocket_frame.ts";

/** Options for {@linkcode encodeClientFrame}. */
export interface ClientFrameOptions {
  /** @default {true} */
  fin?: boolean;
  /** RSV1-3 as the bits 0x70 of the first byte. @default {0} */
  rsv?: number;
  /** The mask key; `null` sends the frame unmasked (a protocol error). @default {[1, 2, 3, 4]} */
  mask?: Uint8Array | null;
  /**
   * How the length is written: 7 bits, 16 or 64; longer than needed is legal but unusual.
   * @default the shortest that fits
   */
  lengthBits?: 7 | 16 | 64;
}

const DEFAULT_MASK = Uint8Array.of(1, 2, 3, 4);

/** A client frame: any opcode (even an unknown one), masked unless told otherwise. */
export function encodeClientFrame(
  opcode: number,
  payload: Uint8Array,
  options: ClientFrameOptions = {},
): Uint8Array {
  const mask = options.mask === undefined ? DEFAULT_MASK : options.mask;
  const length = payload.length;
  const bits = options.lengthBits ?? (length < 126 ? 7 : length <= 0xffff ? 16 : 64);
  const lengthBytes = bits === 7 ? 0 : bits === 16 ? 2 : 8;
  const headerLength = 2 + lengthBytes + (mask === null ? 0 : 4);
  const frame = new Uint8Array(headerLength + length);
  const view = new DataView(frame.buffer);
  frame[0] = ((options.fin ?? true) ? 0x80 : 0) | (options.rsv ?? 0) | opcode;
  const maskBit = mask === null ? 0 : 0x80;
  if (bits === 7) {
    if (length > 125) throw new RangeError(`${length} bytes do not fit 7 bits`);
    frame[1] = maskBit | length;
  } else if (bits === 16) {
    if (length > 0xffff) throw new RangeError(`${length} bytes do not fit 16 bits`);
    frame[1] = maskBit | 126;
    view.setUint16(2, length);
  } else {
    frame[1] = maskBit | 127;
    view.setBigUint64(2, BigInt(length));
  }
  if (mask !== null) frame.set(mask, 2 + lengthBytes);
  for (let i = 0; i < length; i++) {
    const byte = payload[i] ?? 0;
    frame[headerLength + i] = mask === null ? byte : byte ^ (mask[i % 4] ?? 0);
  }
  return frame;
}

/**
 * A server frame (unmasked, as the encoders make them) turned into the masked frame a client
 * would send with the same content, so what the encoders make can be fed to the decoder.
 */
export function maskServerFrame(frame: Uint8Array, mask: Uint8Array = DEFAULT_MASK): Uint8Array {
  const first = frame[0] ?? 0;
  const length7 = (frame[1] ?? 0) & 0x7f;
  const lengthBytes = length7 === 127 ? 8 : length7 === 126 ? 2 : 0;
  const payload = frame.subarray(2 + lengthBytes);
  return encodeClientFrame(first & 0x0f, payload, {
    fin: (first & 0x80) !== 0,
    rsv: first & 0x70,
    mask,
    lengthBits: lengthBytes === 0 ? 7 : lengthBytes === 2 ? 16 : 64,
  });
}

/** All bytes of several frames in one buffer, as one read might return them. */
export function concatBytes(parts: readonly Uint8Array[]): Uint8Array {
  const total = parts.reduce((sum, part) => sum + part.length, 0);
  const out = new Uint8Array(total);
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

/** Payloads longer than this are compared by length and digest (see {@linkcode comparable}). */
const SHOWN_BYTES = 64;

/**
 * Events with long payloads replaced by their length and SHA-256, for `assert.deepEqual`: node's
 * assert takes minutes to print the difference between two 64 KiB arrays.
 */
export function comparable(events: readonly WebSocketEvent[]): unknown[] {
  return events.map((event) => {
    if (!("data" in event) || event.data.length <= SHOWN_BYTES) return event;
    const digest = createHash("sha256").update(event.data).digest("hex");
    return { ...event, data: `${event.data.length} bytes, sha256 ${digest}` };
  });
}
