/**
 * End-to-end: single sign-on. A real server started with `--oidc-issuer` pointing at a provider
 * on loopback (keys and tokens made by the test) takes a good token as a login from `chat join
 * --token-file`, a native client's `hello.token` and an `nc` user's `/login --token`, and
 * refuses expired, wrong-audience and wrongly signed tokens with the reason. No token appears
 * in the server's output or in /whois.
 */
import assert from "node:assert/strict";
import { ChatProcess, freePort, RawClient, withServer } from "./harness.ts";
import { TestProvider } from "../oidc_provider.ts";

async function tokenFile(token: string): Promise<string> {
  const file = await Deno.makeTempFile({ suffix: ".jwt" });
  await Deno.writeTextFile(file, token + "\n");
  return file;
}

Deno.test("single sign-on: good tokens log in (chat join, native, nc); bad ones are refused", async () => {
  const provider = await TestProvider.start();
  const tokens: string[] = [];
  const made = async (spec: Parameters<TestProvider["token"]>[0]) => {
    const token = await provider.token(spec);
    tokens.push(token);
    return token;
  };
  try {
    const args = ["--oidc-issuer", provider.issuer, "--oidc-audience", provider.audience];
    await withServer({ args }, async (server, track) => {
      await server.stdout.waitFor(
        `Single sign-on: tokens from ${provider.issuer} are logins (keys: ${provider.issuer}/keys)`,
      );
      const address = `${server.host}:${server.port}`;

      // chat join --token-file: no --nick, the token names it.
      const good = await tokenFile(await made({}));
      const ana = track(new ChatProcess(["join", address, "--token-file", good], { stdin: true }));
      await ana.stdout.waitFor(/^\* You are in lobby/);
      await ana.stdout.waitFor(/ana/);

      // A wrong-audience token: refused with the reason, and chat join gives up at once.
      const other = await tokenFile(await made({ audience: "another-app" }));
      const refused = track(
        new ChatProcess(["join", address, "--token-file", other], { stdin: true }),
      );
      await refused.stdout.waitFor("! Token refused: it is for another audience (not this server)");
      await refused.stdout.waitFor(/Check your token/);
      assert.equal((await refused.exit()).code, 1);

      // A native client: an expired token, one signed by another key, then a good RS256 one.
      const native = track(await RawClient.connect(server.port));
      await native.sendFrame({
        type: "hello",
        version: 1,
        nick: "",
        token: await made({ expiresIn: -600 }),
      });
      await native.lines.waitFor(
        /"code":"login_failed","message":"Token refused: it has expired/,
      );
      await native.sendFrame({
        type: "hello",
        version: 1,
        nick: "",
        token: await made({ key: "other" }),
      });
      await native.lines.waitFor(/"message":"Token refused: its signature does not match/);
      const bob = await made({ key: "rs", claims: { sub: "s-bob", preferred_username: "bob" } });
      await native.sendFrame({ type: "hello", version: 1, nick: "", token: bob });
      await native.lines.waitFor(/"type":"welcome".*"nick":"bob"/);

      // nc: /login --token before a nick; the nick is then protected.
      const nc = track(await RawClient.connect(server.port));
      const cy = await made({ claims: { sub: "s-cy", preferred_username: "cy" } });
      await nc.sendLine(`/login --token ${cy}`);
      await nc.lines.waitFor("* You are in lobby with ana, bob (3 here)");
      const guest = track(await RawClient.connect(server.port));
      await guest.sendLine("cy");
      await guest.lines.waitFor(/^! Nick "cy" is registered: log in .*\/login --token TOKEN/);
      await guest.sendLine("dee");
      await guest.lines.waitFor(/^\* You are in lobby/);
      await guest.sendLine("/whois cy");
      await guest.lines.waitFor(/^\* cy/);
      await nc.sendLine("/quit");
      await nc.lines.done;

      // No token was logged, echoed, or shown to anyone (each one's signature is its own).
      const seen = [
        server.stdout,
        server.stderr,
        ana.stdout,
        refused.stdout,
        refused.stderr,
        native.lines,
        nc.lines,
        guest.lines,
      ].flatMap((collector) => collector.lines).join("\n");
      assert.match(seen, /login_failed/);
      assert.equal(tokens.length, 6);
      for (const token of tokens) {
        const signature = token.split(".")[2] ?? "";
        assert.ok(signature.length > 40);
        assert.ok(!seen.includes(signature), "A token appears in the output");
      }
    });
  } finally {
    await provider.close();
  }
});

Deno.test("single sign-on: a provider that cannot be reached is said at start, and to whoever logs in", async () => {
  // A loopback port nothing listens on.
  const issuer = `http://127.0.0.1:${freePort()}`;
  await withServer(
    { args: ["--oidc-issuer", issuer, "--oidc-audience", "chat"] },
    async (server, track) => {
      await server.stderr.waitFor(
        /^chat: Single sign-on: Cannot check tokens now: the identity provider cannot be reached at .* \(asked again at the next token login\)$/,
      );
      const nc = track(await RawClient.connect(server.port));
      await nc.sendLine("/login --token eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln");
      await nc.lines.waitFor(/^! Cannot check tokens now: the identity provider cannot be reached/);
      // The connection may still pick a nick.
      await nc.sendLine("ana");
      await nc.lines.waitFor(/^\* You are in lobby/);
    },
  );
});
