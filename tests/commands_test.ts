import assert from "node:assert/strict";
import { ChatError, type ErrorCode } from "../src/errors.ts";
import { LOBBY } from "../src/limits.ts";
import type { HelpFrame } from "../src/protocol.ts";
import {
  type Command,
  type CommandContext,
  COMMANDS,
  findCommand,
  helpEntries,
  runCommand,
  splitCommandLine,
} from "../src/server/commands.ts";
import { Hub } from "../src/server/hub.ts";

const NOW = 5000;

/** A hub with ana (id 1) and bob (id 2), and the context of ana typing in the lobby. */
function setup(): { hub: Hub; context: CommandContext } {
  const hub = new Hub();
  hub.register(1, "ana", 0);
  hub.register(2, "bob", 0);
  return { hub, context: { hub, id: 1, room: LOBBY, now: NOW } };
}

function assertChatError(fn: () => unknown, code: ErrorCode, message?: string): void {
  assert.throws(fn, (error: unknown) => {
    assert.ok(error instanceof ChatError, `expected ChatError, got ${String(error)}`);
    assert.equal(error.code, code);
    if (message !== undefined) assert.equal(error.message, message);
    return true;
  });
}

Deno.test("findCommand() finds commands by name and alias, ignoring case", () => {
  assert.equal(findCommand(COMMANDS, "help")?.name, "help");
  assert.equal(findCommand(COMMANDS, "NICK")?.name, "nick");
  assert.equal(findCommand(COMMANDS, "names")?.name, "users");
  assert.equal(findCommand(COMMANDS, "Names")?.name, "users");
  assert.equal(findCommand(COMMANDS, "EXIT")?.name, "quit");
  assert.equal(findCommand(COMMANDS, "close")?.name, "quit");
  assert.equal(findCommand(COMMANDS, "nope"), undefined);
  assert.equal(findCommand(COMMANDS, ""), undefined);
});

Deno.test("COMMANDS has unique lowercase names and aliases", () => {
  const names = COMMANDS.flatMap((command) => [command.name, ...command.aliases]);
  assert.equal(new Set(names).size, names.length);
  for (const name of names) assert.equal(name, name.toLowerCase());
  for (const command of COMMANDS) {
    assert.ok(command.usage.startsWith(`/${command.name}`), command.usage);
    assert.ok(command.minArgs <= command.maxArgs, command.name);
  }
});

Deno.test("splitCommandLine() lowercases the name and trims the argument text", () => {
  assert.deepEqual(splitCommandLine("/NICK  bob  "), { name: "nick", argText: "bob" });
  assert.deepEqual(splitCommandLine("/help"), { name: "help", argText: "" });
  assert.deepEqual(splitCommandLine("/quit\tsee  you"), { name: "quit", argText: "see  you" });
  assert.deepEqual(splitCommandLine("users"), { name: "users", argText: "" });
});

Deno.test("helpEntries() lists every command of the table with /aliases", () => {
  assert.deepEqual(helpEntries(COMMANDS), [
    { usage: "/help", summary: "List the commands", aliases: [] },
    { usage: "/users", summary: "List who is in the room", aliases: ["/names"] },
    { usage: "/nick NEW", summary: "Change your nick", aliases: [] },
    { usage: "/quit [REASON]", summary: "Leave the chat", aliases: ["/exit", "/close"] },
  ]);
});

Deno.test("helpEntries() follows the table: an added command appears in help", () => {
  const extra: Command = {
    name: "me",
    aliases: ["action"],
    usage: "/me TEXT",
    summary: "Describe an action",
    minArgs: 1,
    maxArgs: 1,
    rest: true,
    run: () => ({ deliveries: [] }),
  };
  const entries = helpEntries([...COMMANDS, extra]);
  assert.equal(entries.length, COMMANDS.length + 1);
  assert.deepEqual(entries.at(-1), {
    usage: "/me TEXT",
    summary: "Describe an action",
    aliases: ["/action"],
  });
});

Deno.test("runCommand() /help replies to the sender with the table's help", () => {
  const { context } = setup();
  const result = runCommand(COMMANDS, context, "/help");
  assert.deepEqual(result, {
    deliveries: [{ to: [1], frame: { type: "help", commands: helpEntries(COMMANDS) } }],
  });
  const frame = result.deliveries[0]?.frame as HelpFrame;
  const listed = frame.commands.map((entry) => entry.usage.split(" ")[0]);
  assert.deepEqual(listed, COMMANDS.map((command) => `/${command.name}`));
});

Deno.test("runCommand() runs a command added to a table", () => {
  const { context } = setup();
  const calls: string[][] = [];
  const extra: Command = {
    name: "me",
    aliases: [],
    usage: "/me TEXT",
    summary: "Describe an action",
    minArgs: 1,
    maxArgs: 1,
    rest: true,
    run: (_context, args) => {
      calls.push([...args]);
      return { deliveries: [] };
    },
  };
  runCommand([...COMMANDS, extra], context, "/ME waves  hello");
  assert.deepEqual(calls, [["waves  hello"]]);
});

Deno.test("runCommand() /users and its /names alias list the room", () => {
  const { context } = setup();
  const expected = {
    deliveries: [{ to: [1], frame: { type: "users", room: LOBBY, nicks: ["ana", "bob"] } }],
  };
  assert.deepEqual(runCommand(COMMANDS, context, "/users"), expected);
  assert.deepEqual(runCommand(COMMANDS, context, "/names"), expected);
  assert.deepEqual(runCommand(COMMANDS, context, "/USERS"), expected);
});

Deno.test("runCommand() /users in a room that does not exist is no_such_room", () => {
  const { hub } = setup();
  assertChatError(
    () => runCommand(COMMANDS, { hub, id: 1, room: "nowhere", now: NOW }, "/users"),
    "no_such_room",
  );
});

Deno.test("runCommand() /nick renames through the hub", () => {
  const { hub, context } = setup();
  const result = runCommand(COMMANDS, context, "/nick anna");
  assert.equal(result.quit, undefined);
  assert.equal(result.deliveries.length, 1);
  assert.deepEqual(result.deliveries[0]?.frame, {
    type: "nick",
    old: "ana",
    new: "anna",
    time: NOW,
  });
  assert.deepEqual([...(result.deliveries[0]?.to ?? [])].sort(), [1, 2]);
  assert.equal(hub.nickOf(1), "anna");
});

Deno.test("runCommand() /nick passes the hub's errors through", () => {
  const { context } = setup();
  assertChatError(() => runCommand(COMMANDS, context, "/nick BOB"), "nick_taken");
  assertChatError(() => runCommand(COMMANDS, context, "/nick -x"), "nick_invalid");
});

Deno.test("runCommand() with too few arguments says so, with the usage", () => {
  const { context } = setup();
  assertChatError(
    () => runCommand(COMMANDS, context, "/nick"),
    "bad_arguments",
    "Not enough arguments: usage: /nick NEW",
  );
  assertChatError(
    () => runCommand(COMMANDS, context, "/nick   "),
    "bad_arguments",
    "Not enough arguments: usage: /nick NEW",
  );
});

Deno.test("runCommand() with too many arguments says so, with the usage", () => {
  const { hub, context } = setup();
  assertChatError(
    () => runCommand(COMMANDS, context, "/nick ana bob"),
    "bad_arguments",
    "Too many arguments: usage: /nick NEW",
  );
  assertChatError(
    () => runCommand(COMMANDS, context, "/help me"),
    "bad_arguments",
    "Too many arguments: usage: /help",
  );
  assertChatError(
    () => runCommand(COMMANDS, context, "/names lobby"),
    "bad_arguments",
    "Too many arguments: usage: /users",
  );
  assert.equal(hub.nickOf(1), "ana");
});

Deno.test("runCommand() /quit keeps the spaces of a multi-word reason", () => {
  const { context } = setup();
  assert.deepEqual(runCommand(COMMANDS, context, "/quit   see  you   later  "), {
    deliveries: [],
    quit: "see  you   later",
  });
});

Deno.test("runCommand() /quit without a reason quits with an empty reason, also through aliases", () => {
  const { hub, context } = setup();
  assert.deepEqual(runCommand(COMMANDS, context, "/quit"), { deliveries: [], quit: "" });
  assert.deepEqual(runCommand(COMMANDS, context, "/exit"), { deliveries: [], quit: "" });
  assert.deepEqual(runCommand(COMMANDS, context, "/Close gone"), { deliveries: [], quit: "gone" });
  // Quitting is the session's job: the hub is untouched.
  assert.equal(hub.size, 2);
});

Deno.test("runCommand() refuses an unknown command", () => {
  const { context } = setup();
  assertChatError(
    () => runCommand(COMMANDS, context, "/frobnicate now"),
    "unknown_command",
    'Unknown command: "/frobnicate": type /help for the list',
  );
  assertChatError(() => runCommand(COMMANDS, context, "/"), "unknown_command");
  assertChatError(() => runCommand([], context, "/help"), "unknown_command");
});

Deno.test("runCommand() /quit cleans control characters out of the reason and caps its length", () => {
  const { context } = setup();
  assert.deepEqual(runCommand(COMMANDS, context, "/quit bye\u001b[2Jall"), {
    deliveries: [],
    quit: "bye [2Jall",
  });
  const long = runCommand(COMMANDS, context, "/quit " + "z".repeat(500)).quit ?? "";
  assert.equal(long.length, 200);
  assert.ok(long.endsWith("..."));
});

Deno.test("splitCommandLine() ignores white space before the slash", () => {
  assert.deepEqual(splitCommandLine("  /users  "), { name: "users", argText: "" });
});
