/**
 * The port for rooms' messages: each room's sequencer, its history for replay and the message
 * ids already accepted (so a resend is not delivered twice). Implementations: memory now,
 * SQLite and Redis later; all synchronous, like the hub that calls them. Pure.
 */
import type { MessageFrame } from "../protocol.ts";

/** Where a history query starts or ends: a message's seq, or a time (ms since the epoch). */
export type HistoryBound = { readonly seq: number } | { readonly time: number };

/** Which remembered messages a history query asks for (IRC's CHATHISTORY). */
export interface HistoryQuery {
  /** Only messages after this bound (exclusive). */
  readonly after?: HistoryBound;
  /** Only messages before this bound (exclusive). */
  readonly before?: HistoryBound;
  /** At most this many. */
  readonly limit: number;
  /** Which end of the range the limit keeps: the newest messages, or the oldest. */
  readonly from: "newest" | "oldest";
}

/** What a replay returns: the messages that fit, and whether older ones were left out. */
export interface Replay {
  /** Oldest first. */
  readonly frames: MessageFrame[];
  /** True when older messages after `since` were left out for the byte budget. */
  readonly trimmed: boolean;
}

/**
 * Rooms' message logs, keyed by room key (`roomKey(name)`). A room nobody wrote to has seq 0 and
 * no history; `drop` forgets a room, so a new room of the same name starts over.
 */
export interface RoomLog {
  /** The seq of the room's newest message: 0 before the first. */
  lastSeq(room: string): number;
  /**
   * Appends a message and returns its seq, which must be `lastSeq(room) + 1` (the caller numbers
   * the frame, so it can encode it once). `size` is its length on the wire when replayed, for the
   * replay budget. Throws `RangeError` for any other seq.
   */
  append(room: string, frame: MessageFrame, size: number): number;
  /** The remembered messages, oldest first (at most the log's history size). */
  history(room: string): MessageFrame[];
  /**
   * The newest remembered messages after `since` (all, without it) whose sizes add up to at most
   * `budget` bytes, oldest first.
   */
  replay(room: string, since: number | undefined, budget: number): Replay;
  /**
   * Up to `limit` of the newest messages numbered below `before`, oldest first: a page of older
   * history. A log on disk reaches back further than `history` (to every message it keeps).
   */
  page(room: string, before: number, limit: number): MessageFrame[];
  /**
   * Up to `limit` messages of the room whose text has every word of `words` (ignoring case; a
   * word matches the start of a word), newest first. A log on disk searches every message it
   * keeps; one in memory, its history.
   */
  search(room: string, words: string, limit: number): MessageFrame[];
  /**
   * The kept messages within a query's bounds, at most `limit` of them from its `from` end,
   * oldest first. A log in memory keeps its history; one on disk, every message it keeps.
   */
  query(room: string, query: HistoryQuery): MessageFrame[];
  /** The seq a message with this client id key was accepted as, if still remembered. */
  sentSeq(room: string, key: string): number | undefined;
  /**
   * Remembers a client message id key with its seq. At least the newest max(history size, 1000)
   * are kept; older ones may be forgotten (a log on disk forgets them in batches).
   */
  markSent(room: string, key: string, seq: number): void;
  /** Forgets everything about a room: its seq, history and remembered ids. */
  drop(room: string): void;
}

/** Most words a search looks for. */
export const MAX_SEARCH_WORDS = 10;

/**
 * The words of a search, as a store matches them: letters and digits, split at anything else,
 * at most {@linkcode MAX_SEARCH_WORDS}.
 *
 * @example
 * ```ts
 * import { searchWords } from "./room_log.ts";
 * searchWords("  Chess, at 8!"); // ["Chess", "at", "8"]
 * ```
 */
export function searchWords(text: string): string[] {
  return text.split(/[^\p{L}\p{N}]+/u).filter((word) => word !== "").slice(0, MAX_SEARCH_WORDS);
}
