import assert from "node:assert/strict";
import {
  encodeClose,
  encodeFrame,
  encodeFrameHeader,
  encodePing,
  encodePong,
  encodeText,
  encodeTextLines,
  encodeTextMessages,
  isSendableCloseCode,
  OPCODE,
  WebSocketDecoder,
  type WebSocketEvent,
} from "../src/carrier/websocket_frame.ts";
import {
  comparable,
  concatBytes,
  encodeClientFrame,
  maskServerFrame,
} from "./websocket_client_frame.ts";

const encoder = new TextEncoder();
const HELLO = encoder.encode("Hello");
/** The mask key of the RFC 6455 section 5.7 examples. */
const RFC_MASK = Uint8Array.of(0x37, 0xfa, 0x21, 0x3d);

function decoder(maxMessageBytes = 1024 * 1024): WebSocketDecoder {
  return new WebSocketDecoder({ maxMessageBytes });
}

/** Every event from pushing the bytes one at a time. */
function pushByteByByte(target: WebSocketDecoder, input: Uint8Array): WebSocketEvent[] {
  const events: WebSocketEvent[] = [];
  for (let i = 0; i < input.length; i++) events.push(...target.push(input.subarray(i, i + 1)));
  return events;
}

function text(data: string, options: { fin?: boolean; mask?: Uint8Array } = {}): Uint8Array {
  return encodeClientFrame(OPCODE.text, encoder.encode(data), options);
}

function closePayload(code: number, reason: Uint8Array = new Uint8Array(0)): Uint8Array {
  return concatBytes([Uint8Array.of(code >> 8, code & 0xff), reason]);
}

function protocolError(events: WebSocketEvent[]): void {
  assert.equal(events.length, 1, JSON.stringify(events));
  assert.equal(events[0]?.type, "error");
  assert.equal((events[0] as { code: number }).code, 1002);
}

// ---- RFC 6455 section 5.7 examples ----------------------------------------------------------

Deno.test("WebSocketDecoder.push() decodes the RFC 6455 masked Hello", () => {
  const frame = Uint8Array.of(0x81, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f, 0x9f, 0x4d, 0x51, 0x58);
  assert.deepEqual(frame, text("Hello", { mask: RFC_MASK }));
  assert.deepEqual(decoder().push(frame), [{ type: "text", text: "Hello" }]);
});

Deno.test("WebSocketDecoder.push() refuses the RFC 6455 unmasked Hello with 1002", () => {
  const frame = Uint8Array.of(0x81, 0x05, 0x48, 0x65, 0x6c, 0x6c, 0x6f);
  assert.deepEqual(decoder().push(frame), [
    { type: "error", code: 1002, reason: "Client frame not masked" },
  ]);
});

Deno.test("encodeText() writes the RFC 6455 unmasked Hello", () => {
  assert.deepEqual(encodeText("Hello"), Uint8Array.of(0x81, 0x05, 0x48, 0x65, 0x6c, 0x6c, 0x6f));
});

Deno.test("encodeFrame() writes the RFC 6455 fragmented Hel + lo", () => {
  assert.deepEqual(
    encodeFrame(OPCODE.text, encoder.encode("Hel"), { fin: false }),
    Uint8Array.of(0x01, 0x03, 0x48, 0x65, 0x6c),
  );
  assert.deepEqual(
    encodeFrame(OPCODE.continuation, encoder.encode("lo")),
    Uint8Array.of(0x80, 0x02, 0x6c, 0x6f),
  );
});

Deno.test("WebSocketDecoder.push() reassembles the RFC 6455 fragmented Hel + lo", () => {
  const frames = concatBytes([
    maskServerFrame(Uint8Array.of(0x01, 0x03, 0x48, 0x65, 0x6c), RFC_MASK),
    maskServerFrame(Uint8Array.of(0x80, 0x02, 0x6c, 0x6f), RFC_MASK),
  ]);
  assert.deepEqual(decoder().push(frames), [{ type: "text", text: "Hello" }]);
});

Deno.test("encodePing() and encodePong() write the RFC 6455 ping and pong", () => {
  assert.deepEqual(encodePing(HELLO), Uint8Array.of(0x89, 0x05, 0x48, 0x65, 0x6c, 0x6c, 0x6f));
  assert.deepEqual(encodePong(HELLO), Uint8Array.of(0x8a, 0x05, 0x48, 0x65, 0x6c, 0x6c, 0x6f));
  assert.deepEqual(encodePing(), Uint8Array.of(0x89, 0x00));
});

Deno.test("WebSocketDecoder.push() decodes the RFC 6455 ping and masked pong", () => {
  const pong = Uint8Array.of(0x8a, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f, 0x9f, 0x4d, 0x51, 0x58);
  assert.deepEqual(decoder().push(pong), [{ type: "pong", data: HELLO }]);
  const ping = maskServerFrame(Uint8Array.of(0x89, 0x05, 0x48, 0x65, 0x6c, 0x6c, 0x6f), RFC_MASK);
  assert.deepEqual(decoder().push(ping), [{ type: "ping", data: HELLO }]);
});

Deno.test("encodeFrame() writes the RFC 6455 256-byte and 64 KiB binary headers", () => {
  const small = encodeFrame(OPCODE.binary, new Uint8Array(256).fill(7));
  assert.deepEqual(small.subarray(0, 4), Uint8Array.of(0x82, 0x7e, 0x01, 0x00));
  assert.equal(small.length, 4 + 256);
  const large = encodeFrame(OPCODE.binary, new Uint8Array(65536).fill(9));
  assert.deepEqual(
    large.subarray(0, 10),
    Uint8Array.of(0x82, 0x7f, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00),
  );
  assert.equal(large.length, 10 + 65536);
  assert.ok(large.subarray(10).every((byte) => byte === 9));
});

Deno.test("WebSocketDecoder.push() decodes the RFC 6455 256-byte and 64 KiB binary frames", () => {
  for (const size of [256, 65536]) {
    const payload = Uint8Array.from({ length: size }, (_, i) => (i * 31) & 0xff);
    const frame = maskServerFrame(encodeFrame(OPCODE.binary, payload), RFC_MASK);
    assert.equal(frame[1], size === 256 ? 0xfe : 0xff);
    assert.deepEqual(
      comparable(decoder().push(frame)),
      comparable([{ type: "binary", data: payload }]),
    );
  }
});

// ---- lengths --------------------------------------------------------------------------------

Deno.test("encodeFrameHeader() uses the shortest of the 7, 16 and 64-bit lengths", () => {
  assert.deepEqual(encodeFrameHeader(OPCODE.text, 0), Uint8Array.of(0x81, 0));
  assert.deepEqual(encodeFrameHeader(OPCODE.text, 125), Uint8Array.of(0x81, 125));
  assert.deepEqual(encodeFrameHeader(OPCODE.text, 126), Uint8Array.of(0x81, 126, 0, 126));
  assert.deepEqual(encodeFrameHeader(OPCODE.text, 65535), Uint8Array.of(0x81, 126, 0xff, 0xff));
  assert.deepEqual(
    encodeFrameHeader(OPCODE.binary, 65536, { fin: false }),
    Uint8Array.of(0x02, 127, 0, 0, 0, 0, 0, 1, 0, 0),
  );
  assert.deepEqual(
    encodeFrameHeader(OPCODE.binary, 2 ** 40 + 3),
    Uint8Array.of(0x82, 127, 0, 0, 1, 0, 0, 0, 0, 3),
  );
  assert.throws(() => encodeFrameHeader(OPCODE.binary, -1), TypeError);
  assert.throws(() => encodeFrameHeader(OPCODE.binary, 1.5), TypeError);
});

Deno.test("WebSocketDecoder.push() decodes 7, 16 and 64-bit lengths at their edges", () => {
  for (const size of [0, 1, 125, 126, 127, 65535, 65536, 70000]) {
    const payload = Uint8Array.from({ length: size }, (_, i) => i & 0xff);
    const frame = encodeClientFrame(OPCODE.binary, payload);
    assert.deepEqual(
      comparable(decoder().push(frame)),
      comparable([{ type: "binary", data: payload }]),
      `${size}`,
    );
  }
});

Deno.test("WebSocketDecoder.push() accepts lengths written longer than needed", () => {
  const target = decoder();
  assert.deepEqual(target.push(encodeClientFrame(OPCODE.text, HELLO, { lengthBits: 16 })), [
    { type: "text", text: "Hello" },
  ]);
  assert.deepEqual(target.push(encodeClientFrame(OPCODE.text, HELLO, { lengthBits: 64 })), [
    { type: "text", text: "Hello" },
  ]);
});

Deno.test("WebSocketDecoder.push() refuses a 64-bit length with the high bit set", () => {
  const header = Uint8Array.of(0x82, 0xff, 0x80, 0, 0, 0, 0, 0, 0, 5);
  const target = decoder(Number.MAX_SAFE_INTEGER);
  // Refused at the first length byte, before the rest of the header.
  assert.deepEqual(target.push(header.subarray(0, 2)), []);
  assert.deepEqual(target.push(header.subarray(2, 3)), [
    { type: "error", code: 1002, reason: "Payload length with the high bit set" },
  ]);
});

// ---- masking --------------------------------------------------------------------------------

Deno.test("WebSocketDecoder.push() unmasks with any mask key", () => {
  for (const mask of [[0, 0, 0, 0], [0xff, 0xff, 0xff, 0xff], [1, 2, 3, 4], [0x80, 0, 0x7f, 9]]) {
    const frame = text("caf\u00e9 \u2615 masked", { mask: Uint8Array.from(mask) });
    assert.deepEqual(decoder().push(frame), [{ type: "text", text: "caf\u00e9 \u2615 masked" }]);
  }
});

Deno.test("WebSocketDecoder.push() refuses unmasked frames of every kind with 1002", () => {
  for (const opcode of [OPCODE.text, OPCODE.binary, OPCODE.ping, OPCODE.close]) {
    protocolError(decoder().push(encodeClientFrame(opcode, HELLO, { mask: null })));
  }
});

Deno.test("WebSocketDecoder.push() hands out data the caller's buffer does not share", () => {
  const frame = encodeClientFrame(OPCODE.binary, HELLO);
  const ping = encodeClientFrame(OPCODE.ping, HELLO);
  const events = decoder().push(concatBytes([frame, ping]));
  frame.fill(0);
  ping.fill(0);
  assert.deepEqual(events, [{ type: "binary", data: HELLO }, { type: "ping", data: HELLO }]);
});

Deno.test("WebSocketDecoder.push() never reuses the buffer of a binary message it handed out", () => {
  const target = decoder();
  const [first] = target.push(encodeClientFrame(OPCODE.binary, Uint8Array.of(1, 2, 3)));
  target.push(text("abc"));
  target.push(encodeClientFrame(OPCODE.binary, Uint8Array.of(7, 8, 9)));
  assert.deepEqual(first, { type: "binary", data: Uint8Array.of(1, 2, 3) });
});

// ---- fragments and control frames ----------------------------------------------------------

Deno.test("WebSocketDecoder.push() reassembles fragments", () => {
  const frames = concatBytes([
    encodeClientFrame(OPCODE.binary, Uint8Array.of(1, 2), { fin: false }),
    encodeClientFrame(OPCODE.continuation, new Uint8Array(0), { fin: false }),
    encodeClientFrame(OPCODE.continuation, Uint8Array.of(3), { fin: false, mask: RFC_MASK }),
    encodeClientFrame(OPCODE.continuation, Uint8Array.of(4, 5, 6)),
  ]);
  assert.deepEqual(decoder().push(frames), [{
    type: "binary",
    data: Uint8Array.of(1, 2, 3, 4, 5, 6),
  }]);
});

Deno.test("WebSocketDecoder.push() accepts control frames between fragments", () => {
  const frames = concatBytes([
    text("one ", { fin: false }),
    encodeClientFrame(OPCODE.ping, encoder.encode("p1")),
    encodeClientFrame(OPCODE.continuation, encoder.encode("two "), { fin: false }),
    encodeClientFrame(OPCODE.pong, new Uint8Array(0)),
    encodeClientFrame(OPCODE.ping, new Uint8Array(0)),
    encodeClientFrame(OPCODE.continuation, encoder.encode("three")),
    text("next"),
  ]);
  const expected: WebSocketEvent[] = [
    { type: "ping", data: encoder.encode("p1") },
    { type: "pong", data: new Uint8Array(0) },
    { type: "ping", data: new Uint8Array(0) },
    { type: "text", text: "one two three" },
    { type: "text", text: "next" },
  ];
  assert.deepEqual(decoder().push(frames), expected);
  assert.deepEqual(pushByteByByte(decoder(), frames), expected);
});

Deno.test("WebSocketDecoder.push() accepts a close between fragments and stops there", () => {
  const frames = concatBytes([
    text("half", { fin: false }),
    encodeClientFrame(OPCODE.close, closePayload(1001)),
    encodeClientFrame(OPCODE.continuation, encoder.encode(" more")),
  ]);
  assert.deepEqual(decoder().push(frames), [{ type: "close", code: 1001, reason: "" }]);
});

Deno.test("WebSocketDecoder.push() refuses a continuation without a started message", () => {
  protocolError(decoder().push(encodeClientFrame(OPCODE.continuation, HELLO)));
  const target = decoder();
  assert.equal(target.push(text("done")).length, 1);
  protocolError(target.push(encodeClientFrame(OPCODE.continuation, HELLO)));
});

Deno.test("WebSocketDecoder.push() refuses a new message while one is fragmented", () => {
  for (const opcode of [OPCODE.text, OPCODE.binary]) {
    const target = decoder();
    assert.deepEqual(target.push(text("a", { fin: false })), []);
    protocolError(target.push(encodeClientFrame(opcode, HELLO)));
  }
});

Deno.test("WebSocketDecoder.push() refuses fragmented or long control frames", () => {
  for (const opcode of [OPCODE.ping, OPCODE.pong, OPCODE.close]) {
    protocolError(decoder().push(encodeClientFrame(opcode, new Uint8Array(0), { fin: false })));
    protocolError(decoder().push(encodeClientFrame(opcode, new Uint8Array(126))));
    // 125 bytes in a 16-bit length is still over the 7-bit form control frames must use.
    protocolError(decoder().push(encodeClientFrame(opcode, new Uint8Array(5), { lengthBits: 16 })));
  }
  assert.deepEqual(decoder().push(encodeClientFrame(OPCODE.ping, new Uint8Array(125))), [
    { type: "ping", data: new Uint8Array(125) },
  ]);
});

Deno.test("WebSocketDecoder.push() refuses RSV bits and unknown opcodes with 1002", () => {
  for (const rsv of [0x40, 0x20, 0x10, 0x70]) {
    protocolError(decoder().push(encodeClientFrame(OPCODE.text, HELLO, { rsv })));
  }
  for (const opcode of [3, 4, 5, 6, 7, 0xb, 0xc, 0xd, 0xe, 0xf]) {
    const events = decoder().push(encodeClientFrame(opcode, new Uint8Array(0)));
    protocolError(events);
    assert.equal((events[0] as { reason: string }).reason, `Unknown opcode: ${opcode}`);
  }
});

Deno.test("WebSocketDecoder.push() refuses a bad first byte before the rest arrives", () => {
  assert.deepEqual(decoder().push(Uint8Array.of(0xc1)), [
    { type: "error", code: 1002, reason: "Reserved bits set without an extension" },
  ]);
});

// ---- close payloads -------------------------------------------------------------------------

Deno.test("WebSocketDecoder.push() decodes close payloads", () => {
  assert.deepEqual(decoder().push(encodeClientFrame(OPCODE.close, new Uint8Array(0))), [
    { type: "close", reason: "" },
  ]);
  assert.deepEqual(
    decoder().push(
      encodeClientFrame(OPCODE.close, closePayload(1000, encoder.encode("bye \u2615"))),
    ),
    [{ type: "close", code: 1000, reason: "bye \u2615" }],
  );
  for (
    const code of [1000, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011, 1012, 1014, 3000, 4999]
  ) {
    assert.deepEqual(decoder().push(encodeClientFrame(OPCODE.close, closePayload(code))), [
      { type: "close", code, reason: "" },
    ]);
  }
});

Deno.test("WebSocketDecoder.push() refuses a 1-byte close payload and codes not for the wire", () => {
  protocolError(decoder().push(encodeClientFrame(OPCODE.close, Uint8Array.of(3))));
  for (const code of [0, 999, 1004, 1005, 1006, 1015, 1016, 1100, 2000, 2999, 5000, 65535]) {
    const events = decoder().push(encodeClientFrame(OPCODE.close, closePayload(code)));
    protocolError(events);
    assert.equal((events[0] as { reason: string }).reason, `Invalid close code: ${code}`);
  }
});

Deno.test("WebSocketDecoder.push() refuses a close reason that is not UTF-8 with 1007", () => {
  for (const reason of [[0xff], [0xc3], [0xed, 0xa0, 0x80], [0x61, 0xe2, 0x82]]) {
    const frame = encodeClientFrame(OPCODE.close, closePayload(1000, Uint8Array.from(reason)));
    assert.deepEqual(decoder().push(frame), [
      { type: "error", code: 1007, reason: "Invalid UTF-8 in close reason" },
    ]);
  }
});

Deno.test("WebSocketDecoder.push() produces nothing after a close", () => {
  const target = decoder();
  const events = target.push(
    concatBytes([encodeClientFrame(OPCODE.close, closePayload(1000)), text("late")]),
  );
  assert.deepEqual(events, [{ type: "close", code: 1000, reason: "" }]);
  assert.deepEqual(target.push(text("later")), []);
});

// ---- UTF-8 ----------------------------------------------------------------------------------

Deno.test("WebSocketDecoder.push() refuses invalid UTF-8 text with 1007", () => {
  const invalid = [[0xff], [0xc0, 0x80], [0xed, 0xa0, 0x80], [0xf4, 0x90, 0x80, 0x80], [
    0x61,
    0xe2,
  ]];
  for (const bytes of invalid) {
    const events = decoder().push(encodeClientFrame(OPCODE.text, Uint8Array.from(bytes)));
    assert.deepEqual(events, [{
      type: "error",
      code: 1007,
      reason: "Invalid UTF-8 in text message",
    }]);
  }
});

Deno.test("WebSocketDecoder.push() refuses invalid UTF-8 split across fragments", () => {
  // A 3-byte sequence cut short by the end of the message, and one broken across fragments.
  for (const [first, second] of [[[0x61, 0xe2], [0x82]], [[0xe2, 0x82], [0x61]]]) {
    const frames = concatBytes([
      encodeClientFrame(OPCODE.text, Uint8Array.from(first ?? []), { fin: false }),
      encodeClientFrame(OPCODE.continuation, Uint8Array.from(second ?? [])),
    ]);
    assert.deepEqual(decoder().push(frames), [
      { type: "error", code: 1007, reason: "Invalid UTF-8 in text message" },
    ]);
  }
});

Deno.test("WebSocketDecoder.push() accepts a multi-byte character split across fragments", () => {
  const whole = encoder.encode("a\u20ac\u{1f600}b");
  for (let cut = 0; cut <= whole.length; cut++) {
    for (let second = cut; second <= whole.length; second++) {
      const frames = concatBytes([
        encodeClientFrame(OPCODE.text, whole.subarray(0, cut), { fin: false }),
        encodeClientFrame(OPCODE.continuation, whole.subarray(cut, second), { fin: false }),
        encodeClientFrame(OPCODE.continuation, whole.subarray(second)),
      ]);
      assert.deepEqual(decoder().push(frames), [{ type: "text", text: "a\u20ac\u{1f600}b" }]);
    }
  }
});

Deno.test("WebSocketDecoder.push() keeps a byte order mark at the start of a text message", () => {
  assert.deepEqual(decoder().push(text("\ufeffhi")), [{ type: "text", text: "\ufeffhi" }]);
});

// ---- size limit -----------------------------------------------------------------------------

Deno.test("WebSocketDecoder.push() refuses a header announcing too much with 1009 at once", () => {
  const target = decoder(1000);
  // Only the 4-byte header (no mask key, no payload yet): 1001 bytes announced.
  assert.deepEqual(target.push(Uint8Array.of(0x82, 0xfe, 0x03, 0xe9)), [
    { type: "error", code: 1009, reason: "Message over 1000 bytes" },
  ]);
  assert.deepEqual(target.push(new Uint8Array(2000)), []);
  // An 8 EiB announcement is refused the same way, nothing allocated.
  assert.deepEqual(
    decoder(1000).push(Uint8Array.of(0x82, 0xff, 0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff)),
    [
      { type: "error", code: 1009, reason: "Message over 1000 bytes" },
    ],
  );
});

Deno.test("WebSocketDecoder.push() counts the limit over all fragments of a message", () => {
  const target = decoder(10);
  assert.deepEqual(target.push(text("123456", { fin: false })), []);
  assert.deepEqual(
    target.push(encodeClientFrame(OPCODE.continuation, encoder.encode("7890"), { fin: false })),
    [],
  );
  // Control frames do not count towards the message.
  assert.deepEqual(target.push(encodeClientFrame(OPCODE.ping, new Uint8Array(100))).length, 1);
  assert.deepEqual(target.push(Uint8Array.of(0x80, 0x81)), [
    { type: "error", code: 1009, reason: "Message over 10 bytes" },
  ]);
  const exact = decoder(10);
  assert.deepEqual(exact.push(text("1234567890")), [{ type: "text", text: "1234567890" }]);
  assert.deepEqual(exact.push(text("12345678901")), [
    { type: "error", code: 1009, reason: "Message over 10 bytes" },
  ]);
});

Deno.test("WebSocketDecoder refuses a bad maxMessageBytes with a TypeError", () => {
  for (const maxMessageBytes of [-1, 1.5, NaN, Infinity]) {
    assert.throws(() => new WebSocketDecoder({ maxMessageBytes }), TypeError);
  }
  assert.deepEqual(new WebSocketDecoder().push(text("default")), [{
    type: "text",
    text: "default",
  }]);
});

// ---- chunking -------------------------------------------------------------------------------

Deno.test("WebSocketDecoder.push() decodes frames fed one byte at a time", () => {
  const frames = concatBytes([
    text("caf\u00e9", { mask: RFC_MASK }),
    encodeClientFrame(OPCODE.binary, new Uint8Array(300).fill(5), { fin: false }),
    encodeClientFrame(OPCODE.ping, encoder.encode("x")),
    encodeClientFrame(OPCODE.continuation, new Uint8Array(70000).fill(6)),
    text(""),
    encodeClientFrame(OPCODE.close, closePayload(1000, encoder.encode("bye"))),
  ]);
  const expected: WebSocketEvent[] = [
    { type: "text", text: "caf\u00e9" },
    { type: "ping", data: encoder.encode("x") },
    {
      type: "binary",
      data: concatBytes([new Uint8Array(300).fill(5), new Uint8Array(70000).fill(6)]),
    },
    { type: "text", text: "" },
    { type: "close", code: 1000, reason: "bye" },
  ];
  assert.deepEqual(comparable(pushByteByByte(decoder(), frames)), comparable(expected));
  assert.deepEqual(comparable(decoder().push(frames)), comparable(expected));
});

Deno.test("WebSocketDecoder.push() decodes many frames from one push", () => {
  const lines = Array.from({ length: 500 }, (_, i) => `line ${i}`);
  const frames = concatBytes(lines.map((line) => text(line)));
  assert.deepEqual(decoder().push(frames), lines.map((line) => ({ type: "text", text: line })));
});

Deno.test("WebSocketDecoder.push() produces nothing after an error", () => {
  const target = decoder();
  const events = target.push(concatBytes([text("ok"), Uint8Array.of(0x81, 0x05), text("after")]));
  assert.deepEqual(events, [
    { type: "text", text: "ok" },
    { type: "error", code: 1002, reason: "Client frame not masked" },
  ]);
  assert.deepEqual(target.push(text("later")), []);
});

// ---- encoders -------------------------------------------------------------------------------

Deno.test("encodeTextMessages() sends each line as a text frame of its own, without line ends", () => {
  assert.deepEqual(
    encodeTextMessages(new TextEncoder().encode("PING x\r\nPONG y\n\r\n")),
    concatBytes([encodeText("PING x"), encodeText("PONG y"), encodeText("")]),
  );
  assert.throws(() => encodeTextMessages(new TextEncoder().encode("no end")), TypeError);
});

Deno.test("encodeTextLines() wraps coalesced lines in one text frame without re-encoding", () => {
  const chunk = encoder.encode('{"type":"say","text":"caf\u00e9"}\n{"type":"ping"}\n');
  const frame = encodeTextLines(chunk);
  assert.deepEqual(frame.subarray(0, 2), Uint8Array.of(0x81, chunk.length));
  assert.deepEqual(frame.subarray(2), chunk);
  const large = encoder.encode("x".repeat(1000) + "\n");
  assert.deepEqual(encodeTextLines(large).subarray(0, 4), Uint8Array.of(0x81, 126, 0x03, 0xe9));
  assert.deepEqual(decoder().push(maskServerFrame(frame)), [{
    type: "text",
    text: new TextDecoder().decode(chunk),
  }]);
});

Deno.test("encodeTextLines() refuses a chunk that does not end in a line end", () => {
  assert.throws(() => encodeTextLines(new Uint8Array(0)), TypeError);
  assert.throws(() => encodeTextLines(encoder.encode("a\nb")), TypeError);
});

Deno.test("encodeClose() writes a code and a reason, or nothing", () => {
  assert.deepEqual(encodeClose(1000, "bye"), Uint8Array.of(0x88, 5, 0x03, 0xe8, 0x62, 0x79, 0x65));
  assert.deepEqual(encodeClose(4000), Uint8Array.of(0x88, 2, 0x0f, 0xa0));
  assert.deepEqual(encodeClose(), Uint8Array.of(0x88, 0));
  assert.deepEqual(decoder().push(maskServerFrame(encodeClose(1001, "going"))), [
    { type: "close", code: 1001, reason: "going" },
  ]);
});

Deno.test("encodeClose() cuts a long reason at a character boundary", () => {
  const ascii = encodeClose(1000, "a".repeat(200));
  assert.equal(ascii.length, 2 + 125);
  // 2-byte characters: 61 fit in 123 bytes, the 62nd would be cut in half.
  const accented = encodeClose(1008, "\u00e9".repeat(70));
  assert.equal(accented[1], 2 + 122);
  assert.deepEqual(decoder().push(maskServerFrame(accented)), [
    { type: "close", code: 1008, reason: "\u00e9".repeat(61) },
  ]);
  // 4-byte characters after one ASCII byte: 30 fit (121 bytes).
  const emoji = encodeClose(1000, "a" + "\u{1f600}".repeat(40));
  assert.equal(emoji[1], 2 + 121);
  assert.equal(encodeClose(1000, "\u00e9".repeat(61))[1], 2 + 122);
});

Deno.test("encodeClose() refuses codes that must not be sent with a TypeError", () => {
  for (const code of [999, 1004, 1005, 1006, 1015, 2000, 5000, 1000.5]) {
    assert.throws(() => encodeClose(code), TypeError);
  }
  assert.throws(() => encodeClose(undefined, "why"), TypeError);
});

Deno.test("isSendableCloseCode() follows RFC 6455 and the IANA registry", () => {
  const sendable = [
    1000,
    1001,
    1002,
    1003,
    1007,
    1008,
    1009,
    1010,
    1011,
    1012,
    1013,
    1014,
    3000,
    4999,
  ];
  const not = [0, 999, 1004, 1005, 1006, 1015, 1016, 2999, 5000];
  for (const code of sendable) assert.equal(isSendableCloseCode(code), true, `${code}`);
  for (const code of not) assert.equal(isSendableCloseCode(code), false, `${code}`);
});

Deno.test("encodeFrame() refuses control frames that are long or not final", () => {
  assert.throws(() => encodePing(new Uint8Array(126)), TypeError);
  assert.throws(() => encodePong(new Uint8Array(126)), TypeError);
  assert.throws(() => encodeFrame(OPCODE.ping, new Uint8Array(0), { fin: false }), TypeError);
  assert.throws(() => encodeFrame(3 as typeof OPCODE.text, new Uint8Array(0)), TypeError);
  assert.deepEqual(encodePong(new Uint8Array(125)).subarray(0, 2), Uint8Array.of(0x8a, 125));
});
