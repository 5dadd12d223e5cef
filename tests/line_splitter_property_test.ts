/**
 * Property-based tests of LineSplitter (src/line_splitter.ts) with fast-check: any stream of
 * lines, cut into any chunks, comes out as the same lines, the oversized ones as `null` once each,
 * with never more than cap + 1 bytes held. Failures print fast-check's seed and counterexample.
 */
import assert from "node:assert/strict";
import fc from "fast-check";
import { LineSplitter } from "../src/line_splitter.ts";

const LF = 0x0a;
const CR = 0x0d;

/** A line's bytes (anything but LF, CR often) and how it ends. */
interface LineInput {
  bytes: number[];
  end: "LF" | "CRLF";
}

interface StreamInput {
  cap: number;
  lines: LineInput[];
  /** A last line without a line end, if any. */
  tail: number[];
  /** Where the stream is cut into chunks (taken modulo its length). */
  cuts: number[];
}

const lineByte = fc.oneof(
  { weight: 1, arbitrary: fc.constant(CR) },
  { weight: 4, arbitrary: fc.integer({ min: 0, max: 255 }).filter((byte) => byte !== LF) },
);

/** Streams whose lines are short, around the cap, or well over it. */
const streamInput: fc.Arbitrary<StreamInput> = fc.integer({ min: 0, max: 12 }).chain((cap) =>
  fc.record({
    cap: fc.constant(cap),
    lines: fc.array(
      fc.record({
        bytes: fc.array(lineByte, { maxLength: 2 * cap + 3 }),
        end: fc.constantFrom<"LF" | "CRLF">("LF", "CRLF"),
      }),
      { maxLength: 8 },
    ),
    tail: fc.array(lineByte, { maxLength: 2 * cap + 3 }),
    cuts: fc.array(fc.nat(), { maxLength: 16 }),
  })
);

function streamOf(input: StreamInput): Uint8Array {
  const bytes: number[] = [];
  for (const line of input.lines) {
    bytes.push(...line.bytes);
    if (line.end === "CRLF") bytes.push(CR);
    bytes.push(LF);
  }
  bytes.push(...input.tail);
  return Uint8Array.from(bytes);
}

function withoutFinalCr(bytes: number[]): number[] {
  return bytes.at(-1) === CR ? bytes.slice(0, -1) : bytes;
}

/**
 * The lines the splitter must give, as the docs describe it: one per line end, one CR before LF
 * dropped, anything over the cap as `null`; then the unfinished tail, if any. The tail is reported
 * as `null` when it went over the cap while arriving (one spare byte is allowed for a final CR).
 */
function expectedLines(input: StreamInput): (number[] | null)[] {
  const out: (number[] | null)[] = [];
  for (const line of input.lines) {
    const content = line.end === "CRLF" ? line.bytes : withoutFinalCr(line.bytes);
    out.push(content.length > input.cap ? null : content);
  }
  const { tail, cap } = input;
  if (tail.length > cap + 1 || (tail.length === cap + 1 && tail.at(-1) !== CR)) {
    out.push(null);
  } else if (tail.length > 0) {
    out.push(withoutFinalCr(tail));
  }
  return out;
}

/** The stream cut at the given points (some chunks may be empty). */
function chunksOf(stream: Uint8Array, cuts: number[]): Uint8Array[] {
  const points = cuts.map((cut) => cut % (stream.length + 1)).sort((a, b) => a - b);
  const chunks: Uint8Array[] = [];
  let start = 0;
  for (const point of [...points, stream.length]) {
    chunks.push(stream.slice(start, point));
    start = point;
  }
  return chunks;
}

/**
 * Feeds the chunks, checking after each push that no more than cap + 1 bytes are held, and
 * scribbling over each chunk once pushed (a caller may reuse its read buffer). Returns every
 * line given, `end()`'s included.
 */
function split(splitter: LineSplitter, cap: number, chunks: Uint8Array[]): (number[] | null)[] {
  const given: (Uint8Array | null)[] = [];
  for (const chunk of chunks) {
    given.push(...splitter.push(chunk));
    assert.ok(
      splitter.bufferedBytes <= cap + 1,
      `bufferedBytes ${splitter.bufferedBytes} over cap ${cap} + 1`,
    );
    chunk.fill(LF);
  }
  const last = splitter.end();
  if (last !== undefined) given.push(last);
  assert.equal(splitter.bufferedBytes, 0, "end() resets");
  assert.equal(splitter.discardedBytes, 0, "end() resets");
  return given.map((line) => line === null ? null : [...line]);
}

Deno.test("LineSplitter gives back exactly the lines sent, however the stream is chunked", () => {
  fc.assert(
    fc.property(streamInput, (input) => {
      const stream = streamOf(input);
      const splitter = new LineSplitter({ maxLineBytes: input.cap });
      const lines = split(splitter, input.cap, chunksOf(stream, input.cuts));
      assert.deepEqual(lines, expectedLines(input));
    }),
    { numRuns: 300 },
  );
});

Deno.test("LineSplitter gives the same lines for any chunking as for one chunk or single bytes", () => {
  fc.assert(
    fc.property(streamInput, (input) => {
      const stream = streamOf(input);
      const run = (chunks: Uint8Array[]) =>
        split(new LineSplitter({ maxLineBytes: input.cap }), input.cap, chunks);
      const whole = run([stream.slice()]);
      const bytes = run([...stream].map((byte) => Uint8Array.of(byte)));
      const chunked = run(chunksOf(stream, input.cuts));
      assert.deepEqual(chunked, whole);
      assert.deepEqual(bytes, whole);
    }),
    { numRuns: 200 },
  );
});

Deno.test("LineSplitter.end() resets: a second stream splits as on a fresh splitter", () => {
  fc.assert(
    fc.property(streamInput, fc.array(fc.nat(), { maxLength: 8 }), (input, cuts) => {
      const second: StreamInput = { ...input, cuts };
      const reused = new LineSplitter({ maxLineBytes: input.cap });
      split(reused, input.cap, chunksOf(streamOf(input), input.cuts));
      const again = split(reused, input.cap, chunksOf(streamOf(second), cuts));
      assert.deepEqual(again, expectedLines(second));
    }),
    { numRuns: 150 },
  );
});

Deno.test("LineSplitter holds at most cap + 1 bytes of a long line without a line end", () => {
  fc.assert(
    fc.property(
      fc.integer({ min: 0, max: 64 }),
      fc.array(fc.integer({ min: 1, max: 40 }), { minLength: 1, maxLength: 30 }),
      fc.boolean(),
      (cap, sizes, crlf) => {
        const splitter = new LineSplitter({ maxLineBytes: cap });
        const given: (Uint8Array | null)[] = [];
        let sent = 0;
        for (const size of sizes) {
          given.push(...splitter.push(new Uint8Array(size).fill(0x61)));
          sent += size;
          assert.ok(splitter.bufferedBytes <= cap + 1);
          assert.equal(
            splitter.bufferedBytes + splitter.discardedBytes,
            sent,
            "every byte is held or counted as discarded",
          );
        }
        given.push(...splitter.push(Uint8Array.from(crlf ? [CR, LF, 0x62, LF] : [LF, 0x62, LF])));
        const expected = sent > cap ? [null] : [[...new Uint8Array(sent).fill(0x61)]];
        assert.deepEqual(given.map((line) => line === null ? null : [...line]), [
          ...expected,
          cap >= 1 ? [0x62] : null,
        ]);
      },
    ),
    { numRuns: 150 },
  );
});
