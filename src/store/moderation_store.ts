/**
 * The port for moderation that outlives a restart: server bans (by nick or by address or CIDR
 * block), mutes, and room bans. Expiry is a field: readers compare it with the time they are
 * given. Pure (types).
 */

/** A server ban. */
export interface BanRecord {
  /** By nick (its key) or by address (an address or CIDR block). */
  readonly kind: "nick" | "address";
  /** The nick key, or the address or block. */
  readonly target: string;
  /** As the operator typed it. */
  readonly label: string;
  /** Why (may be empty). */
  readonly reason: string;
  /** The operator's nick. */
  readonly by: string;
  readonly since: number;
  /** When it ends (ms since the epoch); undefined: never. */
  readonly until?: number;
}

/** A muted nick: they may read, not talk. */
export interface MuteRecord {
  /** The nick's key. */
  readonly key: string;
  readonly nick: string;
  readonly by: string;
  readonly since: number;
  readonly until?: number;
}

/** Someone a room's owner keeps out of that room. */
export interface RoomBanRecord {
  /** The room's key. */
  readonly room: string;
  /** The nick's key. */
  readonly key: string;
  readonly nick: string;
  readonly by: string;
  readonly since: number;
}

/** Where bans, mutes and room bans are kept. Writes join the store's open transaction. */
export interface ModerationStore {
  /** Every server ban, oldest first. */
  bans(): BanRecord[];
  /** Adds a ban, or replaces the one with the same kind and target. */
  putBan(ban: BanRecord): void;
  /** Lifts a ban; false when there was none. */
  removeBan(kind: BanRecord["kind"], target: string): boolean;
  /** The mute of a nick key, if any. */
  mute(key: string): MuteRecord | undefined;
  /** Every mute, oldest first. */
  mutes(): MuteRecord[];
  /** Adds a mute, or replaces the one of the same nick. */
  putMute(mute: MuteRecord): void;
  removeMute(key: string): boolean;
  /** Whether a nick key is banned from a room (by key). */
  roomBanned(room: string, key: string): boolean;
  /** A room's bans, oldest first. */
  roomBans(room: string): RoomBanRecord[];
  putRoomBan(ban: RoomBanRecord): void;
  removeRoomBan(room: string, key: string): boolean;
}
