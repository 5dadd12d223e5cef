/** The command line of single sign-on: `chat serve --oidc-*` and `chat join --token-file`. */
import assert from "node:assert/strict";
import { type ExitCommand, parseCli } from "../src/cli.ts";

const batch = { interactive: false };

function usageError(args: string[], message: RegExp): void {
  const result = parseCli(args, batch);
  assert.equal(result.kind, "exit");
  const exit = result as ExitCommand;
  assert.equal(exit.code, 2);
  assert.match(exit.stderr.split("\n")[0] ?? "", message);
  assert.doesNotMatch(exit.stderr, /\n\s+at /);
}

Deno.test("parseCli() serve --oidc-issuer and --oidc-audience turn single sign-on on", () => {
  const plain = parseCli(["serve"], batch);
  assert.ok(plain.kind === "serve" && plain.oidc === undefined);
  const issuer = "https://id.example.org/realms/school";
  const parsed = parseCli(["serve", "--oidc-issuer", issuer, "--oidc-audience", "chat"], batch);
  assert.ok(parsed.kind === "serve");
  assert.deepEqual(parsed.oidc, { issuer, audience: "chat", claim: "preferred_username" });
  const claimed = parseCli([
    "serve",
    "--oidc-issuer",
    "http://127.0.0.1:8080",
    "--oidc-audience",
    "chat",
    "--oidc-claim",
    "nickname",
  ], batch);
  assert.ok(claimed.kind === "serve");
  assert.deepEqual(claimed.oidc, {
    issuer: "http://127.0.0.1:8080",
    audience: "chat",
    claim: "nickname",
  });
});

Deno.test("parseCli() serve refuses an issuer that is not https (or http on this machine), and one flag alone", () => {
  usageError(
    ["serve", "--oidc-issuer", "http://id.example.org", "--oidc-audience", "chat"],
    /^chat: --oidc-issuer: The issuer must be an https:\/\/ URL \(http:\/\/ only on this machine\)/,
  );
  usageError(
    ["serve", "--oidc-issuer", "not a url", "--oidc-audience", "chat"],
    /^chat: --oidc-issuer: The issuer must be a URL: got "not a url"$/,
  );
  usageError(
    ["serve", "--oidc-issuer", "https://id.example.org/?x=1", "--oidc-audience", "chat"],
    /must have no query, fragment or user/,
  );
  usageError(["serve", "--oidc-issuer", "https://id.example.org"], /go together/);
  usageError(["serve", "--oidc-audience", "chat"], /go together/);
  usageError(
    ["serve", "--oidc-issuer", "https://id.example.org", "--oidc-audience", "a b"],
    /^chat: --oidc-audience must be 1 to 256 characters without spaces: got "a b"$/,
  );
});

Deno.test("parseCli() join --token-file needs no --nick, and not with --password-file", () => {
  const parsed = parseCli(["join", "h:1", "--token-file", "t.jwt"], batch);
  assert.ok(parsed.kind === "join");
  assert.equal(parsed.tokenFile, "t.jwt");
  assert.equal(parsed.nick, undefined);
  // CHAT_TOKEN does as much.
  const fromEnv = parseCli(["join", "h:1"], { interactive: false, tokenInEnv: true });
  assert.ok(fromEnv.kind === "join");
  usageError(["join", "h:1"], /^chat: Missing --nick/);
  usageError(
    ["join", "h:1", "--nick", "ana", "--token-file", "t", "--password-file", "p"],
    /--token-file and --password-file do not go together/,
  );
});
