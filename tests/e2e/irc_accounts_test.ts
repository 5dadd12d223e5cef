/**
 * End to end: accounts from IRC against a real server process, over raw IRC sockets: SASL PLAIN
 * (registration waits for the password check), SASL OAUTHBEARER against a loopback identity
 * provider, NickServ IDENTIFY, OPER and KILL, and `+b` keeping a nick out of one room only.
 */
import assert from "node:assert/strict";
import { ncUser, RawClient, type Server, type Track, withServer } from "./harness.ts";
import { iiInstalled, waitForFile, waitForText, writeFifo } from "./ii.ts";
import { TestProvider } from "../oidc_provider.ts";

/** Connects a raw socket and registers it as an IRC client. */
async function ircUser(server: Server, nick: string): Promise<RawClient> {
  const irc = await RawClient.connect(server.port);
  await irc.write(`CAP LS 302\r\nNICK ${nick}\r\nUSER ${nick} 0 * :${nick}\r\nCAP END\r\n`);
  await irc.lines.waitFor(`:chat 422 ${nick} `);
  return irc;
}

/** Makes `nick` an account with `password` from a plain-text connection, then leaves. */
async function account(server: Server, track: Track, nick: string, password: string) {
  const nc = track(await ncUser(server, nick));
  await nc.sendLine(`/register ${password}`);
  await nc.lines.waitFor(`* Nick ${nick} is now your account`);
  await nc.sendLine("/quit");
  await nc.lines.done;
}

Deno.test("IRC SASL PLAIN logs in before registration; a wrong password is 904", async () => {
  await withServer({}, async (server, track) => {
    await account(server, track, "ana", "sesame123");

    const irc = track(await RawClient.connect(server.port));
    await irc.write("CAP LS 302\r\n");
    await irc.lines.waitFor(/^:chat CAP \* LS :.*\bsasl=PLAIN\b/);
    await irc.write("CAP REQ :sasl account-tag\r\nNICK ana\r\nUSER ana 0 * :Ana\r\n");
    await irc.lines.waitFor(":chat CAP * ACK :sasl account-tag");
    await irc.write("AUTHENTICATE PLAIN\r\n");
    await irc.lines.waitFor("AUTHENTICATE +");
    // CAP END right behind the response: registration waits for the password check.
    await irc.write(`AUTHENTICATE ${btoa("\0ana\0sesame123")}\r\nCAP END\r\n`);
    const loggedIn = await irc.lines.waitFor(
      ":chat 900 * ana!ana@chat ana :You are now logged in as ana",
    );
    const success = await irc.lines.waitFor(":chat 903 * :SASL authentication successful");
    const welcome = await irc.lines.waitFor(":chat 001 ana ");
    assert.ok(loggedIn < success && success < welcome, irc.lines.text());
    await irc.lines.waitFor(":chat 422 ana ");
    await irc.write("WHOIS ana\r\n");
    await irc.lines.waitFor(":chat 330 ana ana ana :is logged in as");

    // A wrong password: 904, and the registered nick stays out of reach (433).
    const wrong = track(await RawClient.connect(server.port));
    await wrong.write("CAP LS 302\r\nCAP REQ sasl\r\nNICK ana\r\nUSER x 0 * :x\r\n");
    await wrong.write(`AUTHENTICATE PLAIN\r\nAUTHENTICATE ${btoa("\0ana\0nope-nope")}\r\n`);
    await wrong.lines.waitFor(":chat 904 * :SASL authentication failed: Wrong nick or password");
    await wrong.write("CAP END\r\n");
    await wrong.lines.waitFor(/^:chat 433 \* ana :Nick "ana" is registered/);
    await wrong.write("NICK notana\r\n");
    await wrong.lines.waitFor(":chat 001 notana ");
    // The logged-in user's messages carry their account for those who ask (account-tag).
    await irc.write("JOIN #games\r\n");
    await wrong.write("CAP REQ account-tag\r\nJOIN #games\r\n");
    await wrong.lines.waitFor(":notana!x@chat JOIN #games");
    await irc.write("PRIVMSG #games :signed\r\n");
    await wrong.lines.waitFor("@account=ana :ana!ana@chat PRIVMSG #games signed");
  });
});

/** Sends a SASL response as AUTHENTICATE lines: base64 in chunks of 400, `+` after a full one. */
async function saslResponse(irc: RawClient, message: string, then = ""): Promise<void> {
  const base64 = btoa(message);
  const chunks: string[] = base64.match(/.{1,400}/g) ?? [];
  if (base64.length % 400 === 0) chunks.push("+");
  await irc.write(chunks.map((chunk) => `AUTHENTICATE ${chunk}\r\n`).join("") + then);
}

/** An OAUTHBEARER client message (RFC 7628) carrying `token`, for `account` if given. */
function bearer(token: string, account = ""): string {
  return `n,${
    account === "" ? "" : `a=${account}`
  },\x01host=127.0.0.1\x01auth=Bearer ${token}\x01\x01`;
}

Deno.test("IRC SASL OAUTHBEARER logs in with a token; a refused one is the RFC 7628 challenge, then 904", async () => {
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
      await server.stdout.waitFor(`Single sign-on: tokens from ${provider.issuer} are logins`);

      // A good token (an RS256 one, long enough to take two chunks), before registration.
      const irc = track(await RawClient.connect(server.port));
      await irc.write("CAP LS 302\r\n");
      await irc.lines.waitFor(/^:chat CAP \* LS :.*\bsasl=PLAIN,OAUTHBEARER\b/);
      await irc.write("CAP REQ sasl\r\nNICK ana\r\nUSER ana 0 * :Ana\r\n");
      await irc.lines.waitFor(":chat CAP * ACK sasl");
      await irc.write("AUTHENTICATE OAUTHBEARER\r\n");
      await irc.lines.waitFor("AUTHENTICATE +");
      const good = await made({ key: "rs" });
      assert.ok(btoa(bearer(good, "ana")).length > 400);
      // CAP END right behind the response: registration waits for the token's check.
      await saslResponse(irc, bearer(good, "ana"), "CAP END\r\n");
      const loggedIn = await irc.lines.waitFor(
        ":chat 900 * ana!ana@chat ana :You are now logged in as ana",
      );
      const success = await irc.lines.waitFor(":chat 903 * :SASL authentication successful");
      const welcome = await irc.lines.waitFor(":chat 001 ana ");
      assert.ok(loggedIn < success && success < welcome, irc.lines.text());
      await irc.write("WHOIS ana\r\n");
      await irc.lines.waitFor(":chat 330 ana ana ana :is logged in as");

      // An expired token: the failure challenge names the provider's discovery document; the
      // client answers it with ^A, then 904 says why. The nick stays out of reach.
      const expired = track(await RawClient.connect(server.port));
      await expired.write("CAP LS 302\r\nCAP REQ sasl\r\nNICK ana\r\nUSER x 0 * :x\r\n");
      await expired.write("AUTHENTICATE OAUTHBEARER\r\n");
      await expired.lines.waitFor("AUTHENTICATE +");
      await saslResponse(expired, bearer(await made({ expiresIn: -600 })));
      const at = await expired.lines.waitFor(/^AUTHENTICATE (?!\+)/);
      const challenge = JSON.parse(atob(expired.lines.lines[at]?.split(" ")[1] ?? ""));
      assert.deepEqual(challenge, {
        status: "invalid_token",
        "openid-configuration": `${provider.issuer}/.well-known/openid-configuration`,
      });
      await expired.write("AUTHENTICATE AQ==\r\n");
      await expired.lines.waitFor(
        /^:chat 904 \* :SASL authentication failed: Token refused: it has expired/,
      );
      await expired.write("CAP END\r\n");
      await expired.lines.waitFor(/^:chat 433 \* ana :Nick "ana" is registered/);

      // A token for someone other than the account asked for (a=) is refused the same way.
      const other = track(await RawClient.connect(server.port));
      await other.write("CAP LS 302\r\nCAP REQ sasl\r\nAUTHENTICATE OAUTHBEARER\r\n");
      await other.lines.waitFor("AUTHENTICATE +");
      const cy = await made({ claims: { sub: "s-cy", preferred_username: "cy" } });
      await saslResponse(other, bearer(cy, "bob"));
      await other.lines.waitFor(/^AUTHENTICATE (?!\+)/);
      await other.write("AUTHENTICATE AQ==\r\n");
      await other.lines.waitFor(
        ":chat 904 * :SASL authentication failed: Token refused: it is for cy, not bob",
      );
      // A malformed message is 904 at once; then a good token for cy, without a=, logs in.
      await other.write("AUTHENTICATE OAUTHBEARER\r\n");
      await saslResponse(other, "n,,\x01auth=Basic abc\x01\x01");
      await other.lines.waitFor(
        ":chat 904 * :SASL authentication failed: Bad OAUTHBEARER message: auth must be Bearer TOKEN",
      );
      await other.write("AUTHENTICATE OAUTHBEARER\r\n");
      await saslResponse(other, bearer(cy), "NICK cy\r\nUSER cy 0 * :Cy\r\nCAP END\r\n");
      await other.lines.waitFor(":chat 903 * :SASL authentication successful");
      await other.lines.waitFor(":chat 001 cy ");

      // No token was logged, echoed or shown to anyone.
      const seen = [server.stdout, server.stderr, irc.lines, expired.lines, other.lines]
        .flatMap((collector) => collector.lines).join("\n");
      assert.match(seen, /login_failed/);
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

Deno.test("IRC NickServ IDENTIFY logs in and takes the account's nick", async () => {
  await withServer({}, async (server, track) => {
    await account(server, track, "ana", "sesame123");
    const irc = track(await ircUser(server, "guest"));
    await irc.write("PRIVMSG NickServ :IDENTIFY ana wrong-one\r\n");
    await irc.lines.waitFor(":NickServ!NickServ@chat NOTICE guest :Wrong nick or password");
    await irc.write("PRIVMSG NickServ :IDENTIFY ana sesame123\r\n");
    await irc.lines.waitFor(":guest!guest@chat NICK ana");
    await irc.lines.waitFor(":chat NOTICE ana :Logged in as ana");
    await irc.write("NS REGISTER another1\r\n");
    await irc.lines.waitFor(
      ":NickServ!NickServ@chat NOTICE ana :You are logged in to an account already",
    );
  });
});

Deno.test("IRC account-notify: logins and logouts of people sharing a channel are ACCOUNT lines", async () => {
  await withServer({}, async (server, track) => {
    await account(server, track, "ana", "sesame123");
    await account(server, track, "bob", "bobpass12");
    const watcher = track(await RawClient.connect(server.port));
    await watcher.write(
      "CAP LS 302\r\nCAP REQ :account-notify\r\nNICK watcher\r\nUSER w 0 * :W\r\nCAP END\r\n",
    );
    await watcher.lines.waitFor(":chat 422 watcher ");
    await watcher.write("JOIN #games\r\n");
    await watcher.lines.waitFor(":chat 366 watcher #games ");
    const blind = track(await ircUser(server, "blind"));
    await blind.write("JOIN #games\r\n");
    await watcher.lines.waitFor(":blind!blind@chat JOIN #games");

    // NickServ IDENTIFY: the login is told under the old nick, then the nick follows.
    const guest = track(await ircUser(server, "guest"));
    await guest.write("JOIN #games\r\n");
    await watcher.lines.waitFor(":guest!guest@chat JOIN #games");
    await guest.write("PRIVMSG NickServ :IDENTIFY ana sesame123\r\n");
    const told = await watcher.lines.waitFor(":guest!guest@chat ACCOUNT ana");
    await watcher.lines.waitFor(":guest!guest@chat NICK ana", { from: told });
    await guest.write("NS LOGOUT\r\n");
    await watcher.lines.waitFor(":ana!guest@chat ACCOUNT *");

    // SASL after registration, as irctest does it.
    const late = track(await ircUser(server, "late"));
    await late.write("JOIN #games\r\n");
    await watcher.lines.waitFor(":late!late@chat JOIN #games");
    await late.write("CAP REQ sasl\r\nAUTHENTICATE PLAIN\r\n");
    await late.lines.waitFor("AUTHENTICATE +");
    await late.write(`AUTHENTICATE ${btoa("\0bob\0bobpass12")}\r\n`);
    await late.lines.waitFor(":chat 903 late :SASL authentication successful");
    await watcher.lines.waitFor(":late!late@chat ACCOUNT bob");

    // A plain-text user's /login reaches IRC users the same way (all are in the lobby).
    await watcher.write("JOIN #lobby\r\n");
    await watcher.lines.waitFor(":chat 366 watcher #lobby ");
    const nc = track(await ncUser(server, "plain"));
    await watcher.lines.waitFor(":plain!plain@chat JOIN #lobby");
    await nc.sendLine("/register plainpass1");
    await nc.lines.waitFor("* Nick plain is now your account");
    await watcher.lines.waitFor(":plain!plain@chat ACCOUNT plain");

    // Whoever did not ask for the capability sees none of it.
    await blind.write("PING :done\r\n");
    await blind.lines.waitFor("PONG");
    assert.ok(!blind.lines.text().includes(" ACCOUNT "), blind.lines.text());
  });
});

Deno.test("IRC OPER logs in an operator, who may KILL; others get 481, 464, 491", async () => {
  await withServer({ args: ["--admin", "boss"] }, async (server, track) => {
    await account(server, track, "boss", "bosspass1");
    await account(server, track, "ana", "sesame123");
    const op = track(await ircUser(server, "op1"));
    const alice = track(await ircUser(server, "alice"));
    const bob = track(await ircUser(server, "bob"));
    await alice.write("KILL bob :go\r\n");
    await alice.lines.waitFor(
      ":chat 481 alice :Only the server's operators may disconnect people",
    );
    await op.write("OPER boss wrong-pass\r\n");
    await op.lines.waitFor(":chat 464 op1 :Wrong nick or password");
    await op.write("OPER ana sesame123\r\n");
    await op.lines.waitFor(":chat 491 op1 :Account ana is not an operator");
    await op.write("OPER boss bosspass1\r\n");
    await op.lines.waitFor(":chat 381 op1 :You are now an IRC operator");
    await op.lines.waitFor(":op1!op1@chat MODE op1 +o");
    await op.write("WHOIS op1\r\n");
    await op.lines.waitFor(":chat 313 op1 op1 :is an IRC operator");
    await op.write("KILL bob :enough\r\n");
    await bob.lines.waitFor("ERROR :Closing link: Disconnected by op1: enough");
    await bob.lines.done;
    await op.lines.waitFor(":chat NOTICE op1 :Disconnected bob");
    assert.ok(!alice.lines.ended, "alice stays");
    // An operator bans from a channel it is not on, as its owner could.
    await alice.write("JOIN #mine\r\n");
    await alice.lines.waitFor(":alice!alice@chat JOIN #mine");
    await op.write("MODE #mine +b carl!*@*\r\n");
    await op.lines.waitFor(":op1!op1@chat MODE #mine +b carl!*@*");
    await alice.lines.waitFor(":op1!op1@chat MODE #mine +b carl!*@*");
  });
});

Deno.test("IRC WALLOPS from an operator reaches +w users and operators only; others get 481", async () => {
  await withServer({ args: ["--admin", "boss"] }, async (server, track) => {
    await account(server, track, "boss", "bosspass1");
    const op = track(await ircUser(server, "op1"));
    const watcher = track(await ircUser(server, "watcher"));
    const quiet = track(await ircUser(server, "quiet"));
    await quiet.write("WALLOPS :hello\r\n");
    await quiet.lines.waitFor(":chat 481 quiet :Only the server's operators may send wallops");
    await watcher.write("MODE watcher +w\r\n");
    await watcher.lines.waitFor(":watcher MODE watcher +w");
    await watcher.write("MODE watcher\r\n");
    await watcher.lines.waitFor(":chat 221 watcher +iw");
    await op.write("OPER boss bosspass1\r\n");
    await op.lines.waitFor(":chat 381 op1 :You are now an IRC operator");
    await op.write("WALLOPS :server restarts at noon\r\n");
    await watcher.lines.waitFor(":op1!op1@chat WALLOPS :server restarts at noon");
    // The sender is an operator: it gets its own.
    await op.lines.waitFor(":op1!op1@chat WALLOPS :server restarts at noon");
    // -w stops them.
    await watcher.write("MODE watcher -w\r\n");
    await watcher.lines.waitFor(":watcher MODE watcher -w");
    await op.write("WALLOPS :second\r\n");
    await op.lines.waitFor(":op1!op1@chat WALLOPS second");
    for (const client of [watcher, quiet]) {
      await client.write("PING :sync\r\n");
      await client.lines.waitFor("PONG");
      assert.ok(!client.lines.text().includes("WALLOPS second"), client.lines.text());
    }
    assert.ok(!quiet.lines.text().includes(" WALLOPS "), quiet.lines.text());
  });
});

Deno.test("IRC MODE +b keeps a nick out of one room only; b lists, -b lifts", async () => {
  await withServer({}, async (server, track) => {
    const chanop = track(await ircUser(server, "chanop"));
    const bar = track(await ircUser(server, "bar"));
    await chanop.write("JOIN #chan\r\nJOIN #other\r\n");
    await chanop.lines.waitFor(":chanop!chanop@chat JOIN #other");
    await bar.write("JOIN #chan\r\n");
    await chanop.lines.waitFor(":bar!bar@chat JOIN #chan");
    await chanop.write("MODE #chan +b bar!*@*\r\n");
    await chanop.lines.waitFor(":chanop!chanop@chat MODE #chan +b bar!*@*");
    await bar.lines.waitFor(":chanop!chanop@chat KICK #chan bar :Banned from the room");
    await bar.write("JOIN #chan\r\n");
    await bar.lines.waitFor(/^:chat 474 bar #chan :Cannot join room "chan": you are banned/);
    await bar.write("JOIN #other\r\n");
    await bar.lines.waitFor(":bar!bar@chat JOIN #other");
    await chanop.write("MODE #chan b\r\n");
    await chanop.lines.waitFor(/^:chat 367 chanop #chan bar!\*@\* chanop \d+$/);
    await chanop.lines.waitFor(":chat 368 chanop #chan :End of channel ban list");
    // Someone who does not own the room sees an empty list, and may not ban.
    await bar.write("MODE #other b\r\nMODE #other +b chanop\r\n");
    await bar.lines.waitFor(":chat 368 bar #other :End of channel ban list");
    await bar.lines.waitFor(
      /^:chat 482 bar #other :Only the owner or operators of other may ban people/,
    );
    await chanop.write("MODE #chan -b BAR!*@*\r\n");
    await chanop.lines.waitFor(":chanop!chanop@chat MODE #chan -b bar!*@*");
    await bar.write("JOIN #chan\r\n");
    await bar.lines.waitFor(":bar!bar@chat JOIN #chan");
  });
});

Deno.test("Debian's ii logs in with /j NickServ IDENTIFY and takes the account's nick", async (t) => {
  if (!await iiInstalled()) {
    t.step({ name: "ii is not installed (apt-get install ii)", ignore: true, fn: () => {} });
    return;
  }
  await withServer({}, async (server, track) => {
    await account(server, track, "ana", "sesame123");
    const watcher = track(await ircUser(server, "watcher"));
    const dir = await Deno.makeTempDir({ prefix: "chat_ii_" });
    const process = new Deno.Command("ii", {
      args: ["-s", "127.0.0.1", "-p", String(server.port), "-n", "iiuser", "-i", dir],
      stdout: "null",
      stderr: "null",
    }).spawn();
    try {
      const base = `${dir}/127.0.0.1`;
      await waitForFile(`${base}/in`);
      await writeFifo(`${base}/in`, "/j #lobby\n");
      await watcher.write("JOIN #lobby\r\n");
      await watcher.lines.waitFor(":chat 366 watcher #lobby ");
      // ii's query: `/j NICK MESSAGE` sends the message to NICK.
      await writeFifo(`${base}/in`, "/j NickServ IDENTIFY ana sesame123\n");
      await watcher.lines.waitFor(":iiuser!iiuser@chat NICK ana");
      await waitForText(`${base}/out`, "Logged in as ana");
    } finally {
      process.kill("SIGTERM");
      await process.status;
      await Deno.remove(dir, { recursive: true });
    }
  });
});
