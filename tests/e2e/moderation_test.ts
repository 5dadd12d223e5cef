/**
 * End-to-end: operators and bans. An operator (`--admin`) mutes someone, who is told why; a
 * room owner's ban keeps someone out of that room only; server bans by nick and by address
 * disconnect now, refuse later connections with the reason and time left, and survive a
 * restart (`--data`). Every act is in the event log with who did it.
 */
import assert from "node:assert/strict";
import { freePort, RawClient, startServerOn } from "./harness.ts";

const PASSWORD = "operator-secret";

async function nc(port: number, nick: string): Promise<RawClient> {
  const client = await RawClient.connect(port);
  await client.sendLine(nick);
  await client.lines.waitFor("* You are in lobby");
  return client;
}

Deno.test("mutes, room bans, and server bans by nick and address that survive a restart", async () => {
  const folder = await Deno.makeTempDir({ prefix: "chat-moderation-test-" });
  const port = freePort();
  const args = ["--data", folder, "--admin", "op"];
  const clients: RawClient[] = [];
  const track = (client: RawClient) => (clients.push(client), client);
  let server = await startServerOn(port, args);
  try {
    const op = track(await nc(port, "op"));
    await op.sendLine(`/register ${PASSWORD}`);
    await op.lines.waitFor(/^\* Nick op is now your account/);
    const ana = track(await nc(port, "ana"));
    const eve = track(await nc(port, "eve"));

    // A mute: eve is told why and for how long, and still reads.
    await op.sendLine("/mute eve 10m");
    await op.lines.waitFor("* Muted eve");
    await eve.lines.waitFor("* op has muted you: you can read but not talk");
    await eve.sendLine("can anyone hear me");
    await eve.lines.waitFor(/^! You are muted by op: you can read but not talk \((9m 5\ds|10m)/);
    await ana.sendLine("eve reads this");
    await eve.lines.waitFor("<ana> eve reads this");
    await op.sendLine("/unmute eve");
    await op.lines.waitFor("* eve may talk again");

    // A room ban: out of ana's room, not out of the others. Only operators ban server-wide.
    await ana.sendLine("/create games");
    await ana.lines.waitFor(/You are in games/);
    await ana.sendLine("/create chess");
    await ana.lines.waitFor(/You are in chess/);
    await eve.sendLine("/join games");
    await eve.lines.waitFor(/You are in games/);
    await ana.sendLine("/switch games");
    await ana.lines.waitFor("* Now talking in games");
    await ana.sendLine("/ban eve");
    await ana.lines.waitFor("* ana banned eve from the room");
    await eve.lines.waitFor("* You were kicked from games by ana: Banned from the room");
    await eve.sendLine("/join games");
    await eve.lines.waitFor(/^! Cannot join room "games": you are banned from it/);
    await eve.sendLine("/join chess");
    await eve.lines.waitFor(/You are in chess/);

    // /kill disconnects (she may come back); only operators may.
    await ana.sendLine("/kill eve");
    await ana.lines.waitFor("! Only the server's operators may disconnect people");
    await op.sendLine("/kill eve calm down");
    await eve.lines.waitFor("* Disconnected: Disconnected by op: calm down");
    await eve.lines.done;
    const eveAgain = track(await nc(port, "eve"));
    await eveAgain.sendLine("/join chess");
    await eveAgain.lines.waitFor(/You are in chess/);

    // A server ban by nick: eve is put out now, and refused when she comes back.
    await op.sendLine("/ban eve 1h spamming the lobby");
    await op.lines.waitFor("* Banned eve for 1h");
    await eveAgain.lines.waitFor(
      /You are banned from this server by op: spamming the lobby \((1h|\d+m)/,
    );
    await eveAgain.lines.done;
    const back = track(await RawClient.connect(port));
    await back.sendLine("eve");
    await back.lines.waitFor(/^! You are banned from this server by op: spamming the lobby/);
    await back.lines.done;

    // Every act is in the event log, with who did it (and no password).
    const events = server.stderr.text();
    for (const act of [/moderation.*mute.*op.*eve|moderation.*eve.*op/, /moderation.*room_ban/]) {
      assert.match(events, act);
    }
    assert.match(events, /moderation.*action.*ban.*by.*op.*target.*eve.*spamming/);
    assert.doesNotMatch(events, new RegExp(PASSWORD));

    // After a restart the account, its operator rights and the ban are all still there.
    await server.stop();
    server = await startServerOn(port, args);
    const again = track(await RawClient.connect(port));
    await again.sendLine("eve");
    await again.lines.waitFor(/^! You are banned from this server by op: spamming the lobby/);
    const op2 = track(await RawClient.connect(port));
    await op2.sendLine(`/login op ${PASSWORD}`);
    await op2.lines.waitFor(/^\* Welcome, op!/);
    // An address ban: new connections from it are refused (an operator is not put out).
    await op2.sendLine("/ban 127.0.0.0/8 2h testing address bans");
    await op2.lines.waitFor("* Banned 127.0.0.0/8 for 2h");
    const fromThere = track(await RawClient.connect(port));
    await fromThere.lines.waitFor(
      /banned from this server by op: testing address bans \(1h 59m|2h/,
    );
    await op2.sendLine("/bans");
    await op2.lines.waitFor(
      /^\* Bans \(2\): eve by op: spamming the lobby .*127\.0\.0\.0\/8 by op/,
    );

    await server.stop();
    server = await startServerOn(port, args);
    const stillOut = track(await RawClient.connect(port));
    await stillOut.sendLine("anyone");
    await stillOut.lines.waitFor(/banned from this server by op: testing address bans/);

    const log = server.stderr.text();
    assert.doesNotMatch(log, new RegExp(PASSWORD));
  } finally {
    for (const client of clients) {
      client.close();
      await client.lines.done;
    }
    await server.stop();
    await Deno.remove(folder, { recursive: true });
  }
});
