/**
 * The single sign-on token checker against a provider on loopback (keys and tokens made here):
 * good tokens name their account; expired, early, wrong-audience, wrong-issuer, wrongly signed,
 * unsigned, shared-secret and badly named ones are refused with the reason.
 */
import assert from "node:assert/strict";
import { ChatError } from "../src/errors.ts";
import { MAX_TOKEN_CHARS, OidcVerifier, ProviderUnavailable } from "../src/server/token_login.ts";
import { hs256Token, TestProvider, unsignedToken } from "./oidc_provider.ts";

async function withProvider(
  body: (provider: TestProvider, verifier: OidcVerifier) => Promise<void>,
  options: { claim?: string; keyCooldownMs?: number } = {},
): Promise<void> {
  const provider = await TestProvider.start();
  try {
    const verifier = new OidcVerifier({
      issuer: provider.issuer,
      audience: provider.audience,
      ...options,
    });
    await body(provider, verifier);
  } finally {
    await provider.close();
  }
}

async function refusal(promise: Promise<unknown>): Promise<ChatError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof ChatError) return error;
    throw error;
  }
  assert.fail("The token was taken");
}

Deno.test("OidcVerifier.verify() takes ES256 and RS256 tokens from the issuer's key set", async () => {
  await withProvider(async (provider, verifier) => {
    const es = await verifier.verify(await provider.token());
    assert.deepEqual(es, { name: "ana", issuer: provider.issuer, subject: "subject-ana" });
    const rs = await verifier.verify(
      await provider.token({ key: "rs", claims: { sub: "s-bob", preferred_username: "Bob" } }),
    );
    assert.deepEqual(rs, { name: "Bob", issuer: provider.issuer, subject: "s-bob" });
    // The discovery document and the key set are fetched once, then cached.
    await verifier.verify(await provider.token());
    assert.equal(provider.discoveryFetches, 1);
    assert.equal(provider.jwksFetches, 1);
    assert.equal(verifier.jwksUri, `${provider.issuer}/keys`);
  });
});

Deno.test("OidcVerifier.verify() refuses expired, early, wrong-audience and wrong-issuer tokens", async () => {
  await withProvider(async (provider, verifier) => {
    const cases: [Parameters<TestProvider["token"]>[0], RegExp][] = [
      [{ expiresIn: -120 }, /^Token refused: it has expired/],
      [{ notBefore: 600 }, /^Token refused: it is not valid yet$/],
      [{ audience: "another-app" }, /^Token refused: it is for another audience/],
      [{ issuer: "https://id.example.org" }, /^Token refused: it is from another issuer$/],
      [{ claims: { sub: undefined } }, /^Token refused: it has no "sub" claim$/],
    ];
    for (const [spec, message] of cases) {
      const error = await refusal(verifier.verify(await provider.token(spec)));
      assert.equal(error.code, "login_failed");
      assert.match(error.message, message);
      assert.ok(!(error instanceof ProviderUnavailable));
    }
    // Within the clock tolerance (a minute), a just-expired token is still taken.
    assert.equal((await verifier.verify(await provider.token({ expiresIn: -10 }))).name, "ana");
  });
});

Deno.test("OidcVerifier.verify() refuses tokens signed by another key, unsigned, or with a shared secret", async () => {
  await withProvider(async (provider, verifier) => {
    // Same kid as a published key, another key: the signature does not match.
    const forged = await refusal(verifier.verify(await provider.token({ key: "other" })));
    assert.equal(forged.message, "Token refused: its signature does not match the issuer's keys");
    // A kid the provider never published.
    const unknown = await refusal(
      verifier.verify(await provider.token({ key: "other", kid: "nobody" })),
    );
    assert.equal(unknown.message, "Token refused: its signature does not match the issuer's keys");

    const claims = {
      iss: provider.issuer,
      aud: provider.audience,
      sub: "subject-ana",
      preferred_username: "ana",
      exp: Math.floor(Date.now() / 1000) + 300,
    };
    const none = await refusal(verifier.verify(unsignedToken(claims)));
    assert.equal(
      none.message,
      "Token refused: its signing algorithm is not allowed (public-key signatures only)",
    );
    const hs = await refusal(verifier.verify(await hs256Token(claims, "a shared secret")));
    assert.equal(
      hs.message,
      "Token refused: its signing algorithm is not allowed (public-key signatures only)",
    );
  });
});

Deno.test("OidcVerifier.verify() refuses a name that is not a nick, and a missing name claim", async () => {
  await withProvider(async (provider, verifier) => {
    const spaced = await refusal(
      verifier.verify(await provider.token({ claims: { preferred_username: "Ana Lopez" } })),
    );
    assert.match(
      spaced.message,
      /^Token refused: its name "Ana Lopez" \(claim preferred_username\) is not a nick here: use 1 to/,
    );
    const missing = await refusal(
      verifier.verify(await provider.token({ claims: { preferred_username: undefined } })),
    );
    assert.equal(
      missing.message,
      'Token refused: it has no "preferred_username" claim to name the account',
    );
    const number = await refusal(
      verifier.verify(await provider.token({ claims: { preferred_username: 42 } })),
    );
    assert.match(number.message, /no "preferred_username" claim/);
  });
});

Deno.test("OidcVerifier.verify() reads the name from the claim it is told", async () => {
  await withProvider(async (provider, verifier) => {
    const token = await provider.token({
      claims: { nickname: "ana_l", preferred_username: "x y" },
    });
    assert.equal((await verifier.verify(token)).name, "ana_l");
  }, { claim: "nickname" });
});

Deno.test("OidcVerifier.verify() refuses text that is no JWT, and over-long tokens, without asking the provider", async () => {
  await withProvider(async (provider, verifier) => {
    for (const text of ["", "hunter22", "a.b", "a.b.c.d", "a.b c.d"]) {
      const error = await refusal(verifier.verify(text));
      assert.match(error.message, /^Token refused: it is not (a|a valid) signed JWT/, text);
    }
    const long = await refusal(verifier.verify("a".repeat(MAX_TOKEN_CHARS + 1)));
    assert.equal(
      long.message,
      `Token refused: it is too long: at most ${MAX_TOKEN_CHARS} characters`,
    );
    assert.equal(provider.discoveryFetches, 0);
    // Garbage in the right shape is refused as well.
    const garbage = await refusal(verifier.verify("eyJhbGciOiJFUzI1NiJ9.bm90IGpzb24.c2ln"));
    assert.match(garbage.message, /^Token refused: /);
  });
});

Deno.test("OidcVerifier fetches the key set again for a rotated key", async () => {
  await withProvider(async (provider, verifier) => {
    await verifier.verify(await provider.token());
    assert.equal(provider.jwksFetches, 1);
    provider.rotate();
    const rotated = await verifier.verify(await provider.token({ key: "rotated" }));
    assert.equal(rotated.name, "ana");
    assert.equal(provider.jwksFetches, 2);
  }, { keyCooldownMs: 0 });
});

Deno.test("OidcVerifier says when the provider is down, and asks again later", async () => {
  await withProvider(async (provider, verifier) => {
    provider.up = false;
    const down = await refusal(verifier.verify(await provider.token()));
    assert.ok(down instanceof ProviderUnavailable);
    assert.match(down.message, /^Cannot check tokens now: the identity provider answered 503/);
    provider.up = true;
    // Found, but its keys are not given: not the token's fault either.
    provider.keysUp = false;
    const noKeys = await refusal(verifier.verify(await provider.token()));
    assert.ok(noKeys instanceof ProviderUnavailable);
    assert.equal(
      noKeys.message,
      "Cannot check tokens now: the identity provider did not give its keys: " +
        "Expected 200 OK from the JSON Web Key Set HTTP response",
    );
    provider.keysUp = true;
    assert.equal((await verifier.verify(await provider.token())).name, "ana");
  });
});

Deno.test("OidcVerifier refuses a discovery document naming another issuer", async () => {
  const provider = await TestProvider.start();
  try {
    // The same server under another name: its document says 127.0.0.1, not localhost.
    const issuer = provider.issuer.replace("127.0.0.1", "localhost");
    const verifier = new OidcVerifier({ issuer, audience: provider.audience });
    const error = await refusal(verifier.verify(await provider.token({ issuer })));
    assert.ok(error instanceof ProviderUnavailable);
    assert.match(error.message, /names another issuer in its discovery document/);
  } finally {
    await provider.close();
  }
});

Deno.test("OidcVerifier refuses an issuer that is not https (or http on this machine)", () => {
  assert.throws(
    () => new OidcVerifier({ issuer: "http://id.example.org", audience: "chat" }),
    /The issuer must be an https:\/\/ URL \(http:\/\/ only on this machine\)/,
  );
});
