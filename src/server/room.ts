/**
 * A room as the hub shows it: a directory record, who is in it now and its seq, put together
 * for the admin console and tests; and the small rules every room follows (its key, when it is
 * full, its row in a list). Pure.
 */
import type { RoomInfo } from "../protocol.ts";
import { roomKey } from "../room_name.ts";
import type { MemberId } from "../store/member_id.ts";
import type { RoomRecord, RoomSettings } from "../store/room_directory.ts";
/** A connection id (the hub's ClientId; a plain number here to keep imports one-way). */
type ClientId = number;

/** A snapshot of one room: settings from the directory, connections in it, last seq. */
export interface Room extends Omit<RoomRecord, "owner"> {
  /** The connections in the room. */
  readonly members: ReadonlySet<ClientId>;
  /** A connection of the owner, while the owner is connected. */
  readonly owner: ClientId | undefined;
  /** Sequence number of the last accepted message. */
  readonly seq: number;
}

/** A new room's record: keyed like a nick, listed unless settings say otherwise. */
export function roomRecord(
  name: string,
  settings: RoomSettings,
  options: { persistent: boolean; owner?: MemberId },
): RoomRecord {
  return {
    name,
    key: roomKey(name),
    persistent: options.persistent,
    owner: options.owner,
    limit: settings.limit,
    topic: settings.topic,
    password: settings.password,
    listed: settings.listed ?? true,
  };
}

/** Whether a room with `members` people in it has reached its limit. */
export function isFull(room: Pick<RoomRecord, "limit">, members: number): boolean {
  return room.limit !== undefined && members >= room.limit;
}

/** The room's row in a room list; the password itself never appears. */
export function roomInfo(room: RoomRecord, members: number): RoomInfo {
  const info: RoomInfo = { name: room.name, members };
  if (room.limit !== undefined) info.limit = room.limit;
  if (room.topic !== undefined) info.topic = room.topic;
  if (!room.listed) info.private = true;
  if (room.password !== undefined) info.password = true;
  return info;
}
