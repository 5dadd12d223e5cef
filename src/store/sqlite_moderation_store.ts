/**
 * A {@linkcode ModerationStore} in a SQLite database's `bans`, `mutes` and `room_bans` tables.
 * Writes join the database's open transaction (see {@linkcode SqliteDatabase.write}).
 */
import type { BanRecord, ModerationStore, MuteRecord, RoomBanRecord } from "./moderation_store.ts";
import type { SqliteDatabase } from "./sqlite_database.ts";

interface BanRow {
  kind: string;
  target: string;
  label: string;
  reason: string;
  by_nick: string;
  since: number;
  until: number | null;
}

interface MuteRow {
  key: string;
  nick: string;
  by_nick: string;
  since: number;
  until: number | null;
}

interface RoomBanRow {
  room: string;
  key: string;
  nick: string;
  by_nick: string;
  since: number;
}

/** Moderation kept in the database. */
export class SqliteModerationStore implements ModerationStore {
  readonly #db: SqliteDatabase;
  readonly #sql;

  constructor(db: SqliteDatabase) {
    this.#db = db;
    this.#sql = {
      bans: db.prepare("SELECT * FROM bans ORDER BY rowid"),
      putBan: db.prepare(
        "INSERT OR REPLACE INTO bans (kind, target, label, reason, by_nick, since, until) " +
          "VALUES (?, ?, ?, ?, ?, ?, ?)",
      ),
      removeBan: db.prepare("DELETE FROM bans WHERE kind = ? AND target = ?"),
      mute: db.prepare("SELECT * FROM mutes WHERE key = ?"),
      mutes: db.prepare("SELECT * FROM mutes ORDER BY rowid"),
      putMute: db.prepare(
        "INSERT OR REPLACE INTO mutes (key, nick, by_nick, since, until) VALUES (?, ?, ?, ?, ?)",
      ),
      removeMute: db.prepare("DELETE FROM mutes WHERE key = ?"),
      roomBanned: db.prepare("SELECT 1 AS yes FROM room_bans WHERE room = ? AND key = ?"),
      roomBans: db.prepare("SELECT * FROM room_bans WHERE room = ? ORDER BY rowid"),
      putRoomBan: db.prepare(
        "INSERT OR REPLACE INTO room_bans (room, key, nick, by_nick, since) VALUES (?, ?, ?, ?, ?)",
      ),
      removeRoomBan: db.prepare("DELETE FROM room_bans WHERE room = ? AND key = ?"),
    };
  }

  bans(): BanRecord[] {
    return (this.#sql.bans.all() as unknown as BanRow[]).map((row) => ({
      kind: row.kind === "address" ? "address" : "nick",
      target: row.target,
      label: row.label,
      reason: row.reason,
      by: row.by_nick,
      since: row.since,
      ...row.until === null ? {} : { until: row.until },
    }));
  }

  putBan(ban: BanRecord): void {
    this.#db.write();
    this.#sql.putBan.run(
      ban.kind,
      ban.target,
      ban.label,
      ban.reason,
      ban.by,
      ban.since,
      ban.until ?? null,
    );
  }

  removeBan(kind: BanRecord["kind"], target: string): boolean {
    this.#db.write();
    return Number(this.#sql.removeBan.run(kind, target).changes) > 0;
  }

  mute(key: string): MuteRecord | undefined {
    const row = this.#sql.mute.get(key) as MuteRow | undefined;
    return row === undefined ? undefined : muteFrom(row);
  }

  mutes(): MuteRecord[] {
    return (this.#sql.mutes.all() as unknown as MuteRow[]).map(muteFrom);
  }

  putMute(mute: MuteRecord): void {
    this.#db.write();
    this.#sql.putMute.run(mute.key, mute.nick, mute.by, mute.since, mute.until ?? null);
  }

  removeMute(key: string): boolean {
    this.#db.write();
    return Number(this.#sql.removeMute.run(key).changes) > 0;
  }

  roomBanned(room: string, key: string): boolean {
    return this.#sql.roomBanned.get(room, key) !== undefined;
  }

  roomBans(room: string): RoomBanRecord[] {
    return (this.#sql.roomBans.all(room) as unknown as RoomBanRow[]).map((row) => ({
      room: row.room,
      key: row.key,
      nick: row.nick,
      by: row.by_nick,
      since: row.since,
    }));
  }

  putRoomBan(ban: RoomBanRecord): void {
    this.#db.write();
    this.#sql.putRoomBan.run(ban.room, ban.key, ban.nick, ban.by, ban.since);
  }

  removeRoomBan(room: string, key: string): boolean {
    this.#db.write();
    return Number(this.#sql.removeRoomBan.run(room, key).changes) > 0;
  }
}

function muteFrom(row: MuteRow): MuteRecord {
  return {
    key: row.key,
    nick: row.nick,
    by: row.by_nick,
    since: row.since,
    ...row.until === null ? {} : { until: row.until },
  };
}
