/**
 * A {@linkcode RoomDirectory} in a SQLite database's `rooms` table, read once at start and kept in
 * a map (the hub reads room settings often; there are at most a thousand rooms). Two things differ
 * from the memory directory: a password is stored only as a salted hash (password_hash.ts), and
 * a room's owner, a member connected now, is kept in memory only: a restarted server has no
 * owners until accounts give ownership an identity that outlives a connection.
 */
import { hashPassword, passwordMatches } from "./password_hash.ts";
import {
  ROOM_FLAGS,
  type RoomChanges,
  type RoomDirectory,
  type RoomRecord,
} from "./room_directory.ts";
import type { SqliteDatabase } from "./sqlite_database.ts";

/** A row of the `rooms` table. */
interface RoomRow {
  key: string;
  name: string;
  persistent: number;
  member_limit: number | null;
  topic: string | null;
  topic_by: string | null;
  topic_time: number | null;
  password_hash: string | null;
  listed: number;
  created: number | null;
  flags: number;
}

/**
 * Rooms in the database, with a map in front. Writes join the database's open transaction (see
 * {@linkcode SqliteDatabase.write}); the caller commits.
 *
 * @example
 * ```ts ignore
 * const rooms = new SqliteRoomDirectory(SqliteDatabase.open("chat.db"));
 * rooms.create({ key: "games", name: "Games", persistent: true, listed: true });
 * ```
 */
export class SqliteRoomDirectory implements RoomDirectory {
  readonly #db: SqliteDatabase;
  readonly #rooms = new Map<string, RoomRecord>();
  readonly #sql: ReturnType<typeof statements>;

  constructor(db: SqliteDatabase) {
    this.#db = db;
    this.#sql = statements(db);
    for (const row of this.#sql.all.all() as unknown as RoomRow[]) {
      this.#rooms.set(row.key, fromRow(row));
    }
  }

  get size(): number {
    return this.#rooms.size;
  }

  find(key: string): RoomRecord | undefined {
    return this.#rooms.get(key);
  }

  create(record: RoomRecord): void {
    if (this.#rooms.has(record.key)) {
      throw new RangeError(`Cannot create room "${record.key}": it exists`);
    }
    const stored = withoutUndefined({
      ...record,
      password: record.password === undefined ? undefined : hashPassword(record.password),
    });
    this.#db.write();
    this.#sql.insert.run(
      stored.key,
      stored.name,
      stored.persistent ? 1 : 0,
      stored.limit ?? null,
      stored.topic ?? null,
      stored.topicBy ?? null,
      stored.topicTime ?? null,
      stored.password ?? null,
      stored.listed ? 1 : 0,
      stored.created ?? null,
      flagBits(stored),
    );
    this.#rooms.set(record.key, stored);
  }

  update(key: string, changes: RoomChanges): void {
    const record = this.#rooms.get(key);
    if (record === undefined) {
      throw new RangeError(`Cannot change room "${key}": no such room`);
    }
    const hashed: RoomChanges = { ...changes };
    if (changes.password !== undefined) hashed.password = hashPassword(changes.password);
    const next = withoutUndefined({ ...record, ...hashed });
    // The owner alone lives in memory: changing only it writes nothing.
    if (Object.keys(changes).some((field) => field !== "owner")) {
      this.#db.write();
      this.#sql.update.run(
        next.limit ?? null,
        next.topic ?? null,
        next.topicBy ?? null,
        next.topicTime ?? null,
        next.password ?? null,
        next.listed ? 1 : 0,
        next.persistent ? 1 : 0,
        flagBits(next),
        key,
      );
    }
    this.#rooms.set(key, next);
  }

  remove(key: string): boolean {
    if (!this.#rooms.delete(key)) return false;
    this.#db.write();
    this.#sql.remove.run(key);
    return true;
  }

  list(): RoomRecord[] {
    return [...this.#rooms.values()];
  }

  passwordMatches(key: string, given: string): boolean {
    const stored = this.#rooms.get(key)?.password;
    return stored !== undefined && passwordMatches(stored, given);
  }
}

function statements(db: SqliteDatabase) {
  return {
    all: db.prepare(
      "SELECT key, name, persistent, member_limit, topic, topic_by, topic_time, password_hash, " +
        "listed, created, " +
        "flags FROM rooms ORDER BY id",
    ),
    insert: db.prepare(
      "INSERT INTO rooms (key, name, persistent, member_limit, topic, topic_by, topic_time, " +
        "password_hash, listed, created, flags) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
    ),
    update: db.prepare(
      "UPDATE rooms SET member_limit = ?, topic = ?, topic_by = ?, topic_time = ?, " +
        "password_hash = ?, listed = ?, " +
        "persistent = ?, flags = ? WHERE key = ?",
    ),
    remove: db.prepare("DELETE FROM rooms WHERE key = ?"),
  };
}

function fromRow(row: RoomRow): RoomRecord {
  return withoutUndefined({
    key: row.key,
    name: row.name,
    persistent: row.persistent !== 0,
    limit: row.member_limit ?? undefined,
    topic: row.topic ?? undefined,
    topicBy: row.topic_by ?? undefined,
    topicTime: row.topic_time ?? undefined,
    password: row.password_hash ?? undefined,
    listed: row.listed !== 0,
    created: row.created ?? undefined,
    ...Object.fromEntries(
      ROOM_FLAGS.flatMap((flag, bit) => (row.flags & (1 << bit)) === 0 ? [] : [[flag, true]]),
    ),
  });
}

/** A record's flags as the bits of the `flags` column: bit i for `ROOM_FLAGS[i]`. */
function flagBits(record: RoomRecord): number {
  return ROOM_FLAGS.reduce(
    (bits, flag, bit) => record[flag] === true ? bits | (1 << bit) : bits,
    0,
  );
}

/** The record without fields set to `undefined`, so a cleared setting reads as never set. */
function withoutUndefined(record: RoomRecord): RoomRecord {
  return Object.fromEntries(
    Object.entries(record).filter(([, value]) => value !== undefined),
  ) as unknown as RoomRecord;
}
