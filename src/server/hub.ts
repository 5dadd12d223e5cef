/**
 * Rooms, members and nicks: the server's pure state. Methods check the rules, change the state
 * and return the frames to deliver; they never touch sockets, clocks or timers (time is passed in).
 * Errors meant for the requester are thrown as `ChatError`.
 */
import { ChatError } from "../errors.ts";
import {
  DEFAULT_HISTORY,
  HISTORY_REPLAY_MAX_BYTES,
  LOBBY,
  MAX_CLIENT_TAG_BYTES,
  MAX_CLIENT_TAGS,
  MAX_DEPARTED,
  MAX_HISTORY_QUERY,
  MAX_PASSWORD_CHARS,
  MAX_REAL_NAME_CHARS,
  MAX_ROOM_LIMIT,
  MAX_ROOMS,
  MAX_TOPIC_CHARS,
  MAX_USER_NAME_CHARS,
  MAX_WATCHED,
} from "../limits.ts";
import { nickKey, quote, validateNick } from "../nick.ts";
import { encodeFrame } from "../protocol.ts";
import { PROTOCOL_ENCODING, type SharedEncodings } from "../dialect/dialect.ts";
import { compareNicks, insertNick, removeNick } from "./nick_order.ts";
import {
  ADMIN,
  type HistoryRequest,
  type HubEvent,
  type ModeRequest,
  type RoomChange,
} from "./events.ts";
import type {
  MessageFrame,
  PrivateFrame,
  RoomsFrame,
  ServerFrame,
  UsersFrame,
  WhoisFrame,
} from "../protocol.ts";
import { roomKey, validateRoomName } from "../room_name.ts";
import { cleanReason, validateText } from "../text.ts";
import { Room, type RoomSettings } from "./room.ts";
import { MemoryNickRegistry } from "../store/memory_nick_registry.ts";
import { MemoryRoomDirectory } from "../store/memory_room_directory.ts";
import { MemoryRoomLog } from "../store/memory_room_log.ts";
import type { NickRegistry } from "../store/nick_registry.ts";
import type { RoomDirectory } from "../store/room_directory.ts";
import type { RoomLog } from "../store/room_log.ts";
import type { MemberId } from "../store/member_id.ts";
import type { UserInfo } from "../dialect/dialect.ts";
import type { AccountStore } from "../store/account_store.ts";
import { MemoryAccountStore } from "../store/memory_account_store.ts";
import { isTokenAccount } from "../store/token_account.ts";
import type { ModerationStore } from "../store/moderation_store.ts";
import { MemoryModerationStore } from "../store/memory_moderation_store.ts";
import { describeMute } from "./moderation.ts";

export type { MemberId, UserInfo };

/** Who a member says they are besides the nick (IRC's `USER` line); both optional. */
export interface Identity {
  /** A user name: cleaned to letters, digits and `_ - . ~`, at most MAX_USER_NAME_CHARS. */
  readonly user?: string;
  /** A real name: control characters removed, at most MAX_REAL_NAME_CHARS. */
  readonly realName?: string;
}

/** Who asks for a change: a member, or the server's operator at the admin console. */
export type Actor = MemberId | "admin";

/** A client's id for a message, and the key under which resends are recognised. */
export interface MessageRef {
  /** As the client sent it; echoed in the `ack`. */
  readonly id: string;
  /** Unique to the sender across reconnects (the server builds it from the resume token). */
  readonly key: string;
}

/**
 * What kind of message: ordinary `text`, an `action` (`/me`), or a `notice` (IRC's NOTICE:
 * information that must never trigger an automatic reply, such as an away message).
 */
export type MessageKind = "text" | "action" | "notice";

/** A reconnecting member's request: the rooms they were in with the last seq seen in each. */
export interface Resume {
  readonly rooms: readonly { room: string; seq: number }[];
  /** Room keys the server knows the member was in: their passwords are not asked again. */
  readonly trusted: readonly string[];
}

/** A frame and who receives it. The server encodes it once for all recipients. */
export interface Delivery {
  readonly to: readonly MemberId[];
  readonly frame: HubEvent;
  /** Encodings made already (a message is encoded once, for history and for delivery). */
  readonly encoded?: SharedEncodings;
}

/** Options for {@linkcode Hub}. */
export interface HubOptions {
  /** Messages each room keeps for replay. @default DEFAULT_HISTORY */
  historySize?: number;
  /** Whether members may create rooms with `/create`. @default true */
  userRooms?: boolean;
  /** Most rooms at once, the lobby included. @default MAX_ROOMS */
  maxRooms?: number;
  /**
   * Most bytes of history replayed to someone entering a room (newest first): what arrives on
   * joining must fit the newcomer's outgoing queue. @default HISTORY_REPLAY_MAX_BYTES
   */
  historyBytes?: number;
  /** Where rooms' messages, seqs and resend ids are kept. @default a MemoryRoomLog of historySize */
  roomLog?: RoomLog;
  /** Who holds which nick. @default a MemoryNickRegistry */
  nickRegistry?: NickRegistry;
  /** Which rooms exist, with their settings. @default a MemoryRoomDirectory */
  roomDirectory?: RoomDirectory;
  /** Registered nicks: only their owner, logged in, may use one. @default a MemoryAccountStore */
  accounts?: AccountStore;
  /** Mutes and room bans (the server enforces server bans). @default a MemoryModerationStore */
  moderation?: ModerationStore;
  /** Accounts that are operators whatever the store says (`chat serve --admin NICK`). */
  operators?: readonly string[];
}

interface Member {
  readonly id: MemberId;
  nick: string;
  /** Nick keys the member watches (MONITOR). */
  readonly watching: Set<string>;
  /** The user name given at registration, if any (else the nick stands for it). */
  readonly user: string | undefined;
  realName: string;
  /** Said to be a bot (IRC's bot mode). */
  bot: boolean;
  /** Wants the operators' wallops (IRC's user mode +w). */
  wallops?: boolean;
  /** Keys of the rooms the member is in, in the order joined. */
  readonly rooms: Set<string>;
  away: string | undefined;
  /** When the member last sent a message (or registered). */
  lastActive: number;
  readonly since: number;
}

/** The state of one chat server. */
export class Hub {
  readonly #members = new Map<MemberId, Member>();
  readonly #nickRegistry: NickRegistry;
  readonly #directory: RoomDirectory;
  /** Rooms as the hub uses them (members here, the rest in the stores), made on first use. */
  readonly #views = new Map<string, Room>();
  readonly #log: RoomLog;
  readonly #userRooms: boolean;
  readonly #maxRooms: number;
  readonly #historyBytes: number;
  /** Who watches each nick (by nick key) for coming and going (IRC's MONITOR). */
  readonly #watchers = new Map<string, Set<MemberId>>();
  /** Who left or renamed lately, oldest first, at most MAX_DEPARTED (for WHOWAS). */
  #departed: { key: string; info: UserInfo }[] = [];
  readonly #accounts: AccountStore;
  readonly #moderation: ModerationStore;
  readonly #operators: ReadonlySet<string>;
  /** The account each logged-in member is logged in to (its key), set before or after register. */
  readonly #logins = new Map<MemberId, string>();

  constructor(options: HubOptions = {}) {
    this.#log = options.roomLog ??
      new MemoryRoomLog({ historySize: options.historySize ?? DEFAULT_HISTORY });
    this.#userRooms = options.userRooms ?? true;
    this.#maxRooms = options.maxRooms ?? MAX_ROOMS;
    this.#historyBytes = options.historyBytes ?? HISTORY_REPLAY_MAX_BYTES;
    this.#nickRegistry = options.nickRegistry ?? new MemoryNickRegistry();
    this.#directory = options.roomDirectory ?? new MemoryRoomDirectory();
    this.#accounts = options.accounts ?? new MemoryAccountStore();
    this.#moderation = options.moderation ?? new MemoryModerationStore();
    this.#operators = new Set((options.operators ?? []).map(nickKey));
    if (this.#directory.find(roomKey(LOBBY)) === undefined) {
      this.#addRoom(LOBBY, {}, { persistent: true });
    }
  }

  /** Number of registered members. */
  get size(): number {
    return this.#members.size;
  }

  /** Ids of every registered member. */
  ids(): MemberId[] {
    return [...this.#members.keys()];
  }

  /** The member's nick, or undefined before registration. */
  nickOf(id: MemberId): string | undefined {
    return this.#members.get(id)?.nick;
  }

  /** Who holds a nick (ignoring case), if anyone: nick, user name, real name, away text. */
  userInfo(nick: string): UserInfo | undefined {
    const id = this.#nickRegistry.holder(nick);
    const member = id === undefined ? undefined : this.#members.get(id);
    if (member === undefined || id === undefined) return undefined;
    const login = this.#logins.get(id);
    const account = login === undefined ? undefined : this.#accounts.find(login)?.name;
    return {
      nick: member.nick,
      user: member.user ?? member.nick,
      realName: member.realName,
      ...(member.away === undefined ? {} : { away: member.away }),
      ...(member.bot ? { bot: true } : {}),
      ...(member.wallops === true ? { wallops: true } : {}),
      ...(account === undefined ? {} : { account }),
      ...(this.isOperator(id) ? { operator: true } : {}),
    };
  }

  /**
   * Starts (`watch`) or stops watching nicks: the member then hears (`presence`) when one comes
   * online or goes. At most MAX_WATCHED nicks each (more are ignored); invalid nicks are ignored.
   */
  watch(id: MemberId, nicks: readonly string[], watch: boolean): void {
    const member = this.#member(id);
    for (const nick of nicks) {
      const key = nickKey(nick);
      if (watch) {
        if (member.watching.size >= MAX_WATCHED || member.watching.has(key)) continue;
        member.watching.add(key);
        const set = this.#watchers.get(key) ?? new Set<MemberId>();
        set.add(id);
        this.#watchers.set(key, set);
      } else if (member.watching.delete(key)) {
        this.#unwatch(id, key);
      }
    }
  }

  #unwatch(id: MemberId, key: string): void {
    const set = this.#watchers.get(key);
    set?.delete(id);
    if (set?.size === 0) this.#watchers.delete(key);
  }

  /** A `presence` event for whoever watches a nick (but the member itself). */
  #presence(nick: string, online: boolean, except: MemberId): Delivery[] {
    const to = [...this.#watchers.get(nickKey(nick)) ?? []].filter((id) => id !== except);
    return to.length === 0 ? [] : [{ to, frame: { type: "presence", nick, online } }];
  }

  /** Who went by any of these nicks lately (quit or renamed away from it), newest first. */
  departed(...nicks: string[]): UserInfo[] {
    const keys = new Set(nicks.map(nickKey));
    return this.#departed.filter((entry) => keys.has(entry.key)).map((entry) => entry.info)
      .reverse();
  }

  /** Remembers a member's nick, user name and real name as they leave it behind. */
  #remember(member: Member): void {
    this.#departed.push({
      key: nickKey(member.nick),
      info: { nick: member.nick, user: member.user ?? member.nick, realName: member.realName },
    });
    if (this.#departed.length > MAX_DEPARTED) this.#departed.shift();
  }

  /** The id of whoever holds a nick (ignoring case), if anyone. */
  idOf(nick: string): MemberId | undefined {
    return this.#nickRegistry.holder(nick);
  }

  /** The id of whoever holds a nick; throws `no_such_nick` when nobody does. */
  requireIdOf(nick: string): MemberId {
    return this.#memberByNick(nick).id;
  }

  /** Names of the rooms a member is in, in the order joined. */
  roomsOf(id: MemberId): string[] {
    const member = this.#members.get(id);
    if (member === undefined) return [];
    return [...member.rooms].map((key) => this.#roomAt(key)?.name ?? key);
  }

  /** Keys of the rooms a member is in, in the order joined. */
  roomKeysOf(id: MemberId): string[] {
    return [...this.#members.get(id)?.rooms ?? []];
  }

  /** Keys of the rooms whoever holds a nick (ignoring case) is in; none if nobody does. */
  roomKeysOfNick(nick: string): string[] {
    const id = this.#nickRegistry.holder(nick);
    return id === undefined ? [] : this.roomKeysOf(id);
  }

  /**
   * The nicks of a room's members, in the order they came in (none for no such room): what the
   * dialects show as the room's members, read from here rather than copied per connection.
   */
  memberNicks(key: string): string[] {
    const room = this.#roomAt(key);
    if (room === undefined) return [];
    const nicks: string[] = [];
    for (const id of room.members) {
      const nick = this.#members.get(id)?.nick;
      if (nick !== undefined) nicks.push(nick);
    }
    return nicks;
  }

  /** Every room, for the admin console. */
  allRooms(): readonly Room[] {
    return this.#allRooms();
  }

  /**
   * Ids of the other members of a room the member is in, to share a file with them. Throws
   * `not_in_room`, `no_such_room`, and `muted` in a moderated room the member may not talk in.
   */
  othersIn(id: MemberId, roomName: string): { room: string; ids: MemberId[] } {
    const room = this.#joinedRoom(this.#member(id), roomName);
    this.#requireRoomVoice(id, room);
    return { room: room.name, ids: others(room, id) };
  }

  /** Throws `muted` when the room is moderated and the member neither runs it nor has voice. */
  #requireRoomVoice(id: MemberId, room: Room): void {
    if (!room.flag("moderated") || room.voiced.has(id) || this.#runsRoom(id, room)) return;
    throw new ChatError(
      "muted",
      `Cannot send to room ${quote(room.name)}: it is moderated, ` +
        "only its operators and voiced members talk",
    );
  }

  /** Nicks of a room's members, sorted. Throws `no_such_room`. */
  membersOf(roomName: string): string[] {
    return this.#nicks(this.#room(roomName));
  }

  /**
   * Registers a nick for a new member (the server picks its id) and puts it in the lobby: the newcomer gets the room list,
   * then the lobby's `room` frame and history. Throws `nick_invalid`, `nick_taken`,
   * `nick_registered` or `already_registered`; the connection may try again with another nick.
   */
  register(
    id: MemberId,
    rawNick: string,
    now: number,
    resume?: Resume,
    identity: Identity = {},
  ): Delivery[] {
    if (this.#members.has(id)) {
      throw new ChatError(
        "already_registered",
        "You are already registered",
        "use /nick to rename",
      );
    }
    const nick = validateNick(rawNick);
    this.#requireNickOwner(id, nick);
    if (!this.#nickRegistry.claim(nick, id)) throw nickTaken(nick);
    const member: Member = {
      id,
      nick,
      watching: new Set(),
      user: identity.user === undefined ? undefined : cleanUserName(identity.user),
      realName: cleanRealName(identity.realName ?? ""),
      bot: false,
      rooms: new Set(),
      away: undefined,
      lastActive: now,
      since: now,
    };
    this.#members.set(id, member);
    const since = new Map(resume?.rooms.map(({ room, seq }) => [roomKey(room), seq]));
    const lobby = this.#lobby();
    const entered = this.#enter(member, lobby, now, since.get(lobby.key));
    for (const { room: name } of resume?.rooms ?? []) {
      entered.push(...this.#reenter(member, name, resume?.trusted ?? [], since, now));
    }
    // The list comes first but counts the newcomer in the lobby.
    return [
      { to: [id], frame: this.listRooms(id) },
      ...entered,
      ...this.#presence(nick, true, id),
    ];
  }

  /** Puts a resuming member back in a room they were in, or says why it cannot. */
  #reenter(
    member: Member,
    name: string,
    trusted: readonly string[],
    since: Map<string, number>,
    now: number,
  ): Delivery[] {
    const key = roomKey(name);
    if (member.rooms.has(key)) return [];
    const room = this.#roomAt(key);
    type Why = Extract<HubEvent, { type: "rejoin_failed" }>["why"];
    const cannot = (why: Why, limit?: number): Delivery[] => [{
      to: [member.id],
      frame: limit === undefined
        ? { type: "rejoin_failed", room: room?.name ?? name, why }
        : { type: "rejoin_failed", room: room?.name ?? name, why, limit },
    }];
    if (room === undefined) return cannot("gone");
    if (!trusted.includes(key)) {
      // A room named in a resume is let into as by /join, unless the resume token vouches.
      if (!room.invited.has(member.id) && !this.#runsRoom(member.id, room)) {
        if (this.#moderation.roomBanned(room.key, nickKey(member.nick))) return cannot("banned");
        if (room.flag("inviteOnly")) return cannot("invite_only");
      }
      if (room.password !== undefined) return cannot("password");
    }
    if (room.full) return cannot("full", room.limit);
    return this.#enter(member, room, now, since.get(key));
  }

  /**
   * Sends a message to a room the member is in: everyone there but the sender gets it. With a
   * `ref`, the sender gets an `ack` with the message's seq and time, and a resend of the same ref
   * is acknowledged again (with its seq) without being delivered twice. `kind` is `text`, or
   * `action` (`/me`) or `notice`, which the message then carries as a flag; `true` means action.
   */
  say(
    id: MemberId,
    roomName: string,
    text: string,
    now: number,
    kind: MessageKind | boolean = "text",
    ref?: MessageRef,
    tags?: Readonly<Record<string, string>>,
  ): Delivery[] {
    const member = this.#member(id);
    const room = this.#room(roomName);
    // An outsider may send to a room that lets them (IRC's -n), unless banned from it.
    if (!room.flag("outsiders") || this.#moderation.roomBanned(room.key, nickKey(member.nick))) {
      this.#joinedRoom(member, roomName);
    }
    this.#requireVoice(member, now);
    this.#requireRoomVoice(id, room);
    const already = ref === undefined ? undefined : this.#log.sentSeq(room.key, ref.key);
    if (ref !== undefined && already !== undefined) {
      // A resend after a reconnect: acknowledged again, not delivered twice.
      return [{ to: [id], frame: { type: "ack", id: ref.id, room: room.name, seq: already } }];
    }
    validateText(text);
    member.lastActive = now;
    const seq = this.#log.lastSeq(room.key) + 1;
    const frame: MessageFrame = {
      type: "message",
      room: room.name,
      nick: member.nick,
      text,
      time: now,
      seq,
    };
    if (kind === true || kind === "action") frame.action = true;
    if (kind === "notice") frame.notice = true;
    const kept = tags === undefined ? undefined : clientTags(tags);
    if (kept !== undefined) frame.tags = kept;
    // Encoded once: its length sizes the replay budget, and the bytes are kept for every
    // recipient whose dialect speaks the protocol's own encoding.
    const json = encodeFrame(frame);
    this.#log.append(room.key, frame, json.length + HISTORY_FLAG_BYTES);
    const deliveries: Delivery[] = [{
      to: others(room, id),
      frame,
      encoded: new Map([[PROTOCOL_ENCODING, json]]),
    }];
    if (ref !== undefined) {
      this.#log.markSent(room.key, ref.key, seq);
      deliveries.push({
        to: [id],
        frame: { type: "ack", id: ref.id, room: room.name, seq, time: now },
      });
    }
    return deliveries;
  }

  /**
   * Sends a private message; both the recipient and the sender get the `private` frame. The
   * sender hears that the recipient is away, unless it is a notice (never answered).
   */
  privateMessage(
    id: MemberId,
    nick: string,
    text: string,
    now: number,
    kind: MessageKind | boolean = "text",
    tags?: Readonly<Record<string, string>>,
  ): Delivery[] {
    const member = this.#member(id);
    const target = this.#memberByNick(nick);
    this.#requireVoice(member, now);
    validateText(text);
    member.lastActive = now;
    const frame: PrivateFrame = {
      type: "private",
      from: member.nick,
      to: target.nick,
      text,
      time: now,
    };
    if (kind === true || kind === "action") frame.action = true;
    if (kind === "notice") frame.notice = true;
    const kept = tags === undefined ? undefined : clientTags(tags);
    if (kept !== undefined) frame.tags = kept;
    // A message to yourself (a note) arrives once.
    const deliveries: Delivery[] = [{ to: target.id === id ? [id] : [target.id, id], frame }];
    if (target.away !== undefined && kind !== "notice" && target.id !== id) {
      deliveries.push({
        to: [id],
        frame: { type: "away_reply", nick: target.nick, text: target.away },
      });
    }
    return deliveries;
  }

  /**
   * Records that a member (registered or not yet) has proved they own an account: the session
   * checked the password, off the hub. Their registered nick is theirs to use from now on.
   */
  login(id: MemberId, account: string): Delivery[] {
    const key = nickKey(account);
    const was = this.#logins.get(id);
    this.#logins.set(id, key);
    if (was === key) return [];
    return this.#accountChange(id, this.#accounts.find(key)?.name ?? account);
  }

  /** Ends a member's login (they keep the nick they hold on this connection). */
  logout(id: MemberId): Delivery[] {
    if (!this.#logins.delete(id)) return [];
    return this.#accountChange(id, undefined);
  }

  /**
   * Those who share a room with a registered member, or watch its nick, hear that it logged in
   * to an account (its name) or out (IRC's account-notify). Nobody hears of a login made before
   * registration: the member is in no room yet.
   */
  #accountChange(id: MemberId, account: string | undefined): Delivery[] {
    const member = this.#members.get(id);
    if (member === undefined) return [];
    const to = this.#neighboursAndWatchers(member);
    if (to.length === 0) return [];
    return [{
      to,
      frame: account === undefined
        ? { type: "account", nick: member.nick }
        : { type: "account", nick: member.nick, account },
    }];
  }

  /** The key of the account a member is logged in to, if any. */
  accountOf(id: MemberId): string | undefined {
    return this.#logins.get(id);
  }

  /** Whoever is logged in to an account (its key), if anyone. */
  loggedIn(account: string): MemberId | undefined {
    const key = nickKey(account);
    for (const [id, each] of this.#logins) if (each === key) return id;
    return undefined;
  }

  /** Whether a member is logged in to an account that is one of the server's operators. */
  isOperator(id: MemberId): boolean {
    const key = this.#logins.get(id);
    return key !== undefined && this.isOperatorAccount(key);
  }

  /** Whether an account (its key) is one of the server's operators. */
  isOperatorAccount(account: string): boolean {
    const key = nickKey(account);
    return this.#operators.has(key) || this.#accounts.find(key)?.operator === true;
  }

  /**
   * Keeps `nick` out of a room (its owner, an operator or the admin): the room and the actor
   * hear of it (a `mode` event, IRC's `+b`), they are kicked now if there, and refused when they
   * try to join.
   */
  roomBan(actor: Actor, roomName: string, nick: string, now: number): Delivery[] {
    const room = this.#room(roomName);
    if (room.key === roomKey(LOBBY)) {
      throw new ChatError("not_allowed", "Nobody can be banned from the lobby: ask an operator");
    }
    this.#requireOwner(actor, room, "ban people");
    const name = validateNick(nick);
    if (actor !== "admin" && nickKey(name) === nickKey(this.#member(actor).nick)) {
      throw new ChatError("bad_arguments", "That is you");
    }
    this.#moderation.putRoomBan({
      room: room.key,
      key: nickKey(name),
      nick: name,
      by: this.#actorName(actor),
      since: now,
    });
    const target = this.#nickRegistry.holder(name);
    if (target !== undefined) room.invited.delete(target);
    const deliveries = [this.#banMode(room, actor, name, true)];
    if (target !== undefined && room.members.has(target)) {
      deliveries.push(...this.kick(actor, room.name, name, "Banned from the room", now));
    }
    return deliveries;
  }

  /** Lets `nick` into a room again (its owner, an operator or the admin). */
  roomUnban(actor: Actor, roomName: string, nick: string): Delivery[] {
    const room = this.#room(roomName);
    this.#requireOwner(actor, room, "lift bans");
    const key = nickKey(nick);
    const ban = this.#moderation.roomBans(room.key).find((each) => each.key === key);
    if (ban === undefined || !this.#moderation.removeRoomBan(room.key, key)) {
      throw new ChatError("bad_arguments", `${quote(nick)} is not banned from ${room.name}`);
    }
    return [this.#banMode(room, actor, ban.nick, false)];
  }

  /** A room's bans (`room_bans`, to the actor), for its owner or an operator. */
  roomBans(actor: MemberId, roomName: string): Delivery[] {
    const room = this.#room(roomName);
    this.#requireOwner(actor, room, "see its bans");
    const bans = this.#moderation.roomBans(room.key).map(({ nick, by, since }) => ({
      nick,
      by,
      since,
    }));
    return [{ to: [actor], frame: { type: "room_bans", room: room.name, bans } }];
  }

  /** A room ban set or lifted: its members hear of it, and so does the actor from outside. */
  #banMode(room: Room, actor: Actor, nick: string, set: boolean): Delivery {
    const delivery = this.#mode(room, actor, { kind: "ban", nick, set });
    return actor === "admin" || room.members.has(actor)
      ? delivery
      : { ...delivery, to: [...delivery.to, actor] };
  }

  /** Throws `muted` with the reason and time left when the member is muted. */
  #requireVoice(member: Member, now: number): void {
    const mute = this.#moderation.mute(nickKey(member.nick));
    if (mute === undefined) return;
    if (mute.until !== undefined && mute.until <= now) {
      this.#moderation.removeMute(mute.key);
      return;
    }
    throw new ChatError("muted", describeMute(mute, now));
  }

  /** Throws `nick_registered` when `nick` is an account the member is not logged in to. */
  #requireNickOwner(id: MemberId, nick: string): void {
    const key = nickKey(nick);
    const account = this.#accounts.find(key);
    if (account === undefined || this.#logins.get(id) === key) return;
    throw new ChatError(
      "nick_registered",
      `Nick ${quote(nick)} is registered: log in to use it, or choose another`,
      isTokenAccount(account) ? "/login --token TOKEN" : `/login ${nick} PASSWORD`,
    );
  }

  /** Changes a member's nick and tells everyone who shares a room with them (and them). */
  rename(id: MemberId, rawNick: string, now: number): Delivery[] {
    const member = this.#member(id);
    const nick = validateNick(rawNick);
    const old = member.nick;
    const holder = this.#nickRegistry.holder(nick);
    if (holder !== undefined && holder !== id) throw nickTaken(nick);
    if (nick === old) return [{ to: [id], frame: { type: "same_nick", nick } }];
    if (holder !== id) this.#requireNickOwner(id, nick);
    if (!this.#nickRegistry.rename(old, nick, id)) throw nickTaken(nick);
    this.#remember(member);
    member.nick = nick;
    for (const key of member.rooms) {
      const sorted = this.#roomAt(key)?.sortedNicks;
      if (sorted !== undefined && removeNick(sorted, old)) insertNick(sorted, nick);
    }
    return [
      { to: [id, ...this.#neighbours(member)], frame: { type: "nick", old, new: nick, time: now } },
      ...(nickKey(old) === nickKey(nick) ? [] : [
        ...this.#presence(old, false, id),
        ...this.#presence(nick, true, id),
      ]),
    ];
  }

  /**
   * Marks a member away with a reason, or back when `text` is empty. Everyone who shares a room
   * with them hears of the change (`user_away`, which IRC's away-notify shows).
   */
  setAway(id: MemberId, text: string): Delivery[] {
    const member = this.#member(id);
    const was = member.away;
    if (text.trim() === "") {
      member.away = undefined;
    } else {
      member.away = validateText(text, "Away text");
    }
    const away = member.away;
    const deliveries: Delivery[] = [{
      to: [id],
      frame: away === undefined ? { type: "away" } : { type: "away", text: away },
    }];
    const neighbours = this.#neighboursAndWatchers(member);
    if (away !== was && neighbours.length > 0) {
      deliveries.push({
        to: neighbours,
        frame: away === undefined
          ? { type: "user_away", nick: member.nick }
          : { type: "user_away", nick: member.nick, text: away },
      });
    }
    return deliveries;
  }

  /** Marks a member as a bot, or not: others see it in WHO and WHOIS (IRC's bot mode). */
  setBot(id: MemberId, bot: boolean): void {
    this.#member(id).bot = bot;
  }

  /** Whether a member wants the operators' wallops (IRC's user mode +w). */
  setWallops(id: MemberId, wallops: boolean): void {
    this.#member(id).wallops = wallops;
  }

  /** Who gets the operators' wallops: the operators, and those who asked (IRC's +w). */
  wallopsIds(): MemberId[] {
    return this.ids().filter((id) => this.isOperator(id) || this.#members.get(id)?.wallops);
  }

  /**
   * Changes a member's real name; they, those who share a room with them and those who watch
   * their nick hear of it (`real_name`, which IRC's setname shows). Cleaned like at registration.
   */
  setRealName(id: MemberId, text: string): Delivery[] {
    const member = this.#member(id);
    member.realName = cleanRealName(text);
    return [{
      to: [id, ...this.#neighboursAndWatchers(member)],
      frame: { type: "real_name", nick: member.nick, realName: member.realName },
    }];
  }

  /** Those who share a room with the member or watch its nick, without the member. */
  #neighboursAndWatchers(member: Member): MemberId[] {
    const ids = new Set(this.#neighbours(member));
    for (const id of this.#watchers.get(nickKey(member.nick)) ?? []) {
      if (id !== member.id) ids.add(id);
    }
    return [...ids];
  }

  /**
   * Client tags without a message (IRC's TAGMSG) to a room the member is in, or to one person.
   * Everyone there (or the person) and the sender get a `tags` event. Nothing is kept.
   */
  tag(
    id: MemberId,
    target: { readonly room: string } | { readonly nick: string },
    tags: Readonly<Record<string, string>>,
    now: number,
  ): Delivery[] {
    const member = this.#member(id);
    const kept = clientTags(tags);
    if (kept === undefined) return [];
    if ("room" in target) {
      const room = this.#joinedRoom(member, target.room);
      return [{
        to: [...room.members],
        frame: { type: "tags", from: member.nick, room: room.name, tags: kept, time: now },
      }];
    }
    const other = this.#memberByNick(target.nick);
    return [{
      to: other.id === id ? [id] : [other.id, id],
      frame: { type: "tags", from: member.nick, to: other.nick, tags: kept, time: now },
    }];
  }

  /**
   * Messages from the history of a room the member is in (IRC's CHATHISTORY), at most
   * MAX_HISTORY_QUERY. Throws `not_in_room`, `no_such_room`.
   */
  history(id: MemberId, roomName: string, request: HistoryRequest): Delivery[] {
    const room = this.#joinedRoom(this.#member(id), roomName);
    const limit = Math.max(0, Math.min(MAX_HISTORY_QUERY, Math.floor(request.limit)));
    let messages: MessageFrame[];
    if ("around" in request) {
      // Half before the point, then the rest from the point on.
      const point = request.around;
      const before = this.#log.query(room.key, {
        before: point,
        limit: Math.floor(limit / 2),
        from: "newest",
      });
      const from = "seq" in point ? { seq: point.seq - 1 } : { time: point.time - 1 };
      const after = this.#log.query(room.key, {
        after: from,
        limit: limit - before.length,
        from: "oldest",
      });
      messages = [...before, ...after];
    } else if ("between" in request) {
      // Which point is the earlier is known only from the messages (a seq and a time may be
      // compared through them): a range the wrong way round is empty.
      const [first, second] = request.between;
      messages = this.#log.query(room.key, {
        after: first,
        before: second,
        limit,
        from: "oldest",
      });
      if (messages.length === 0) {
        messages = this.#log.query(room.key, {
          after: second,
          before: first,
          limit,
          from: "newest",
        });
      }
    } else {
      messages = this.#log.query(room.key, { ...request, limit });
    }
    return [{ to: [id], frame: { type: "history", room: room.name, messages } }];
  }

  /** What a member may know about someone: shared rooms, idle time, away text. */
  whois(id: MemberId, nick: string, now: number): WhoisFrame {
    const asker = this.#member(id);
    const target = this.#memberByNick(nick);
    const shared = [...target.rooms].filter((key) => asker.rooms.has(key))
      .map((key) => this.#roomAt(key)?.name ?? key);
    const frame: WhoisFrame = {
      type: "whois",
      nick: target.nick,
      rooms: shared,
      idle: Math.max(0, Math.floor((now - target.lastActive) / 1000)),
      since: target.since,
    };
    if (target.away !== undefined) frame.away = target.away;
    return frame;
  }

  /** Who is in a room. The member must be in it. */
  users(id: MemberId, roomName: string): UsersFrame {
    const room = this.#joinedRoom(this.#member(id), roomName);
    return { type: "users", room: room.name, nicks: this.#nicks(room) };
  }

  /** The room list a member may see: listed rooms and the unlisted ones they are in. */
  listRooms(actor: Actor): RoomsFrame {
    const member = actor === "admin" ? undefined : this.#member(actor);
    const visible = this.#allRooms().filter((room) =>
      actor === "admin" || room.listed || (member?.rooms.has(room.key) ?? false)
    );
    return { type: "rooms", rooms: visible.map((room) => room.info()) };
  }

  /**
   * Creates a room. A member becomes its owner and joins it; the admin's rooms have no owner and
   * stay when empty. Throws `rooms_disabled`, `too_many_rooms`, `room_exists`, `room_invalid`.
   */
  createRoom(actor: Actor, rawName: string, settings: RoomSettings, now: number): Delivery[] {
    const member = actor === "admin" ? undefined : this.#member(actor);
    if (member !== undefined && !this.#userRooms) {
      throw new ChatError("rooms_disabled", "Creating rooms is turned off on this server");
    }
    const name = validateRoomName(rawName);
    if (this.#directory.find(roomKey(name)) !== undefined) {
      throw new ChatError("room_exists", `Room ${quote(name)} already exists`, "/join it instead");
    }
    if (this.#directory.size >= this.#maxRooms) {
      throw new ChatError(
        "too_many_rooms",
        `Cannot create room: the server has ${this.#directory.size} rooms, its most`,
      );
    }
    const room = this.#addRoom(name, checkSettings(settings), {
      persistent: member === undefined,
      owner: member?.id,
      created: now,
    });
    return member === undefined ? [] : this.#enter(member, room, now);
  }

  /**
   * Joins a room. Throws `no_such_room`, `already_in_room`, `banned`, `wrong_password`,
   * `room_full`, `invite_only`. An invitation (from its owner or an operator: `invite`) lets the
   * member past a room ban, the password and invite-only, not past the limit.
   */
  join(id: MemberId, roomName: string, password: string | undefined, now: number): Delivery[] {
    const member = this.#member(id);
    const room = this.#room(roomName);
    const invited = room.invited.has(id);
    if (member.rooms.has(room.key)) {
      throw new ChatError(
        "already_in_room",
        `You are already in room ${quote(room.name)}`,
        `/switch ${room.name} to talk there`,
      );
    }
    if (!invited && this.#moderation.roomBanned(room.key, nickKey(member.nick))) {
      throw new ChatError(
        "banned",
        `Cannot join room ${quote(room.name)}: you are banned from it`,
      );
    }
    if (
      !invited && room.password !== undefined &&
      (password === undefined || !this.#directory.passwordMatches(room.key, password))
    ) {
      throw password === undefined
        ? new ChatError(
          "wrong_password",
          `Cannot join room ${quote(room.name)}: it needs a password`,
          `/join ${room.name} PASSWORD`,
        )
        : new ChatError("wrong_password", `Cannot join room ${quote(room.name)}: wrong password`);
    }
    if (room.full) {
      throw new ChatError(
        "room_full",
        `Cannot join room ${quote(room.name)}: room is full (${room.members.size}/${room.limit})`,
      );
    }
    if (room.flag("inviteOnly") && !invited && !this.#runsRoom(id, room)) {
      throw new ChatError(
        "invite_only",
        `Cannot join room ${quote(room.name)}: it is invite-only`,
        "ask one of its operators to /invite you",
      );
    }
    return this.#enter(member, room, now);
  }

  /** Leaves a room by choice. Throws `not_in_room`, or `last_room` for the member's only room. */
  leave(id: MemberId, roomName: string, reason: string, now: number): Delivery[] {
    const member = this.#member(id);
    const room = this.#joinedRoom(member, roomName);
    if (member.rooms.size === 1) {
      throw new ChatError(
        "last_room",
        `You are only in ${room.name}`,
        "/join another room first, or /quit",
      );
    }
    return this.#remove(member, room, reason, now);
  }

  /** Removes someone from a room (owner or admin); someone left in no room goes to the lobby. */
  kick(actor: Actor, roomName: string, nick: string, reason: string, now: number): Delivery[] {
    const room = this.#room(roomName);
    this.#requireOwner(actor, room, "kick people");
    const target = this.#memberByNick(nick);
    if (target.id === actor) throw new ChatError("bad_arguments", "That is you", "use /leave");
    if (!room.members.has(target.id)) {
      throw new ChatError("not_in_room", `${target.nick} is not in room ${quote(room.name)}`);
    }
    const deliveries = this.#remove(target, room, reason, now, true, {
      kickedBy: this.#actorName(actor),
    });
    if (target.rooms.size === 0) deliveries.push(...this.#enter(target, this.#lobby(), now));
    return deliveries;
  }

  /** Closes a room (owner or admin): its members are told why and moved to the lobby. */
  closeRoom(actor: Actor, roomName: string, reason: string, now: number): Delivery[] {
    const room = this.#room(roomName);
    if (room.key === roomKey(LOBBY)) {
      throw new ChatError("not_allowed", "The lobby cannot be closed");
    }
    this.#requireOwner(actor, room, "close it");
    // The operators the owner made run the room with them, but it stays theirs to close.
    if (
      actor !== "admin" && room.owner !== undefined && room.operators.has(actor) &&
      !this.isOperator(actor)
    ) {
      throw new ChatError(
        "not_allowed",
        `Only the owner of ${room.name} may close it: its owner is ${
          this.nickOf(room.owner) ?? "?"
        }`,
      );
    }
    const closedBy = this.#actorName(actor);
    const members = [...room.members].map((id) => this.#member(id));
    const deliveries: Delivery[] = [];
    if (members.length > 0) {
      deliveries.push({
        to: [...room.members],
        frame: reason === ""
          ? { type: "left", room: room.name, closedBy }
          : { type: "left", room: room.name, reason, closedBy },
      });
    }
    for (const member of members) member.rooms.delete(room.key);
    room.members.clear();
    room.sortedNicks = undefined;
    this.#dropRoom(room.key);
    const lobby = this.#lobby();
    for (const member of members) {
      if (!member.rooms.has(lobby.key)) deliveries.push(...this.#enter(member, lobby, now));
    }
    return deliveries;
  }

  /** Sets or clears (empty text) a room's topic; everyone in the room is told. */
  setTopic(actor: Actor, roomName: string, text: string, now: number): Delivery[] {
    const room = this.#room(roomName);
    const member = actor === "admin" ? undefined : this.#member(actor);
    if (!(room.flag("openTopic") && member?.rooms.has(room.key))) {
      this.#requireOwner(actor, room, "set the topic");
    }
    const topic = text.trim() === "" ? undefined : checkTopic(text.trim());
    room.setTopic(topic, this.#actorName(actor), now);
    return [{
      to: [...room.members],
      frame: {
        type: "topic",
        room: room.name,
        topic: topic ?? "",
        nick: this.#actorName(actor),
        time: now,
      },
    }];
  }

  /** Sets or removes (undefined) a room's participant limit. */
  setLimit(actor: Actor, roomName: string, limit: number | undefined): Delivery[] {
    const room = this.#room(roomName);
    if (room.key === roomKey(LOBBY)) {
      throw new ChatError("not_allowed", "The lobby has no limit: everyone arrives there");
    }
    this.#requireOwner(actor, room, "change its limit");
    room.limit = limit === undefined ? undefined : checkLimit(limit);
    const change: RoomChange = room.limit === undefined
      ? { kind: "limit" }
      : { kind: "limit", limit: room.limit };
    return [this.#mode(room, actor, change)];
  }

  /** Sets or removes (undefined) a room's password. The password itself is never echoed. */
  setPassword(actor: Actor, roomName: string, password: string | undefined): Delivery[] {
    const room = this.#room(roomName);
    this.#requireOwner(actor, room, "change its password");
    room.password = password === undefined ? undefined : checkPassword(password);
    return [this.#mode(room, actor, { kind: "password", set: password !== undefined })];
  }

  /** Makes a room listed (public) or unlisted (private). */
  setListed(actor: Actor, roomName: string, listed: boolean): Delivery[] {
    const room = this.#room(roomName);
    if (room.key === roomKey(LOBBY)) {
      throw new ChatError("not_allowed", "The lobby is always listed");
    }
    this.#requireOwner(actor, room, "change who sees it");
    room.listed = listed;
    return [this.#mode(room, actor, { kind: "listed", listed })];
  }

  /**
   * Makes a room stay when empty (and across restarts, on a server that keeps its data), or go
   * when its last member leaves. Owner or admin; not the lobby.
   */
  setPersistent(actor: Actor, roomName: string, persistent: boolean): Delivery[] {
    const room = this.#room(roomName);
    if (room.key === roomKey(LOBBY)) {
      throw new ChatError("not_allowed", "The lobby always stays");
    }
    this.#requireOwner(actor, room, "change whether it stays");
    room.persistent = persistent;
    return [this.#mode(room, actor, { kind: "persistent", persistent })];
  }

  /**
   * Changes a room's flags and its members' roles (`/mode`), all or none: every change is
   * checked before any is made. The owner and operators may; a member may always give up being
   * an operator (`-o` on themselves; the owner gives up the room). Changes that change nothing
   * are left out; everyone in the room hears the rest in one `mode` event. Throws `no_such_room`,
   * `not_allowed`, `no_such_nick`, `not_in_room`.
   */
  changeModes(actor: Actor, roomName: string, requests: readonly ModeRequest[]): Delivery[] {
    const room = this.#room(roomName);
    const lobby = room.key === roomKey(LOBBY);
    const steps: { request: ModeRequest; target?: Member }[] = [];
    for (const request of requests) {
      if (request.kind === "flag") {
        this.#requireOwner(actor, room, "change its settings");
        if (lobby && request.flag === "inviteOnly" && request.set) {
          throw new ChatError(
            "not_allowed",
            "The lobby is open to everyone: it cannot be invite-only",
          );
        }
        steps.push({ request });
        continue;
      }
      const target = this.#memberByNick(request.nick);
      const givingUp = request.role === "operator" && !request.set && target.id === actor;
      if (!givingUp) this.#requireOwner(actor, room, "change who runs it");
      if (!room.members.has(target.id)) {
        throw new ChatError("not_in_room", `${target.nick} is not in room ${quote(room.name)}`);
      }
      if (
        request.role === "operator" && !request.set && room.owner === target.id && !givingUp &&
        actor !== "admin" && !this.isOperator(actor)
      ) {
        throw new ChatError(
          "not_allowed",
          `${target.nick} owns ${room.name}: only they can give it up`,
        );
      }
      steps.push({ request, target });
    }
    const changes: RoomChange[] = [];
    for (const { request, target } of steps) {
      if (request.kind === "flag") {
        if (room.flag(request.flag) === request.set) continue;
        room.setFlag(request.flag, request.set);
        changes.push(request);
        continue;
      }
      const id = (target as Member).id;
      const nick = (target as Member).nick;
      if (request.role === "voice") {
        if (room.voiced.has(id) === request.set) continue;
        if (request.set) room.voiced.add(id);
        else room.voiced.delete(id);
      } else if (request.set) {
        if (room.owner === id || room.operators.has(id)) continue;
        room.operators.add(id);
      } else if (room.owner === id) {
        room.owner = undefined;
      } else if (!room.operators.delete(id)) {
        continue;
      }
      changes.push({ kind: "role", role: request.role, nick, set: request.set });
    }
    return changes.length === 0 || room.members.size === 0
      ? []
      : [this.#mode(room, actor, ...changes)];
  }

  /**
   * Invites someone to a room the actor is in: the invitation lets them into it while it is
   * invite-only (then only its owner and operators may invite), until they join or leave the
   * server. They get an `invite` event, and so does the actor. Throws `no_such_room`,
   * `not_in_room`, `not_allowed`, `no_such_nick`, `already_in_room`.
   */
  invite(id: MemberId, roomName: string, nick: string): Delivery[] {
    const member = this.#member(id);
    const room = this.#joinedRoom(member, roomName);
    if (room.flag("inviteOnly")) {
      this.#requireOwner(id, room, "invite people while it is invite-only");
    }
    const target = this.#memberByNick(nick);
    if (room.members.has(target.id)) {
      throw new ChatError(
        "already_in_room",
        `${target.nick} is already in room ${quote(room.name)}`,
      );
    }
    // Only an invitation from someone who runs the room opens it (past invite-only, the
    // password and a ban); a member's is word of mouth.
    if (this.#runsRoom(id, room)) {
      if (!room.invited.has(target.id) && room.invited.size >= MAX_INVITATIONS) {
        // The oldest invitation makes room for the newest.
        const [oldest] = room.invited;
        if (oldest !== undefined) room.invited.delete(oldest);
      }
      room.invited.add(target.id);
    }
    return [{
      to: [target.id, id],
      frame: { type: "invite", room: room.name, by: member.nick, nick: target.nick },
    }];
  }

  /** The rooms a member is invited to and has not joined (`/invite` alone). */
  invitations(id: MemberId): Delivery[] {
    this.#member(id);
    const rooms = this.#allRooms().filter((room) => room.invited.has(id)).map((room) => room.name);
    return [{ to: [id], frame: { type: "invitations", rooms } }];
  }

  /** An announcement from the server's operator, to one room or to everyone. */
  announce(text: string, roomName: string | undefined, now: number): Delivery[] {
    validateText(text);
    if (roomName === undefined) {
      return [{ to: this.ids(), frame: { type: "announce", text, time: now } }];
    }
    const room = this.#room(roomName);
    return [{
      to: [...room.members],
      frame: { type: "announce", text, room: room.name, time: now },
    }];
  }

  /** Removes a member (quit, disconnect, kick): every room they were in is told. No-op if unknown. */
  disconnect(id: MemberId, reason: string, now: number): Delivery[] {
    // A login made before a nick was taken (hello.login) ends with the connection too.
    this.#logins.delete(id);
    const member = this.#members.get(id);
    if (member === undefined) return [];
    // One quit for everyone who shared a room with them, however many rooms that was.
    const neighbours = this.#neighbours(member);
    const roomKeys = [...member.rooms];
    for (const key of roomKeys) {
      const room = this.#roomAt(key);
      if (room === undefined) continue;
      room.members.delete(id);
      if (room.sortedNicks !== undefined) removeNick(room.sortedNicks, member.nick);
      if (room.members.size === 0 && !room.persistent) this.#dropRoom(room.key);
    }
    member.rooms.clear();
    // The rooms they were in travel with the quit for the dialects (IRC shows it only to those
    // who see one of them); the wire frame leaves them out.
    const frame: ServerFrame = reason === ""
      ? { type: "quit", nick: member.nick, time: now, roomKeys }
      : { type: "quit", nick: member.nick, reason, time: now, roomKeys };
    const deliveries: Delivery[] = neighbours.length > 0 ? [{ to: neighbours, frame }] : [];
    for (const room of this.#allRooms()) {
      if (room.owner === id) room.owner = undefined;
      room.operators.delete(id);
      room.voiced.delete(id);
      room.invited.delete(id);
    }
    this.#members.delete(id);
    this.#nickRegistry.release(member.nick, id);
    this.#remember(member);
    for (const key of member.watching) this.#unwatch(id, key);
    deliveries.push(...this.#presence(member.nick, false, id));
    return deliveries;
  }

  /**
   * Puts a member in a room: the others hear `join`, the member gets `room` and the history (all
   * of it, or for a resuming member only what came after `since`).
   */
  #enter(member: Member, room: Room, now: number, since?: number): Delivery[] {
    const deliveries: Delivery[] = [];
    if (room.members.size > 0) {
      deliveries.push({
        to: [...room.members],
        frame: { type: "join", room: room.name, nick: member.nick, time: now },
      });
    }
    room.members.add(member.id);
    if (room.sortedNicks !== undefined) insertNick(room.sortedNicks, member.nick);
    room.invited.delete(member.id);
    member.rooms.add(room.key);
    deliveries.push(...this.#roomFrames(member, room, since));
    return deliveries;
  }

  /** A member's view of a room they are in: its `room` frame, then the history after `since`. */
  #roomFrames(member: Member, room: Room, since?: number): Delivery[] {
    const deliveries: Delivery[] = [];
    // A `since` past the room's count means the room started over (a restart, or a new room of
    // the same name): all it has is new.
    const after = since === undefined || since > room.seq ? undefined : since;
    const { frames: history, trimmed } = this.#log.replay(room.key, after, this.#historyBytes);
    const frame: ServerFrame = {
      type: "room",
      room: room.name,
      members: this.#nicks(room),
      seq: room.seq,
    };
    if (since !== undefined) {
      frame.since = since;
      // Lost: messages after `since` that history no longer holds (or a restarted server's).
      const first = history[0]?.seq ?? room.seq + 1;
      if (since > room.seq || trimmed || (room.seq > since && first > since + 1)) frame.gap = true;
    }
    if (room.topic !== undefined) frame.topic = room.topic;
    if (room.topicBy !== undefined) frame.topicBy = room.topicBy;
    if (room.topicTime !== undefined) frame.topicTime = room.topicTime;
    if (room.limit !== undefined) frame.limit = room.limit;
    if (!room.listed) frame.private = true;
    if (room.created !== undefined) frame.created = room.created;
    const owner = room.owner === undefined ? undefined : this.nickOf(room.owner);
    if (owner !== undefined) frame.owner = owner;
    if (room.operators.size > 0) frame.operators = this.#nickList(room.operators);
    if (room.voiced.size > 0) frame.voiced = this.#nickList(room.voiced);
    if (history.length > 0) frame.history = history.length;
    deliveries.push({ to: [member.id], frame });
    for (const message of history) {
      deliveries.push({ to: [member.id], frame: { ...message, history: true } });
    }
    return deliveries;
  }

  /** Takes a member out of a room: `left` to them (if `tell`), `leave` to the others. */
  #remove(
    member: Member,
    room: Room,
    reason: string,
    now: number,
    tell = true,
    kick: { kickedBy?: string } = {},
  ): Delivery[] {
    room.members.delete(member.id);
    if (room.sortedNicks !== undefined) removeNick(room.sortedNicks, member.nick);
    room.operators.delete(member.id);
    room.voiced.delete(member.id);
    member.rooms.delete(room.key);
    const deliveries: Delivery[] = [];
    const why = { ...(reason === "" ? {} : { reason }), ...kick };
    if (tell) {
      deliveries.push({ to: [member.id], frame: { type: "left", room: room.name, ...why } });
    }
    if (room.members.size > 0) {
      deliveries.push({
        to: [...room.members],
        frame: { type: "leave", room: room.name, nick: member.nick, ...why, time: now },
      });
    } else if (!room.persistent) {
      this.#dropRoom(room.key);
    }
    return deliveries;
  }

  /** Puts a new room in the directory; returns it. */
  #addRoom(
    name: string,
    settings: RoomSettings,
    options: { persistent: boolean; owner?: MemberId | undefined; created?: number },
  ): Room {
    const key = roomKey(name);
    this.#directory.create({
      ...(options.created === undefined ? {} : { created: options.created }),
      key,
      name,
      persistent: options.persistent,
      owner: options.owner,
      limit: settings.limit,
      topic: settings.topic,
      password: settings.password,
      listed: settings.listed ?? true,
      created: options.created,
    });
    this.#views.delete(key);
    return this.#roomAt(key) as Room;
  }

  /** The room with this key, if the directory has it. */
  #roomAt(key: string): Room | undefined {
    if (this.#directory.find(key) === undefined) {
      this.#views.delete(key);
      return undefined;
    }
    let room = this.#views.get(key);
    if (room === undefined) {
      room = new Room(key, { directory: this.#directory, log: this.#log });
      this.#views.set(key, room);
    }
    return room;
  }

  /** Every room, oldest first. */
  #allRooms(): Room[] {
    return this.#directory.list().map((record) => this.#roomAt(record.key) as Room);
  }

  /** Forgets a room and its messages: a new room of the same name starts over. */
  #dropRoom(key: string): void {
    this.#directory.remove(key);
    this.#views.delete(key);
    this.#log.drop(key);
  }

  #lobby(): Room {
    return this.#room(LOBBY);
  }

  /** Everyone in the room hears of a change to its settings. */
  #mode(room: Room, actor: Actor, ...changes: RoomChange[]): Delivery {
    return {
      to: [...room.members],
      frame: { type: "mode", room: room.name, by: this.#actorName(actor), changes },
    };
  }

  /** Whether the actor runs the room: its owner or one of its operators, or the server's. */
  #runsRoom(actor: Actor, room: Room): boolean {
    return actor === "admin" || room.owner === actor || room.operators.has(actor) ||
      this.isOperator(actor);
  }

  #requireOwner(actor: Actor, room: Room, what: string): void {
    if (this.#runsRoom(actor, room)) return;
    const owner = room.owner === undefined ? undefined : this.nickOf(room.owner);
    throw new ChatError(
      "not_allowed",
      `Only the owner or operators of ${room.name} may ${what}` +
        (owner ? `: its owner is ${owner}` : ""),
    );
  }

  #actorName(actor: Actor): string {
    return actor === "admin" ? ADMIN : this.#member(actor).nick;
  }

  /** A room's member nicks, sorted: kept sorted in the room as members come and go. */
  #nicks(room: Room): string[] {
    room.sortedNicks ??= this.#nickList(room.members);
    return room.sortedNicks.slice();
  }

  #nickList(ids: Iterable<MemberId>): string[] {
    return [...ids].map((id) => this.#member(id).nick).sort(compareNicks);
  }

  /** Everyone who shares at least one room with the member, without the member. */
  #neighbours(member: Member): MemberId[] {
    const ids = new Set<MemberId>();
    for (const key of member.rooms) {
      for (const other of this.#roomAt(key)?.members ?? []) {
        if (other !== member.id) ids.add(other);
      }
    }
    return [...ids];
  }

  #member(id: MemberId): Member {
    const member = this.#members.get(id);
    if (member === undefined) {
      throw new ChatError("not_registered", "Choose a nick first");
    }
    return member;
  }

  #memberByNick(nick: string): Member {
    const id = this.#nickRegistry.holder(nick);
    const member = id === undefined ? undefined : this.#members.get(id);
    if (member === undefined) {
      throw new ChatError("no_such_nick", `Nobody is called ${quote(nick)}`);
    }
    return member;
  }

  #room(name: string): Room {
    const room = this.#roomAt(roomKey(name));
    if (room === undefined) throw new ChatError("no_such_room", `No such room: ${quote(name)}`);
    return room;
  }

  #joinedRoom(member: Member, name: string): Room {
    const room = this.#room(name);
    if (!member.rooms.has(room.key)) {
      throw new ChatError("not_in_room", `You are not in room ${quote(room.name)}`);
    }
    return room;
  }

  /**
   * Gives a room an owner (`nick`, who must be connected) or takes its owner away (undefined);
   * the admin or the current owner may. The room's members get a `mode` event (an owner change),
   * and the new and the former owner an `ownership` event when they are not in it. Throws
   * `no_such_room`, `no_such_nick`, `not_allowed` (the lobby, or someone else's room).
   */
  setOwner(actor: Actor, roomName: string, nick: string | undefined): Delivery[] {
    const room = this.#room(roomName);
    if (room.key === roomKey(LOBBY)) {
      throw new ChatError("not_allowed", "The lobby has no owner: the server admin runs it");
    }
    this.#requireOwner(actor, room, "change its owner");
    const next = nick === undefined ? undefined : this.#memberByNick(nick);
    const previous = room.owner;
    if (next?.id === previous) return [];
    room.owner = next?.id;
    const by = this.#actorName(actor);
    const was = previous === undefined ? undefined : this.nickOf(previous);
    const deliveries: Delivery[] = [];
    if (room.members.size > 0) {
      deliveries.push(this.#mode(room, actor, {
        kind: "owner",
        ...(next === undefined ? {} : { owner: next.nick }),
        ...(was === undefined ? {} : { was }),
      }));
    }
    if (next !== undefined && !room.members.has(next.id)) {
      deliveries.push({
        to: [next.id],
        frame: { type: "ownership", room: room.name, by, given: true },
      });
    }
    if (previous !== undefined && was !== undefined && !room.members.has(previous)) {
      deliveries.push({
        to: [previous],
        frame: { type: "ownership", room: room.name, by, given: false },
      });
    }
    return deliveries;
  }

  /**
   * What a member who comes back on a new connection (a quiet resume) needs to pick up where
   * they were: the room list, then for each room they are still in its `room` frame and what
   * came after the `seq` they asked from. Nothing changes and nobody else is told: the member is
   * the same, only the session carrying them is new. Throws `not_registered` for an unknown id.
   */
  resync(id: MemberId, since: readonly { room: string; seq: number }[]): Delivery[] {
    const member = this.#member(id);
    const seqs = new Map(since.map(({ room, seq }) => [roomKey(room), seq]));
    const deliveries: Delivery[] = [{ to: [id], frame: this.listRooms(id) }];
    for (const key of member.rooms) {
      const room = this.#roomAt(key);
      if (room !== undefined) deliveries.push(...this.#roomFrames(member, room, seqs.get(key)));
    }
    return deliveries;
  }

  /**
   * Up to `limit` messages of a room the member is in with every word of `words`, newest first,
   * after a `search_results` event. Throws `not_in_room`, `no_such_room`.
   */
  search(id: MemberId, roomName: string, words: string, limit: number): Delivery[] {
    const room = this.#joinedRoom(this.#member(id), roomName);
    const frames = this.#log.search(room.key, words, limit);
    return [
      {
        to: [id],
        frame: { type: "search_results", room: room.name, words, count: frames.length, limit },
      },
      ...frames.map((frame) => ({ to: [id], frame: { ...frame, history: true } })),
    ];
  }

  /**
   * A page of older messages in a room the member is in: up to `count` messages numbered below
   * `before` (below the newest when not given), oldest first, after a `history_page` event.
   * Throws `not_in_room`, `no_such_room`.
   */
  historyPage(id: MemberId, roomName: string, count: number, before?: number): Delivery[] {
    const room = this.#joinedRoom(this.#member(id), roomName);
    const frames = this.#log.page(room.key, before ?? room.seq + 1, count);
    const first = frames[0]?.seq;
    const more = first !== undefined && this.#log.page(room.key, first, 1).length > 0;
    const page: HubEvent = first === undefined
      ? { type: "history_page", room: room.name, count: 0, more: false }
      : { type: "history_page", room: room.name, count: frames.length, first, more };
    return [
      { to: [id], frame: page },
      ...frames.map((frame) => ({ to: [id], frame: { ...frame, history: true } })),
    ];
  }
}

function nickTaken(nick: string): ChatError {
  return new ChatError("nick_taken", `Nick ${quote(nick)} is taken: choose another`);
}

/** Bytes `,"history":true` adds to a replayed message. */
const HISTORY_FLAG_BYTES = ',"history":true'.length;

function others(room: Room, id: MemberId): MemberId[] {
  const ids: MemberId[] = [];
  for (const member of room.members) if (member !== id) ids.push(member);
  return ids;
}

/** How many members a room may have invited and not yet seen join: invitations are memory. */
const MAX_INVITATIONS = 100;

/** A client tag's name: `+`, an optional vendor (`example.com/`), then letters, digits, `-`. */
const CLIENT_TAG_NAME = /^\+(?:[A-Za-z0-9][A-Za-z0-9.-]*\/)?[A-Za-z0-9-]+$/;

/**
 * The client tags worth passing on: names starting with `+`, values without line breaks or NUL,
 * at most MAX_CLIENT_TAGS and MAX_CLIENT_TAG_BYTES together; undefined when none are left.
 */
function clientTags(tags: Readonly<Record<string, string>>): Record<string, string> | undefined {
  const kept: Record<string, string> = {};
  let count = 0;
  let bytes = 0;
  for (const [name, value] of Object.entries(tags)) {
    if (name.length > 100 || !CLIENT_TAG_NAME.test(name) || /[\0\r\n]/.test(value)) continue;
    bytes += name.length + 1 + new TextEncoder().encode(value).length + 1;
    if (++count > MAX_CLIENT_TAGS || bytes > MAX_CLIENT_TAG_BYTES) break;
    kept[name] = value;
  }
  return count === 0 ? undefined : kept;
}

/** A user name safe in `nick!user@host`: undefined when nothing usable is left. */
function cleanUserName(raw: string): string | undefined {
  const cleaned = [...raw.replace(/[^\p{L}\p{N}_.~-]/gu, "")].slice(0, MAX_USER_NAME_CHARS).join(
    "",
  );
  return cleaned === "" ? undefined : cleaned;
}

function cleanRealName(raw: string): string {
  const cleaned = cleanReason(raw);
  return [...cleaned].slice(0, MAX_REAL_NAME_CHARS).join("");
}

function checkSettings(settings: RoomSettings): RoomSettings {
  return {
    limit: settings.limit === undefined ? undefined : checkLimit(settings.limit),
    topic: settings.topic === undefined ? undefined : checkTopic(settings.topic),
    password: settings.password === undefined ? undefined : checkPassword(settings.password),
    listed: settings.listed ?? true,
  };
}

function checkLimit(limit: number): number {
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_ROOM_LIMIT) {
    throw new ChatError("room_invalid", `Limit must be a whole number from 1 to ${MAX_ROOM_LIMIT}`);
  }
  return limit;
}

function checkTopic(topic: string): string {
  validateText(topic, "Topic", "room_invalid");
  const chars = [...topic].length;
  if (chars > MAX_TOPIC_CHARS) {
    throw new ChatError(
      "room_invalid",
      `Topic is too long: ${chars} characters, at most ${MAX_TOPIC_CHARS}`,
    );
  }
  return topic;
}

function checkPassword(password: string): string {
  const chars = [...password].length;
  if (chars === 0 || chars > MAX_PASSWORD_CHARS || /[\s\p{Cc}]/u.test(password)) {
    throw new ChatError(
      "room_invalid",
      `Password must be 1 to ${MAX_PASSWORD_CHARS} characters without spaces`,
    );
  }
  return password;
}
