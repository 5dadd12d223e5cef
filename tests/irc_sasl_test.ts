import assert from "node:assert/strict";
import {
  decodeBase64,
  PLAIN,
  SASL_CHUNK_BYTES,
  SASL_MECHANISMS,
  SaslResponse,
} from "../src/dialect/irc/sasl.ts";

const encoder = new TextEncoder();

Deno.test("PLAIN.login() reads authzid, account and password", () => {
  assert.deepEqual(PLAIN.login(encoder.encode("\0ana\0sesame")), {
    ok: true,
    account: "ana",
    password: "sesame",
  });
  assert.deepEqual(PLAIN.login(encoder.encode("ana\0ana\0sesame")), {
    ok: true,
    account: "ana",
    password: "sesame",
  });
});

Deno.test("PLAIN.login() refuses malformed responses and logging in as someone else", () => {
  for (const text of ["ana", "\0ana", "\0\0sesame", "\0ana\0", "a\0b\0c\0d"]) {
    assert.equal(PLAIN.login(encoder.encode(text)).ok, false, JSON.stringify(text));
  }
  const other = PLAIN.login(encoder.encode("bob\0ana\0sesame"));
  assert.deepEqual(other, {
    ok: false,
    reason: "Logging in as another account is not supported",
  });
});

Deno.test("SASL_MECHANISMS offers PLAIN", () => {
  assert.deepEqual(Object.keys(SASL_MECHANISMS), ["PLAIN"]);
});

Deno.test("SaslResponse gathers chunks of 400 until a shorter one or +", () => {
  const payload = btoa("\0ana\0" + "x".repeat(600));
  const response = new SaslResponse();
  let result = response.add(payload.slice(0, SASL_CHUNK_BYTES));
  assert.equal(result.kind, "more");
  result = response.add(payload.slice(SASL_CHUNK_BYTES, 2 * SASL_CHUNK_BYTES));
  assert.equal(result.kind, "more");
  result = response.add(payload.slice(2 * SASL_CHUNK_BYTES));
  assert.equal(result.kind, "done");
  assert.ok(result.kind === "done");
  assert.equal(new TextDecoder().decode(result.response), "\0ana\0" + "x".repeat(600));

  // A response of exactly 400 bytes ends with an empty chunk, `+`.
  const exact = new SaslResponse();
  const four = btoa("y".repeat(300));
  assert.equal(four.length, SASL_CHUNK_BYTES);
  assert.equal(exact.add(four).kind, "more");
  const done = exact.add("+");
  assert.ok(done.kind === "done");
  assert.equal(done.response.length, 300);
});

Deno.test("SaslResponse refuses chunks over 400, responses over the limit, and non-base64", () => {
  assert.equal(new SaslResponse().add("A".repeat(401)).kind, "too_long");
  const long = new SaslResponse();
  let last = long.add("A".repeat(SASL_CHUNK_BYTES));
  for (let i = 0; i < 30 && last.kind === "more"; i++) last = long.add("A".repeat(400));
  assert.equal(last.kind, "too_long");
  assert.equal(new SaslResponse().add("not base64!").kind, "invalid");
  assert.equal(new SaslResponse().add("+").kind, "done");
});

Deno.test("decodeBase64() decodes padded base64 and refuses anything else", () => {
  assert.deepEqual(decodeBase64("YW5h"), encoder.encode("ana"));
  assert.deepEqual(decodeBase64("YQ=="), encoder.encode("a"));
  assert.equal(decodeBase64("YQ"), undefined);
  assert.equal(decodeBase64("Y*=="), undefined);
  assert.deepEqual(decodeBase64(""), new Uint8Array(0));
});
