/**
 * Property-based test of the room core (src/server/hub.ts) against a simple model, with
 * fast-check: random sequences of registrations, messages, renames, room creation, joins, leaves,
 * kicks, closes, setting changes, private messages and disconnects, over six connections and a
 * few colliding nicks and room names.
 *
 * The model is deliberately small: maps of id -> nick and room key -> room state. For each
 * command it lists the rules the command breaks (as error codes). The hub must refuse exactly when
 * that list is not empty, with one of those codes (the order in which the hub checks its rules is
 * its own business), leave its state untouched when it refuses, and otherwise end up in the
 * model's state. The character rules for nicks, room names and text are not modelled: the model
 * calls validateNick, validateRoomName, validateText, nickKey and roomKey (unit-tested elsewhere).
 *
 * After every step, invariants are checked through the hub's public queries alone. Failures print
 * fast-check's seed and the shrunk command list.
 */
import { nativeFrame } from "../src/dialect/native_frames.ts";
import assert from "node:assert/strict";
import fc from "fast-check";
import { ChatError, ERROR_CODES, type ErrorCode } from "../src/errors.ts";
import { LOBBY, MAX_PASSWORD_CHARS, MAX_ROOM_LIMIT } from "../src/limits.ts";
import { nickKey, validateNick } from "../src/nick.ts";
import { decodeServerFrame, encodeFrame, type ServerFrame } from "../src/protocol.ts";
import { roomKey, validateRoomName } from "../src/room_name.ts";
import { type Delivery, Hub, type MemberId } from "../src/server/hub.ts";
import { MemoryRoomLog } from "../src/store/memory_room_log.ts";
import { validateText } from "../src/text.ts";

// ---- commands ----------------------------------------------------------------------------------

type Actor = MemberId | "admin";

interface Settings {
  limit?: number;
  password?: string;
  listed?: boolean;
  topic?: string;
}

type Command =
  | { op: "register"; id: MemberId; nick: string }
  | { op: "say"; id: MemberId; room: string; text: string }
  | { op: "rename"; id: MemberId; nick: string }
  | { op: "createRoom"; actor: Actor; room: string; settings: Settings }
  | { op: "join"; id: MemberId; room: string; password: string | undefined }
  | { op: "leave"; id: MemberId; room: string; reason: string }
  | { op: "kick"; actor: Actor; room: string; nick: string; reason: string }
  | { op: "closeRoom"; actor: Actor; room: string; reason: string }
  | { op: "setLimit"; actor: Actor; room: string; limit: number | undefined }
  | { op: "setPassword"; actor: Actor; room: string; password: string | undefined }
  | { op: "setListed"; actor: Actor; room: string; listed: boolean }
  | { op: "privateMessage"; id: MemberId; nick: string; text: string }
  | { op: "disconnect"; id: MemberId; reason: string };

const ERROR_CODE_SET: ReadonlySet<string> = new Set(ERROR_CODES);

/** Valid nicks, several of them the same person (case, width, NFC, look-alikes). */
const NICKS = [
  "ana",
  "Ana",
  "ANA",
  "\uff21\uff4e\uff41", // full-width Ana
  "bob",
  "b0b",
  "BOB",
  "jos\u00e9",
  "Jose\u0301", // decomposed e-acute: the same after NFC
  "\u212aim", // Kelvin sign K
  "kim",
  "\u0430\u043d\u0430", // Cyrillic
  "aha",
  "cy.d",
  "e-1",
  "_x",
];
/** Nicks the rule refuses. */
const BAD_NICKS = ["", "-ana", "a b", "ana\u0000", "\u202eana", "x".repeat(25), "#ana", "\u0430na"];

/** Room names, several of them the same room. */
const ROOMS = [
  LOBBY,
  "LOBBY",
  "#lobby",
  "games",
  "Games",
  "#games",
  "dev",
  "d\u00e9v",
  "de\u0301v",
  "room1",
  "rooml",
  "small",
];
/** Room names the rule refuses. */
const BAD_ROOMS = ["", "#", "-x", "a b", "x".repeat(33), "##games"];

const VALID_PASSWORDS = ["pw", "secret"];
const BAD_PASSWORDS = ["", "a b", "tab\t", "x".repeat(MAX_PASSWORD_CHARS + 1)];
const VALID_TOPICS = ["fun", "caf\u00e9 \u{1f600}"];
const BAD_TOPICS = ["", "\u0007", "x".repeat(301)];
const VALID_LIMITS = [1, 2, 3];
const BAD_LIMITS = [0, -1, 1.5, MAX_ROOM_LIMIT + 1, Number.NaN];
const VALID_TEXTS = ["hi", " spaced ", "\ttab", "\u202eok"];
const BAD_TEXTS = ["", "   ", "a\u0000b", "line\n"];
const REASONS = ["", "bye"];

function validLimit(limit: number): boolean {
  return Number.isInteger(limit) && limit >= 1 && limit <= MAX_ROOM_LIMIT;
}

/** Mostly one of `good`, sometimes one of `bad`. */
function mostly<T>(good: readonly T[], bad: readonly T[]): fc.Arbitrary<T> {
  return fc.oneof(
    { weight: 5, arbitrary: fc.constantFrom(...good) },
    { weight: 1, arbitrary: fc.constantFrom(...bad) },
  );
}

const id = fc.integer({ min: 1, max: 6 });
const actor: fc.Arbitrary<Actor> = fc.oneof(
  { weight: 3, arbitrary: id },
  { weight: 1, arbitrary: fc.constant("admin" as const) },
);
const nick = mostly(NICKS, BAD_NICKS);
const room = mostly(ROOMS, BAD_ROOMS);
const text = mostly(VALID_TEXTS, BAD_TEXTS);
const reason = fc.constantFrom(...REASONS);
const password = mostly(VALID_PASSWORDS, BAD_PASSWORDS);

const settings: fc.Arbitrary<Settings> = fc.record({
  limit: mostly(VALID_LIMITS, BAD_LIMITS),
  password,
  listed: fc.boolean(),
  topic: mostly(VALID_TOPICS, BAD_TOPICS),
}, { requiredKeys: [] });

const command: fc.Arbitrary<Command> = fc.oneof(
  { weight: 3, arbitrary: fc.record({ op: fc.constant("register" as const), id, nick }) },
  { weight: 4, arbitrary: fc.record({ op: fc.constant("say" as const), id, room, text }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant("rename" as const), id, nick }) },
  {
    weight: 3,
    arbitrary: fc.record({ op: fc.constant("createRoom" as const), actor, room, settings }),
  },
  {
    weight: 6,
    arbitrary: fc.record({
      op: fc.constant("join" as const),
      id,
      room,
      password: fc.constantFrom(undefined, "pw", "secret", "wrong"),
    }),
  },
  { weight: 3, arbitrary: fc.record({ op: fc.constant("leave" as const), id, room, reason }) },
  {
    weight: 3,
    arbitrary: fc.record({ op: fc.constant("kick" as const), actor, room, nick, reason }),
  },
  {
    weight: 1,
    arbitrary: fc.record({ op: fc.constant("closeRoom" as const), actor, room, reason }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      op: fc.constant("setLimit" as const),
      actor,
      room,
      limit: fc.oneof(fc.constant(undefined), mostly(VALID_LIMITS, BAD_LIMITS)),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      op: fc.constant("setPassword" as const),
      actor,
      room,
      password: fc.oneof(fc.constant(undefined), password),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      op: fc.constant("setListed" as const),
      actor,
      room,
      listed: fc.boolean(),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({ op: fc.constant("privateMessage" as const), id, nick, text }),
  },
  { weight: 1, arbitrary: fc.record({ op: fc.constant("disconnect" as const), id, reason }) },
);

/**
 * Most connections register first (with distinct nicks) and a few rooms may be made, so that
 * most random commands that follow have something to act on.
 */
const prelude: fc.Arbitrary<Command[]> = fc.tuple(
  fc.subarray([1, 2, 3, 4, 5, 6], { minLength: 3 }),
  fc.subarray<Command>([
    { op: "createRoom", actor: "admin", room: "games", settings: {} },
    { op: "createRoom", actor: 1, room: "dev", settings: { limit: 2 } },
    { op: "createRoom", actor: 2, room: "room1", settings: { password: "pw", listed: false } },
    { op: "createRoom", actor: 3, room: "small", settings: { limit: 1 } },
  ]),
  fc.subarray<Command>([
    { op: "join", id: 4, room: "dev", password: undefined },
    { op: "join", id: 5, room: "room1", password: "pw" },
    { op: "join", id: 6, room: "games", password: undefined },
    { op: "join", id: 1, room: "small", password: undefined },
  ]),
).map(([ids, rooms, joins]) => [
  ...ids.map((id): Command => ({ op: "register", id, nick: PRELUDE_NICKS[id - 1] ?? "" })),
  ...rooms,
  ...joins,
]);
const PRELUDE_NICKS = ["ana", "bob", "kim", "cy.d", "e-1", "_x"];

/** A session: the prelude, then up to 60 random commands. */
const session: fc.Arbitrary<Command[]> = fc.tuple(
  prelude,
  fc.array(command, { maxLength: 60, size: "max" }),
).map(([first, rest]) => [...first, ...rest]);

interface HubConfig {
  historySize: number;
  userRooms: boolean;
  maxRooms: number;
}

const hubConfig: fc.Arbitrary<HubConfig> = fc.record({
  historySize: fc.constantFrom(0, 1, 3),
  userRooms: fc.constantFrom(true, true, true, false),
  maxRooms: fc.constantFrom(3, 5, 1000),
});

// ---- the model ---------------------------------------------------------------------------------

interface ModelRoom {
  readonly name: string;
  readonly persistent: boolean;
  owner: MemberId | undefined;
  limit: number | undefined;
  password: string | undefined;
  listed: boolean;
  topic: string | undefined;
  readonly members: Set<MemberId>;
  seq: number;
  /** Seqs of the messages kept for replay. */
  history: number[];
}

const LOBBY_KEY = roomKey(LOBBY);

class Model {
  /** id -> nick */
  readonly members = new Map<MemberId, string>();
  /** room key -> room */
  readonly rooms = new Map<string, ModelRoom>();
  readonly config: HubConfig;

  constructor(config: HubConfig) {
    this.config = config;
    this.rooms.set(LOBBY_KEY, newRoom(LOBBY, true, undefined, {}));
  }

  holder(nick: string): MemberId | undefined {
    const key = nickKey(nick);
    for (const [id, held] of this.members) if (nickKey(held) === key) return id;
    return undefined;
  }

  room(name: string): ModelRoom | undefined {
    return this.rooms.get(roomKey(name));
  }

  roomsOf(id: MemberId): ModelRoom[] {
    return [...this.rooms.values()].filter((room) => room.members.has(id));
  }

  lobby(): ModelRoom {
    const lobby = this.rooms.get(LOBBY_KEY);
    assert.ok(lobby !== undefined, "the model lost its lobby");
    return lobby;
  }

  remove(id: MemberId, room: ModelRoom): void {
    room.members.delete(id);
    if (room.members.size === 0 && !room.persistent) this.rooms.delete(roomKey(room.name));
  }

  /** Nicks of a room's members, sorted by code unit (for comparing as sets). */
  nicks(room: ModelRoom): string[] {
    return [...room.members].map((member) => this.members.get(member) ?? `?${member}`).sort();
  }
}

function newRoom(
  name: string,
  persistent: boolean,
  owner: MemberId | undefined,
  settings: Settings,
): ModelRoom {
  return {
    name,
    persistent,
    owner,
    limit: settings.limit,
    password: settings.password,
    listed: settings.listed ?? true,
    topic: settings.topic,
    members: new Set(),
    seq: 0,
    history: [],
  };
}

function tryValid<T>(fn: () => T): T | undefined {
  try {
    return fn();
  } catch (error) {
    if (error instanceof ChatError) return undefined;
    throw error;
  }
}

/** The rules a command breaks, and what it does when it breaks none. */
interface Plan {
  broken: ErrorCode[];
  apply: () => void;
}

function canManage(actor: Actor, room: ModelRoom): boolean {
  return actor === "admin" || room.owner === actor;
}

function plan(model: Model, cmd: Command): Plan {
  const broken: ErrorCode[] = [];
  const breaks = (code: ErrorCode, when: boolean) => {
    if (when) broken.push(code);
  };
  const noop = () => {};
  switch (cmd.op) {
    case "register": {
      breaks("already_registered", model.members.has(cmd.id));
      const nick = tryValid(() => validateNick(cmd.nick));
      breaks("nick_invalid", nick === undefined);
      breaks("nick_taken", nick !== undefined && model.holder(nick) !== undefined);
      return {
        broken,
        apply: () => {
          model.members.set(cmd.id, nick ?? "");
          model.lobby().members.add(cmd.id);
        },
      };
    }
    case "say": {
      breaks("not_registered", !model.members.has(cmd.id));
      const room = model.room(cmd.room);
      breaks("no_such_room", room === undefined);
      breaks("not_in_room", room !== undefined && !room.members.has(cmd.id));
      breaks("text_invalid", tryValid(() => validateText(cmd.text)) === undefined);
      return {
        broken,
        apply: () => {
          if (room === undefined) return;
          room.seq += 1;
          if (model.config.historySize > 0) {
            room.history = [...room.history, room.seq].slice(-model.config.historySize);
          }
        },
      };
    }
    case "rename": {
      breaks("not_registered", !model.members.has(cmd.id));
      const nick = tryValid(() => validateNick(cmd.nick));
      breaks("nick_invalid", nick === undefined);
      const holder = nick === undefined ? undefined : model.holder(nick);
      breaks("nick_taken", holder !== undefined && holder !== cmd.id);
      return { broken, apply: () => model.members.set(cmd.id, nick ?? "") };
    }
    case "createRoom": {
      const { actor, settings } = cmd;
      if (actor !== "admin") {
        breaks("not_registered", !model.members.has(actor));
        breaks("rooms_disabled", model.members.has(actor) && !model.config.userRooms);
      }
      const name = tryValid(() => validateRoomName(cmd.room));
      breaks("room_invalid", name === undefined);
      breaks(
        "room_invalid",
        (settings.limit !== undefined && !validLimit(settings.limit)) ||
          (settings.password !== undefined && !VALID_PASSWORDS.includes(settings.password)) ||
          (settings.topic !== undefined && !VALID_TOPICS.includes(settings.topic)),
      );
      breaks("room_exists", name !== undefined && model.room(name) !== undefined);
      breaks("too_many_rooms", model.rooms.size >= model.config.maxRooms);
      return {
        broken,
        apply: () => {
          if (name === undefined) return;
          const owner = actor === "admin" ? undefined : actor;
          const room = newRoom(name, actor === "admin", owner, settings);
          model.rooms.set(roomKey(name), room);
          if (owner !== undefined) room.members.add(owner);
        },
      };
    }
    case "join": {
      breaks("not_registered", !model.members.has(cmd.id));
      const room = model.room(cmd.room);
      breaks("no_such_room", room === undefined);
      if (room !== undefined) {
        breaks("already_in_room", room.members.has(cmd.id));
        breaks("wrong_password", room.password !== undefined && cmd.password !== room.password);
        breaks("room_full", room.limit !== undefined && room.members.size >= room.limit);
      }
      return { broken, apply: () => room?.members.add(cmd.id) };
    }
    case "leave": {
      breaks("not_registered", !model.members.has(cmd.id));
      const room = model.room(cmd.room);
      breaks("no_such_room", room === undefined);
      if (room !== undefined) {
        breaks("not_in_room", !room.members.has(cmd.id));
        breaks("last_room", room.members.has(cmd.id) && model.roomsOf(cmd.id).length === 1);
      }
      return { broken, apply: () => room !== undefined && model.remove(cmd.id, room) };
    }
    case "kick": {
      const room = model.room(cmd.room);
      breaks("no_such_room", room === undefined);
      breaks("not_allowed", room !== undefined && !canManage(cmd.actor, room));
      const target = model.holder(cmd.nick);
      breaks("no_such_nick", target === undefined);
      breaks("bad_arguments", target !== undefined && target === cmd.actor);
      breaks(
        "not_in_room",
        room !== undefined && target !== undefined && !room.members.has(target),
      );
      return {
        broken,
        apply: () => {
          if (room === undefined || target === undefined) return;
          model.remove(target, room);
          if (model.roomsOf(target).length === 0) model.lobby().members.add(target);
        },
      };
    }
    case "closeRoom": {
      const room = model.room(cmd.room);
      breaks("no_such_room", room === undefined);
      breaks("not_allowed", room !== undefined && roomKey(room.name) === LOBBY_KEY);
      breaks("not_allowed", room !== undefined && !canManage(cmd.actor, room));
      return {
        broken,
        apply: () => {
          if (room === undefined) return;
          model.rooms.delete(roomKey(room.name));
          for (const member of room.members) model.lobby().members.add(member);
        },
      };
    }
    case "setLimit": {
      const room = model.room(cmd.room);
      breaks("no_such_room", room === undefined);
      breaks("not_allowed", room !== undefined && roomKey(room.name) === LOBBY_KEY);
      breaks("not_allowed", room !== undefined && !canManage(cmd.actor, room));
      breaks("room_invalid", cmd.limit !== undefined && !validLimit(cmd.limit));
      return {
        broken,
        apply: () => {
          if (room !== undefined) room.limit = cmd.limit;
        },
      };
    }
    case "setPassword": {
      const room = model.room(cmd.room);
      breaks("no_such_room", room === undefined);
      breaks("not_allowed", room !== undefined && !canManage(cmd.actor, room));
      breaks(
        "room_invalid",
        cmd.password !== undefined && !VALID_PASSWORDS.includes(cmd.password),
      );
      return {
        broken,
        apply: () => {
          if (room !== undefined) room.password = cmd.password;
        },
      };
    }
    case "setListed": {
      const room = model.room(cmd.room);
      breaks("no_such_room", room === undefined);
      breaks("not_allowed", room !== undefined && roomKey(room.name) === LOBBY_KEY);
      breaks("not_allowed", room !== undefined && !canManage(cmd.actor, room));
      return {
        broken,
        apply: () => {
          if (room !== undefined) room.listed = cmd.listed;
        },
      };
    }
    case "privateMessage": {
      breaks("not_registered", !model.members.has(cmd.id));
      const target = model.holder(cmd.nick);
      breaks("no_such_nick", target === undefined);
      breaks("text_invalid", tryValid(() => validateText(cmd.text)) === undefined);
      return { broken, apply: noop };
    }
    case "disconnect":
      return {
        broken,
        apply: () => {
          if (!model.members.has(cmd.id)) return;
          for (const room of model.roomsOf(cmd.id)) model.remove(cmd.id, room);
          for (const room of model.rooms.values()) {
            if (room.owner === cmd.id) room.owner = undefined;
          }
          model.members.delete(cmd.id);
        },
      };
  }
}

function run(hub: Hub, cmd: Command, now: number): Delivery[] {
  switch (cmd.op) {
    case "register":
      return hub.register(cmd.id, cmd.nick, now);
    case "say":
      return hub.say(cmd.id, cmd.room, cmd.text, now);
    case "rename":
      return hub.rename(cmd.id, cmd.nick, now);
    case "createRoom":
      return hub.createRoom(cmd.actor, cmd.room, cmd.settings, now);
    case "join":
      return hub.join(cmd.id, cmd.room, cmd.password, now);
    case "leave":
      return hub.leave(cmd.id, cmd.room, cmd.reason, now);
    case "kick":
      return hub.kick(cmd.actor, cmd.room, cmd.nick, cmd.reason, now);
    case "closeRoom":
      return hub.closeRoom(cmd.actor, cmd.room, cmd.reason, now);
    case "setLimit":
      return hub.setLimit(cmd.actor, cmd.room, cmd.limit);
    case "setPassword":
      return hub.setPassword(cmd.actor, cmd.room, cmd.password);
    case "setListed":
      return hub.setListed(cmd.actor, cmd.room, cmd.listed);
    case "privateMessage":
      return hub.privateMessage(cmd.id, cmd.nick, cmd.text, now);
    case "disconnect":
      return hub.disconnect(cmd.id, cmd.reason, now);
  }
}

// ---- snapshots ---------------------------------------------------------------------------------

interface RoomSnapshot {
  key: string;
  name: string;
  members: MemberId[];
  persistent: boolean;
  owner: MemberId | null;
  limit: number | null;
  password: string | null;
  listed: boolean;
  topic: string | null;
  seq: number;
}

interface Snapshot {
  members: [MemberId, string][];
  rooms: RoomSnapshot[];
}

const byNumber = (a: number, b: number) => a - b;

function hubSnapshot(hub: Hub): Snapshot {
  return {
    members: hub.ids().sort(byNumber).map((id) => [id, hub.nickOf(id) ?? "?"]),
    rooms: hub.allRooms().map((room): RoomSnapshot => ({
      key: room.key,
      name: room.name,
      members: [...room.members].sort(byNumber),
      persistent: room.persistent,
      owner: room.owner ?? null,
      limit: room.limit ?? null,
      password: room.password ?? null,
      listed: room.listed,
      topic: room.topic ?? null,
      seq: room.seq,
    })).sort((a, b) => a.key < b.key ? -1 : a.key > b.key ? 1 : 0),
  };
}

function modelSnapshot(model: Model): Snapshot {
  return {
    members: [...model.members].sort(([a], [b]) => a - b),
    rooms: [...model.rooms].map(([key, room]): RoomSnapshot => ({
      key,
      name: room.name,
      members: [...room.members].sort(byNumber),
      persistent: room.persistent,
      owner: room.owner ?? null,
      limit: room.limit ?? null,
      password: room.password ?? null,
      listed: room.listed,
      topic: room.topic ?? null,
      seq: room.seq,
    })).sort((a, b) => a.key < b.key ? -1 : a.key > b.key ? 1 : 0),
  };
}

// ---- checks ------------------------------------------------------------------------------------

function sameSet<T>(actual: readonly T[], expected: Iterable<T>, what: string): void {
  const sortedActual = [...actual].sort();
  const sortedExpected = [...expected].sort();
  assert.deepEqual(sortedActual, sortedExpected, what);
}

/** Invariants that hold after any step, read through the hub's public queries only. */
function checkInvariants(hub: Hub, sizesBefore: Map<string, number>): void {
  const ids = hub.ids();
  assert.equal(hub.size, ids.length);
  const keys = new Set<string>();
  for (const id of ids) {
    const nick = hub.nickOf(id);
    assert.ok(nick !== undefined, `registered ${id} has no nick`);
    assert.ok(!keys.has(nickKey(nick)), `nick ${nick} is not unique ignoring case`);
    keys.add(nickKey(nick));
    assert.equal(hub.idOf(nick), id);
    const rooms = hub.roomsOf(id);
    assert.ok(rooms.length >= 1, `${nick} is in no room`);
    for (const name of rooms) {
      assert.ok(hub.membersOf(name).includes(nick), `${nick} in ${name} one way only`);
    }
  }
  const all = hub.allRooms();
  const lobby = all.find((room) => room.key === LOBBY_KEY);
  assert.ok(lobby !== undefined && lobby.persistent, "the lobby always exists");
  for (const room of all) {
    for (const member of room.members) {
      assert.ok(ids.includes(member), `room ${room.name} holds unregistered ${member}`);
      assert.ok(hub.roomsOf(member).includes(room.name), `${member} in ${room.name} one way only`);
    }
    sameSet(
      hub.membersOf(room.name),
      [...room.members].map((member) => hub.nickOf(member) ?? "?"),
      `membersOf(${room.name})`,
    );
    assert.ok(room.members.size > 0 || room.persistent, `empty room ${room.name} still exists`);
    const before = sizesBefore.get(room.key) ?? 0;
    if (room.limit !== undefined && room.members.size > before) {
      assert.ok(
        room.members.size <= room.limit,
        `${room.name} grew to ${room.members.size} past its limit ${room.limit}`,
      );
    }
  }
  for (const id of ids) {
    const rows = hub.listRooms(id).rooms;
    const visible = all.filter((room) => room.listed || room.members.has(id));
    sameSet(rows.map((row) => row.name), visible.map((room) => room.name), `listRooms(${id})`);
    for (const row of rows) {
      const room = all.find((candidate) => candidate.name === row.name);
      assert.ok(room !== undefined);
      assert.ok(room.listed || room.members.has(id), `${id} sees private ${room.name}`);
      assert.equal(row.members, room.members.size);
      assert.equal(row.private ?? false, !room.listed);
    }
  }
  sameSet(
    hub.listRooms("admin").rooms.map((row) => row.name),
    all.map((room) => room.name),
    "listRooms(admin)",
  );
}

/** What every batch of deliveries must satisfy, whatever the command. */
function checkDeliveries(hub: Hub, model: Model, deliveries: Delivery[]): void {
  const ids = hub.ids();
  for (const { to, frame } of deliveries) {
    for (const recipient of to) {
      assert.ok(ids.includes(recipient), `${frame.type} delivered to unregistered ${recipient}`);
    }
    assert.equal(new Set(to).size, to.length, `${frame.type} delivered twice to someone`);
    // Every frame the hub makes is a valid wire frame, with no field the protocol lacks.
    const native = nativeFrame(frame);
    if (native === undefined) continue; // Not shown to native clients.
    const line = new TextDecoder().decode(encodeFrame(native).subarray(0, -1));
    assert.deepEqual(decodeServerFrame(line), JSON.parse(line));
    if (frame.type === "message" && !frame.history) {
      const room = model.room(frame.room);
      const sender = model.holder(frame.nick);
      assert.ok(room !== undefined && sender !== undefined);
      sameSet(to, [...room.members].filter((member) => member !== sender), "message recipients");
    }
  }
}

function framesTo(deliveries: Delivery[], id: MemberId): ServerFrame[] {
  return deliveries.filter((delivery) => delivery.to.includes(id)).flatMap((d) =>
    nativeFrame(d.frame) ?? []
  );
}

/** Recipients of the deliveries whose frame has this type. */
function recipientsOf(deliveries: Delivery[], type: ServerFrame["type"]): MemberId[] {
  return deliveries.filter((delivery) => delivery.frame.type === type).flatMap((d) => [...d.to]);
}

/** Someone entered `roomName`: the `room` frame lists the model's members, history follows. */
function checkEntered(model: Model, deliveries: Delivery[], id: MemberId, name: string): void {
  const room = model.room(name);
  assert.ok(room !== undefined);
  const frames = framesTo(deliveries, id);
  const at = frames.findIndex((frame) => frame.type === "room" && frame.room === room.name);
  const entered = frames[at];
  assert.ok(entered !== undefined && entered.type === "room", `${id} got no room frame`);
  assert.deepEqual([...entered.members].sort(), model.nicks(room));
  const history = frames.slice(at + 1, at + 1 + (entered.history ?? 0));
  assert.deepEqual(
    history.map((frame) => frame.type === "message" && frame.history ? frame.seq : -1),
    room.history,
    "the history replayed is the room's last messages",
  );
  sameSet(
    recipientsOf(deliveries, "join"),
    [...room.members].filter((member) => member !== id),
    "join recipients",
  );
}

/** Checks specific to a command that was accepted; `before` is the model before the command. */
function checkAccepted(
  model: Model,
  cmd: Command,
  deliveries: Delivery[],
  neighboursBefore: Set<MemberId>,
): void {
  switch (cmd.op) {
    case "say": {
      const room = model.room(cmd.room);
      assert.ok(room !== undefined);
      assert.equal(deliveries.length, 1);
      const [delivery] = deliveries;
      assert.ok(delivery !== undefined && delivery.frame.type === "message");
      assert.equal(delivery.frame.seq, room.seq, "seq grows by one per accepted message");
      return;
    }
    case "register":
      checkEntered(model, deliveries, cmd.id, LOBBY);
      return;
    case "join":
      checkEntered(model, deliveries, cmd.id, cmd.room);
      return;
    case "createRoom":
      if (cmd.actor === "admin") assert.deepEqual(deliveries, []);
      else checkEntered(model, deliveries, cmd.actor, cmd.room);
      return;
    case "rename": {
      const nickFrames = deliveries.filter((delivery) => delivery.frame.type === "nick");
      if (nickFrames.length === 0) return; // the same nick: only a notice
      sameSet(recipientsOf(deliveries, "nick"), [cmd.id, ...neighboursBefore], "nick recipients");
      return;
    }
    case "leave":
      sameSet(recipientsOf(deliveries, "left"), [cmd.id], "left recipients");
      sameSet(
        recipientsOf(deliveries, "leave"),
        model.room(cmd.room)?.members ?? [],
        "leave recipients",
      );
      return;
    case "disconnect":
      sameSet(recipientsOf(deliveries, "quit"), neighboursBefore, "who hears of a disconnect");
      assert.ok(deliveries.length <= 1, "one quit event, to every neighbour");
      assert.ok(deliveries.every((delivery) => delivery.frame.type === "quit"));
      return;
    default:
      return;
  }
}

function neighbours(model: Model, id: MemberId): Set<MemberId> {
  const ids = new Set<MemberId>();
  for (const room of model.roomsOf(id)) for (const member of room.members) ids.add(member);
  ids.delete(id);
  return ids;
}

function idOfCommand(cmd: Command): MemberId | undefined {
  return "id" in cmd ? cmd.id : undefined;
}

/** Which commands were accepted and which codes refused them, over a whole test. */
class Tally {
  readonly accepted = new Map<string, number>();
  readonly refused = new Map<string, number>();

  count(map: Map<string, number>, key: string): void {
    map.set(key, (map.get(key) ?? 0) + 1);
  }
}

/** Runs the commands on a hub and on the model side by side, checking everything at each step. */
function runAgainstModel(config: HubConfig, commands: Command[], tally: Tally): void {
  const hub = new Hub(config);
  const model = new Model(config);
  let now = 1000;
  for (const cmd of commands) {
    now += 1000;
    const before = hubSnapshot(hub);
    const sizesBefore = new Map(hub.allRooms().map((room) => [room.key, room.members.size]));
    const subject = idOfCommand(cmd);
    const neighboursBefore = subject === undefined
      ? new Set<MemberId>()
      : neighbours(model, subject);
    const { broken, apply } = plan(model, cmd);
    let deliveries: Delivery[] | undefined;
    try {
      deliveries = run(hub, cmd, now);
    } catch (error) {
      assert.ok(error instanceof ChatError, `${cmd.op} threw ${String(error)}`);
      assert.ok(ERROR_CODE_SET.has(error.code), `unknown code ${error.code}`);
      assert.ok(
        broken.includes(error.code),
        `${cmd.op} refused with ${error.code} (${error.message}); the model expected ` +
          (broken.length === 0 ? "success" : broken.join(" or ")),
      );
      assert.deepEqual(hubSnapshot(hub), before, `${cmd.op} refused but changed the state`);
      tally.count(tally.refused, `${cmd.op}:${error.code}`);
    }
    if (deliveries !== undefined) {
      assert.deepEqual(broken, [], `${cmd.op} was accepted but breaks ${broken.join(", ")}`);
      apply();
      checkDeliveries(hub, model, deliveries);
      checkAccepted(model, cmd, deliveries, neighboursBefore);
      tally.count(tally.accepted, cmd.op);
    }
    assert.deepEqual(hubSnapshot(hub), modelSnapshot(model), `after ${cmd.op}`);
    checkInvariants(hub, sizesBefore);
  }
}

Deno.test("Hub follows the model over random command sequences and keeps its invariants", () => {
  const tally = new Tally();
  fc.assert(
    fc.property(hubConfig, session, (config, commands) => {
      runAgainstModel(config, commands, tally);
    }),
    { numRuns: 200 },
  );
  // The generators reach the interesting cases: every command gets accepted somewhere, and
  // joins are refused for each reason.
  for (
    const op of [
      "register",
      "say",
      "rename",
      "createRoom",
      "join",
      "leave",
      "kick",
      "closeRoom",
      "setLimit",
      "setPassword",
      "setListed",
      "privateMessage",
      "disconnect",
    ]
  ) {
    assert.ok((tally.accepted.get(op) ?? 0) > 0, `${op} was never accepted`);
  }
  for (const code of ["no_such_room", "already_in_room", "wrong_password", "room_full"]) {
    assert.ok((tally.refused.get(`join:${code}`) ?? 0) > 0, `join never refused: ${code}`);
  }
});

Deno.test("MemoryRoomLog.history() is always the last historySize messages appended, oldest first", () => {
  fc.assert(
    fc.property(fc.integer({ min: 0, max: 5 }), fc.nat({ max: 40 }), (historySize, count) => {
      const log = new MemoryRoomLog({ historySize });
      for (let seq = 1; seq <= count; seq++) {
        log.append(
          "games",
          { type: "message", room: "games", nick: "ana", text: "hi", time: seq, seq },
          100,
        );
        const expected = Array.from({ length: seq }, (_, i) => i + 1).slice(-historySize);
        assert.deepEqual(
          log.history("games").map((message) => message.seq),
          historySize === 0 ? [] : expected,
        );
      }
    }),
    { numRuns: 100 },
  );
});
