/**
 * The port for the room table: which rooms exist and their settings (limit, topic, password,
 * listed), owner and persistence. Who is in a room now is not here: presence belongs to
 * connections, not to storage. Keyed by room key (`roomKey(name)`); the hub checks the rules,
 * the directory only keeps records. Synchronous. Pure (types).
 */
import type { MemberId } from "./member_id.ts";

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

/** A room as the directory keeps it. */
export interface RoomRecord {
  /** As created (NFC, without a leading `#`). */
  readonly name: string;
  /** `roomKey(name)`: the room's identity. */
  readonly key: string;
  /** Kept when empty (the lobby, rooms from the command line or the admin console). */
  readonly persistent: boolean;
  /** The member who may change settings, kick and close; none for admin rooms. */
  readonly owner: MemberId | undefined;
  readonly limit: number | undefined;
  readonly topic: string | undefined;
  readonly password: string | undefined;
  readonly listed: boolean;
}

/** What may change in a room after it is made: a field present (even undefined) is set. */
export type RoomChanges = Partial<
  Pick<RoomRecord, "owner" | "limit" | "topic" | "password" | "listed">
>;

/** The rooms that exist. */
export interface RoomDirectory {
  /** How many rooms exist. */
  readonly size: number;
  /** The room with this key, if it exists. */
  get(key: string): RoomRecord | undefined;
  /** Every room, in the order created. */
  list(): RoomRecord[];
  /** Adds a room. Throws `RangeError` if a room with its key exists. */
  create(record: RoomRecord): void;
  /** Changes a room's settings and returns the new record. Throws `RangeError` if it does not exist. */
  update(key: string, changes: RoomChanges): RoomRecord;
  /** Removes a room; false if there was none. */
  remove(key: string): boolean;
}
