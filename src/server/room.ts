/** One room: members and settings; its messages are in a {@linkcode RoomLog}. Pure state. */
import type { RoomInfo } from "../protocol.ts";
import { roomKey } from "../room_name.ts";
import type { RoomLog } from "../store/room_log.ts";
/** A connection id (the hub's ClientId; a plain number here to keep imports one-way). */
type ClientId = number;

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

/** A chat room. The hub checks the rules; this only keeps the state. */
export class Room {
  readonly name: string;
  readonly key: string;
  readonly members = new Set<ClientId>();
  /** Kept when empty (the lobby, rooms from the command line or the admin console). */
  readonly persistent: boolean;
  /** The creator, while connected; owners may change settings, kick and close. */
  owner: ClientId | undefined;
  limit: number | undefined;
  topic: string | undefined;
  password: string | undefined;
  listed: boolean;
  readonly #log: RoomLog;

  constructor(
    name: string,
    settings: RoomSettings,
    options: { persistent: boolean; owner?: ClientId; log: RoomLog },
  ) {
    this.name = name;
    this.key = roomKey(name);
    this.persistent = options.persistent;
    this.owner = options.owner;
    this.limit = settings.limit;
    this.topic = settings.topic;
    this.password = settings.password;
    this.listed = settings.listed ?? true;
    this.#log = options.log;
  }

  /** Sequence number of the last accepted message (0 before the first), from the room log. */
  get seq(): number {
    return this.#log.lastSeq(this.key);
  }

  /** Whether the room has reached its limit. */
  get full(): boolean {
    return this.limit !== undefined && this.members.size >= this.limit;
  }

  /** The room's row in a room list. */
  info(): RoomInfo {
    const info: RoomInfo = { name: this.name, members: this.members.size };
    if (this.limit !== undefined) info.limit = this.limit;
    if (this.topic !== undefined) info.topic = this.topic;
    if (!this.listed) info.private = true;
    if (this.password !== undefined) info.password = true;
    return info;
  }
}
