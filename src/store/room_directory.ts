/**
 * The port for the room table: which rooms exist and their settings. Who is in a room right now
 * is the hub's business (it follows members); what is said there is a `RoomLog`'s (room_log.ts).
 * Implementations: memory now, SQLite and Redis later; all synchronous. Pure (a type).
 */
import type { MemberId } from "./member_id.ts";

/** A room's entry in the directory. */
export interface RoomRecord {
  /** The room's key (`roomKey(name)`): rooms are unique by key. */
  readonly key: string;
  /** As created. */
  readonly name: string;
  /** Kept when empty (the lobby, rooms from the command line or the admin console). */
  readonly persistent: boolean;
  /** The owning member, while connected. */
  readonly owner?: MemberId;
  /** Most members at once; none means no limit. */
  readonly limit?: number;
  readonly topic?: string;
  /** Joining needs this password. */
  readonly password?: string;
  /** Unlisted rooms appear in room lists only to their members. */
  readonly listed: boolean;
  /** When the room was created (ms since the epoch), if known. */
  readonly created?: number;
}

/** Settings to change: a field present with `undefined` clears it, a field left out stays. */
export type RoomChanges = {
  -readonly [field in "owner" | "limit" | "topic" | "password" | "listed"]?: RoomRecord[field];
};

/** The rooms that exist, keyed by room key, in the order they were created. */
export interface RoomDirectory {
  /** How many rooms exist. */
  readonly size: number;
  /** The room with this key, if it exists. */
  find(key: string): RoomRecord | undefined;
  /** Adds a room. Throws `RangeError` when a room with its key exists. */
  create(record: RoomRecord): void;
  /** Changes a room's settings. Throws `RangeError` for a room that does not exist. */
  update(key: string, changes: RoomChanges): void;
  /** Removes a room; true when it existed. Its log is the caller's to drop ({@linkcode RoomLog}). */
  remove(key: string): boolean;
  /** Every room, oldest first. */
  list(): RoomRecord[];
}
