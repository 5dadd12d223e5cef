/** End-to-end: rooms, private messages, history and the admin console, with real processes. */
import assert from "node:assert/strict";
import {
  chatCommand,
  type ChatProcess,
  joinedClient,
  nativeClient,
  ncUser,
  type RawClient,
  startClient,
  withServer,
} from "./harness.ts";
import { shellQuote, TmuxSession } from "./tmux.ts";

Deno.test("the room list is shown on arrival with members/limit", async () => {
  await withServer({ args: ["--room", "games:8"] }, async (server, track) => {
    const ana = track(startClient(server, "ana"));
    const list = await ana.stdout.waitFor("* Rooms (2):");
    await ana.stdout.waitFor(/^\* {3}lobby {2}1$/, { from: list }); // ana herself
    await ana.stdout.waitFor(/^\* {3}games {2}0\/8$/, { from: list });
  });
});

Deno.test("a room with limit 2 refuses the third joiner as full", async () => {
  await withServer({ args: ["--room", "games:2"] }, async (server, track) => {
    const ana = track(await joinedClient(server, "ana"));
    const bob = track(await ncUser(server, "bob"));
    const cy = track(await ncUser(server, "cy"));
    await ana.send("/join games");
    await ana.stdout.waitFor("* You are in games (just you so far, limit 2)");
    await bob.sendLine("/join games");
    await bob.lines.waitFor("* You are in games with ana (2/2 here)");
    await cy.sendLine("/join games");
    await cy.lines.waitFor('! Cannot join room "games": room is full (2/2)');
    await cy.sendLine("/join nowhere");
    await cy.lines.waitFor('! No such room: "nowhere"');
    await bob.sendLine("/join games");
    await bob.lines.waitFor(/^! You are already in room "games"/);
  });
});

Deno.test("a private room is absent from /rooms but joinable with its password", async () => {
  await withServer({ args: [] }, async (server, track) => {
    const owner = track(await joinedClient(server, "owner"));
    const guest = track(await ncUser(server, "guest"));
    await owner.send("/create hideout");
    await owner.stdout.waitFor("* You are in hideout (just you so far)");
    await owner.send("/private");
    await owner.stdout.waitFor("* owner made the room private (unlisted)");
    await owner.send("/password s3cret");
    await owner.stdout.waitFor("* owner set a password");
    await guest.sendLine("/rooms");
    const list = await guest.lines.waitFor("* Rooms (1):");
    await guest.lines.waitFor("* Type /join ROOM to join one", { from: list });
    assert.ok(!guest.lines.lines.slice(list).some((line) => line.includes("hideout")));
    await guest.sendLine("/join hideout");
    await guest.lines.waitFor(/^! Cannot join room "hideout": it needs a password/);
    await guest.sendLine("/join hideout wrong");
    await guest.lines.waitFor('! Cannot join room "hideout": wrong password');
    await guest.sendLine("/join hideout s3cret");
    await guest.lines.waitFor("* You are in hideout with owner (2 here)");
    await owner.stdout.waitFor("* guest joined");
    // Members see their private room in the list, marked.
    await guest.sendLine("/rooms");
    await guest.lines.waitFor("*   hideout  2 (private, password)");
  });
});

Deno.test("a late joiner gets the room's recent messages, marked as history", async () => {
  await withServer({ args: ["--room", "games", "--history", "3"] }, async (server, track) => {
    const ana = track(await joinedClient(server, "ana"));
    await ana.send("/join games");
    await ana.stdout.waitFor("* You are in games");
    for (const text of ["one", "two", "three", "four"]) await ana.send(text);
    await ana.send("/me waves");
    // The sender's messages are in order on the server once a later command is answered.
    await ana.send("/users");
    await ana.stdout.waitFor("* In games (1): ana");
    const late = track(await ncUser(server, "late"));
    await late.sendLine("/join games");
    const header = await late.lines.waitFor("* Last 3 messages in games:");
    const history = late.lines.lines.slice(header + 1, header + 4);
    assert.equal(history.length, 3, late.lines.text());
    assert.match(history[0] ?? "", /^\[\d\d:\d\d\] <ana> three$/);
    assert.match(history[1] ?? "", /^\[\d\d:\d\d\] <ana> four$/);
    assert.match(history[2] ?? "", /^\[\d\d:\d\d\] \*\* ana waves$/);
  });
});

Deno.test("a private message reaches only its target, and both see it marked private", async () => {
  await withServer({ args: [] }, async (server, track) => {
    const ana = track(await joinedClient(server, "ana"));
    const bob = track(await joinedClient(server, "bob"));
    const eve = track(await ncUser(server, "eve"));
    await ana.send("/msg bob the password is swordfish");
    await bob.stdout.waitFor("[private] <ana> the password is swordfish");
    await ana.stdout.waitFor("[private to bob] <ana> the password is swordfish");
    // Eve hears a later public message, but never the private one.
    await ana.send("public now");
    await eve.lines.waitFor("<ana> public now");
    assert.ok(!eve.lines.lines.some((line) => line.includes("swordfish")), eve.lines.text());
    await ana.send("/msg nobody hi");
    await ana.stdout.waitFor('! Nobody is called "nobody"');
  });
});

Deno.test("closing a room tells its members why and moves them to the lobby", async () => {
  await withServer({ args: [] }, async (server, track) => {
    const owner = track(await joinedClient(server, "owner"));
    const ana = track(await ncUser(server, "ana"));
    await owner.send("/create party");
    await owner.stdout.waitFor("* You are in party");
    await ana.sendLine("/join party");
    await ana.lines.waitFor("* You are in party with owner (2 here)");
    await ana.sendLine("/leave lobby");
    await ana.lines.waitFor("* You left lobby");
    await ana.sendLine("/closeroom");
    await ana.lines.waitFor(
      /^! Only the owner or operators of party may close it: its owner is owner/,
    );
    await owner.send("/closeroom party is over");
    await ana.lines.waitFor("* party was closed by owner: party is over");
    await ana.lines.waitFor("* You are in lobby with owner (2 here)");
    // Ana talks in the lobby again.
    await ana.sendLine("back in the lobby");
    await owner.stdout.waitFor("<ana> back in the lobby");
  });
});

Deno.test("the owner kicks someone from a room, who lands in the lobby", async () => {
  await withServer({ args: [] }, async (server, track) => {
    const owner = track(await joinedClient(server, "owner"));
    const pest = track(await ncUser(server, "pest"));
    await owner.send("/create quiet");
    await owner.stdout.waitFor("* You are in quiet");
    await pest.sendLine("/join quiet");
    await pest.lines.waitFor("* You are in quiet");
    await owner.send("/kick pest too loud");
    await pest.lines.waitFor("* You were kicked from quiet by owner: too loud");
    await owner.stdout.waitFor("* pest was kicked by owner (too loud)");
  });
});

Deno.test("away, back and whois", async () => {
  await withServer({ args: [] }, async (server, track) => {
    const ana = track(await joinedClient(server, "ana"));
    const bob = track(await ncUser(server, "bob"));
    await ana.send("/away at lunch");
    await ana.stdout.waitFor("* You are away: at lunch");
    await bob.sendLine("/whois ana");
    await bob.lines.waitFor(/^\* ana: in lobby; idle \d+s; here since \d\d:\d\d; away: at lunch$/);
    await bob.sendLine("/msg ana are you there?");
    await bob.lines.waitFor("* ana is away: at lunch");
    await ana.send("/back");
    await ana.stdout.waitFor("* You are back");
    assert.ok(!bob.lines.lines.some((line) => /127\.0\.0\.1|::1/.test(line)), bob.lines.text());
  });
});

Deno.test("chat join --room joins straight away and talks there", async () => {
  await withServer({ args: ["--room", "games"] }, async (server, track) => {
    const ana = track(startClient(server, "ana", ["--room", "games"]));
    await ana.stdout.waitFor("* You are in games (just you so far)");
    const bob = track(await ncUser(server, "bob"));
    await bob.sendLine("/join games");
    await bob.lines.waitFor("* You are in games with ana (2 here)");
    await ana.send("in games");
    await bob.lines.waitFor("<ana> in games");
  });
});

// ---- the admin console, in a real terminal ----------------------------------------------

Deno.test("the admin console lists rooms, announces and kicks a user", async () => {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  listener.close();
  const session = new TmuxSession({ width: 120, height: 40, scrollback: 200 });
  const { command, args } = chatCommand([
    "serve",
    "--host",
    "127.0.0.1",
    "--port",
    String(port),
    "--room",
    "games:4",
  ]);
  await session.start(`NO_COLOR=1 ${[command, ...args].map(shellQuote).join(" ")}; sleep 60`);
  const screenShows = (pattern: RegExp) => (lines: string[]) => pattern.test(lines.join("\n"));
  let bob: ChatProcess | undefined;
  let ana: RawClient | undefined;
  try {
    await session.waitFor(screenShows(/admin>/), "the admin prompt");
    const server = { host: "127.0.0.1", port };
    bob = await joinedClient(server, "bob");
    ana = await ncUser(server, "ana");
    await session.enter("/rooms");
    await session.waitFor(
      (lines) => screenShows(/2 rooms, 2 people/)(lines) && screenShows(/games {2}0\/4/)(lines),
      "the room list",
    );
    await session.enter("/announce Pizza in 5 minutes");
    await ana.lines.waitFor("* Announcement: Pizza in 5 minutes");
    await session.enter("/kick bob flooding");
    const status = await bob.exit();
    assert.equal(status.code, 1);
    assert.match(bob.stderr.text(), /Disconnected: Kicked by the server admin: flooding/);
    await ana.lines.waitFor("* bob left (Kicked by the server admin: flooding)");
    await session.enter("/log 50");
    await session.waitFor(
      screenShows(/admin> \/log 50[\s\S]*INFO {2}kick id=\d+ nick=bob/),
      "the kick in the log",
    );
    await session.enter("/shutdown");
    await ana.lines.waitFor("* Disconnected: Server is shutting down");
  } finally {
    ana?.close();
    await ana?.lines.done;
    await bob?.stop();
    await session.kill();
  }
});

Deno.test("the admin console gives a room an owner, logs it, and on SIGTERM just stops", async () => {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  listener.close();
  const pidFile = await Deno.makeTempFile({ prefix: "chat-serve-pid-" });
  // Wider than 80 columns: the banner must use the width, not wrap at 80.
  const session = new TmuxSession({ width: 140, height: 40, scrollback: 200 });
  const { command, args } = chatCommand(["serve", "--host", "127.0.0.1", "--port", String(port)]);
  // `exec` keeps the shell's pid, written down first, so the test can signal the server.
  const serve = `sh -c 'echo $$ >${pidFile}; exec "$0" "$@"' ${
    [command, ...args].map(shellQuote).join(" ")
  }`;
  await session.start(`NO_COLOR=1 ${serve}; echo "exited $?"; sleep 60`);
  const screenShows = (pattern: RegExp) => (lines: string[]) => pattern.test(lines.join("\n"));
  let teacher: ChatProcess | undefined;
  try {
    await session.waitFor(screenShows(/admin>/), "the admin prompt");
    // The whole banner on one row: the terminal wraps at its width, not at 80.
    await session.waitFor(
      screenShows(
        /^Admin console: \/help lists .*\(the server keeps running\); Ctrl-C or \/shutdown stops the server *$/m,
      ),
      "the banner on one row",
    );
    teacher = await joinedClient({ host: "127.0.0.1", port }, "teacher");
    await session.enter("/create class 30 teacher");
    await teacher.stdout.waitFor(/the server admin made you the owner of class/);
    await teacher.send("/join class");
    await teacher.stdout.waitFor("* Owner: teacher");
    await teacher.send("/topic Fractions");
    await teacher.stdout.waitFor(/set the topic of class: Fractions/);
    await session.enter("/log 0");
    await session.waitFor(
      screenShows(/! N must be a whole number from 1 to 99999: got "0"/),
      "/log 0 refused",
    );
    await session.enter("/log 50");
    await session.waitFor(
      screenShows(/INFO {2}create room=class limit=30 owner=teacher by=admin/),
      "the room's creation in the log",
    );
    Deno.kill(Number((await Deno.readTextFile(pidFile)).trim()), "SIGTERM");
    const after = await session.waitFor(screenShows(/^exited 0$/m), "the server's exit");
    assert.ok(!/keeps running \(stop it/.test(after.join("\n")), after.join("\n"));
    await teacher.stdout.waitFor(/^\* Server is shutting down/);
  } finally {
    await teacher?.stop();
    await session.kill();
    await Deno.remove(pidFile).catch(() => {});
  }
});

Deno.test("a history larger than a newcomer's queue is replayed in part, and the newcomer stays", async () => {
  await withServer({ args: ["--history", "10000", "--flood-rate", "0"] }, async (server, track) => {
    const poster = track(await nativeClient(server.port, "poster"));
    // Quotes double in JSON: each message is about 8 KiB on the wire; 100 of them pass the
    // 256 KiB queue a newcomer starts with.
    let batch = "";
    for (let i = 1; i <= 100; i++) {
      batch += JSON.stringify({ type: "say", room: "lobby", text: `${i} ${'"'.repeat(4000)}` }) +
        "\n";
    }
    await poster.write(batch);
    await poster.sendFrame({ type: "ping", token: "posted" });
    await poster.lines.waitFor('"token":"posted"');
    const late = track(await nativeClient(server.port, "late"));
    const roomLine = late.lines.lines.find((line) => line.includes('"type":"room"')) ?? "";
    const replayed = JSON.parse(roomLine).history as number;
    assert.ok(replayed > 0 && replayed < 100, `replayed ${replayed}`);
    // Still connected: it answers and hears new messages.
    await poster.sendFrame({ type: "say", room: "lobby", text: "after" });
    await late.lines.waitFor('"text":"after"');
  });
});
