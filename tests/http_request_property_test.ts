/**
 * Property-based tests of HttpRequestParser (src/carrier/http_request.ts) with fast-check: any
 * bytes give the same answer however they are cut into chunks, and any well-formed head, with
 * either line end and any optional whitespace, comes back as the request it describes.
 * Failures print fast-check's seed and counterexample.
 */
import assert from "node:assert/strict";
import fc from "fast-check";
import {
  type HttpHeadResult,
  HttpRequestParser,
  SINGLE_HEADERS,
} from "../src/carrier/http_request.ts";

const encoder = new TextEncoder();

/** The answer to the chunks pushed in order; `rest` includes the chunks after the last push. */
function parseChunks(chunks: Uint8Array[]): HttpHeadResult {
  const parser = new HttpRequestParser();
  for (const [i, chunk] of chunks.entries()) {
    const result = parser.push(chunk);
    if (result.kind === "more") continue;
    if (result.kind === "done") {
      const after = chunks.slice(i + 1);
      const rest = new Uint8Array(
        result.request.rest.length + after.reduce((sum, part) => sum + part.length, 0),
      );
      rest.set(result.request.rest);
      let offset = result.request.rest.length;
      for (const part of after) {
        rest.set(part, offset);
        offset += part.length;
      }
      result.request.rest = rest;
    }
    return result;
  }
  return { kind: "more" };
}

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

/** Pieces of heads, good and bad, so that generated input often gets far into the parser. */
const piece = fc.oneof(
  fc.constantFrom(
    "GET / HTTP/1.1",
    "GET /a?b=c HTTP/1.0",
    "POST /x HTTP/1.1",
    "GET / HTTP/2.0",
    "GET http://h/p HTTP/1.1",
    "OPTIONS * HTTP/1.1",
    "CONNECT h:1 HTTP/1.1",
    "Host: x",
    "Host: y",
    "Cookie: a=1",
    "Content-Length: 3",
    "Content-Length: 4",
    "Transfer-Encoding: chunked",
    "X-A: v",
    "X-A :v",
    " folded",
    "Bad Name: v",
    ":",
    "\r\n",
    "\n",
    "\r",
    "\r\n\r\n",
    "\n\n",
    " ",
    "\t",
  ),
  fc.string({ unit: "binary-ascii", maxLength: 12 }),
  fc.constantFrom("a".repeat(9000), `X: ${"v".repeat(6000)}\r\n`),
);

Deno.test("HttpRequestParser.push() answers the same however the bytes are cut", () => {
  fc.assert(
    fc.property(
      fc.array(piece, { maxLength: 14 }),
      fc.array(fc.nat(), { maxLength: 30 }),
      (pieces, cuts) => {
        const bytes = encoder.encode(pieces.join(""));
        assert.deepEqual(parseChunks(chunksOf(bytes, cuts)), parseChunks([bytes]));
      },
    ),
  );
});

const TOKEN_CHARS = "!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
const token = fc.string({ unit: fc.constantFrom(...TOKEN_CHARS), minLength: 1, maxLength: 10 });
/** A header value: visible ASCII with inner spaces and tabs, no surrounding whitespace. */
const fieldValue = fc.string({ unit: fc.constantFrom(...'ab Z9,;=\t/"~'), maxLength: 12 })
  .map((value) => value.trim());
const lineEnd = fc.constantFrom("\r\n", "\n");
const ows = fc.constantFrom("", " ", "\t", "  ");

Deno.test("HttpRequestParser.push() gives back any well-formed head", () => {
  fc.assert(
    fc.property(
      fc.record({
        method: token.filter((method) => method !== "CONNECT"),
        target: fc.webPath().map((path) => `/${path.replace(/^\//, "")}`),
        version: fc.constantFrom<"HTTP/1.0" | "HTTP/1.1">("HTTP/1.0", "HTTP/1.1"),
        headers: fc.array(
          fc.record({ name: token, value: fieldValue, before: ows, after: ows, end: lineEnd }),
          { maxLength: 10 },
        ),
        end: lineEnd,
        rest: fc.uint8Array({ maxLength: 10 }),
        cuts: fc.array(fc.nat(), { maxLength: 10 }),
      }),
      (input) => {
        const headers = input.headers.filter((header) => {
          const name = header.name.toLowerCase();
          return !SINGLE_HEADERS.has(name) && name !== "content-length" &&
            name !== "transfer-encoding";
        });
        let head =
          `${input.method} ${input.target} ${input.version}${input.end}Host: h${input.end}`;
        const expected = new Map([["host", "h"]]);
        for (const { name, value, before, after, end } of headers) {
          head += `${name}:${before}${value}${after}${end}`;
          const key = name.toLowerCase();
          const previous = expected.get(key);
          const separator = key === "cookie" ? "; " : ", ";
          expected.set(key, previous === undefined ? value : `${previous}${separator}${value}`);
        }
        head += input.end;
        const headBytes = encoder.encode(head);
        const bytes = new Uint8Array(headBytes.length + input.rest.length);
        bytes.set(headBytes);
        bytes.set(input.rest, headBytes.length);
        assert.deepEqual(parseChunks(chunksOf(bytes, input.cuts)), {
          kind: "done",
          request: {
            method: input.method,
            target: input.target,
            version: input.version,
            headers: expected,
            contentLength: 0,
            rest: input.rest,
          },
        });
      },
    ),
  );
});
