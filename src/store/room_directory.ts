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
  /** Who set the topic, and when (ms since the epoch), while there is one. */
  readonly topicBy?: string;
  readonly topicTime?: number;
  /**
   * Joining needs a password. Given to `create` and `update` as the password itself; read back as
   * whatever the directory keeps of it (a store on disk keeps only a salted hash), so only
   * `passwordMatches` can tell whether a password is right.
   */
  readonly password?: string;
  /** Unlisted rooms appear in room lists only to their members. */
  readonly listed: boolean;
  /** When the room was created (ms since the epoch), if known. */
  readonly created?: number;
  /** Joining needs an invitation (IRC's `+i`). */
  readonly inviteOnly?: boolean;
  /** Only the room's operators and voiced members talk (IRC's `+m`). */
  readonly moderated?: boolean;
  /** Any member may set the topic, not only its operators (IRC's `-t`). */
  readonly openTopic?: boolean;
  /** People outside the room may send messages to it (IRC's `-n`). */
  readonly outsiders?: boolean;
}

/** A room's on/off settings beyond `listed` and `persistent`, each off by default. */
export const ROOM_FLAGS = ["inviteOnly", "moderated", "openTopic", "outsiders"] as const;

/** One of {@linkcode ROOM_FLAGS}. */
export type RoomFlag = typeof ROOM_FLAGS[number];

/** Settings to change: a field present with `undefined` clears it, a field left out stays. */
export type RoomChanges = {
  -readonly [
    field in
      | "owner"
      | "limit"
      | "topic"
      | "topicBy"
      | "topicTime"
      | "password"
      | "listed"
      | "persistent"
      | RoomFlag
  ]?: RoomRecord[field];
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
  /** Whether `given` is the room's password; false for a room without one, or no such room. */
  passwordMatches(key: string, given: string): boolean;
}
