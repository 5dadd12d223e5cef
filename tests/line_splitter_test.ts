import assert from "node:assert/strict";
import { LineSplitter } from "../src/line_splitter.ts";

const encoder = new TextEncoder();
const decoder = new TextDecoder();

function bytes(text: string): Uint8Array {
  return encoder.encode(text);
}

/** Lines as strings, with `null` kept for oversized lines. */
function texts(lines: (Uint8Array | null)[]): (string | null)[] {
  return lines.map((line) => line === null ? null : decoder.decode(line));
}

function pushAll(splitter: LineSplitter, chunks: string[]): (string | null)[] {
  return chunks.flatMap((chunk) => texts(splitter.push(bytes(chunk))));
}

Deno.test("LineSplitter.push() splits LF-terminated lines", () => {
  const splitter = new LineSplitter({ maxLineBytes: 100 });
  assert.deepEqual(texts(splitter.push(bytes("hello\n"))), ["hello"]);
  assert.equal(splitter.bufferedBytes, 0);
});

Deno.test("LineSplitter.push() drops the CR of a CRLF line end", () => {
  const splitter = new LineSplitter({ maxLineBytes: 100 });
  assert.deepEqual(texts(splitter.push(bytes("hi\r\nthere\n"))), ["hi", "there"]);
});

Deno.test("LineSplitter.push() returns several lines from one chunk, in order", () => {
  const splitter = new LineSplitter({ maxLineBytes: 100 });
  assert.deepEqual(texts(splitter.push(bytes("a\nbb\r\nccc\nrest"))), ["a", "bb", "ccc"]);
  assert.equal(splitter.bufferedBytes, 4);
  assert.deepEqual(texts(splitter.push(bytes("\n"))), ["rest"]);
});

Deno.test("LineSplitter.push() joins a line split across chunks", () => {
  const splitter = new LineSplitter({ maxLineBytes: 100 });
  assert.deepEqual(pushAll(splitter, ["hel", "lo wo", "rld\r", "\n"]), ["hello world"]);
  assert.equal(splitter.bufferedBytes, 0);
});

Deno.test("LineSplitter.push() joins a line fed one byte at a time", () => {
  const splitter = new LineSplitter({ maxLineBytes: 100 });
  const input = bytes("caf\u00e9 \u2615\r\nnext\n");
  const out: (string | null)[] = [];
  for (const byte of input) out.push(...texts(splitter.push(Uint8Array.of(byte))));
  assert.deepEqual(out, ["caf\u00e9 \u2615", "next"]);
});

Deno.test("LineSplitter.push() keeps a lone CR inside a line", () => {
  const splitter = new LineSplitter({ maxLineBytes: 100 });
  assert.deepEqual(texts(splitter.push(bytes("a\rb\n\rc\n"))), ["a\rb", "\rc"]);
});

Deno.test("LineSplitter.push() returns empty lines for LF, CRLF and a split CRLF", () => {
  const splitter = new LineSplitter({ maxLineBytes: 100 });
  assert.deepEqual(pushAll(splitter, ["\n\r\n", "\r", "\n"]), ["", "", ""]);
});

Deno.test("LineSplitter.push() ignores an empty chunk", () => {
  const splitter = new LineSplitter({ maxLineBytes: 100 });
  assert.deepEqual(splitter.push(new Uint8Array(0)), []);
  assert.deepEqual(pushAll(splitter, ["ab", "", "\n"]), ["ab"]);
});

Deno.test("LineSplitter.push() keeps a line of exactly the cap, with LF or CRLF", () => {
  const splitter = new LineSplitter({ maxLineBytes: 8 });
  assert.deepEqual(texts(splitter.push(bytes("12345678\n"))), ["12345678"]);
  assert.deepEqual(texts(splitter.push(bytes("12345678\r\n"))), ["12345678"]);
});

Deno.test("LineSplitter.push() keeps a line of exactly the cap fed one byte at a time with CRLF", () => {
  const splitter = new LineSplitter({ maxLineBytes: 8 });
  const out: (string | null)[] = [];
  for (const byte of bytes("12345678\r\n")) out.push(...texts(splitter.push(Uint8Array.of(byte))));
  assert.deepEqual(out, ["12345678"]);
});

Deno.test("LineSplitter.push() reports a line of cap+1 bytes as null, with LF or CRLF", () => {
  const splitter = new LineSplitter({ maxLineBytes: 8 });
  assert.deepEqual(splitter.push(bytes("123456789\n")), [null]);
  assert.deepEqual(splitter.push(bytes("123456789\r\n")), [null]);
  assert.deepEqual(texts(splitter.push(bytes("ok\n"))), ["ok"]);
});

Deno.test("LineSplitter.push() reports an oversized line once, as soon as it passes the cap", () => {
  const splitter = new LineSplitter({ maxLineBytes: 8 });
  const results: (Uint8Array | null)[][] = [];
  for (const byte of bytes("x".repeat(20))) results.push(splitter.push(Uint8Array.of(byte)));
  // Bytes 1..8 fit; byte 9 passes the cap and is reported at once; the rest report nothing.
  assert.deepEqual(results.slice(0, 8), Array(8).fill([]));
  assert.deepEqual(results[8], [null]);
  assert.deepEqual(results.slice(9), Array(11).fill([]));
  assert.equal(splitter.bufferedBytes, 0);
  assert.equal(splitter.discardedBytes, 20);
});

Deno.test("LineSplitter.push() discards an oversized line up to its LF, then resumes", () => {
  const splitter = new LineSplitter({ maxLineBytes: 4 });
  assert.deepEqual(pushAll(splitter, ["abcdefgh", "ijk"]), [null]);
  assert.equal(splitter.discardedBytes, 11);
  assert.equal(splitter.bufferedBytes, 0);
  assert.deepEqual(pushAll(splitter, ["lm\nok\nfine"]), ["ok"]);
  assert.equal(splitter.discardedBytes, 0);
  assert.equal(splitter.bufferedBytes, 4);
  assert.deepEqual(pushAll(splitter, ["\n"]), ["fine"]);
});

Deno.test("LineSplitter.push() reports an oversized line inside one chunk between good lines", () => {
  const splitter = new LineSplitter({ maxLineBytes: 4 });
  assert.deepEqual(texts(splitter.push(bytes("one\ntoolong\ntwo\n"))), ["one", null, "two"]);
});

Deno.test("LineSplitter.push() reports a line that passes the cap only when its LF arrives", () => {
  const splitter = new LineSplitter({ maxLineBytes: 4 });
  assert.deepEqual(pushAll(splitter, ["abcd", "ef\n", "g\n"]), [null, "g"]);
});

Deno.test("LineSplitter.push() does not take a CR that is not last as the spare byte", () => {
  const splitter = new LineSplitter({ maxLineBytes: 4 });
  assert.deepEqual(pushAll(splitter, ["abcd\r", "x", "\n", "ok\n"]), [null, "ok"]);
});

Deno.test("LineSplitter.bufferedBytes stays within the cap while 10 MB arrive without a newline", () => {
  const max = 16 * 1024;
  const splitter = new LineSplitter({ maxLineBytes: max });
  const chunk = new Uint8Array(4000).fill(0x61);
  let nulls = 0;
  let highest = 0;
  for (let sent = 0; sent < 10 * 1024 * 1024; sent += chunk.length) {
    for (const line of splitter.push(chunk)) {
      assert.equal(line, null);
      nulls += 1;
    }
    highest = Math.max(highest, splitter.bufferedBytes);
  }
  assert.equal(nulls, 1);
  assert.ok(highest <= max, `buffered ${highest} bytes`);
  assert.equal(splitter.bufferedBytes, 0);
  assert.deepEqual(texts(splitter.push(bytes("\nnext\n"))), ["next"]);
});

Deno.test("LineSplitter.bufferedBytes never passes the cap when fed one byte at a time", () => {
  const splitter = new LineSplitter({ maxLineBytes: 16 });
  let highest = 0;
  for (let i = 0; i < 100; i++) {
    splitter.push(Uint8Array.of(0x61));
    highest = Math.max(highest, splitter.bufferedBytes);
  }
  assert.equal(highest, 16);
});

Deno.test("LineSplitter.end() returns the unfinished tail and resets", () => {
  const splitter = new LineSplitter({ maxLineBytes: 100 });
  assert.deepEqual(texts(splitter.push(bytes("done\npart"))), ["done"]);
  assert.deepEqual(pushAll(splitter, ["ial"]), []);
  const tail = splitter.end();
  assert.ok(tail !== undefined);
  assert.equal(decoder.decode(tail), "partial");
  assert.equal(splitter.bufferedBytes, 0);
  assert.equal(splitter.end(), undefined);
});

Deno.test("LineSplitter.end() returns undefined when nothing is pending", () => {
  const splitter = new LineSplitter({ maxLineBytes: 100 });
  assert.equal(splitter.end(), undefined);
  splitter.push(bytes("line\n"));
  assert.equal(splitter.end(), undefined);
});

Deno.test("LineSplitter.end() does not return an oversized tail already reported", () => {
  const splitter = new LineSplitter({ maxLineBytes: 4 });
  assert.deepEqual(splitter.push(bytes("abcdefg")), [null]);
  assert.equal(splitter.end(), undefined);
  assert.equal(splitter.discardedBytes, 0);
  assert.deepEqual(texts(splitter.push(bytes("ok\n"))), ["ok"]);
});

Deno.test("LineSplitter.push() copies its input: a reused chunk buffer does not corrupt lines", () => {
  const splitter = new LineSplitter({ maxLineBytes: 100 });
  const buffer = new Uint8Array(8);
  buffer.set(bytes("abc"));
  assert.deepEqual(splitter.push(buffer.subarray(0, 3)), []);
  buffer.fill(0x5a);
  buffer.set(bytes("def\nghi\n"));
  const lines = splitter.push(buffer);
  assert.deepEqual(texts(lines), ["abcdef", "ghi"]);
  buffer.fill(0x5a);
  assert.deepEqual(texts(lines), ["abcdef", "ghi"]);
});

Deno.test("LineSplitter.push() returns a line that is not a view of the caller's buffer", () => {
  const splitter = new LineSplitter({ maxLineBytes: 100 });
  const buffer = bytes("hello\n");
  const [line] = splitter.push(buffer);
  buffer.fill(0x5a);
  assert.ok(line !== null && line !== undefined);
  assert.equal(decoder.decode(line), "hello");
});
