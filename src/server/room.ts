/** One room: members, settings, message numbering and recent history. Pure state. */
import type { MessageFrame, RoomInfo } from "../protocol.ts";
import { roomKey } from "../room_name.ts";
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
  /** Sequence number of the last accepted message. */
  seq = 0;
  readonly #historySize: number;
  /** Remembered messages with their encoded size (for the replay budget), oldest first. */
  #history: { frame: MessageFrame; size: number }[] = [];
  /** Recent client message ids (sender's key) and the seq each got, to drop resent duplicates. */
  #sent = new Map<string, number>();

  constructor(
    name: string,
    settings: RoomSettings,
    options: { persistent: boolean; owner?: ClientId; historySize: number },
  ) {
    this.name = name;
    this.key = roomKey(name);
    this.persistent = options.persistent;
    this.owner = options.owner;
    this.limit = settings.limit;
    this.topic = settings.topic;
    this.password = settings.password;
    this.listed = settings.listed ?? true;
    this.#historySize = options.historySize;
  }

  /** Whether the room has reached its limit. */
  get full(): boolean {
    return this.limit !== undefined && this.members.size >= this.limit;
  }

  /**
   * Keeps a message for replay, dropping the oldest past the history size. `size` is its length
   * on the wire as a replayed frame (the caller has it encoded already).
   */
  remember(frame: MessageFrame, size: number): void {
    if (this.#historySize === 0) return;
    this.#history.push({ frame, size });
    // Trimmed in batches, so remembering stays O(1) amortised even for long histories.
    if (this.#history.length >= 2 * this.#historySize) {
      this.#history = this.#history.slice(-this.#historySize);
    }
  }

  /** The seq a message with this client id key was accepted as, if it is still remembered. */
  sentSeq(key: string): number | undefined {
    return this.#sent.get(key);
  }

  /** Remembers a client message id key; the oldest are forgotten past a bound. */
  markSent(key: string, seq: number): void {
    this.#sent.set(key, seq);
    const bound = Math.max(this.#historySize, 1000);
    if (this.#sent.size > bound) {
      // Maps keep insertion order: the first key is the oldest.
      const oldest = this.#sent.keys().next().value;
      if (oldest !== undefined) this.#sent.delete(oldest);
    }
  }

  /** The remembered messages, oldest first. */
  history(): MessageFrame[] {
    return this.#history.slice(-this.#historySize).map((entry) => entry.frame);
  }

  /**
   * The newest remembered messages after `since` (all, without it) whose encoded size fits in
   * `budget` bytes, oldest first; `trimmed` when older ones were left out for the budget.
   */
  replay(since: number | undefined, budget: number): { frames: MessageFrame[]; trimmed: boolean } {
    const frames: MessageFrame[] = [];
    const oldest = Math.max(0, this.#history.length - this.#historySize);
    let used = 0;
    for (let i = this.#history.length - 1; i >= oldest; i--) {
      const { frame, size } = this.#history[i] as { frame: MessageFrame; size: number };
      if (since !== undefined && frame.seq <= since) break;
      used += size;
      if (used > budget) return { frames: frames.reverse(), trimmed: true };
      frames.push(frame);
    }
    return { frames: frames.reverse(), trimmed: false };
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
