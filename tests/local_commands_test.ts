import assert from "node:assert/strict";
import {
  actionText,
  expandHome,
  findLocalCommand,
  helpWords,
  LOCAL_COMMAND_WORDS,
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

Deno.test("actionText() gives the text of /me and /action lines; undefined otherwise", () => {
  assert.equal(actionText("/me waves at everyone"), "waves at everyone");
  assert.equal(actionText("  /ACTION  dances "), "dances");
  for (const line of ["/me", "/me   ", "//me waves", "/meow", "me waves", "/msg bob /me"]) {
    assert.equal(actionText(line), undefined, line);
  }
});

Deno.test("expandHome() makes a leading ~ the home folder, as a shell would", () => {
  assert.equal(expandHome("~/notes.txt", "/home/ana"), "/home/ana/notes.txt");
  assert.equal(expandHome("~", "/home/ana/"), "/home/ana");
  assert.equal(expandHome("~\\notes.txt", "C:\\Users\\ana"), "C:\\Users\\ana\\notes.txt");
  for (const path of ["notes~.txt", "./~/x", "~bob/x", "/tmp/~"]) {
    assert.equal(expandHome(path, "/home/ana"), path);
  }
  assert.equal(expandHome("~/x", undefined), "~/x");
});

Deno.test("helpWords() takes the command words of /help rows, aliases included", () => {
  assert.deepEqual(
    helpWords([
      { usage: "/nick NEW", summary: "Rename", aliases: [] },
      { usage: "/users [ROOM]", summary: "Who", aliases: ["/names", "/who"] },
      { usage: "odd", summary: "Not a command", aliases: ["/"] },
    ]),
    ["/nick", "/users", "/names", "/who"],
  );
});

Deno.test("LOCAL_COMMAND_WORDS lists the local commands and aliases as typed", () => {
  assert.deepEqual(LOCAL_COMMAND_WORDS, [
    "/clear",
    "/clean",
    "/send",
    "/upload",
    "/accept",
    "/files",
  ]);
});
