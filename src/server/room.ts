/**
 * One room as the hub sees it: who is in it now, with its settings in a {@linkcode RoomDirectory}
 * and its messages in a {@linkcode RoomLog}. Pure state.
 */
import type { RoomInfo } from "../protocol.ts";
import type { RoomChanges, RoomDirectory, RoomFlag, RoomRecord } from "../store/room_directory.ts";
import type { RoomLog } from "../store/room_log.ts";
import type { MemberId } from "../store/member_id.ts";

/** Settings a room is created with or changed to. */
export interface RoomSettings {
  /** Most members at once; none means no limit. */
  limit?: number;
  topic?: string;
  /** Joining needs this password. */
  password?: string;
  /** Unlisted rooms appear in `/rooms` only to their members. @default true */
  listed?: boolean;
}

/** Where a room's state is kept. */
export interface RoomStores {
  readonly directory: RoomDirectory;
  readonly log: RoomLog;
}

/**
 * A chat room. The hub checks the rules; this only keeps the state. Its members are here; its
 * settings are read from and written to the directory, so a room must be in the directory for as
 * long as it is used.
 */
export class Room {
  readonly key: string;
  readonly members = new Set<MemberId>();
  /** Members its owner or operators made operators (IRC's `+o`), besides the owner. */
  readonly operators = new Set<MemberId>();
  /** Members who may talk while the room is moderated (IRC's `+v`). */
  readonly voiced = new Set<MemberId>();
  /** Who was invited in (an invitation opens an invite-only room), until they join or leave. */
  readonly invited = new Set<MemberId>();
  /**
   * The members' nicks in member-list order, once asked for; the hub keeps it up to date as
   * members come, go and rename (undefined: not made yet).
   */
  sortedNicks: string[] | undefined;
  readonly #stores: RoomStores;

  /** The room with this key in `stores.directory`. */
  constructor(key: string, stores: RoomStores) {
    this.key = key;
    this.#stores = stores;
  }

  get name(): string {
    return this.#record.name;
  }

  /** Kept when empty (the lobby, rooms from the command line or the admin console, `/persist`). */
  get persistent(): boolean {
    return this.#record.persistent;
  }
  set persistent(persistent: boolean) {
    this.#update({ persistent });
  }

  /** The creator, while connected; owners may change settings, kick and close. */
  get owner(): MemberId | undefined {
    return this.#record.owner;
  }
  set owner(owner: MemberId | undefined) {
    this.#update({ owner });
  }

  get limit(): number | undefined {
    return this.#record.limit;
  }
  set limit(limit: number | undefined) {
    this.#update({ limit });
  }

  get topic(): string | undefined {
    return this.#record.topic;
  }
  /** Who set the topic, and when (ms since the epoch), while there is one. */
  get topicBy(): string | undefined {
    return this.#record.topicBy;
  }
  get topicTime(): number | undefined {
    return this.#record.topicTime;
  }
  /** Sets the topic (undefined clears it), remembering who set it when. */
  setTopic(topic: string | undefined, by: string, time: number): void {
    this.#update(
      topic === undefined
        ? { topic, topicBy: undefined, topicTime: undefined }
        : { topic, topicBy: by, topicTime: time },
    );
  }

  get password(): string | undefined {
    return this.#record.password;
  }
  set password(password: string | undefined) {
    this.#update({ password });
  }

  get listed(): boolean {
    return this.#record.listed;
  }
  set listed(listed: boolean) {
    this.#update({ listed });
  }

  /** Whether one of the room's on/off settings is on (each is off by default). */
  flag(flag: RoomFlag): boolean {
    return this.#record[flag] === true;
  }
  setFlag(flag: RoomFlag, on: boolean): void {
    this.#update({ [flag]: on ? true : undefined });
  }

  /** When the room was created (ms since the epoch), if known. */
  get created(): number | undefined {
    return this.#record.created;
  }

  /** Sequence number of the last accepted message (0 before the first), from the room log. */
  get seq(): number {
    return this.#stores.log.lastSeq(this.key);
  }

  /** Whether the room has reached its limit. */
  get full(): boolean {
    const limit = this.limit;
    return limit !== undefined && this.members.size >= limit;
  }

  /** The room's row in a room list. */
  info(): RoomInfo {
    const record = this.#record;
    const info: RoomInfo = { name: record.name, members: this.members.size };
    if (record.limit !== undefined) info.limit = record.limit;
    if (record.topic !== undefined) info.topic = record.topic;
    if (!record.listed) info.private = true;
    if (record.password !== undefined) info.password = true;
    if (record.inviteOnly === true) info.inviteOnly = true;
    if (record.moderated === true) info.moderated = true;
    if (record.openTopic === true) info.openTopic = true;
    if (record.outsiders === true) info.outsiders = true;
    return info;
  }

  get #record(): RoomRecord {
    const record = this.#stores.directory.find(this.key);
    if (record === undefined) throw new RangeError(`Room "${this.key}" is not in the directory`);
    return record;
  }

  #update(changes: RoomChanges): void {
    this.#stores.directory.update(this.key, changes);
  }
}
