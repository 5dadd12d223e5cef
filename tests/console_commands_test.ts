import assert from "node:assert/strict";
import { nativeFrame } from "../src/dialect/native_frames.ts";
import type { ServerFrame } from "../src/protocol.ts";
import type { LogFields } from "../src/log.ts";
import { type AdminApi, runConsoleLine } from "../src/server/console_commands.ts";
import { ChatError } from "../src/errors.ts";
import { type Delivery, Hub, type MemberId } from "../src/server/hub.ts";

const T0 = 1000;

interface FakeServer extends AdminApi {
  readonly delivered: Delivery[];
  readonly events: { event: string; fields: LogFields }[];
}

/** An admin API over a real hub with `nicks` registered as ids 1, 2, 3, ...; no sockets. */
function serverWith(...nicks: string[]): FakeServer {
  const hub = new Hub();
  nicks.forEach((nick, i) => hub.register(i + 1, nick, T0));
  const delivered: Delivery[] = [];
  const events: { event: string; fields: LogFields }[] = [];
  return {
    hub,
    delivered,
    events,
    connections: nicks.length,
    now: () => T0,
    deliver: (deliveries) => void delivered.push(...deliveries),
    kick: () => false,
    shutdown: () => {},
    recentEvents: (count) =>
      count <= 0 ? [] : events.slice(-count).map(({ event }) => `INFO  ${event}`),
    log: { info: (event, fields = {}) => void events.push({ event, fields }) },
    storeStats: () => undefined,
    backup: () =>
      Promise.reject(
        new ChatError("not_allowed", "No database to back up: this server keeps nothing"),
      ),
  };
}

/** The native frames (as `chat join` and `nc` get them) one client receives, in order. */
function framesFor(deliveries: readonly Delivery[], id: MemberId): ServerFrame[] {
  return deliveries.filter((delivery) => delivery.to.includes(id)).flatMap((d) =>
    nativeFrame(d.frame) ?? []
  );
}

function run(api: AdminApi, line: string): string[] {
  return runConsoleLine(api, line).lines;
}

Deno.test("/log 0 is refused with the range, not answered with 'No events yet'", () => {
  const api = serverWith();
  for (let i = 0; i < 5; i++) api.log.info(`event${i}`);
  assert.deepEqual(run(api, "/log 0"), ['! N must be a whole number from 1 to 99999: got "0"']);
  assert.deepEqual(run(api, "/log 2"), ["INFO  event3", "INFO  event4"]);
  assert.deepEqual(run(serverWith(), "/log"), ["No events yet"]);
});

Deno.test("/create writes a create event to the log", () => {
  const api = serverWith();
  assert.deepEqual(run(api, "/create games 8"), ["Created room games"]);
  assert.deepEqual(api.events, [{
    event: "create",
    fields: { room: "games", limit: 8, owner: undefined, by: "admin" },
  }]);
  assert.equal(api.hub.allRooms().find((room) => room.name === "games")?.limit, 8);
});

Deno.test("/create ROOM LIMIT OWNER gives the room an owner, who is told and may moderate", () => {
  const api = serverWith("teacher", "pupil");
  assert.deepEqual(run(api, "/create class 30 teacher"), [
    "Created room class, owned by teacher",
  ]);
  const room = api.hub.allRooms().find((each) => each.name === "class");
  assert.equal(room?.owner, 1);
  assert.equal(room?.limit, 30);
  assert.deepEqual(framesFor(api.delivered, 1), [{
    type: "notice",
    text: "the server admin made you the owner of class: /join class to run it",
  }]);
  assert.equal(api.events[0]?.fields.owner, "teacher");
  // The owner can now do what owners do, and is named to those who come in.
  api.hub.join(2, "class", undefined, T0);
  const entered = api.hub.join(1, "class", undefined, T0);
  assert.equal(framesFor(entered, 1).find((frame) => frame.type === "room")?.owner, "teacher");
  api.hub.setTopic(1, "class", "Fractions", T0);
  api.hub.kick(1, "class", "pupil", "", T0);
  assert.deepEqual(api.hub.membersOf("class"), ["teacher"]);
});

Deno.test("/create ROOM OWNER (no limit) names the owner; /create ROOM off has no limit", () => {
  const api = serverWith("teacher");
  assert.deepEqual(run(api, "/create class teacher"), ["Created room class, owned by teacher"]);
  assert.equal(api.hub.allRooms().find((room) => room.name === "class")?.limit, undefined);
  assert.deepEqual(run(api, "/create quiet off"), ["Created room quiet"]);
});

Deno.test("/create with an owner who is not connected makes no room", () => {
  const api = serverWith("teacher");
  assert.deepEqual(run(api, "/create class 30 ghost"), ['! Nobody is called "ghost"']);
  assert.ok(!api.hub.allRooms().some((room) => room.name === "class"));
  assert.deepEqual(api.events, []);
});

Deno.test("/owner ROOM NICK hands a room over and its members are told", () => {
  const api = serverWith("ana", "bob");
  api.hub.createRoom(1, "games", {}, T0);
  api.hub.join(2, "games", undefined, T0);
  assert.deepEqual(run(api, "/owner games BOB"), ["bob now owns games"]);
  assert.equal(api.hub.allRooms().find((room) => room.name === "games")?.owner, 2);
  assert.deepEqual(api.delivered, [{
    to: [1, 2],
    frame: {
      type: "mode",
      room: "games",
      by: "the server admin",
      changes: [{ kind: "owner", owner: "bob", was: "ana" }],
    },
  }]);
  assert.deepEqual(api.events.at(-1), {
    event: "owner",
    fields: { room: "games", owner: "bob", by: "admin" },
  });
  // ana is no longer the owner.
  assert.throws(
    () => api.hub.setTopic(1, "games", "mine", T0),
    /Only the owner or operators of games/,
  );
});

Deno.test("/owner ROOM off removes the owner", () => {
  const api = serverWith("ana");
  api.hub.createRoom(1, "games", {}, T0);
  assert.deepEqual(run(api, "/owner games off"), ["games has no owner now"]);
  assert.equal(api.hub.allRooms().find((room) => room.name === "games")?.owner, undefined);
  assert.deepEqual(framesFor(api.delivered, 1), [{
    type: "notice",
    room: "games",
    text: "the server admin removed the room's owner (was ana)",
  }]);
});

Deno.test("/owner refuses the lobby, unknown rooms and people who are not connected", () => {
  const api = serverWith("ana");
  assert.deepEqual(run(api, "/owner lobby ana"), [
    "! The lobby has no owner: the server admin runs it",
  ]);
  assert.deepEqual(run(api, "/owner nowhere ana"), ['! No such room: "nowhere"']);
  run(api, "/create games");
  assert.deepEqual(run(api, "/owner games ghost"), ['! Nobody is called "ghost"']);
  assert.deepEqual(run(api, "/owner games"), [
    "! Not enough arguments: usage: /owner ROOM NICK|off",
  ]);
});

Deno.test("Hub.setOwner() is for the admin or the current owner only", () => {
  const api = serverWith("ana", "bob", "cy");
  api.hub.createRoom(1, "games", {}, T0);
  assert.throws(() => api.hub.setOwner(2, "games", "bob"), /Only the owner or operators of games/);
  // The owner may hand the room on; the new owner, not in the room, is told.
  assert.deepEqual(api.hub.setOwner(1, "games", "cy"), [
    {
      to: [1],
      frame: {
        type: "mode",
        room: "games",
        by: "ana",
        changes: [{ kind: "owner", owner: "cy", was: "ana" }],
      },
    },
    { to: [3], frame: { type: "ownership", room: "games", by: "ana", given: true } },
  ]);
  assert.deepEqual(api.hub.setOwner("admin", "games", "cy"), []);
  // The former owner, no longer in the room, is told too.
  api.hub.join(2, "games", undefined, T0);
  api.hub.leave(1, "games", "", T0);
  assert.deepEqual(api.hub.setOwner("admin", "games", "bob"), [
    {
      to: [2],
      frame: {
        type: "mode",
        room: "games",
        by: "the server admin",
        changes: [{ kind: "owner", owner: "bob", was: "cy" }],
      },
    },
    { to: [3], frame: { type: "ownership", room: "games", by: "the server admin", given: false } },
  ]);
});

Deno.test("/help lists /owner and the owner argument of /create", () => {
  const help = run(serverWith(), "/help").join("\n");
  assert.match(help, /\/create ROOM \[LIMIT\] \[OWNER\]/);
  assert.match(help, /\/owner ROOM NICK\|off/);
});

Deno.test("/stats shows the database's place, size and message count, or that there is none", () => {
  const api = serverWith("ana");
  assert.deepEqual(run(api, "/stats"), [
    "Connections: 1; people: 1; rooms: 1",
    "Database: none: rooms and history are kept in memory only (--memory)",
  ]);
  const stored: AdminApi = {
    ...api,
    storeStats: () => ({ location: "/srv/chat/chat.db", bytes: 3 * 1024 * 1024, messages: 1 }),
  };
  assert.deepEqual(run(stored, "/stats")[1], "Database: /srv/chat/chat.db, 3.0 MiB, 1 message");
});

Deno.test("/backup FILE starts a copy; the event log says how it went", async () => {
  const api = serverWith();
  let failed: Promise<number> = Promise.resolve(0);
  const none: FakeServer = { ...api, backup: (file) => failed = api.backup(file) };
  assert.deepEqual(run(none, "/backup /tmp/copy.db"), [
    "Backing up the database to /tmp/copy.db: the event log says when it is done",
  ]);
  await failed.catch(() => {});
  await Promise.resolve();
  assert.deepEqual(api.events.at(-1), {
    event: "backup_failed",
    fields: { file: "/tmp/copy.db", error: "No database to back up: this server keeps nothing" },
  });
  let done: Promise<number> = Promise.resolve(0);
  const stored: FakeServer = { ...api, backup: () => done = Promise.resolve(2048) };
  run(stored, "/backup /tmp/my copy.db");
  await done;
  await Promise.resolve();
  assert.deepEqual(api.events.at(-1), {
    event: "backup",
    fields: { file: "/tmp/my copy.db", size: "2.0 KiB" },
  });
});

Deno.test("/shutdown --restart tells the server it is a restart, with a reason or a default", () => {
  const calls: [string, boolean | undefined][] = [];
  const api: AdminApi = {
    ...serverWith(),
    shutdown: (reason, restart) => calls.push([reason, restart]),
  };
  assert.deepEqual(runConsoleLine(api, "/shutdown --restart back in 5"), {
    lines: ["Restarting: clients wait for the server to be back"],
    stop: true,
  });
  runConsoleLine(api, "/shutdown --restart");
  runConsoleLine(api, "/shutdown bye all");
  runConsoleLine(api, "/shutdown --restarting");
  assert.deepEqual(calls, [
    ["back in 5", true],
    ["Server is restarting", true],
    ["bye all", undefined],
    ["--restarting", undefined],
  ]);
});

Deno.test("/nodes lists a cluster's nodes and /users names each person's node", () => {
  const alone = serverWith("ana");
  assert.deepEqual(run(alone, "/nodes"), ["This server is on its own, not a cluster node"]);
  const node = {
    ...serverWith("ana", "bob"),
    clustered: true,
    cluster: {
      nodes: () => [
        { node: 1, name: "east", people: 1, self: true },
        { node: 2, name: "west", people: 1, self: false },
      ],
      nodeOf: (member: MemberId) => member === 1 ? "east" : "west",
    },
  };
  assert.deepEqual(run(node, "/nodes"), [
    "2 nodes:",
    "  east (node 1)  1 people  (this one)",
    "  west (node 2)  1 people",
  ]);
  assert.deepEqual(run(node, "/users"), [
    "2 people:",
    "  ana  in lobby  (node east)",
    "  bob  in lobby  (node west)",
  ]);
  // The console's own changes would reach this node alone: refused.
  assert.match(run(node, "/topic lobby hello")[0] ?? "", /not available on a cluster node/);
});
