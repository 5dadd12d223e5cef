import assert from "node:assert/strict";
import {
  ircJoin,
  ircPrivmsg,
  ircRegistration,
  pongsFor,
  readIrcLine,
  splitIrcLine,
} from "../scripts/bench/irc_lines.mjs";

const bytes = (text: string) => new TextEncoder().encode(text);

Deno.test("ircRegistration() sends NICK and USER, each ending in CRLF", () => {
  assert.equal(ircRegistration("b000001"), "NICK b000001\r\nUSER b000001 0 * :b000001\r\n");
  assert.equal(ircJoin("#lobby"), "JOIN #lobby\r\n");
  assert.equal(ircPrivmsg("#lobby", "#B1:0:0:5 x"), "PRIVMSG #lobby :#B1:0:0:5 x\r\n");
});

Deno.test("splitIrcLine() drops tags and reads the source, command and trailing parameter", () => {
  assert.deepEqual(splitIrcLine("@time=x :a!b@c privmsg #lobby :hello there"), {
    source: "a!b@c",
    command: "PRIVMSG",
    params: ["#lobby", "hello there"],
  });
  assert.deepEqual(splitIrcLine("PING :irc.local"), {
    source: "",
    command: "PING",
    params: ["irc.local"],
  });
  assert.deepEqual(splitIrcLine(""), { source: "", command: "", params: [] });
});

Deno.test("readIrcLine() follows a registration: welcome, then joined on the channel's 366", () => {
  const read = (line: string) => readIrcLine(line, "b000001", "#lobby");
  assert.deepEqual(read(":irc.local NOTICE * :*** Looking up your hostname...\r"), {
    kind: "other",
  });
  assert.deepEqual(read(":irc.local 001 b000001 :Welcome to the network\r"), { kind: "welcome" });
  assert.deepEqual(read(":irc.local 422 b000001 :MOTD File is missing"), { kind: "other" });
  assert.deepEqual(read(":b000001!b000001@127.0.0.1 JOIN #lobby"), { kind: "other" });
  assert.deepEqual(read(":irc.local 366 b000001 #other :End of /NAMES list."), {
    kind: "other",
  });
  assert.deepEqual(read(":irc.local 366 b000001 #Lobby :End of /NAMES list."), {
    kind: "joined",
  });
});

Deno.test("readIrcLine() can count the JOIN echo as joined, only the client's own", () => {
  const read = (line: string) => readIrcLine(line, "b000001", "#lobby", "join");
  assert.deepEqual(read(":b000002!x@h JOIN #lobby"), { kind: "other" });
  assert.deepEqual(read(":B000001!x@h JOIN :#lobby"), { kind: "joined" });
  assert.deepEqual(read(":irc.local 366 b000001 #lobby :End"), { kind: "other" });
});

Deno.test("readIrcLine() answers PING and fails on refusals and ERROR", () => {
  const read = (line: string) => readIrcLine(line, "b000001", "#lobby");
  assert.deepEqual(read("PING :irc.local"), { kind: "ping", reply: "PONG :irc.local\r\n" });
  assert.deepEqual(read(":irc.local 433 * b000001 :Nickname is already in use"), {
    kind: "failed",
    reason: "433 b000001 Nickname is already in use",
  });
  assert.deepEqual(read("ERROR :Closing link: (b000001@127.0.0.1) [Registration timeout]"), {
    kind: "failed",
    reason: "ERROR Closing link: (b000001@127.0.0.1) [Registration timeout]",
  });
});

Deno.test("pongsFor() answers each whole PING line in a chunk and nothing else", () => {
  assert.equal(pongsFor(bytes(":a!b@c PRIVMSG #lobby :#B1:0:3:99 xxx\r\n")), "");
  assert.equal(
    pongsFor(bytes(":a!b@c PRIVMSG #lobby :#B1:0:3:99\r\nPING :bench.peer\r\nPING :two\r\n")),
    "PONG :bench.peer\r\nPONG :two\r\n",
  );
  assert.equal(pongsFor(bytes(":bench.peer PING bench.peer :tok\n")), "PONG :tok\r\n");
  // Cut by the end of the chunk: missed (the benchmark keeps pings rare).
  assert.equal(pongsFor(bytes("PING :bench.pe")), "");
  // Not at the start of a line, not after a source: text, not a command.
  assert.equal(pongsFor(bytes(":a!b@c PRIVMSG #x :say PING now\r\n")), "");
});
