import { PROTOCOL_ENCODING } from "../src/dialect/dialect.ts";
import assert from "node:assert/strict";
import { ChatError } from "../src/errors.ts";
import { assertChatError } from "./assert_chat_error.ts";
import { LOBBY } from "../src/limits.ts";
import {
  encodeFrame,
  type HelpFrame,
  type MessageFrame,
  type RoomFrame,
  type WhoisFrame,
} from "../src/protocol.ts";
import {
  findEntry as findCommand,
  helpEntries,
  runTable as runCommand,
  splitCommandLine,
} from "../src/command_table.ts";
import { type Command, type CommandContext, COMMANDS, parseLimit } from "../src/server/commands.ts";
import { Moderation } from "../src/server/moderation.ts";
import { MemoryModerationStore } from "../src/store/memory_moderation_store.ts";
import { Hub } from "../src/server/hub.ts";

const NOW = 5000;

/** A hub with ana (id 1) and bob (id 2), and the context of ana typing in the lobby. */
function setup(): { hub: Hub; context: CommandContext } {
  const hub = new Hub();
  hub.register(1, "ana", 0);
  hub.register(2, "bob", 0);
  return {
    hub,
    context: {
      hub,
      id: 1,
      room: LOBBY,
      now: NOW,
      moderation: new Moderation(new MemoryModerationStore()),
    },
  };
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
    {
      usage: "/rooms",
      summary: "List the rooms, with members/limit and topic",
      aliases: ["/list"],
    },
    { usage: "/join ROOM [PASSWORD]", summary: "Join a room; you then talk there", aliases: [] },
    { usage: "/switch ROOM", summary: "Talk in another room you are in", aliases: ["/go"] },
    {
      usage: "/leave [ROOM [REASON]]",
      summary: "Leave a room (this one if none is named); the others see the reason",
      aliases: ["/part"],
    },
    { usage: "/users [ROOM]", summary: "List who is in a room", aliases: ["/names", "/who"] },
    {
      usage: "/history [N] [BEFORE]",
      summary: "Show older messages in this room: N (default 20) before message BEFORE",
      aliases: [],
    },
    {
      usage: "/search WORDS",
      summary: "Find messages in this room with all these words (the newest 20)",
      aliases: ["/find"],
    },
    { usage: "/msg NICK TEXT", summary: "Send a private message", aliases: ["/tell", "/query"] },
    {
      usage: "/me ACTION",
      summary: "Say what you are doing (shown as ** you ACTION)",
      aliases: ["/action"],
    },
    { usage: "/away [TEXT]", summary: "Mark yourself away (no text: back)", aliases: [] },
    { usage: "/back", summary: "Mark yourself back", aliases: [] },
    {
      usage: "/whois NICK",
      summary: "Rooms you share with someone, and how long they have been idle",
      aliases: [],
    },
    { usage: "/nick NEW", summary: "Change your nick", aliases: [] },
    {
      usage: "/register PASSWORD",
      summary: "Make your nick an account: only you, logged in, may use it",
      aliases: [],
    },
    {
      usage: "/login NICK PASSWORD|--token TOKEN",
      summary: "Log in to your account and take its nick (from any other connection of yours)",
      aliases: ["/identify"],
    },
    {
      usage: "/logout",
      summary: "Log out of your account (you keep the nick until you leave)",
      aliases: [],
    },
    { usage: "/passwd OLD NEW", summary: "Change your account's password", aliases: [] },
    {
      usage: "/unregister PASSWORD",
      summary: "Delete your account: the nick is free for anyone again",
      aliases: [],
    },
    {
      usage: "/create ROOM [LIMIT]",
      summary: "Create a room and join it; you own it",
      aliases: [],
    },
    {
      usage: "/topic [TEXT]",
      summary: "Set this room's topic (owner; no text clears it)",
      aliases: [],
    },
    {
      usage: "/limit N|off",
      summary: "Set or remove this room's participant limit (owner)",
      aliases: [],
    },
    {
      usage: "/password PASSWORD|off",
      summary: "Set or remove this room's password (owner)",
      aliases: [],
    },
    {
      usage: "/private [on|off]",
      summary: "Hide this room from /rooms, or show it again (owner)",
      aliases: [],
    },
    {
      usage: "/persist [on|off]",
      summary: "Keep this room when it is empty, or let it go again (owner)",
      aliases: [],
    },
    {
      usage: "/mode [#ROOM] +FLAGS|-FLAGS [NICK...]",
      summary: "Change this room's flags and who runs it (owner, operators): i invite only, " +
        "m moderated, t only operators set the topic, n only members send; o NICK operator, " +
        "v NICK voice",
      aliases: [],
    },
    {
      usage: "/op [#ROOM] NICK",
      summary: "Make NICK an operator of this room (owner, operators)",
      aliases: [],
    },
    {
      usage: "/deop [#ROOM] NICK",
      summary: "Make NICK a member only again (yourself: give up)",
      aliases: [],
    },
    {
      usage: "/voice [#ROOM] NICK",
      summary: "Let NICK talk while this room is moderated",
      aliases: [],
    },
    { usage: "/devoice [#ROOM] NICK", summary: "Take back NICK's voice in this room", aliases: [] },
    {
      usage: "/invite [NICK [#ROOM]]",
      summary: "Invite NICK to this room, or #ROOM (operators, when it is invite-only); " +
        "alone: the rooms you are invited to",
      aliases: [],
    },
    {
      usage: "/kick [#ROOM] NICK [REASON]",
      summary: "Remove someone from this room, or from #ROOM (owner; operators: any room)",
      aliases: [],
    },
    {
      usage: "/closeroom [#ROOM] [REASON]",
      summary:
        "Close this room, or #ROOM (owner; operators: any room); its members move to the lobby",
      aliases: [],
    },
    {
      usage: "/ban [#ROOM] NICK|ADDRESS|CIDR [DURATION] [REASON]",
      summary: "Operators: keep someone out of the server (10m, 2h, 7d; none: for good). " +
        "Room owners (and operators naming #ROOM): /ban [#ROOM] NICK keeps them out of the room",
      aliases: [],
    },
    {
      usage: "/unban [#ROOM] NICK|ADDRESS|CIDR",
      summary: "Lift a ban (operators: the server's, or #ROOM's; room owners: this room's)",
      aliases: [],
    },
    {
      usage: "/bans [#ROOM]",
      summary: "List the bans (operators: the server's, or #ROOM's; room owners: this room's)",
      aliases: [],
    },
    {
      usage: "/wallops TEXT",
      summary: "Operators: a message to every operator (and IRC users with user mode +w)",
      aliases: [],
    },
    {
      usage: "/kill NICK [REASON]",
      summary: "Operators: disconnect someone from the server (they may come back)",
      aliases: [],
    },
    {
      usage: "/mute NICK [DURATION]",
      summary: "Operators: stop someone talking (they can still read)",
      aliases: [],
    },
    { usage: "/unmute NICK", summary: "Operators: let someone talk again", aliases: [] },
    { usage: "/quit [REASON]", summary: "Leave the chat", aliases: ["/exit", "/close"] },
  ]);
});

Deno.test("helpEntries() follows the table: an added command appears in help", () => {
  const extra: Command = {
    name: "shout",
    aliases: ["yell"],
    usage: "/shout TEXT",
    summary: "Say it loudly",
    minArgs: 1,
    maxArgs: 1,
    rest: true,
    run: () => ({ deliveries: [] }),
  };
  const entries = helpEntries([...COMMANDS, extra]);
  assert.equal(entries.length, COMMANDS.length + 1);
  assert.deepEqual(entries.at(-1), {
    usage: "/shout TEXT",
    summary: "Say it loudly",
    aliases: ["/yell"],
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
    name: "shout",
    aliases: [],
    usage: "/shout TEXT",
    summary: "Say it loudly",
    minArgs: 1,
    maxArgs: 1,
    rest: true,
    run: (_context, args) => {
      calls.push([...args]);
      return { deliveries: [] };
    },
  };
  runCommand([...COMMANDS, extra], context, "/SHOUT waves  hello");
  assert.deepEqual(calls, [["waves  hello"]]);
  // A built-in command of the same name wins: the first match in the table runs.
  const shadow: Command = { ...extra, name: "me", usage: "/me TEXT" };
  const result = runCommand([...COMMANDS, shadow], context, "/me waves");
  assert.equal(calls.length, 1);
  assert.equal((result.deliveries[0]?.frame as MessageFrame).action, true);
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
    () => runCommand(COMMANDS, { ...setup().context, hub, room: "nowhere" }, "/users"),
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
    () => runCommand(COMMANDS, context, "/names lobby extra"),
    "bad_arguments",
    "Too many arguments: usage: /users [ROOM]",
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

/** The context of member `id` typing in `room`. */
function at(hub: Hub, id: number, room: string): CommandContext {
  return { hub, id, room, now: NOW, moderation: new Moderation(new MemoryModerationStore()) };
}

/** setup(), plus a room "games" that ana (1) owns and talks in, with bob (2) in it too. */
function gamesSetup(): { hub: Hub; context: CommandContext } {
  const { hub } = setup();
  hub.createRoom(1, "games", {}, 0);
  hub.join(2, "games", undefined, 0);
  return { hub, context: at(hub, 1, "games") };
}

// ---- parseLimit --------------------------------------------------------------------------------

Deno.test("parseLimit() accepts whole numbers from 1 to 10000", () => {
  assert.equal(parseLimit("1"), 1);
  assert.equal(parseLimit("8"), 8);
  assert.equal(parseLimit("250"), 250);
  assert.equal(parseLimit("10000"), 10_000);
});

Deno.test("parseLimit() reads off and none as no limit, and refuses 0", () => {
  for (const text of ["off", "OFF", "none", "None"]) assert.equal(parseLimit(text), undefined);
  assert.throws(() => parseLimit("0"), (error: unknown) => error instanceof ChatError);
});

Deno.test("parseLimit() refuses signs, exponents, hex, fractions, blanks and too much", () => {
  for (
    const text of [
      "-1",
      "+5",
      "1e3",
      "0x10",
      "8.5",
      "08",
      "00",
      "",
      " 8",
      "8 ",
      "10001",
      "99999999",
      "ten",
      "\uff18",
    ]
  ) {
    assertChatError(
      () => parseLimit(text),
      "room_invalid",
      `Limit must be a whole number from 1 to 10000, or off: got ${JSON.stringify(text)}`,
    );
  }
});

// ---- room commands -----------------------------------------------------------------------------

Deno.test("runCommand() /rooms and /list reply with the member's room list", () => {
  const { hub, context } = setup();
  const expected = { deliveries: [{ to: [1], frame: hub.listRooms(1) }] };
  assert.deepEqual(runCommand(COMMANDS, context, "/rooms"), expected);
  assert.deepEqual(runCommand(COMMANDS, context, "/LIST"), expected);
  assert.deepEqual(expected.deliveries[0]?.frame, {
    type: "rooms",
    rooms: [{ name: LOBBY, members: 2 }],
  });
  assertChatError(
    () => runCommand(COMMANDS, context, "/rooms all"),
    "bad_arguments",
    "Too many arguments: usage: /rooms",
  );
});

Deno.test("runCommand() /create makes the room with an optional limit", () => {
  const { hub, context } = setup();
  assert.deepEqual(runCommand(COMMANDS, context, "/create #Games 8"), {
    deliveries: [{
      to: [1],
      frame: {
        type: "room",
        room: "Games",
        members: ["ana"],
        limit: 8,
        owner: "ana",
        seq: 0,
        created: 5000,
      },
    }],
  });
  const open = runCommand(COMMANDS, at(hub, 2, LOBBY), "/create chess off");
  assert.deepEqual(open.deliveries[0]?.frame, {
    type: "room",
    room: "chess",
    members: ["bob"],
    owner: "bob",
    seq: 0,
    created: 5000,
  });
  assertChatError(() => runCommand(COMMANDS, context, "/create go 1e3"), "room_invalid");
  assertChatError(() => runCommand(COMMANDS, context, "/create bad!name"), "room_invalid");
  assertChatError(
    () => runCommand(COMMANDS, context, "/create"),
    "bad_arguments",
    "Not enough arguments: usage: /create ROOM [LIMIT]",
  );
  assertChatError(
    () => runCommand(COMMANDS, context, "/create go 5 6"),
    "bad_arguments",
    "Too many arguments: usage: /create ROOM [LIMIT]",
  );
  assert.deepEqual(hub.roomsOf(1), [LOBBY, "Games"]);
});

Deno.test("runCommand() /join passes the room and the password to the hub", () => {
  const { hub, context } = setup();
  hub.createRoom("admin", "vault", { password: "pw" }, 0);
  assertChatError(() => runCommand(COMMANDS, context, "/join vault"), "wrong_password");
  const result = runCommand(COMMANDS, context, "/join #VAULT pw");
  assert.deepEqual(result, {
    deliveries: [{
      to: [1],
      frame: { type: "room", room: "vault", members: ["ana"], seq: 0, created: 0 },
    }],
  });
  assertChatError(
    () => runCommand(COMMANDS, context, "/join"),
    "bad_arguments",
    "Not enough arguments: usage: /join ROOM [PASSWORD]",
  );
  assertChatError(
    () => runCommand(COMMANDS, context, "/join vault pass word"),
    "bad_arguments",
    "Too many arguments: usage: /join ROOM [PASSWORD]",
  );
});

Deno.test("runCommand() /switch only switches to a room the member is in", () => {
  const { hub, context } = gamesSetup();
  const lobby = at(hub, 1, LOBBY);
  assert.deepEqual(runCommand(COMMANDS, lobby, "/switch GAMES"), {
    deliveries: [{ to: [1], frame: { type: "notice", text: "Now talking in games" } }],
    switchTo: "games",
  });
  assert.equal(runCommand(COMMANDS, context, "/go #lobby").switchTo, LOBBY);
  hub.createRoom("admin", "other", {}, 0);
  assertChatError(() => runCommand(COMMANDS, lobby, "/switch other"), "not_in_room");
  assertChatError(() => runCommand(COMMANDS, lobby, "/switch nowhere"), "no_such_room");
  assertChatError(
    () => runCommand(COMMANDS, lobby, "/switch"),
    "bad_arguments",
    "Not enough arguments: usage: /switch ROOM",
  );
  // Other commands never switch.
  assert.equal(runCommand(COMMANDS, lobby, "/users games").switchTo, undefined);
  assert.equal(runCommand(COMMANDS, lobby, "/join other").switchTo, undefined);
});

Deno.test("runCommand() /leave leaves the current room, or the one named", () => {
  const { hub, context } = gamesSetup();
  assert.deepEqual(runCommand(COMMANDS, at(hub, 2, "games"), "/leave").deliveries[0], {
    to: [2],
    frame: { type: "left", room: "games" },
  });
  assert.deepEqual(hub.roomsOf(2), [LOBBY]);
  runCommand(COMMANDS, at(hub, 1, "games"), "/part lobby");
  assert.deepEqual(hub.roomsOf(1), ["games"]);
  assertChatError(() => runCommand(COMMANDS, context, "/leave"), "last_room");
  // A reason after the room reaches the others, control characters made spaces.
  runCommand(COMMANDS, at(hub, 2, LOBBY), "/join games");
  assert.deepEqual(
    runCommand(COMMANDS, at(hub, 2, "games"), "/leave games off to \u0007bed").deliveries,
    [
      { to: [2], frame: { type: "left", room: "games", reason: "off to  bed" } },
      {
        to: [1],
        frame: { type: "leave", room: "games", nick: "bob", reason: "off to  bed", time: 5000 },
      },
    ],
  );
});

Deno.test("runCommand() /users ROOM lists another room the member is in", () => {
  const { hub } = gamesSetup();
  const lobby = at(hub, 1, LOBBY);
  assert.deepEqual(runCommand(COMMANDS, lobby, "/who games"), {
    deliveries: [{ to: [1], frame: { type: "users", room: "games", nicks: ["ana", "bob"] } }],
  });
  hub.register(3, "carl", 0);
  assertChatError(() => runCommand(COMMANDS, at(hub, 3, LOBBY), "/users games"), "not_in_room");
});

Deno.test("runCommand() /topic sets the current room's topic, keeping spaces; no text clears", () => {
  const { context } = gamesSetup();
  const set = runCommand(COMMANDS, context, "/topic Chess  at 8 ");
  assert.deepEqual(set.deliveries[0]?.frame, {
    type: "topic",
    room: "games",
    topic: "Chess  at 8",
    nick: "ana",
    time: NOW,
  });
  assert.equal(
    (runCommand(COMMANDS, context, "/topic").deliveries[0]?.frame as { topic: string }).topic,
    "",
  );
  assertChatError(() => runCommand(COMMANDS, { ...context, id: 2 }, "/topic mine"), "not_allowed");
});

Deno.test("runCommand() /limit sets or removes the current room's limit", () => {
  const { hub, context } = gamesSetup();
  assert.deepEqual(runCommand(COMMANDS, context, "/limit 5").deliveries[0]?.frame, {
    type: "mode",
    room: "games",
    by: "ana",
    changes: [{ kind: "limit", limit: 5 }],
  });
  assert.equal(hub.listRooms(1).rooms[1]?.limit, 5);
  runCommand(COMMANDS, context, "/limit OFF");
  assert.equal(hub.listRooms(1).rooms[1]?.limit, undefined);
  assertChatError(() => runCommand(COMMANDS, context, "/limit -1"), "room_invalid");
  assertChatError(
    () => runCommand(COMMANDS, context, "/limit"),
    "bad_arguments",
    "Not enough arguments: usage: /limit N|off",
  );
  assertChatError(() => runCommand(COMMANDS, at(hub, 1, LOBBY), "/limit 5"), "not_allowed");
});

Deno.test("runCommand() /password sets or removes the current room's password", () => {
  const { hub, context } = gamesSetup();
  const set = runCommand(COMMANDS, context, "/password hunter2");
  assert.doesNotMatch(JSON.stringify(set), /hunter2/);
  assert.equal(hub.listRooms(1).rooms[1]?.password, true);
  runCommand(COMMANDS, context, "/password off");
  assert.equal(hub.listRooms(1).rooms[1]?.password, undefined);
  assertChatError(
    () => runCommand(COMMANDS, context, "/password two words"),
    "bad_arguments",
    "Too many arguments: usage: /password PASSWORD|off",
  );
});

Deno.test("runCommand() /private hides the current room; /private off shows it again", () => {
  const { hub, context } = gamesSetup();
  hub.register(3, "carl", 0);
  const visible = () => hub.listRooms(3).rooms.some((room) => room.name === "games");
  runCommand(COMMANDS, context, "/private");
  assert.equal(visible(), false);
  runCommand(COMMANDS, context, "/private off");
  assert.equal(visible(), true);
  runCommand(COMMANDS, context, "/private ON");
  assert.equal(visible(), false);
  runCommand(COMMANDS, context, "/private no");
  assert.equal(visible(), true);
  assertChatError(
    () => runCommand(COMMANDS, context, "/private maybe"),
    "bad_arguments",
    'Expected on or off: got "maybe"',
  );
});

Deno.test("runCommand() /kick removes someone from the current room with a reason", () => {
  const { hub, context } = gamesSetup();
  assert.deepEqual(runCommand(COMMANDS, context, "/kick bob  too  loud ").deliveries[0], {
    to: [2],
    frame: { type: "left", room: "games", reason: "too  loud", kickedBy: "ana" },
  });
  assert.deepEqual(hub.membersOf("games"), ["ana"]);
  assertChatError(
    () => runCommand(COMMANDS, context, "/kick"),
    "bad_arguments",
    "Not enough arguments: usage: /kick [#ROOM] NICK [REASON]",
  );
  const cleaned = gamesSetup();
  const result = runCommand(COMMANDS, cleaned.context, "/kick bob a\u001b[2Jb");
  assert.deepEqual(result.deliveries[0]?.frame, {
    type: "left",
    room: "games",
    reason: "a [2Jb",
    kickedBy: "ana",
  });
});

Deno.test("runCommand() /closeroom closes the current room with a reason", () => {
  const { hub, context } = gamesSetup();
  assert.deepEqual(runCommand(COMMANDS, context, "/closeroom see you").deliveries[0], {
    to: [1, 2],
    frame: { type: "left", room: "games", reason: "see you", closedBy: "ana" },
  });
  assert.deepEqual(hub.listRooms(1).rooms.map((room) => room.name), [LOBBY]);
  assertChatError(() => runCommand(COMMANDS, at(hub, 1, LOBBY), "/closeroom"), "not_allowed");
});

// ---- people commands ---------------------------------------------------------------------------

Deno.test("runCommand() /msg sends the rest of the line privately, also as /tell and /query", () => {
  const { context } = setup();
  const expected = {
    deliveries: [{
      to: [2, 1],
      frame: { type: "private", from: "ana", to: "bob", text: "see  you there", time: NOW },
    }],
  };
  assert.deepEqual(runCommand(COMMANDS, context, "/msg bob see  you there"), expected);
  assert.deepEqual(runCommand(COMMANDS, context, "/tell BOB see  you there"), expected);
  assert.deepEqual(runCommand(COMMANDS, context, "/query bob see  you there"), expected);
  assertChatError(
    () => runCommand(COMMANDS, context, "/msg bob"),
    "bad_arguments",
    "Not enough arguments: usage: /msg NICK TEXT",
  );
  assertChatError(() => runCommand(COMMANDS, context, "/msg zed hi"), "no_such_nick");
});

Deno.test("runCommand() /me sends an action to the current room", () => {
  const { hub, context } = gamesSetup();
  hub.register(3, "carl", 0);
  const frame: MessageFrame = {
    type: "message",
    room: "games",
    nick: "ana",
    text: "waves  hello",
    time: NOW,
    seq: 1,
    action: true,
  };
  assert.deepEqual(runCommand(COMMANDS, context, "/me waves  hello"), {
    deliveries: [{ to: [2], frame, encoded: new Map([[PROTOCOL_ENCODING, encodeFrame(frame)]]) }],
  });
  assert.equal(runCommand(COMMANDS, context, "/action nods").deliveries[0]?.frame.type, "message");
  assertChatError(
    () => runCommand(COMMANDS, context, "/me"),
    "bad_arguments",
    "Not enough arguments: usage: /me ACTION",
  );
  assertChatError(() => runCommand(COMMANDS, at(hub, 3, "games"), "/me hi"), "not_in_room");
});

Deno.test("runCommand() /away with text marks away, without text or /back marks back", () => {
  const { hub, context } = setup();
  assert.deepEqual(runCommand(COMMANDS, context, "/away gone  fishing"), {
    deliveries: [
      { to: [1], frame: { type: "away", text: "gone  fishing" } },
      { to: [2], frame: { type: "user_away", nick: "ana", text: "gone  fishing" } },
    ],
  });
  assert.equal(hub.whois(2, "ana", NOW).away, "gone  fishing");
  const back = {
    deliveries: [
      { to: [1], frame: { type: "away" } },
      { to: [2], frame: { type: "user_away", nick: "ana" } },
    ],
  };
  assert.deepEqual(runCommand(COMMANDS, context, "/away"), back);
  // Back again, nobody else is told.
  assert.deepEqual(runCommand(COMMANDS, context, "/back").deliveries.length, 1);
  runCommand(COMMANDS, context, "/away again");
  assert.deepEqual(runCommand(COMMANDS, context, "/back"), back);
  assert.equal(hub.whois(2, "ana", NOW).away, undefined);
  assertChatError(
    () => runCommand(COMMANDS, context, "/back now"),
    "bad_arguments",
    "Too many arguments: usage: /back",
  );
});

Deno.test("runCommand() /whois replies to the sender only", () => {
  const { context } = setup();
  const result = runCommand(COMMANDS, context, "/whois BOB");
  assert.deepEqual(result.deliveries.map((delivery) => delivery.to), [[1]]);
  const frame = result.deliveries[0]?.frame as WhoisFrame;
  assert.deepEqual(frame, { type: "whois", nick: "bob", rooms: [LOBBY], idle: 5, since: 0 });
  assertChatError(
    () => runCommand(COMMANDS, context, "/whois"),
    "bad_arguments",
    "Not enough arguments: usage: /whois NICK",
  );
  assertChatError(
    () => runCommand(COMMANDS, context, "/whois bob carl"),
    "bad_arguments",
    "Too many arguments: usage: /whois NICK",
  );
  assertChatError(() => runCommand(COMMANDS, context, "/whois zed"), "no_such_nick");
});

Deno.test("runCommand() room commands act on the context's room", () => {
  const { hub } = gamesSetup();
  // ana owns games but talks in the lobby: /topic there is about the lobby.
  assertChatError(
    () => runCommand(COMMANDS, at(hub, 1, LOBBY), "/topic hi"),
    "not_allowed",
    "Only the owner or operators of lobby may set the topic",
  );
  const created = runCommand(COMMANDS, at(hub, 1, LOBBY), "/create chess");
  assert.equal((created.deliveries[0]?.frame as RoomFrame).room, "chess");
});

Deno.test("/history [N] [BEFORE] pages older messages; N and BEFORE are checked", () => {
  const { hub, context } = setup();
  for (let i = 1; i <= 5; i++) hub.say(2, LOBBY, `m${i}`, NOW);
  const page = (line: string) =>
    runCommand(COMMANDS, context, line).deliveries.map((delivery) => delivery.frame);
  assert.deepEqual(page("/history 2 4"), [
    { type: "history_page", room: LOBBY, count: 2, first: 2, more: true },
    { type: "message", room: LOBBY, nick: "bob", text: "m2", time: NOW, seq: 2, history: true },
    { type: "message", room: LOBBY, nick: "bob", text: "m3", time: NOW, seq: 3, history: true },
  ]);
  assert.deepEqual(page("/history").map((frame) => frame.type === "message" && frame.seq), [
    false,
    1,
    2,
    3,
    4,
    5,
  ]);
  assert.deepEqual(page("/history 3 1"), [
    { type: "history_page", room: LOBBY, count: 0, more: false },
  ]);
  for (const bad of ["/history 0", "/history 201", "/history x", "/history 5 0", "/history 5 -1"]) {
    assert.throws(
      () => runCommand(COMMANDS, context, bad),
      (error: unknown) => error instanceof ChatError && error.code === "bad_arguments",
      bad,
    );
  }
});

Deno.test("/search WORDS finds messages in the room, newest first; words are needed", () => {
  const { hub, context } = setup();
  hub.say(2, LOBBY, "chess tonight", NOW);
  hub.say(2, LOBBY, "go tomorrow", NOW);
  hub.say(2, LOBBY, "Chess club", NOW);
  const frames = runCommand(COMMANDS, context, "/search  chess ").deliveries.map((d) => d.frame);
  assert.deepEqual(frames, [
    { type: "search_results", room: LOBBY, words: "chess", count: 2, limit: 20 },
    {
      type: "message",
      room: LOBBY,
      nick: "bob",
      text: "Chess club",
      time: NOW,
      seq: 3,
      history: true,
    },
    {
      type: "message",
      room: LOBBY,
      nick: "bob",
      text: "chess tonight",
      time: NOW,
      seq: 1,
      history: true,
    },
  ]);
  assert.throws(
    () => runCommand(COMMANDS, context, "/search ,,"),
    (error: unknown) => error instanceof ChatError && error.code === "bad_arguments",
  );
});

Deno.test("runCommand() /kick #ROOM and /closeroom #ROOM act on the room named", () => {
  const { hub, context } = gamesSetup();
  const lobby = { ...context, room: LOBBY };
  assert.deepEqual(runCommand(COMMANDS, lobby, "/kick #games bob  too loud").deliveries[0], {
    to: [2],
    frame: { type: "left", room: "games", reason: "too loud", kickedBy: "ana" },
  });
  assertChatError(() => runCommand(COMMANDS, lobby, "/kick #games"), "bad_arguments");
  runCommand(COMMANDS, lobby, "/closeroom #games done for today");
  assert.equal(hub.allRooms().some((room) => room.name === "games"), false);
});
