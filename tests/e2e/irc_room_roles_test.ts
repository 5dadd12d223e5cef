/**
 * End to end: room roles, flags and invitations across dialects: an IRC channel operator runs a
 * room that `chat join` and `nc` users are invited to, voiced in and made operators of.
 */
import { joinedClient, ncUser, RawClient, type Server, withServer } from "./harness.ts";

async function ircUser(server: Server, nick: string): Promise<RawClient> {
  const irc = await RawClient.connect(server.port);
  await irc.write(
    `CAP LS 302\r\nCAP REQ :multi-prefix\r\nNICK ${nick}\r\nUSER ${nick} 0 * :${nick}\r\n` +
      "CAP END\r\n",
  );
  await irc.lines.waitFor(`:chat 422 ${nick} `);
  return irc;
}

Deno.test("an IRC operator's invite-only, moderated room: nc is invited and voiced, chat join opped", async () => {
  await withServer({}, async (server, track) => {
    const irc = track(await ircUser(server, "ircana"));
    await irc.sendLine("JOIN #club\r");
    await irc.lines.waitFor(":chat 366 ircana #club ");
    await irc.sendLine("MODE #club +im\r");
    await irc.lines.waitFor(":ircana!ircana@chat MODE #club +im");

    const carl = track(await ncUser(server, "carl"));
    await carl.sendLine("/join club");
    await carl.lines.waitFor('Cannot join room "club": it is invite-only');
    await irc.sendLine("INVITE carl #club\r");
    await irc.lines.waitFor(":chat 341 ircana carl #club");
    await carl.lines.waitFor("ircana invited carl to club (/join club)");
    await carl.sendLine("/join club");
    await carl.lines.waitFor("* You are in club with");
    await irc.lines.waitFor(":carl!carl@chat JOIN #club");

    // Moderated: carl reads but may not talk until voiced.
    await carl.sendLine("may I speak?");
    await carl.lines.waitFor("it is moderated, only its operators and voiced members talk");
    await irc.sendLine("MODE #club +v carl\r");
    await irc.lines.waitFor(":ircana!ircana@chat MODE #club +v carl");
    await carl.lines.waitFor("ircana gave carl voice");
    await carl.sendLine("thank you");
    await irc.lines.waitFor(":carl!carl@chat PRIVMSG #club :thank you");

    // A chat join user, invited and made an operator, opens the room from their side.
    const bob = track(await joinedClient(server, "bob"));
    await irc.sendLine("INVITE bob #club\r");
    await bob.stdout.waitFor("ircana invited bob to club");
    await bob.send("/join club");
    await bob.stdout.waitFor("* You are in club with");
    await irc.sendLine("MODE #club +o bob\r");
    await bob.stdout.waitFor("ircana made bob an operator");
    await irc.sendLine("NAMES #club\r");
    await irc.lines.waitFor(/^:chat 353 ircana = #club :@ircana \+carl @bob\r?$/);
    await bob.send("/mode -i");
    await irc.lines.waitFor(":bob!bob@chat MODE #club -i");
    await carl.lines.waitFor("bob opened the room to everyone");
    await irc.sendLine("MODE #club\r");
    await irc.lines.waitFor(":chat 324 ircana #club +mnt");
  });
});
