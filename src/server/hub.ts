/**
 * Rooms, members and nicks: the server's pure state. Methods check the rules, change the state
 * and return the frames to deliver; they never touch sockets, clocks or timers (time is passed in).
 * Errors meant for the requester are thrown as `ChatError`.
 */
import { ChatError } from "../errors.ts";
import { LOBBY } from "../limits.ts";
import { nickKey, quote, validateNick } from "../nick.ts";
import type { ServerFrame, UsersFrame } from "../protocol.ts";
import { validateText } from "../text.ts";

/** A connection's identity inside the hub. */
export type ClientId = number;

/** A frame and who receives it. The server encodes it once for all recipients. */
export interface Delivery {
  readonly to: readonly ClientId[];
  readonly frame: ServerFrame;
}

interface Member {
  readonly id: ClientId;
  nick: string;
  readonly rooms: Set<string>;
}

interface Room {
  readonly name: string;
  readonly members: Set<ClientId>;
  /** Sequence number of the last accepted message. */
  seq: number;
}

/** The state of one chat server. */
export class Hub {
  readonly #members = new Map<ClientId, Member>();
  readonly #byKey = new Map<string, ClientId>();
  readonly #rooms = new Map<string, Room>();

  constructor() {
    this.#rooms.set(LOBBY, { name: LOBBY, members: new Set(), seq: 0 });
  }

  /** Number of registered members. */
  get size(): number {
    return this.#members.size;
  }

  /** Ids of every registered member. */
  ids(): ClientId[] {
    return [...this.#members.keys()];
  }

  /** The member's nick, or undefined before registration. */
  nickOf(id: ClientId): string | undefined {
    return this.#members.get(id)?.nick;
  }

  /**
   * Registers a nick for a connection and puts it in the lobby. Throws `nick_invalid`,
   * `nick_taken` or `already_registered`; the connection may try again with another nick.
   */
  register(id: ClientId, rawNick: string, now: number): Delivery[] {
    if (this.#members.has(id)) {
      throw new ChatError("already_registered", "You are already registered: use /nick to rename");
    }
    const nick = this.#claimNick(rawNick, id);
    const member: Member = { id, nick, rooms: new Set() };
    this.#members.set(id, member);
    this.#byKey.set(nickKey(nick), id);
    return this.#enter(member, LOBBY, now);
  }

  /** Sends a message to a room the member is in: everyone there but the sender gets it. */
  say(id: ClientId, roomName: string, text: string, now: number): Delivery[] {
    const member = this.#member(id);
    const room = this.#joinedRoom(member, roomName);
    validateText(text);
    room.seq += 1;
    return [{
      to: others(room, id),
      frame: {
        type: "message",
        room: room.name,
        nick: member.nick,
        text,
        time: now,
        seq: room.seq,
      },
    }];
  }

  /** Changes a member's nick and tells everyone who shares a room with them (and them). */
  rename(id: ClientId, rawNick: string, now: number): Delivery[] {
    const member = this.#member(id);
    const nick = this.#claimNick(rawNick, id);
    const old = member.nick;
    if (nick === old) {
      return [{ to: [id], frame: { type: "notice", text: `You are already known as ${nick}` } }];
    }
    this.#byKey.delete(nickKey(old));
    this.#byKey.set(nickKey(nick), id);
    member.nick = nick;
    return [{
      to: [id, ...this.#neighbours(member)],
      frame: { type: "nick", old, new: nick, time: now },
    }];
  }

  /** Who is in a room. The member must be in it. */
  users(id: ClientId, roomName: string): UsersFrame {
    const room = this.#joinedRoom(this.#member(id), roomName);
    const nicks = [...room.members].map((memberId) => this.#member(memberId).nick);
    return { type: "users", room: room.name, nicks: nicks.sort(compareNicks) };
  }

  /** Removes a member (quit, disconnect, kick): every room they were in is told. No-op if unknown. */
  disconnect(id: ClientId, reason: string, now: number): Delivery[] {
    const member = this.#members.get(id);
    if (member === undefined) return [];
    const deliveries: Delivery[] = [];
    for (const roomName of member.rooms) {
      const room = this.#rooms.get(roomName);
      if (room === undefined) continue;
      room.members.delete(id);
      if (room.members.size > 0) {
        deliveries.push({
          to: [...room.members],
          frame: { type: "leave", room: room.name, nick: member.nick, reason, time: now },
        });
      }
    }
    this.#members.delete(id);
    this.#byKey.delete(nickKey(member.nick));
    return deliveries;
  }

  #enter(member: Member, roomName: string, now: number): Delivery[] {
    const room = this.#room(roomName);
    const deliveries: Delivery[] = [];
    if (room.members.size > 0) {
      deliveries.push({
        to: [...room.members],
        frame: { type: "join", room: room.name, nick: member.nick, time: now },
      });
    }
    room.members.add(member.id);
    member.rooms.add(room.name);
    const members = [...room.members].map((memberId) => this.#member(memberId).nick);
    deliveries.push({
      to: [member.id],
      frame: { type: "room", room: room.name, members: members.sort(compareNicks) },
    });
    return deliveries;
  }

  /** Validates a nick and checks nobody else holds it; returns the normalised nick. */
  #claimNick(rawNick: string, id: ClientId): string {
    const nick = validateNick(rawNick);
    const holder = this.#byKey.get(nickKey(nick));
    if (holder !== undefined && holder !== id) {
      throw new ChatError("nick_taken", `Nick ${quote(nick)} is taken: choose another`);
    }
    return nick;
  }

  /** Everyone who shares at least one room with the member, without the member. */
  #neighbours(member: Member): ClientId[] {
    const ids = new Set<ClientId>();
    for (const roomName of member.rooms) {
      for (const other of this.#room(roomName).members) if (other !== member.id) ids.add(other);
    }
    return [...ids];
  }

  #member(id: ClientId): Member {
    const member = this.#members.get(id);
    if (member === undefined) {
      throw new ChatError("not_registered", "Choose a nick first");
    }
    return member;
  }

  #room(name: string): Room {
    const room = this.#rooms.get(name);
    if (room === undefined) throw new ChatError("no_such_room", `No such room: ${quote(name)}`);
    return room;
  }

  #joinedRoom(member: Member, name: string): Room {
    const room = this.#room(name);
    if (!room.members.has(member.id)) {
      throw new ChatError("not_in_room", `You are not in room ${quote(name)}`);
    }
    return room;
  }
}

function others(room: Room, id: ClientId): ClientId[] {
  const ids: ClientId[] = [];
  for (const member of room.members) if (member !== id) ids.push(member);
  return ids;
}

function compareNicks(a: string, b: string): number {
  return a.localeCompare(b, "en", { sensitivity: "base" });
}
