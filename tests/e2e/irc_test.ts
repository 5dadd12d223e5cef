/**
 * End to end: IRC clients on the chat port beside `chat join` and `nc` users, against a real
 * server process; raw IRC sockets, and Debian's `ii` when it is installed.
 */
import assert from "node:assert/strict";
import { joinedClient, ncUser, RawClient, type Server, withServer } from "./harness.ts";
import { iiInstalled, waitForFile, waitForText, writeFifo } from "./ii.ts";

/** Connects a raw socket and registers it as an IRC client (with CAP negotiation). */
async function ircUser(server: Server, nick: string): Promise<RawClient> {
  const irc = await RawClient.connect(server.port);
  await irc.write(`CAP LS 302\r\nNICK ${nick}\r\nUSER ${nick} 0 * :${nick}\r\nCAP END\r\n`);
  await irc.lines.waitFor(`:chat 422 ${nick} `);
  return irc;
}

Deno.test("IRC, chat join and nc users talk in one room, messages all ways", async () => {
  await withServer({}, async (server, track) => {
    const irc = track(await ircUser(server, "ircana"));
    assert.ok(irc.lines.lines.some((line) => line.startsWith(":chat 001 ircana :Welcome")));
    assert.ok(irc.lines.lines.some((line) => /^:chat 005 ircana .*CHANTYPES=#/.test(line)));
    // The lobby is not shown until the IRC user joins it.
    assert.ok(!irc.lines.text().includes("JOIN #lobby"));
    await irc.sendLine("JOIN #lobby\r");
    await irc.lines.waitFor(":chat 366 ircana #lobby :End of /NAMES list");
    await irc.sendLine("JOIN #games\r");
    await irc.lines.waitFor(":ircana!ircana@chat JOIN #games");
    await irc.lines.waitFor(/^:chat 353 ircana = #games :?@ircana\r?$/);

    const bob = track(await joinedClient(server, "bob"));
    await irc.lines.waitFor(":bob!bob@chat JOIN #lobby");
    await bob.send("/join games");
    await bob.stdout.waitFor("* You are in games with ircana");
    await irc.lines.waitFor(":bob!bob@chat JOIN #games");

    const carl = track(await ncUser(server, "carl"));
    await carl.sendLine("/join games");
    await carl.lines.waitFor("* You are in games with");
    await irc.lines.waitFor(":carl!carl@chat JOIN #games");

    // IRC -> chat join and nc (and an action).
    await irc.sendLine("PRIVMSG #games :hello from irc\r");
    await bob.stdout.waitFor("<ircana> hello from irc");
    await carl.lines.waitFor("<ircana> hello from irc");
    await irc.sendLine("PRIVMSG #games :\x01ACTION waves\x01\r");
    await bob.stdout.waitFor("** ircana waves");
    await carl.lines.waitFor("** ircana waves");
    // chat join -> IRC and nc.
    await bob.send("hi from chat join");
    await irc.lines.waitFor(":bob!bob@chat PRIVMSG #games :hi from chat join");
    await carl.lines.waitFor("<bob> hi from chat join");
    // nc -> IRC and chat join.
    await carl.sendLine("/me is here too");
    await irc.lines.waitFor(":carl!carl@chat PRIVMSG #games :\x01ACTION is here too\x01");
    await carl.sendLine("hi from nc");
    await irc.lines.waitFor(":carl!carl@chat PRIVMSG #games :hi from nc");
    await bob.stdout.waitFor("<carl> hi from nc");
    // Private messages both ways.
    await irc.sendLine("PRIVMSG bob :psst\r");
    await bob.stdout.waitFor("psst");
    await bob.send("/msg ircana secret");
    await irc.lines.waitFor(":bob!bob@chat PRIVMSG ircana secret");
    // A long message reaches IRC split, nothing lost.
    const long = Array.from({ length: 200 }, (_, index) => `word${index}`).join(" ");
    await bob.send(long);
    const first = await irc.lines.waitFor(":bob!bob@chat PRIVMSG #games :word0 ");
    await irc.lines.waitFor((line) => line.includes("word199"), { from: first });
    const pieces = irc.lines.lines.slice(first).filter((line) =>
      line.startsWith(":bob!bob@chat PRIVMSG #games :")
    ).map((line) => line.slice(":bob!bob@chat PRIVMSG #games :".length));
    assert.ok(pieces.length >= 2);
    assert.equal(pieces.join(""), long);
    assert.ok(irc.lines.lines.every((line) => new TextEncoder().encode(line).length <= 510));

    // A taken nick is 433, for a new IRC client and for a rename.
    const second = track(await RawClient.connect(server.port));
    await second.write("NICK bob\r\nUSER x 0 * :x\r\n");
    await second.lines.waitFor(/^:chat 433 \* bob :/);
    await second.write("NICK bob2\r\n");
    await second.lines.waitFor(":chat 001 bob2 ");
    await irc.sendLine("NICK carl\r");
    await irc.lines.waitFor(/^:chat 433 ircana carl :/);

    // QUIT is seen once by each of the others, however many rooms they shared.
    const mark = carl.lines.lines.length;
    const bobMark = bob.stdout.lines.length;
    await irc.sendLine("QUIT :bye now\r");
    await irc.lines.waitFor("ERROR :Closing link: Quit: bye now");
    await carl.lines.waitFor("ircana left (Quit: bye now)", { from: mark });
    await bob.stdout.waitFor("ircana left (Quit: bye now)", { from: bobMark });
    await bob.send("/users games");
    await bob.stdout.waitFor("* In games (2): bob, carl");
    const quits = (lines: string[]) => lines.filter((line) => line.includes("ircana left")).length;
    assert.equal(quits(carl.lines.lines.slice(mark)), 1);
    assert.equal(quits(bob.stdout.lines.slice(bobMark)), 1);
  });
});

Deno.test("IRC user names, part reasons, notices and echoes with time reach every dialect; Latin-1 is refused", async () => {
  await withServer({ args: ["--server-name", "irc.example"] }, async (server, track) => {
    const irc = track(await RawClient.connect(server.port));
    await irc.write(
      "CAP LS 302\r\nCAP REQ :echo-message server-time message-tags\r\nNICK ana\r\n" +
        "USER anauser 0 * :Ana Lovelace\r\nCAP END\r\n",
    );
    await irc.lines.waitFor(":irc.example 422 ana ");
    await irc.sendLine("JOIN #lobby,#games\r");
    await irc.lines.waitFor(":ana!anauser@chat JOIN #games");
    const bob = track(await joinedClient(server, "bob"));
    await bob.send("/join games");
    await bob.stdout.waitFor("* You are in games with ana");
    const carl = track(await ncUser(server, "carl"));
    await carl.sendLine("/join games");
    await carl.lines.waitFor("* You are in games with");
    // The echo carries the time the others got and the same msgid.
    await irc.sendLine("PRIVMSG #games :hello\r");
    await irc.lines.waitFor(/^@time=\S+Z;msgid=\S+ :ana!anauser@chat PRIVMSG #games hello\r?$/);
    await bob.stdout.waitFor("<ana> hello");
    // A NOTICE stays a notice.
    await irc.sendLine("NOTICE #games :bus at five\r");
    await bob.stdout.waitFor("-ana- bus at five");
    await carl.lines.waitFor("-ana- bus at five");
    // Latin-1 from an old client: the line is refused (UTF8ONLY), the connection kept.
    await irc.write(
      new Uint8Array([...new TextEncoder().encode("PRIVMSG #games :caf"), 0xe9, 13, 10]),
    );
    await irc.lines.waitFor(/^(@\S+ )?:irc\.example FAIL PRIVMSG INVALID_UTF8 :/);
    await irc.sendLine("PRIVMSG #games :caf\u00e9\r");
    await carl.lines.waitFor("<ana> caf\u00e9");
    await irc.sendLine("WHOIS bob\r");
    await irc.lines.waitFor(":irc.example 311 ana bob bob chat * bob");
    // A part reason reaches chat join and nc users.
    await irc.sendLine("PART #games :time for tea\r");
    await bob.stdout.waitFor("ana left (time for tea)");
    await carl.lines.waitFor("ana left (time for tea)");
    // And theirs reach IRC.
    const mark = irc.lines.lines.length;
    await irc.sendLine("JOIN #games\r");
    await irc.lines.waitFor(":ana!anauser@chat JOIN #games", { from: mark });
    await carl.sendLine("/leave games off to bed");
    await irc.lines.waitFor(":carl!carl@chat PART #games :off to bed");
  });
});

Deno.test("IRC errors are numerics and hostile input leaves the server serving", async () => {
  await withServer({}, async (server, track) => {
    const early = track(await RawClient.connect(server.port));
    await early.write("NICK early\r\nJOIN #x\r\n");
    await early.lines.waitFor(/^:chat 451 \* :You have not registered/);
    const irc = track(await ircUser(server, "ircbob"));
    const bystander = track(await ncUser(server, "dana"));
    await irc.sendLine("FROB\r");
    await irc.lines.waitFor(":chat 421 ircbob FROB :Unknown command");
    await irc.sendLine("JOIN\r");
    await irc.lines.waitFor(":chat 461 ircbob JOIN :Not enough parameters");
    await irc.sendLine("JOIN nohash\r");
    await irc.lines.waitFor(":chat 403 ircbob nohash :No such channel");
    await irc.sendLine("PART #nowhere\r");
    await irc.lines.waitFor(/^:chat 442 ircbob #nowhere /);
    await irc.sendLine("PRIVMSG nobody :hi\r");
    await irc.lines.waitFor(/^:chat 401 ircbob nobody :/);
    await irc.sendLine("PRIVMSG #lobby :hidden\r");
    await irc.lines.waitFor(/^:chat 404 ircbob #lobby /);
    await irc.write(`PRIVMSG #lobby :${"x".repeat(20_000)}\r\n`);
    await irc.lines.waitFor(/^:chat 417 ircbob /);
    await irc.write("PRIVMSG dana :a\0b\r\n");
    await irc.lines.waitFor(/^:chat 400 ircbob \* :Line contains a NUL/);
    // A spoofed source is ignored: the message comes from the real sender.
    await irc.sendLine(":fake!x@y PRIVMSG dana :not spoofed\r");
    await bystander.lines.waitFor("ircbob");
    assert.ok(!bystander.lines.text().includes("fake"));
    await irc.sendLine("JOIN #ok\r\nPRIVMSG #ok :fine\r");
    await irc.sendLine("PING :still-here\r");
    await irc.lines.waitFor(":chat PONG chat still-here");
    await bystander.sendLine("still chatting");
    await irc.sendLine("JOIN #lobby\r");
    await irc.lines.waitFor(":chat 366 ircbob #lobby ");
    await bystander.sendLine("after the noise");
    await irc.lines.waitFor(":dana!dana@chat PRIVMSG #lobby :after the noise");
  });
});

Deno.test("an IRC client sending thousands of JOINs is cut off for flooding; others chat on", async () => {
  await withServer({}, async (server, track) => {
    const bystander = track(await ncUser(server, "erin"));
    const watcher = track(await joinedClient(server, "fred"));
    const flooder = track(await ircUser(server, "flooder"));
    await flooder.write("CAP FROB\r\n");
    await flooder.lines.waitFor(":chat 410 flooder FROB :Invalid CAP command");
    const joins = Array.from({ length: 3000 }, (_, index) => `JOIN #r${index}\r\n`).join("");
    // The server stops reading a flooder (TCP pushes back), so this write may not finish.
    void flooder.write(joins).catch(() => {});
    await flooder.lines.waitFor("ERROR :Closing link: Disconnected for flooding: slow down", {
      timeoutMs: 30_000,
    });
    await bystander.sendLine("still here");
    await watcher.stdout.waitFor("<erin> still here");
  });
});

Deno.test("Debian's ii joins #lobby and talks with a chat join user", async (t) => {
  if (!await iiInstalled()) {
    t.step({ name: "ii is not installed (apt-get install ii)", ignore: true, fn: () => {} });
    return;
  }
  await withServer({}, async (server, track) => {
    const dir = await Deno.makeTempDir({ prefix: "chat_ii_" });
    const process = new Deno.Command("ii", {
      args: ["-s", "127.0.0.1", "-p", String(server.port), "-n", "iiuser", "-i", dir],
      stdout: "null",
      stderr: "null",
    }).spawn();
    try {
      const base = `${dir}/127.0.0.1`;
      await waitForFile(`${base}/in`);
      const bob = track(await joinedClient(server, "bob"));
      // ii is in the lobby already (every user is), only hidden from it until it joins.
      await bob.stdout.waitFor("* You are in lobby with iiuser");
      await writeFifo(`${base}/in`, "/j #lobby\n");
      await waitForFile(`${base}/#lobby/in`);
      await writeFifo(`${base}/#lobby/in`, "hello from ii\n");
      await bob.stdout.waitFor("<iiuser> hello from ii");
      await bob.send("hello ii");
      await waitForText(`${base}/#lobby/out`, "<bob> hello ii");
    } finally {
      process.kill("SIGTERM");
      await process.status;
      await Deno.remove(dir, { recursive: true });
    }
  });
});
