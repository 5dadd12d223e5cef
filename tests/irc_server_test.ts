/**
 * IRC clients in-process over the memory carrier, beside native and plain-text users: what
 * the session and the hub do for the IRC dialect (several targets in one line, part reasons,
 * user names, notices, history), without sockets or processes.
 */
import assert from "node:assert/strict";
import { type Peer, withMemoryServer } from "./memory_server.ts";

/** Registers an IRC peer (with CAPs, if any) and waits for the end of its welcome. */
async function ircUser(peer: Peer, nick: string, caps: string[] = [], real = nick): Promise<void> {
  if (caps.length > 0) await peer.send(`CAP LS 302\r\nCAP REQ :${caps.join(" ")}\r\n`);
  await peer.send(`NICK ${nick}\r\nUSER u${nick} 0 * :${real}\r\n`);
  if (caps.length > 0) await peer.send("CAP END\r\n");
  await peer.waitFor(" 422 ");
}

/** Waits until everything the peer sent before has been handled (its PING is answered). */
async function sync(peer: Peer, token: string): Promise<void> {
  await peer.send(`PING ${token}\r\n`);
  await peer.waitFor(`PONG chat ${token}`);
}

Deno.test("IRC: PRIVMSG to several channels goes on past one that fails", async () => {
  await withMemoryServer({}, async (connect) => {
    const ana = connect();
    await ircUser(ana, "ana");
    const bob = connect();
    await ircUser(bob, "bob");
    await bob.send("JOIN #a,#b\r\n");
    await bob.waitFor(":bob!ubob@chat JOIN #b");
    await ana.send("JOIN #a,#b\r\n");
    await ana.waitFor(":ana!uana@chat JOIN #b");
    await ana.send("PRIVMSG #a,#nowhere,nobody,#b :hello all\r\n");
    await ana.waitFor(" 403 ana #nowhere ");
    await ana.waitFor(" 401 ana nobody ");
    await bob.waitFor(":ana!uana@chat PRIVMSG #a :hello all");
    await bob.waitFor(":ana!uana@chat PRIVMSG #b :hello all");
  });
});

Deno.test("IRC: JOIN of several channels joins an unlisted one and creates a new one at once", async () => {
  await withMemoryServer({}, async (connect) => {
    const ana = connect();
    await ircUser(ana, "ana");
    await ana.send("JOIN #secret\r\nMODE #secret +s\r\n");
    await ana.waitFor("MODE #secret +s");
    const bob = connect();
    await ircUser(bob, "bob");
    await bob.send("JOIN #full,#secret,#fresh\r\n");
    await bob.waitFor(":bob!ubob@chat JOIN #full");
    await bob.waitFor(":bob!ubob@chat JOIN #secret");
    await bob.waitFor(":bob!ubob@chat JOIN #fresh");
    await ana.waitFor(":bob!ubob@chat JOIN #secret");
    // A failure in the middle (a full room) does not stop the rest.
    await bob.send("MODE #full +l 1\r\n");
    await bob.waitFor("MODE #full +l 1");
    const cy = connect();
    await ircUser(cy, "cy");
    await cy.send("JOIN #full,#fresh\r\n");
    await cy.waitFor(" 471 cy #full ");
    await cy.waitFor(":cy!ucy@chat JOIN #fresh");
  });
});

Deno.test("IRC: KICK of several nicks goes on past one who is not there", async () => {
  await withMemoryServer({}, async (connect) => {
    const ana = connect();
    await ircUser(ana, "ana");
    await ana.send("JOIN #room\r\n");
    await ana.waitFor(" 366 ana #room ");
    const bob = connect();
    await ircUser(bob, "bob");
    const cy = connect();
    await ircUser(cy, "cy");
    await bob.send("JOIN #room\r\n");
    await cy.send("JOIN #room\r\n");
    await ana.waitFor(":cy!ucy@chat JOIN #room");
    await ana.waitFor(":bob!ubob@chat JOIN #room");
    await ana.send("KICK #room bob,nobody,cy :out\r\n");
    await ana.waitFor(":ana!uana@chat KICK #room bob out");
    await ana.waitFor(" 401 ana nobody ");
    await ana.waitFor(":ana!uana@chat KICK #room cy out");
  });
});

Deno.test("IRC: a part reason reaches IRC, native and plain-text members", async () => {
  await withMemoryServer({}, async (connect) => {
    const ana = connect();
    await ircUser(ana, "ana");
    await ana.send("JOIN #room\r\n");
    await ana.waitFor(" 366 ana #room ");
    const bob = connect();
    await ircUser(bob, "bob");
    await bob.send("JOIN #room\r\n");
    const nat = connect();
    await nat.send('{"type":"hello","version":1,"nick":"nat"}\n');
    await nat.waitFor('"type":"welcome"');
    await nat.send('{"type":"command","line":"/join room"}\n');
    const pat = connect();
    await pat.send("pat\n/join room\n");
    await pat.waitFor("You are in room");
    await ana.waitFor(":pat!pat@chat JOIN #room");
    await bob.send("PART #room :time for \x02tea\x02\r\n");
    await bob.waitFor(":bob!ubob@chat PART #room :time for tea");
    await ana.waitFor(":bob!ubob@chat PART #room :time for tea");
    await nat.waitFor('"type":"leave","room":"room","nick":"bob","reason":"time for tea"');
    await pat.waitFor("bob left (time for tea)");
    // The plain user's own /leave with a reason.
    await pat.send("/leave room off to bed\n");
    await ana.waitFor(":pat!pat@chat PART #room :off to bed");
    await sync(ana, "x");
  });
});

Deno.test("IRC: user names and real names show in prefixes, WHO, WHOIS and USERHOST", async () => {
  await withMemoryServer({ serverName: "irc.example" }, async (connect) => {
    const ana = connect();
    await ircUser(ana, "ana", [], "Ana Lovelace");
    await ana.send("JOIN #room\r\n");
    await ana.waitFor(":ana!uana@chat JOIN #room");
    const bob = connect();
    await ircUser(bob, "bob", [], "Bob \x01Builder");
    await bob.send("JOIN #room\r\n");
    const nat = connect();
    await nat.send('{"type":"hello","version":1,"nick":"nat"}\n');
    await nat.waitFor('"type":"welcome"');
    await bob.send("AWAY :lunch\r\n");
    await bob.waitFor(" 306 bob ");
    await ana.send("WHOIS bob\r\nWHO #room\r\nWHO b*\r\nWHO nat\r\nUSERHOST bob nat ana\r\n");
    await ana.waitFor(":irc.example 311 ana bob ubob chat * :Bob  Builder");
    await ana.waitFor(":irc.example 352 ana #room uana chat irc.example ana H@ :0 Ana Lovelace");
    await ana.waitFor(":irc.example 352 ana #room ubob chat irc.example bob G :0 Bob  Builder");
    await ana.waitFor(":irc.example 352 ana * ubob chat irc.example bob G :0 Bob  Builder");
    await ana.waitFor(":irc.example 315 ana b* :End of WHO list");
    // A native user: the nick stands for the user name and real name.
    await ana.waitFor(":irc.example 352 ana * nat chat irc.example nat H :0 nat");
    await ana.waitFor(":irc.example 302 ana :bob=-ubob@chat nat=+nat@chat ana=+uana@chat");
    await ana.send("PING x\r\n");
    await ana.waitFor(":irc.example PONG irc.example x");
    // Once gone, their QUIT still carries their user name.
    await bob.send("QUIT :bye\r\n");
    await ana.waitFor(":bob!ubob@chat QUIT :Quit: bye");
  });
});

Deno.test("IRC: a NOTICE stays a notice for everyone, and never gets an away reply", async () => {
  await withMemoryServer({}, async (connect) => {
    const ana = connect();
    await ircUser(ana, "ana", ["echo-message", "server-time"]);
    await ana.send("JOIN #lobby\r\n");
    await ana.waitFor(" 366 ana #lobby ");
    const bob = connect();
    await ircUser(bob, "bob");
    await bob.send("JOIN #lobby\r\nAWAY :out\r\n");
    await bob.waitFor(" 306 bob ");
    const pat = connect();
    await pat.send("pat\n");
    await pat.waitFor("You are in lobby");
    await ana.send("NOTICE #lobby :the bus is here\r\nNOTICE bob :psst\r\nPRIVMSG bob :hi\r\n");
    // The echo carries the message's time from the hub.
    await ana.waitFor(/^@time=\S+ :ana!uana@chat NOTICE #lobby :the bus is here$/);
    await bob.waitFor(":ana!uana@chat NOTICE #lobby :the bus is here");
    await pat.waitFor("-ana- the bus is here");
    await bob.waitFor(":ana!uana@chat NOTICE bob psst");
    await bob.waitFor(":ana!uana@chat PRIVMSG bob hi");
    // Only the PRIVMSG is answered with bob's away text.
    await ana.waitFor(" 301 ana bob out");
    await sync(ana, "done");
    assert.equal(ana.lines.filter((line) => line.includes(" 301 ")).length, 1);
  });
});

Deno.test("IRC: a line that is not UTF-8 is refused with FAIL INVALID_UTF8 and the connection kept; native closes", async () => {
  await withMemoryServer({}, async (connect) => {
    const ana = connect();
    await ana.conn.write(
      new Uint8Array([
        ...new TextEncoder().encode("NICK ana\r\nUSER ana 0 * :i"),
        0xe8,
        ...new TextEncoder().encode("rc\r\n"),
      ]),
    );
    await ana.waitFor(/^:chat FAIL USER INVALID_UTF8 :/);
    await ana.send("USER ana 0 * :irc\r\n");
    await ana.waitFor(" 422 ana ");
    await ana.waitFor(/ 005 ana .*UTF8ONLY/);
    await ana.send("JOIN #room\r\n");
    await ana.waitFor(" 366 ana #room ");
    const bob = connect();
    await bob.send(
      '{"type":"hello","version":1,"nick":"bob"}\n{"type":"command","line":"/join room"}\n',
    );
    await bob.waitFor('"type":"room","room":"room"');
    await ana.send("CAP REQ labeled-response\r\n");
    await ana.waitFor(" ACK labeled-response");
    await ana.conn.write(
      new Uint8Array([
        ...new TextEncoder().encode("@label=x1 PRIVMSG #room :caf"),
        0xe9,
        0x0d,
        0x0a,
      ]),
    );
    await ana.waitFor(/^@label=x1 :chat FAIL PRIVMSG INVALID_UTF8 :/);
    await ana.send("PRIVMSG #room :caf\u00e9\r\n");
    await bob.waitFor('"text":"caf\u00e9"');
    assert.ok(!bob.lines.some((line) => line.includes("\uFFFD")));
    await bob.conn.write(
      new Uint8Array([
        ...new TextEncoder().encode('{"type":"say","room":"room","text":"caf'),
        0xe9,
        ...new TextEncoder().encode('"}\n'),
      ]),
    );
    await bob.waitFor('"code":"bad_frame","message":"Line is not valid UTF-8"');
    // A first line that is not UTF-8 and not IRC is refused as before.
    const odd = connect();
    await odd.conn.write(new Uint8Array([0xff, 0xfe, 0x0a]));
    await odd.waitFor("Line is not valid UTF-8");
  });
});

Deno.test("IRC: MODE shows the creation time (329), NAMES marks a secret channel @", async () => {
  await withMemoryServer({ clock: () => 1_700_000_000_000 }, async (connect) => {
    const ana = connect();
    await ircUser(ana, "ana");
    await ana.send("JOIN #hide\r\nMODE #hide +s\r\nMODE #hide\r\nNAMES #hide\r\n");
    await ana.waitFor(":chat 324 ana #hide +nst");
    await ana.waitFor(":chat 329 ana #hide 1700000000");
    await ana.waitFor(":chat 353 ana @ #hide @ana");
  });
});

Deno.test("IRC: message-tags passes client tags and a msgid on, TAGMSG only to those who speak it", async () => {
  await withMemoryServer({}, async (connect) => {
    const ana = connect();
    await ircUser(ana, "ana", ["message-tags", "echo-message"]);
    await ana.send("JOIN #t\r\n");
    await ana.waitFor(" 366 ana #t ");
    const bob = connect();
    await ircUser(bob, "bob", ["message-tags"]);
    await bob.send("JOIN #t\r\n");
    const cy = connect();
    await ircUser(cy, "cy", ["server-time"]);
    await cy.send("JOIN #t\r\n");
    await ana.waitFor(":cy!ucy@chat JOIN #t");
    await ana.send("@+draft/reply=x;fizz=buzz PRIVMSG #t :hi\r\n");
    const echo = ana.lines[await ana.waitFor(/^@.* :ana!uana@chat PRIVMSG #t hi$/)] ?? "";
    const relay = bob.lines[await bob.waitFor(/^@.* :ana!uana@chat PRIVMSG #t hi$/)] ?? "";
    const msgid = /msgid=([^; ]+)/.exec(relay)?.[1];
    assert.ok(msgid !== undefined, relay);
    assert.equal(/msgid=([^; ]+)/.exec(echo)?.[1], msgid);
    assert.match(relay, /\+draft\/reply=x/);
    assert.doesNotMatch(relay, /fizz/);
    // Without message-tags: no client tags, no msgid.
    const plain = cy.lines[await cy.waitFor(/:ana!uana@chat PRIVMSG #t hi$/)] ?? "";
    assert.match(plain, /^@time=[^; ]+ :/);
    await ana.send("@+typing=active TAGMSG #t\r\n");
    await bob.waitFor(
      /^@\+typing=active;msgid=\S+ :ana!uana@chat TAGMSG #t$|^@msgid=\S+;\+typing=active :ana!uana@chat TAGMSG #t$/,
    );
    await ana.waitFor(/ :ana!uana@chat TAGMSG #t$/);
    await sync(cy, "x");
    assert.ok(!cy.lines.some((line) => line.includes("TAGMSG")));
    // A private message has a msgid too, the same for both sides.
    await bob.send("PRIVMSG ana :psst\r\n");
    const got = ana.lines[await ana.waitFor(/:bob!ubob@chat PRIVMSG ana psst$/)] ?? "";
    assert.match(got, /msgid=p/);
  });
});

Deno.test("IRC: away-notify tells channel members who goes away and comes back", async () => {
  await withMemoryServer({}, async (connect) => {
    const ana = connect();
    await ircUser(ana, "ana", ["away-notify"]);
    await ana.send("JOIN #t\r\n");
    await ana.waitFor(" 366 ana #t ");
    const bob = connect();
    await ircUser(bob, "bob");
    await bob.send("AWAY :lunch\r\nJOIN #t\r\n");
    // Someone away who joins: their AWAY follows the JOIN.
    await ana.waitFor(":bob!ubob@chat JOIN #t");
    await ana.waitFor(":bob!ubob@chat AWAY lunch");
    await bob.send("AWAY\r\n");
    await ana.waitFor(/^:bob!ubob@chat AWAY$/);
    await bob.send("AWAY :gone again\r\n");
    await ana.waitFor(":bob!ubob@chat AWAY :gone again");
  });
});

/** Messages numbered 1 to `count` from `who` in `channel`, each acknowledged by a PONG. */
async function talk(who: Peer, nick: string, channel: string, count: number): Promise<void> {
  for (let i = 1; i <= count; i++) who.send(`PRIVMSG ${channel} :m${i}\r\n`);
  await sync(who, `talked-${nick}`);
}

Deno.test("IRC: history on join comes in a chathistory batch; CHATHISTORY serves the room's history", async () => {
  let now = 1_700_000_000_000;
  await withMemoryServer({ clock: () => now++ }, async (connect) => {
    const ana = connect();
    await ircUser(ana, "ana");
    await ana.send("JOIN #h\r\n");
    await ana.waitFor(" 366 ana #h ");
    await talk(ana, "ana", "#h", 10);
    // Batch on: the replay on joining is a batch.
    const bob = connect();
    await ircUser(bob, "bob", ["batch", "server-time", "message-tags"]);
    await bob.send("JOIN #h\r\n");
    const start = await bob.waitFor(/^:chat BATCH \+(\S+) chathistory #h$/);
    const id = /\+(\S+)/.exec(bob.lines[start] ?? "")?.[1] ?? "";
    await bob.waitFor(
      new RegExp(
        `^@(?=\\S*batch=${id})(?=\\S*msgid=)(?=\\S*time=)\\S+ :ana!uana@chat PRIVMSG #h m10$`,
      ),
    );
    await bob.waitFor(`:chat BATCH -${id}`);
    // A CHATHISTORY client gets no replay: it asks.
    const cy = connect();
    await ircUser(cy, "cy", ["batch", "server-time", "message-tags", "draft/chathistory"]);
    await cy.send("JOIN #h\r\n");
    await cy.waitFor(" 366 cy #h ");
    await sync(cy, "joined");
    assert.ok(!cy.lines.some((line) => line.includes(" PRIVMSG #h ")), cy.lines.join("\n"));
    const ask = async (line: string, token: string): Promise<string[]> => {
      const from = cy.lines.length;
      await cy.send(line + "\r\n");
      await sync(cy, token);
      return cy.lines.slice(from).flatMap((each) => {
        const match = / PRIVMSG #h (m\d+)$/.exec(each);
        return match === null ? [] : [match[1] ?? ""];
      });
    };
    assert.deepEqual(await ask("CHATHISTORY LATEST #h * 3", "a"), ["m8", "m9", "m10"]);
    // The msgid of m5, from a reply.
    const line5 = cy.lines.find((each) => each.endsWith(" m8")) ?? "";
    const m8 = /msgid=([^; ]+)/.exec(line5)?.[1] ?? "";
    assert.deepEqual(await ask(`CHATHISTORY BEFORE #h msgid=${m8} 2`, "b"), ["m6", "m7"]);
    assert.deepEqual(await ask(`CHATHISTORY AFTER #h msgid=${m8} 5`, "c"), ["m9", "m10"]);
    assert.deepEqual(await ask(`CHATHISTORY AROUND #h msgid=${m8} 3`, "d"), ["m7", "m8", "m9"]);
    const time8 = /time=([^; ]+)/.exec(line5)?.[1] ?? "";
    assert.deepEqual(await ask(`CHATHISTORY LATEST #h timestamp=${time8} 10`, "e"), ["m9", "m10"]);
    const m2 = `2-${(1_700_000_000_000).toString(36)}-h`;
    assert.deepEqual(
      await ask(`CHATHISTORY BETWEEN #h timestamp=${time8} msgid=${m2} 3`, "f"),
      ["m5", "m6", "m7"],
    );
    // Not in a room, or no such room: FAIL.
    await cy.send("CHATHISTORY LATEST #nowhere * 5\r\nCHATHISTORY BEFORE #h bogus 5\r\n");
    await cy.waitFor(/^:chat FAIL CHATHISTORY INVALID_TARGET LATEST #nowhere /);
    await cy.waitFor(/^:chat FAIL CHATHISTORY INVALID_PARAMS BEFORE /);
  });
});

Deno.test("IRC: WHOX answers 354 with the fields asked for, in WHOX's order", async () => {
  await withMemoryServer({}, async (connect) => {
    const ana = connect();
    await ircUser(ana, "ana", [], "Ana L");
    await ana.send("JOIN #w\r\n");
    await ana.waitFor(" 366 ana #w ");
    const bob = connect();
    await ircUser(bob, "bob");
    await bob.send("JOIN #w\r\nWHO ana %tcuihsnfdlaor,123\r\nWHO #w %nt,7\r\nWHO ana %n\r\n");
    await bob.waitFor(
      ":chat 354 bob 123 * uana 255.255.255.255 chat chat ana H 0 0 0 n/a :Ana L",
    );
    await bob.waitFor(":chat 354 bob 7 ana");
    await bob.waitFor(":chat 354 bob 7 bob");
    await bob.waitFor(/^:chat 354 bob ana$/);
    await bob.waitFor(":chat 315 bob ana :End of WHO list");
  });
});

Deno.test("IRC: labeled-response labels one line, batches several, ACKs none", async () => {
  await withMemoryServer({}, async (connect) => {
    const ana = connect();
    await ircUser(ana, "ana", ["batch", "labeled-response", "echo-message"]);
    await ana.send("@label=one PING x\r\n");
    await ana.waitFor("@label=one :chat PONG chat x");
    await ana.send("@label=two PONG x\r\n");
    await ana.waitFor("@label=two :chat ACK");
    await ana.send("@label=three JOIN #l\r\n");
    const start = await ana.waitFor(/^@label=three :chat BATCH \+\S+ labeled-response$/);
    const id = /\+(\S+)/.exec(ana.lines[start] ?? "")?.[1] ?? "";
    await ana.waitFor(`@batch=${id} :ana!uana@chat JOIN #l`);
    await ana.waitFor(`@batch=${id} :chat 366 ana #l :End of /NAMES list`);
    await ana.waitFor(`:chat BATCH -${id}`);
    const bob = connect();
    await ircUser(bob, "bob");
    await bob.send("JOIN #l\r\n");
    await ana.waitFor(":bob!ubob@chat JOIN #l");
    // The echo is the answer to a message; the others get it without the label.
    await ana.send("@label=four PRIVMSG #l :hi\r\n");
    await ana.waitFor("@label=four :ana!uana@chat PRIVMSG #l hi");
    await bob.waitFor(/^:ana!uana@chat PRIVMSG #l hi$/);
    await ana.send("@label=five FROB\r\n");
    await ana.waitFor("@label=five :chat 421 ana FROB :Unknown command");
  });
});

Deno.test("IRC: WHOWAS names who went by a nick lately, newest first", async () => {
  await withMemoryServer({}, async (connect) => {
    const ana = connect();
    await ircUser(ana, "ana");
    for (const real of ["First One", "Second One"]) {
      const bob = connect();
      await ircUser(bob, "bob", [], real);
      await bob.send("QUIT\r\n");
      await bob.done;
    }
    await ana.send("WHOWAS bob\r\nWHOWAS bob 1\r\nWHOWAS nobody\r\n");
    await ana.waitFor(":chat 369 ana nobody :End of WHOWAS");
    const first = await ana.waitFor(":chat 314 ana bob ubob chat * :Second One");
    assert.match(ana.lines[first + 1] ?? "", / 312 ana bob chat /);
    assert.equal(ana.lines[first + 2], ":chat 314 ana bob ubob chat * :First One");
    assert.match(ana.lines[first + 3] ?? "", / 312 ana bob chat /);
    assert.equal(ana.lines[first + 4], ":chat 369 ana bob :End of WHOWAS");
    // With a count of 1, only the newest.
    assert.equal(ana.lines[first + 5], ":chat 314 ana bob ubob chat * :Second One");
    assert.equal(ana.lines[first + 7], ":chat 369 ana bob :End of WHOWAS");
    await ana.waitFor(":chat 406 ana nobody :There was no such nickname");
  });
});

Deno.test("IRC: WHO masks match only who shares a channel you see; a plain nick finds anyone", async () => {
  await withMemoryServer({}, async (connect) => {
    const evan = connect();
    await ircUser(evan, "evan");
    const shiv = connect();
    await ircUser(shiv, "shiv");
    await shiv.send("WHO eva*\r\nWHO evan\r\n");
    await shiv.waitFor(":chat 315 shiv evan :End of WHO list");
    const star = shiv.lines.findIndex((line) => line.includes(" 315 shiv eva* "));
    assert.ok(!(shiv.lines[star - 1] ?? "").includes(" 352 "), shiv.lines.join("\n"));
    assert.ok(shiv.lines.some((line) => line.includes(" 352 shiv * uevan chat chat evan H ")));
    await evan.send("JOIN #t\r\n");
    await shiv.send("JOIN #t\r\n");
    await evan.waitFor(":shiv!ushiv@chat JOIN #t");
    await shiv.send("WHO eva*\r\n");
    await shiv.waitFor(/ 352 shiv \* uevan chat chat evan H .*\n?/);
    await shiv.waitFor(":chat 315 shiv eva* :End of WHO list");
  });
});

Deno.test("IRC: MONITOR tells when watched nicks come and go, lists and clears them", async () => {
  await withMemoryServer({}, async (connect) => {
    const ana = connect();
    await ircUser(ana, "ana");
    const bob = connect();
    await ircUser(bob, "bob");
    await ana.send("MONITOR + bob,cy,*!x@y\r\n");
    await ana.waitFor(":chat 432 ana *!x@y :Not a nick: masks cannot be monitored");
    await ana.waitFor(":chat 730 ana bob!ubob@chat");
    await ana.waitFor(":chat 731 ana cy");
    const cy = connect();
    await ircUser(cy, "cy");
    await ana.waitFor(":chat 730 ana cy!ucy@chat");
    await cy.send("NICK cyd\r\n");
    await ana.waitFor(":chat 731 ana cy");
    await bob.send("QUIT\r\n");
    await ana.waitFor(":chat 731 ana bob");
    await ana.send("MONITOR L\r\nMONITOR - cy\r\nMONITOR S\r\nMONITOR C\r\nMONITOR L\r\n");
    await ana.waitFor(":chat 732 ana bob,cy");
    await ana.waitFor(":chat 731 ana bob");
    await ana.waitFor(/^:chat 733 ana :End of MONITOR list$/);
    await sync(ana, "done");
    assert.equal(ana.lines.filter((line) => line.includes(" 733 ana ")).length, 2);
    // Cleared: a nick that comes back is not reported.
    const again = connect();
    await ircUser(again, "bob");
    await sync(ana, "after");
    assert.equal(ana.lines.filter((line) => line === ":chat 730 ana bob!ubob@chat").length, 1);
  });
});

Deno.test("IRC: SETNAME reaches who asked for setname; extended-monitor adds watchers", async () => {
  await withMemoryServer({}, async (connect) => {
    const ana = connect();
    await ircUser(ana, "ana", ["setname", "away-notify", "extended-monitor"]);
    await ana.send("MONITOR + bob\r\n");
    await ana.waitFor(":chat 731 ana bob");
    const bob = connect();
    await ircUser(bob, "bob", ["setname"]);
    await ana.waitFor(":chat 730 ana bob!ubob@chat");
    // Watched, sharing no channel: away changes and new real names still come.
    await bob.send("AWAY :afk\r\nSETNAME :Bob \x02Builder\x02\r\n");
    await bob.waitFor(":bob!ubob@chat SETNAME :Bob Builder");
    await ana.waitFor(":bob!ubob@chat AWAY afk");
    await ana.waitFor(":bob!ubob@chat SETNAME :Bob Builder");
    await ana.send("WHOIS bob\r\n");
    await ana.waitFor(":chat 311 ana bob ubob chat * :Bob Builder");
    await bob.send(`SETNAME :${"x".repeat(101)}\r\n`);
    await bob.waitFor(/^:chat FAIL SETNAME INVALID_REALNAME /);
    // Without the capability, nothing.
    const cy = connect();
    await ircUser(cy, "cy");
    await cy.send("JOIN #c\r\n");
    await bob.send("JOIN #c\r\n");
    await cy.waitFor(":bob!ubob@chat JOIN #c");
    await bob.send("SETNAME :Robert\r\n");
    await ana.waitFor(":bob!ubob@chat SETNAME Robert");
    await sync(cy, "x");
    assert.ok(!cy.lines.some((line) => line.includes("SETNAME")));
  });
});

Deno.test("IRC: bot mode (+B) shows in WHO, WHOIS and a bot tag on messages", async () => {
  await withMemoryServer({}, async (connect) => {
    const bot = connect();
    await ircUser(bot, "robo");
    await bot.send("MODE robo +B\r\nMODE robo\r\nJOIN #b\r\n");
    await bot.waitFor(":robo MODE robo +B");
    await bot.waitFor(":chat 221 robo +Bi");
    await bot.waitFor(" 366 robo #b ");
    const ana = connect();
    await ircUser(ana, "ana", ["message-tags"]);
    await ana.send("JOIN #b\r\nWHOIS robo\r\nWHO #b\r\n");
    await ana.waitFor(":chat 335 ana robo :is a bot");
    await ana.waitFor(":chat 352 ana #b urobo chat chat robo HB@ :0 robo");
    await bot.send("PRIVMSG #b :beep\r\nPRIVMSG ana :boop\r\n");
    await ana.waitFor(/^@msgid=\S+;bot :robo!urobo@chat PRIVMSG #b beep$/);
    await ana.waitFor(/^@msgid=\S+;bot :robo!urobo@chat PRIVMSG ana boop$/);
  });
});

Deno.test("IRC: malformed client tags are dropped, never relayed", async () => {
  await withMemoryServer({}, async (connect) => {
    const ana = connect();
    await ircUser(ana, "ana", ["message-tags"]);
    await ana.send("JOIN #t\r\n");
    await ana.waitFor(" 366 ana #t ");
    const bob = connect();
    await ircUser(bob, "bob", ["message-tags"]);
    await bob.send("JOIN #t\r\n");
    await ana.waitFor(":bob!ubob@chat JOIN #t");
    await ana.send("@+a/b/c=1;+/x=2;+ok=3;+bad=x\\ny PRIVMSG #t :hi\r\n@+a/b/c=1 TAGMSG #t\r\n");
    const got = bob.lines[await bob.waitFor(/ :ana!uana@chat PRIVMSG #t hi$/)] ?? "";
    assert.match(got, /\+ok=3/);
    assert.doesNotMatch(got, /a\/b\/c|\+\/x|\+bad/);
    await sync(bob, "after");
    await bob.send("PRIVMSG #t :still here\r\n");
    await ana.waitFor(":bob!ubob@chat PRIVMSG #t :still here");
  });
});
