/**
 * Logins by token (single sign-on) in `Accounts`, with a fake token checker: the account is made
 * on first use with no password, bound to the provider's subject; refused tokens count as failed
 * logins from the address, an unreachable provider does not.
 */
import assert from "node:assert/strict";
import { Accounts } from "../src/server/accounts.ts";
import { ChatError } from "../src/errors.ts";
import { ProviderUnavailable, type TokenVerifier } from "../src/server/token_login.ts";
import { MemoryAccountStore } from "../src/store/memory_account_store.ts";
import { isTokenAccount, tokenBinding } from "../src/store/token_account.ts";

const ISSUER = "https://id.example.org";

/** Whether `error` is a `ChatError` with `code` and `message` (exact, or matching). */
function assertChatError(error: unknown, code: string, message: string | RegExp): boolean {
  assert.ok(error instanceof ChatError, `expected ChatError, got ${String(error)}`);
  assert.equal(error.code, code);
  if (typeof message === "string") assert.equal(error.message, message);
  else assert.match(error.message, message);
  return true;
}

/** Tokens are `NAME:SUBJECT`; `down` says the provider cannot be reached; anything else is refused. */
const fakeVerifier: TokenVerifier = {
  verify(token) {
    if (token === "down") return Promise.reject(new ProviderUnavailable("did not answer in time"));
    const [name, subject] = token.split(":");
    if (name === undefined || subject === undefined) {
      return Promise.reject(new ChatError("login_failed", "Token refused: it has expired"));
    }
    return Promise.resolve({ name, subject, issuer: ISSUER });
  },
};

function accounts(
  tokens: TokenVerifier | "none" = fakeVerifier,
  now = { ms: 0 },
): Accounts {
  return new Accounts({
    store: new MemoryAccountStore(),
    clock: () => now.ms,
    cost: 16,
    limit: { burst: 2, perSecond: 0.1 },
    tokens: tokens === "none" ? undefined : tokens,
  });
}

Deno.test("Accounts.loginWithToken() makes the account on first use, with no password", async () => {
  const store = accounts();
  assert.equal(store.takesTokens, true);
  const first = await store.loginWithToken("Ana:s-1", "10.0.0.1:5000");
  assert.deepEqual(
    { key: first.key, name: first.name, hash: first.hash, operator: first.operator },
    { key: "ana", name: "Ana", hash: tokenBinding(ISSUER, "s-1"), operator: false },
  );
  assert.ok(isTokenAccount(first));
  assert.ok(store.isRegistered("ana"));
  // Again: the same account.
  assert.deepEqual(await store.loginWithToken("Ana:s-1", "10.0.0.1:5000"), first);
  // No password opens it, and it has none to change or delete with.
  await assert.rejects(
    store.verify("ana", "", "10.0.0.2:1"),
    (error) => assertChatError(error, "not_allowed", /logs in by single sign-on/),
  );
  await assert.rejects(
    store.change("ana", "x", "new-password", "10.0.0.2:1"),
    (error) => assertChatError(error, "not_allowed", /it has no password/),
  );
  await assert.rejects(
    store.remove("ana", "x", "10.0.0.2:1"),
    (error) => assertChatError(error, "not_allowed", /it has no password/),
  );
});

Deno.test("Accounts.loginWithToken() refuses another subject's name and a password account", async () => {
  const store = accounts();
  await store.loginWithToken("ana:s-1", "10.0.0.1:5000");
  await assert.rejects(
    store.loginWithToken("ANA:s-2", "10.0.0.1:5000"),
    (error) =>
      assertChatError(
        error,
        "nick_taken",
        "Account ana belongs to someone else at the identity provider",
      ),
  );
  await store.register("bob", "bobs-password");
  await assert.rejects(
    store.loginWithToken("bob:s-3", "10.0.0.1:5000"),
    (error) => assertChatError(error, "nick_taken", /^Nick bob is a password account here/),
  );
});

Deno.test("Accounts.loginWithToken() counts refused tokens per address, not an unreachable provider", async () => {
  const now = { ms: 0 };
  const store = accounts(fakeVerifier, now);
  for (let i = 0; i < 5; i++) {
    await assert.rejects(
      store.loginWithToken("down", "10.0.0.1:5000"),
      (error) => error instanceof ProviderUnavailable,
    );
  }
  for (let i = 0; i < 2; i++) {
    await assert.rejects(
      store.loginWithToken("expired", "10.0.0.1:5000"),
      (error) => assertChatError(error, "login_failed", "Token refused: it has expired"),
    );
  }
  // Out of tries from that address, even with a good token...
  await assert.rejects(
    store.loginWithToken("ana:s-1", "10.0.0.1:6000"),
    (error) =>
      assertChatError(error, "rate_limited", /^Too many failed logins: try again in 10 s$/),
  );
  // ...but not from another one, and later again.
  assert.equal((await store.loginWithToken("ana:s-1", "10.0.0.2:5000")).name, "ana");
  now.ms = 10_000;
  assert.equal((await store.loginWithToken("ana:s-1", "10.0.0.1:5000")).name, "ana");
});

Deno.test("Accounts.loginWithToken() on a server without single sign-on says so", async () => {
  const store = accounts("none");
  assert.equal(store.takesTokens, false);
  await assert.rejects(
    store.loginWithToken("ana:s-1", "10.0.0.1:5000"),
    (error) => assertChatError(error, "bad_arguments", /^This server takes no tokens/),
  );
});
