import assert from "node:assert/strict";
import { oauthBearerFailure, parseOauthBearer } from "../src/sasl_oauthbearer.ts";
import { ChatError } from "../src/errors.ts";

Deno.test("parseOauthBearer() reads the token and the authorization name (RFC 7628 examples)", () => {
  assert.deepEqual(
    parseOauthBearer(
      "n,a=user@example.com,\x01host=server.example.com\x01port=143\x01" +
        "auth=Bearer vF9dft4qmTc2Nvb3RlckBhbHRhdmlzdGEuY29tCg==\x01\x01",
    ),
    { token: "vF9dft4qmTc2Nvb3RlckBhbHRhdmlzdGEuY29tCg==", authzid: "user@example.com" },
  );
  assert.deepEqual(parseOauthBearer("n,,\x01auth=Bearer abc.def.ghi\x01\x01"), {
    token: "abc.def.ghi",
  });
  assert.deepEqual(parseOauthBearer("y,a=a=2Cb=3Dc,\x01auth=bearer t\x01\x01"), {
    token: "t",
    authzid: "a,b=c",
  });
});

Deno.test("parseOauthBearer() refuses malformed messages with the reason", () => {
  const cases: [string, RegExp][] = [
    ["", /no key-value part/],
    ["\x01", /the header must be n,, or n,a=NAME,/],
    ["p=tls-unique,,\x01auth=Bearer t\x01\x01", /channel binding is not supported/],
    ["n,,\x01auth=Bearer t\x01", /it must end with two \^A/],
    ["n,,\x01host=x\x01\x01", /no auth=Bearer TOKEN/],
    ["n,,\x01auth=Basic dXNlcg==\x01\x01", /auth must be Bearer TOKEN/],
    ["n,,\x01nokey\x01\x01", /each part must be KEY=VALUE/],
    ["n,a=a=2Xb,\x01auth=Bearer t\x01\x01", /bad escape/],
  ];
  for (const [message, reason] of cases) {
    assert.throws(() => parseOauthBearer(message), (error: unknown) => {
      assert.ok(error instanceof ChatError);
      assert.equal(error.code, "bad_arguments");
      assert.match(error.message, /^Bad OAUTHBEARER message: /);
      assert.match(error.message, reason);
      return true;
    }, JSON.stringify(message));
  }
});

Deno.test("oauthBearerFailure() is the JSON status a client is challenged with", () => {
  assert.deepEqual(JSON.parse(oauthBearerFailure()), { status: "invalid_token" });
  assert.deepEqual(
    JSON.parse(oauthBearerFailure("https://id.example.org/.well-known/openid-configuration")),
    {
      status: "invalid_token",
      "openid-configuration": "https://id.example.org/.well-known/openid-configuration",
    },
  );
});
