/** A {@linkcode ModerationStore} in memory (`--memory`, and tests). Pure. */
import type { BanRecord, ModerationStore, MuteRecord, RoomBanRecord } from "./moderation_store.ts";

/** Bans, mutes and room bans in maps, gone when the process ends. */
export class MemoryModerationStore implements ModerationStore {
  readonly #bans = new Map<string, BanRecord>();
  readonly #mutes = new Map<string, MuteRecord>();
  readonly #roomBans = new Map<string, RoomBanRecord>();

  bans(): BanRecord[] {
    return [...this.#bans.values()];
  }

  putBan(ban: BanRecord): void {
    const id = `${ban.kind} ${ban.target}`;
    this.#bans.delete(id);
    this.#bans.set(id, { ...ban });
  }

  removeBan(kind: BanRecord["kind"], target: string): boolean {
    return this.#bans.delete(`${kind} ${target}`);
  }

  mute(key: string): MuteRecord | undefined {
    return this.#mutes.get(key);
  }

  mutes(): MuteRecord[] {
    return [...this.#mutes.values()];
  }

  putMute(mute: MuteRecord): void {
    this.#mutes.delete(mute.key);
    this.#mutes.set(mute.key, { ...mute });
  }

  removeMute(key: string): boolean {
    return this.#mutes.delete(key);
  }

  roomBanned(room: string, key: string): boolean {
    return this.#roomBans.has(`${room} ${key}`);
  }

  roomBans(room: string): RoomBanRecord[] {
    return [...this.#roomBans.values()].filter((ban) => ban.room === room);
  }

  putRoomBan(ban: RoomBanRecord): void {
    const id = `${ban.room} ${ban.key}`;
    this.#roomBans.delete(id);
    this.#roomBans.set(id, { ...ban });
  }

  removeRoomBan(room: string, key: string): boolean {
    return this.#roomBans.delete(`${room} ${key}`);
  }
}
