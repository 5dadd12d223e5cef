/**
 * The port for a whole store: the room log and directory the hub uses, and what the server does
 * with the place they are kept (commit, statistics, a backup, close). A server without one keeps
 * everything in memory. Pure (a type).
 */
import type { AccountStore } from "./account_store.ts";
import type { ModerationStore } from "./moderation_store.ts";
import type { RoomDirectory } from "./room_directory.ts";
import type { RoomLog } from "./room_log.ts";

/** How much a store holds. */
export interface StoreStats {
  /** Size of the database, in bytes. */
  readonly bytes: number;
  /** Messages kept, in every room. */
  readonly messages: number;
}

/** Rooms and messages kept somewhere that outlives the process. */
export interface Store {
  /** Where the data lives, for people (a file path). */
  readonly location: string;
  readonly roomLog: RoomLog;
  readonly roomDirectory: RoomDirectory;
  /** Registered nicks and operators. */
  readonly accounts: AccountStore;
  /** Bans, mutes and room bans. */
  readonly moderation: ModerationStore;
  /**
   * Makes every write so far durable. The server calls it before any outgoing bytes are written,
   * so nothing is acknowledged (or shown to anyone) before it is kept.
   */
  commit(): void;
  stats(): StoreStats;
  /**
   * Deletes up to `limit` of the oldest messages sent before `before` (ms since the epoch);
   * returns how many went. Seqs never go back, even in a room left with no messages.
   */
  prune(before: number, limit: number): number;
  /** Indexes up to `limit` new messages for search, in the background; returns how many. */
  index(limit: number): number;
  /** Writes a consistent copy of the data to a new file `file` while the server runs. */
  backup(file: string): Promise<void>;
  /**
   * Drops the writes not committed yet, at the end of a shutdown: everyone leaving then is not a
   * change to keep (their rooms wait for them to come back). Only `close` may follow.
   */
  discard(): void;
  /** Commits and lets go of the data (and its lock). */
  close(): void;
}
