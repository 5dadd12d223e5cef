/** A {@linkcode RoomLog} in memory: what a server without a database forgets on restart. Pure. */
import type { MessageFrame } from "../protocol.ts";
import {
  type HistoryBound,
  type HistoryQuery,
  type Replay,
  type RoomLog,
  searchWords,
} from "./room_log.ts";

/** Options for {@linkcode MemoryRoomLog}. */
export interface MemoryRoomLogOptions {
  /** Messages each room keeps for replay; 0 keeps none (seqs still count). */
  historySize: number;
}

/** Client message ids each room remembers at least, whatever its history size. */
const MIN_SENT_KEYS = 1000;

interface Entry {
  readonly frame: MessageFrame;
  /** Encoded length, for the replay budget. */
  readonly size: number;
}

interface Log {
  seq: number;
  /** Oldest first; may hold up to twice the history size before trimming. */
  entries: Entry[];
  /** Client message id keys and their seqs, oldest first (maps keep insertion order). */
  readonly sent: Map<string, number>;
}

/**
 * Rooms' logs in maps.
 *
 * @example
 * ```ts
 * import { MemoryRoomLog } from "./memory_room_log.ts";
 * const log = new MemoryRoomLog({ historySize: 2 });
 * const seq = log.lastSeq("games") + 1;
 * log.append("games", { type: "message", room: "games", nick: "ana", text: "hi", time: 0, seq }, 60);
 * console.assert(log.lastSeq("games") === 1);
 * ```
 */
export class MemoryRoomLog implements RoomLog {
  readonly #historySize: number;
  readonly #logs = new Map<string, Log>();

  constructor(options: MemoryRoomLogOptions) {
    this.#historySize = options.historySize;
  }

  lastSeq(room: string): number {
    return this.#logs.get(room)?.seq ?? 0;
  }

  append(room: string, frame: MessageFrame, size: number): number {
    const log = this.#log(room);
    if (frame.seq !== log.seq + 1) {
      throw new RangeError(
        `Cannot append to room log "${room}": seq ${frame.seq}, expected ${log.seq + 1}`,
      );
    }
    log.seq = frame.seq;
    if (this.#historySize === 0) return log.seq;
    log.entries.push({ frame, size });
    // Trimmed in batches, so appending stays O(1) amortised even for long histories.
    if (log.entries.length >= 2 * this.#historySize) {
      log.entries = log.entries.slice(-this.#historySize);
    }
    return log.seq;
  }

  history(room: string): MessageFrame[] {
    if (this.#historySize === 0) return [];
    const entries = this.#logs.get(room)?.entries ?? [];
    return entries.slice(-this.#historySize).map((entry) => entry.frame);
  }

  replay(room: string, since: number | undefined, budget: number): Replay {
    const entries = this.#logs.get(room)?.entries ?? [];
    const frames: MessageFrame[] = [];
    const oldest = Math.max(0, entries.length - this.#historySize);
    let used = 0;
    for (let i = entries.length - 1; i >= oldest; i--) {
      const { frame, size } = entries[i] as Entry;
      if (since !== undefined && frame.seq <= since) break;
      used += size;
      if (used > budget) return { frames: frames.reverse(), trimmed: true };
      frames.push(frame);
    }
    return { frames: frames.reverse(), trimmed: false };
  }

  page(room: string, before: number, limit: number): MessageFrame[] {
    if (this.#historySize === 0 || limit <= 0) return [];
    const entries = this.#logs.get(room)?.entries ?? [];
    const kept = entries.slice(-this.#historySize).filter((entry) => entry.frame.seq < before);
    return kept.slice(-limit).map((entry) => entry.frame);
  }

  search(room: string, words: string, limit: number): MessageFrame[] {
    const wanted = searchWords(words).map((word) => word.toLowerCase());
    if (this.#historySize === 0 || limit <= 0 || wanted.length === 0) return [];
    const entries = this.#logs.get(room)?.entries.slice(-this.#historySize) ?? [];
    const found: MessageFrame[] = [];
    for (let i = entries.length - 1; i >= 0 && found.length < limit; i--) {
      const frame = (entries[i] as Entry).frame;
      const inText = frame.text.toLowerCase().split(/[^\p{L}\p{N}]+/u);
      if (wanted.every((word) => inText.some((each) => each.startsWith(word)))) found.push(frame);
    }
    return found;
  }

  query(room: string, query: HistoryQuery): MessageFrame[] {
    const frames = this.history(room).filter((frame) =>
      (query.after === undefined || isAfter(frame, query.after)) &&
      (query.before === undefined || isBefore(frame, query.before))
    );
    const limit = Math.max(0, query.limit);
    if (limit === 0) return [];
    return query.from === "newest" ? frames.slice(-limit) : frames.slice(0, limit);
  }

  sentSeq(room: string, key: string): number | undefined {
    return this.#logs.get(room)?.sent.get(key);
  }

  markSent(room: string, key: string, seq: number): void {
    const sent = this.#log(room).sent;
    sent.set(key, seq);
    if (sent.size > Math.max(this.#historySize, MIN_SENT_KEYS)) {
      // The first key is the oldest.
      const oldest = sent.keys().next().value;
      if (oldest !== undefined) sent.delete(oldest);
    }
  }

  drop(room: string): void {
    this.#logs.delete(room);
  }

  #log(room: string): Log {
    let log = this.#logs.get(room);
    if (log === undefined) {
      log = { seq: 0, entries: [], sent: new Map() };
      this.#logs.set(room, log);
    }
    return log;
  }
}

function isAfter(frame: MessageFrame, bound: HistoryBound): boolean {
  return "seq" in bound ? frame.seq > bound.seq : frame.time > bound.time;
}

function isBefore(frame: MessageFrame, bound: HistoryBound): boolean {
  return "seq" in bound ? frame.seq < bound.seq : frame.time < bound.time;
}
