/**
 * End to end: accounts from IRC against a real server process, over raw IRC sockets: SASL PLAIN
 * (registration waits for the password check), NickServ IDENTIFY, OPER and KILL, and `+b`
 * keeping a nick out of one room only.
 */
import assert from "node:assert/strict";
import { ncUser, RawClient, type Server, type Track, withServer } from "./harness.ts";
import { iiInstalled, waitForFile, waitForText, writeFifo } from "./ii.ts";

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
    await bar.lines.waitFor(/^:chat 482 bar #other :Only the owner of other may ban people/);
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
