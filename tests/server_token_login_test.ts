/**
 * Logins by token (single sign-on) through the whole server in-process, with a fake token
 * checker: `hello.token` (native), `/login --token TOKEN` before a nick and after one (plain
 * text); the account's nick is protected afterwards like a registered one.
 */
import { ChatError } from "../src/errors.ts";
import type { TokenVerifier } from "../src/server/token_login.ts";
import { withMemoryServer } from "./memory_server.ts";

/** Tokens are `NAME:SUBJECT`; anything else is refused. */
const tokens: TokenVerifier = {
  verify(token) {
    const [name, subject] = token.split(":");
    if (name === undefined || subject === undefined) {
      return Promise.reject(new ChatError("login_failed", "Token refused: it has expired"));
    }
    return Promise.resolve({ name, subject, issuer: "https://id.example.org" });
  },
};

const hello = (fields: Record<string, unknown>) =>
  JSON.stringify({ type: "hello", version: 1, ...fields }) + "\n";

Deno.test("token login: hello.token names the nick, and the nick is protected from then on", async () => {
  await withMemoryServer({ tokens, accountCost: 16 }, async (connect) => {
    const ana = connect();
    await ana.send(hello({ nick: "", token: "ana:s-1" }));
    await ana.waitFor('{"type":"welcome","version":1,"server":');
    await ana.waitFor('"nick":"ana"');

    const eve = connect();
    await eve.send("ana\n");
    await eve.waitFor(
      '! Nick "ana" is registered: log in to use it, or choose another (/login --token TOKEN)',
    );
    // No password opens a token account.
    await eve.send("/login ana guessed-password\n");
    await eve.waitFor(/^! Account ana logs in by single sign-on: it has no password/);
    await eve.send("/login --token garbage\n");
    await eve.waitFor("! Token refused: it has expired");
  });
});

Deno.test("token login: a refused token, or one for another nick, is refused with the reason", async () => {
  await withMemoryServer({ tokens, accountCost: 16 }, async (connect) => {
    const client = connect();
    await client.send(hello({ nick: "", token: "expired" }));
    await client.waitFor(
      '{"type":"error","code":"login_failed","message":"Token refused: it has expired"}',
    );
    await client.send(hello({ nick: "bob", token: "ana:s-1" }));
    await client.waitFor('"message":"Token refused: it is for ana, not bob"');
    // The same connection may try again.
    await client.send(hello({ nick: "ANA", token: "ana:s-1" }));
    await client.waitFor('"nick":"ana"');
  });
});

Deno.test("token login: /login --token before a nick and after one; the newest login wins", async () => {
  await withMemoryServer({ tokens, accountCost: 16 }, async (connect) => {
    const first = connect();
    await first.send("/login --token ana:s-1\n");
    await first.waitFor("* You are in lobby");

    const second = connect();
    await second.send("zed\n");
    await second.waitFor("* You are in lobby");
    await second.send("/login --token ana:s-1\n");
    await second.waitFor("* Logged in as ana");
    await second.waitFor(/zed is now known as ana|You are now known as ana/);
    await first.waitFor(/Your account was logged in from another connection/);

    // Another subject's token for the same name is refused.
    const third = connect();
    await third.send("/login --token ana:s-2\n");
    await third.waitFor("! Account ana belongs to someone else at the identity provider");
    // It has no password to change.
    await second.send("/passwd old-password new-password\n");
    await second.waitFor(/^! Account ana logs in by single sign-on: it has no password/);
  });
});

Deno.test("token login: a server without single sign-on says it takes no tokens", async () => {
  await withMemoryServer({ accountCost: 16 }, async (connect) => {
    const client = connect();
    await client.send("/login --token ana:s-1\n");
    await client.waitFor("! This server takes no tokens: log in with a nick and password");
  });
});
