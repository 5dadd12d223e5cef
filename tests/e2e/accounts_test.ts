/**
 * End-to-end: accounts. A nick registered with /register is only for its owner: anyone else is
 * told to log in or choose another, on the same connection; logging in from a second connection
 * takes the nick over; wrong passwords are refused without saying whether the account exists,
 * and guessing is slowed down. No password appears in the event log, history or /whois.
 */
import assert from "node:assert/strict";
import { RawClient, startClient, withServer } from "./harness.ts";

const PASSWORD = "hunter22-secret";

async function passwordFile(password: string): Promise<string> {
  const file = await Deno.makeTempFile();
  await Deno.writeTextFile(file, password + "\n");
  return file;
}

Deno.test("register a nick, have it protected, log in from elsewhere, change and delete it", async () => {
  const right = await passwordFile(PASSWORD);
  const wrong = await passwordFile("not-the-password");
  await withServer({}, async (server, track) => {
    const first = track(await RawClient.connect(server.port));
    await first.sendLine("ana");
    await first.lines.waitFor("* You are in lobby");
    await first.sendLine(`/register ${PASSWORD}`);
    await first.lines.waitFor(/^\* Nick ana is now your account/);

    // Someone else asking for the nick is told to log in, and may on the same connection.
    const second = track(await RawClient.connect(server.port));
    await second.sendLine("ANA");
    await second.lines.waitFor(/^! Nick "ANA" is registered: log in .*\/login ANA PASSWORD/);
    await second.sendLine("/login ana wrong-guess");
    await second.lines.waitFor("! Wrong nick or password");
    await second.sendLine(`/login ana ${PASSWORD}`);
    await second.lines.waitFor(/^\* Welcome, ana!/);
    // The newest login wins: the first connection is told why it is closed.
    await first.lines.waitFor(/Your account was logged in from another connection/);
    await first.lines.done;

    // A nick change to a registered nick is refused too (here it is held: taken).
    const bob = track(await RawClient.connect(server.port));
    await bob.sendLine("bob");
    await bob.lines.waitFor("* You are in lobby");
    await bob.sendLine("/nick ana");
    await bob.lines.waitFor(/^! Nick "ana" is taken/);
    await bob.sendLine("/whois ana");
    await bob.lines.waitFor(/^\* ana/);

    // chat join logs in with --password-file (and takes the nick over again)...
    const joined = track(startClient(server, "ana", ["--password-file", right]));
    await joined.stdout.waitFor(/^\* You are in lobby/);
    await second.lines.done;
    // ...and gives up at once with a wrong one.
    const refused = track(startClient(server, "ana", ["--password-file", wrong]));
    await refused.stdout.waitFor("! Wrong nick or password");
    assert.equal((await refused.exit()).code, 1);

    await joined.send(`/passwd ${PASSWORD} changed-secret`);
    await joined.stdout.waitFor("* Password changed");
    await joined.send("/unregister changed-secret");
    await joined.stdout.waitFor("* Account ana deleted: the nick is free for anyone");
    await bob.sendLine("hello everyone");
    await joined.stdout.waitFor("<bob> hello everyone");

    // A newcomer's history, /whois and the event log hold no password.
    const cid = track(await RawClient.connect(server.port));
    await cid.sendLine("cid");
    await cid.lines.waitFor("* You are in lobby");
    await cid.sendLine("/whois ana");
    await cid.lines.waitFor(/^\* ana/);
    for (const text of [server.stderr.text(), server.stdout.text(), cid.lines.text()]) {
      for (const secret of [PASSWORD, "changed-secret", "wrong-guess", "not-the-password"]) {
        assert.ok(!text.includes(secret), `${secret} leaked: ${text}`);
      }
    }
    assert.match(server.stderr.text(), /login_failed/);
  });
  await Deno.remove(right);
  await Deno.remove(wrong);
});

Deno.test("guessing passwords is slowed down, the same whether the account exists or not", async () => {
  await withServer({}, async (server, track) => {
    const owner = track(await RawClient.connect(server.port));
    await owner.sendLine("ana");
    await owner.lines.waitFor("* You are in lobby");
    await owner.sendLine(`/register ${PASSWORD}`);
    await owner.lines.waitFor(/^\* Nick ana is now your account/);

    const guesser = track(await RawClient.connect(server.port));
    const answers: string[] = [];
    let next = 0;
    for (let i = 0; i < 6; i++) {
      await guesser.sendFrame({ type: "hello", version: 1, nick: "nobody", login: `guess${i}` });
      const index = await guesser.lines.waitFor(/"type":"error"/, { from: next });
      next = index + 1;
      answers.push(guesser.lines.lines[index] ?? "");
    }
    const failed = answers.filter((line) => line.includes("Wrong nick or password"));
    assert.equal(failed.length, 5, answers.join("\n"));
    assert.match(
      answers[5] ?? "",
      /"code":"rate_limited".*Too many failed logins: try again in \d+ s/,
    );
    // The address is slowed down for every account now, even with the right password.
    await guesser.sendFrame({ type: "hello", version: 1, nick: "ana", login: PASSWORD });
    await guesser.lines.waitFor(/Too many failed logins/, { from: next });
  });
});
