/**
 * The rules of server-wide moderation, over a {@linkcode ModerationStore}: bans by nick, address
 * or CIDR block, with an optional duration, and mutes. Expired entries are dropped when met.
 * Pure: time is passed in; the session and the server act on what these return (disconnect,
 * refuse, log).
 */
import { addressMatches, isAddressPattern } from "../address_match.ts";
import { formatTimeLeft } from "../duration.ts";
import { ChatError } from "../errors.ts";
import { nickKey, quote, validateNick } from "../nick.ts";
import type { BanRecord, ModerationStore, MuteRecord } from "../store/moderation_store.ts";

/** A moderation act, for the event log (who did what to whom) and for the server to enforce. */
export interface ModerationAct {
  readonly action: "ban" | "unban" | "mute" | "unmute" | "room_ban" | "room_unban" | "kill";
  /** Who did it: an operator's or a room owner's nick, or `admin` at the console. */
  readonly by: string;
  /** The nick, address or block. */
  readonly target: string;
  readonly room?: string;
  readonly reason?: string;
  readonly until?: number;
  /** For `kill`: what the person disconnected is told. */
  readonly bye?: string;
  /** A new ban: the server disconnects whoever it covers now. */
  readonly ban?: BanRecord;
}

/** Server bans and mutes. */
export class Moderation {
  readonly store: ModerationStore;

  constructor(store: ModerationStore) {
    this.store = store;
  }

  /**
   * Bans a nick, an address or a CIDR block, for `durationMs` or for good. Throws
   * `bad_arguments` for a target that is neither a nick nor an address.
   */
  ban(
    by: string,
    target: string,
    options: { durationMs?: number; reason?: string; now: number },
  ): BanRecord {
    const address = isAddressPattern(target);
    if (!address) validateNick(target);
    const ban: BanRecord = {
      kind: address ? "address" : "nick",
      target: address ? target.trim().toLowerCase() : nickKey(target),
      label: target,
      reason: options.reason ?? "",
      by,
      since: options.now,
      ...options.durationMs === undefined ? {} : { until: options.now + options.durationMs },
    };
    this.store.putBan(ban);
    return ban;
  }

  /** Lifts the ban on a nick, address or block. Throws `bad_arguments` when there is none. */
  unban(target: string): BanRecord {
    const address = isAddressPattern(target);
    const key = address ? target.trim().toLowerCase() : nickKey(target);
    const kind = address ? "address" : "nick";
    const ban = this.store.bans().find((each) => each.kind === kind && each.target === key);
    if (ban === undefined || !this.store.removeBan(kind, key)) {
      throw new ChatError("bad_arguments", `Nothing is banned as ${quote(target)}`);
    }
    return ban;
  }

  /** The bans in force, oldest first (expired ones are dropped). */
  bans(now: number): BanRecord[] {
    return this.store.bans().filter((ban) => this.#current(ban, now));
  }

  /** The ban that keeps out `nick` (if given) or the address `host` (if given), if any. */
  banFor(nick: string | undefined, host: string | undefined, now: number): BanRecord | undefined {
    const key = nick === undefined ? undefined : nickKey(nick);
    return this.bans(now).find((ban) =>
      ban.kind === "nick"
        ? ban.target === key
        : host !== undefined && addressMatches(host, ban.target)
    );
  }

  /** Mutes a nick for `durationMs` or for good. */
  mute(by: string, nick: string, options: { durationMs?: number; now: number }): MuteRecord {
    const name = validateNick(nick);
    const mute: MuteRecord = {
      key: nickKey(name),
      nick: name,
      by,
      since: options.now,
      ...options.durationMs === undefined ? {} : { until: options.now + options.durationMs },
    };
    this.store.putMute(mute);
    return mute;
  }

  /** Lets a muted nick talk again. Throws `bad_arguments` when it is not muted. */
  unmute(nick: string): void {
    if (!this.store.removeMute(nickKey(nick))) {
      throw new ChatError("bad_arguments", `${quote(nick)} is not muted`);
    }
  }

  #current(ban: BanRecord, now: number): boolean {
    if (ban.until === undefined || ban.until > now) return true;
    this.store.removeBan(ban.kind, ban.target);
    return false;
  }
}

/** Why a ban keeps someone out, with who, why and the time left. */
export function describeBan(ban: BanRecord, now: number): string {
  return `You are banned from this server by ${ban.by}` +
    (ban.reason === "" ? "" : `: ${ban.reason}`) +
    (ban.until === undefined ? " (for good)" : ` (${formatTimeLeft(ban.until - now)} left)`);
}

/** Why a muted person's message is refused, with who and the time left. */
export function describeMute(mute: MuteRecord, now: number): string {
  return `You are muted by ${mute.by}: you can read but not talk` +
    (mute.until === undefined ? "" : ` (${formatTimeLeft(mute.until - now)} left)`);
}
