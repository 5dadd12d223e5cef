import assert from "node:assert/strict";
import {
  challengeChunks,
  decodeBase64,
  encodeBase64,
  OAUTH_BEARER,
  offeredMechanisms,
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

Deno.test("offeredMechanisms() offers OAUTHBEARER beside PLAIN only on a server taking tokens", () => {
  assert.deepEqual(Object.keys(SASL_MECHANISMS), ["PLAIN", "OAUTHBEARER"]);
  assert.deepEqual(Object.keys(offeredMechanisms(false)), ["PLAIN"]);
  assert.deepEqual(Object.keys(offeredMechanisms(true)), ["PLAIN", "OAUTHBEARER"]);
});

Deno.test("OAUTH_BEARER.login() reads the bearer token and the account asked for", () => {
  assert.deepEqual(
    OAUTH_BEARER.login(encoder.encode("n,,\x01auth=Bearer eyJ.eyJ.sig\x01\x01")),
    { ok: true, token: "eyJ.eyJ.sig" },
  );
  assert.deepEqual(
    OAUTH_BEARER.login(
      encoder.encode("n,a=ana,\x01host=chat.example.org\x01port=6697\x01auth=Bearer t.k.n\x01\x01"),
    ),
    { ok: true, token: "t.k.n", account: "ana" },
  );
});

Deno.test("OAUTH_BEARER.login() refuses a malformed message, saying why", () => {
  assert.deepEqual(OAUTH_BEARER.login(encoder.encode("n,,\x01auth=Basic abc\x01\x01")), {
    ok: false,
    reason: "Bad OAUTHBEARER message: auth must be Bearer TOKEN",
  });
  assert.deepEqual(OAUTH_BEARER.login(encoder.encode("\0ana\0sesame")), {
    ok: false,
    reason: "Bad OAUTHBEARER message: no key-value part",
  });
  assert.deepEqual(OAUTH_BEARER.login(encoder.encode("p=tls-unique,,\x01auth=Bearer x\x01\x01")), {
    ok: false,
    reason: "Bad OAUTHBEARER message: channel binding is not supported",
  });
});

Deno.test("challengeChunks() splits a challenge's base64 in 400s, with + after a full last one", () => {
  assert.deepEqual(challengeChunks(encoder.encode("{}")), [btoa("{}")]);
  assert.deepEqual(challengeChunks(new Uint8Array(0)), ["+"]);
  const exact = encoder.encode("z".repeat(300));
  assert.deepEqual(challengeChunks(exact), [btoa("z".repeat(300)), "+"]);
  const long = encoder.encode("w".repeat(450));
  const chunks = challengeChunks(long);
  assert.deepEqual(chunks.map((chunk) => chunk.length), [400, 200]);
  assert.equal(chunks.join(""), encodeBase64(long));
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
