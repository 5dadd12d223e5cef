/**
 * Property-based tests of WebSocketDecoder (src/carrier/websocket_frame.ts) with fast-check:
 * messages cut into fragments, with control frames between them, masked with any key and written
 * with any legal length encoding, come back the same whatever chunks the stream arrives in; the
 * size limit is enforced at the first header that passes it; and any bytes at all give the same
 * events however they are cut. Failures print fast-check's seed and counterexample.
 */
import assert from "node:assert/strict";
import fc from "fast-check";
import { OPCODE, WebSocketDecoder, type WebSocketEvent } from "../src/carrier/websocket_frame.ts";
import { comparable, concatBytes, encodeClientFrame } from "./websocket_client_frame.ts";

type LengthBits = 7 | 16 | 64;

interface ControlInput {
  opcode: typeof OPCODE.ping | typeof OPCODE.pong;
  data: Uint8Array;
  mask: Uint8Array;
}

interface MessageInput {
  kind: "text" | "binary";
  text: string;
  data: Uint8Array;
  /** Where the payload is cut into fragments (taken modulo its length + 1). */
  cuts: number[];
  /** Control frames after each fragment but the last (cycled through). */
  controls: ControlInput[];
  masks: Uint8Array[];
  lengthBits: LengthBits[];
}

/** Keeps a leading U+FEFF, as the decoder does (it is text, not a marker, in a message). */
const UTF8 = new TextDecoder("utf-8", { ignoreBOM: true });

const mask = fc.uint8Array({ minLength: 4, maxLength: 4 });

const control: fc.Arbitrary<ControlInput> = fc.record({
  opcode: fc.constantFrom(OPCODE.ping, OPCODE.pong),
  data: fc.uint8Array({ maxLength: 125 }),
  mask,
});

const message: fc.Arbitrary<MessageInput> = fc.record({
  kind: fc.constantFrom<"text" | "binary">("text", "binary"),
  // Any code points, lone surrogates included (sent as U+FFFD, as TextEncoder does).
  text: fc.string({ unit: "binary", maxLength: 80 }),
  data: fc.oneof(
    { weight: 4, arbitrary: fc.uint8Array({ maxLength: 200 }) },
    { weight: 1, arbitrary: fc.uint8Array({ minLength: 120, maxLength: 700 }) },
  ),
  cuts: fc.array(fc.nat(), { maxLength: 4 }),
  controls: fc.array(control, { maxLength: 3 }),
  masks: fc.array(mask, { minLength: 1, maxLength: 3 }),
  lengthBits: fc.array(fc.constantFrom<LengthBits>(7, 16, 64), { minLength: 1, maxLength: 3 }),
});

function payloadOf(input: MessageInput): Uint8Array {
  return input.kind === "text" ? new TextEncoder().encode(input.text) : input.data;
}

function fragmentsOf(input: MessageInput): Uint8Array[] {
  const payload = payloadOf(input);
  const points = [...new Set(input.cuts.map((cut) => cut % (payload.length + 1)))].sort((a, b) =>
    a - b
  );
  const fragments: Uint8Array[] = [];
  let start = 0;
  for (const point of [...points, payload.length]) {
    fragments.push(payload.subarray(start, point));
    start = point;
  }
  return fragments;
}

/** The shortest length encoding that fits, or the one asked for if it is longer. */
function lengthBitsFor(length: number, asked: LengthBits): LengthBits {
  const least: LengthBits = length < 126 ? 7 : length <= 0xffff ? 16 : 64;
  return asked < least ? least : asked;
}

/** The client's bytes for the messages, and the events a decoder must make of them. */
function plan(
  messages: MessageInput[],
  maxMessageBytes: number,
): { bytes: Uint8Array; events: WebSocketEvent[] } {
  const frames: Uint8Array[] = [];
  const events: WebSocketEvent[] = [];
  for (const input of messages) {
    const fragments = fragmentsOf(input);
    let size = 0;
    for (const [i, fragment] of fragments.entries()) {
      const last = i === fragments.length - 1;
      const opcode = i > 0
        ? OPCODE.continuation
        : input.kind === "text"
        ? OPCODE.text
        : OPCODE.binary;
      frames.push(encodeClientFrame(opcode, fragment, {
        fin: last,
        mask: input.masks[i % input.masks.length] ?? null,
        lengthBits: lengthBitsFor(
          fragment.length,
          input.lengthBits[i % input.lengthBits.length] ?? 7,
        ),
      }));
      size += fragment.length;
      if (size > maxMessageBytes) {
        events.push({ type: "error", code: 1009, reason: `Message over ${maxMessageBytes} bytes` });
        return { bytes: concatBytes(frames), events };
      }
      if (last) {
        events.push(
          input.kind === "text"
            ? { type: "text", text: UTF8.decode(payloadOf(input)) }
            : { type: "binary", data: input.data },
        );
      } else if (input.controls.length > 0) {
        const between = input.controls[i % input.controls.length] as ControlInput;
        frames.push(encodeClientFrame(between.opcode, between.data, { mask: between.mask }));
        events.push({ type: between.opcode === OPCODE.ping ? "ping" : "pong", data: between.data });
      }
    }
  }
  return { bytes: concatBytes(frames), events };
}

/** The stream cut at the given points (taken modulo its length). */
function chunksOf(bytes: Uint8Array, cuts: number[]): Uint8Array[] {
  const points = [...new Set(cuts.map((cut) => cut % (bytes.length + 1)))].sort((a, b) => a - b);
  const chunks: Uint8Array[] = [];
  let start = 0;
  for (const point of [...points, bytes.length]) {
    chunks.push(bytes.slice(start, point));
    start = point;
  }
  return chunks;
}

/** The events of the chunks pushed in order, long payloads digested (see `comparable`). */
function decodeAll(chunks: Uint8Array[], maxMessageBytes: number): unknown[] {
  const decoder = new WebSocketDecoder({ maxMessageBytes });
  return comparable(chunks.flatMap((chunk) => decoder.push(chunk)));
}

Deno.test("WebSocketDecoder.push() gives back masked, fragmented messages in any chunks", () => {
  fc.assert(
    fc.property(
      fc.array(message, { maxLength: 6 }),
      fc.array(fc.nat(), { maxLength: 40 }),
      (messages, cuts) => {
        const { bytes, events } = plan(messages, Number.MAX_SAFE_INTEGER);
        assert.deepEqual(
          decodeAll(chunksOf(bytes, cuts), Number.MAX_SAFE_INTEGER),
          comparable(events),
        );
      },
    ),
  );
});

Deno.test("WebSocketDecoder.push() gives back messages fed one byte at a time", () => {
  fc.assert(
    fc.property(fc.array(message, { maxLength: 3 }), (messages) => {
      const { bytes, events } = plan(messages, Number.MAX_SAFE_INTEGER);
      const chunks = Array.from(bytes, (byte) => Uint8Array.of(byte));
      assert.deepEqual(decodeAll(chunks, Number.MAX_SAFE_INTEGER), comparable(events));
    }),
    { numRuns: 50 },
  );
});

Deno.test("WebSocketDecoder.push() refuses the first fragment that takes a message over the limit", () => {
  fc.assert(
    fc.property(
      fc.array(message, { minLength: 1, maxLength: 5 }),
      fc.integer({ min: 0, max: 400 }),
      fc.array(fc.nat(), { maxLength: 20 }),
      (messages, maxMessageBytes, cuts) => {
        const { bytes, events } = plan(messages, maxMessageBytes);
        assert.deepEqual(decodeAll(chunksOf(bytes, cuts), maxMessageBytes), comparable(events));
      },
    ),
  );
});

/** Bytes that are often nearly frames: valid frames, some bytes flipped, some noise. */
const hostileStream = fc.tuple(
  fc.array(message, { maxLength: 3 }),
  fc.array(fc.record({ at: fc.nat(), xor: fc.integer({ min: 1, max: 255 }) }), { maxLength: 3 }),
  fc.uint8Array({ maxLength: 20 }),
).map(([messages, flips, noise]) => {
  const bytes = concatBytes([plan(messages, Number.MAX_SAFE_INTEGER).bytes, noise]);
  for (const flip of flips) {
    if (bytes.length > 0) {
      const at = flip.at % bytes.length;
      bytes[at] = (bytes[at] ?? 0) ^ flip.xor;
    }
  }
  return bytes;
});

Deno.test("WebSocketDecoder.push() makes the same events of any bytes however they are cut", () => {
  fc.assert(
    fc.property(
      hostileStream,
      fc.array(fc.nat(), { maxLength: 30 }),
      fc.integer({ min: 0, max: 1000 }),
      (bytes, cuts, maxMessageBytes) => {
        const whole = decodeAll([bytes], maxMessageBytes);
        assert.deepEqual(decodeAll(chunksOf(bytes, cuts), maxMessageBytes), whole);
        // An error or a close, if any, is the last event.
        const end = (whole as WebSocketEvent[]).findIndex((event) =>
          event.type === "error" || event.type === "close"
        );
        assert.ok(end === -1 || end === whole.length - 1, JSON.stringify(whole));
      },
    ),
  );
});
