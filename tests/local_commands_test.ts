import assert from "node:assert/strict";
import {
  findLocalCommand,
  LOCAL_HELP,
  parseSendArgs,
  quitReason,
  switchTarget,
} from "../src/client/local_commands.ts";

Deno.test("findLocalCommand() finds a command by name or alias, ignoring case", () => {
  assert.equal(findLocalCommand("/clear")?.command.action, "clear");
  assert.equal(findLocalCommand("  /CLEAN  ")?.command.action, "clear");
  assert.deepEqual(
    findLocalCommand("/upload my notes.txt bob")?.argText,
    "my notes.txt bob",
  );
  assert.equal(findLocalCommand("/accept 7")?.command.action, "accept");
});

Deno.test("findLocalCommand() leaves other lines to the server or the room", () => {
  for (const line of ["/nick bob", "clear", "//clear", "/clearer", "/quit", "hello /clear"]) {
    assert.equal(findLocalCommand(line), undefined, line);
  }
});

Deno.test("LOCAL_HELP lists each local command with its aliases as typed", () => {
  assert.deepEqual(LOCAL_HELP[0], {
    usage: "/clear",
    summary: "Clear the screen",
    aliases: ["/clean"],
  });
  assert.deepEqual(LOCAL_HELP.map((entry) => entry.usage), [
    "/clear",
    "/send PATH [NICK]",
    "/accept ID",
    "/files",
  ]);
});

Deno.test("quitReason() gives the reason of /quit, /exit or /close; undefined otherwise", () => {
  assert.equal(quitReason("/quit"), "");
  assert.equal(quitReason("/EXIT  gone for lunch "), "gone for lunch");
  assert.equal(quitReason("/close bye"), "bye");
  for (const line of ["/quitter", "quit", "//quit", "/nick quit"]) {
    assert.equal(quitReason(line), undefined, line);
  }
});

Deno.test("switchTarget() names the room of /switch, /go or /join with one argument", () => {
  assert.equal(switchTarget("/switch games"), "games");
  assert.equal(switchTarget("/GO #games "), "#games");
  assert.equal(switchTarget("/join games"), "games");
  for (const line of ["/join games secret", "/switch", "/goes games", "//go games"]) {
    assert.equal(switchTarget(line), undefined, line);
  }
});

Deno.test("parseSendArgs() splits a path from an optional nick", () => {
  const none = () => false;
  assert.deepEqual(parseSendArgs("notes.txt", none), { path: "notes.txt" });
  assert.deepEqual(parseSendArgs("notes.txt bob", none), { path: "notes.txt", to: "bob" });
  assert.deepEqual(parseSendArgs('"my notes.txt" bob', none), { path: "my notes.txt", to: "bob" });
  assert.deepEqual(parseSendArgs("my notes.txt", (path) => path === "my notes.txt"), {
    path: "my notes.txt",
  });
  assert.equal(parseSendArgs("  ", none), undefined);
});
