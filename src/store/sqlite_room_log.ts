/**
 * A {@linkcode RoomLog} in a SQLite database: every message is kept (history and replay give the
 * newest `historySize` of them, as in memory), seqs continue across restarts, and accepted message
 * ids survive a restart too, so a client resending after one is not delivered twice.
 */
import type { MessageFrame } from "../protocol.ts";
import { type HistoryQuery, type Replay, type RoomLog, searchWords } from "./room_log.ts";
import type { SqliteDatabase } from "./sqlite_database.ts";

/** Options for {@linkcode SqliteRoomLog}. */
export interface SqliteRoomLogOptions {
  /** Messages each room gives for history and replay; 0 gives none (all are still kept). */
  historySize: number;
}

/** Client message ids each room remembers at least, whatever its history size. */
const MIN_SENT_KEYS = 1000;

/** How far past its bound a room's remembered ids may go before the oldest are forgotten. */
function sentSlack(bound: number): number {
  return Math.max(64, Math.floor(bound / 4));
}

/** The columns indexing reads. */
interface IndexRow {
  id: number;
  text: string;
}

/** The columns retention reads. */
interface PruneRow {
  id: number;
  room: string;
  time: number;
}

/** The columns a replay reads. */
interface Row {
  frame: string;
  size: number;
  seq: number;
}

/**
 * Rooms' logs in the `messages`, `room_seqs` and `sent` tables. Writes join the database's open
 * transaction (see {@linkcode SqliteDatabase.write}); the caller commits.
 *
 * @example
 * ```ts ignore
 * const log = new SqliteRoomLog(SqliteDatabase.open("chat.db"), { historySize: 50 });
 * log.append("games", frame, size);
 * ```
 */
export class SqliteRoomLog implements RoomLog {
  readonly #db: SqliteDatabase;
  readonly #historySize: number;
  readonly #sentBound: number;
  /** Each room's seq, read once from the database. */
  readonly #seqs = new Map<string, number>();
  /** How many ids each room remembers, read once from the database. */
  readonly #sentCounts = new Map<string, number>();
  readonly #sql: ReturnType<typeof statements>;
  /** History queries' statements by their SQL (a few shapes: bounds by seq or time, either end). */
  readonly #queries = new Map<string, ReturnType<SqliteDatabase["prepare"]>>();

  constructor(db: SqliteDatabase, options: SqliteRoomLogOptions) {
    this.#db = db;
    this.#historySize = options.historySize;
    this.#sentBound = Math.max(this.#historySize, MIN_SENT_KEYS);
    this.#sql = statements(db);
  }

  lastSeq(room: string): number {
    let seq = this.#seqs.get(room);
    if (seq === undefined) {
      const newest = this.#sql.newestSeq.get(room) as { seq: number | null };
      const floor = this.#sql.floorSeq.get(room) as { seq: number } | undefined;
      seq = Math.max(newest.seq ?? 0, floor?.seq ?? 0);
      this.#seqs.set(room, seq);
    }
    return seq;
  }

  append(room: string, frame: MessageFrame, size: number): number {
    const expected = this.lastSeq(room) + 1;
    if (frame.seq !== expected) {
      throw new RangeError(
        `Cannot append to room log "${room}": seq ${frame.seq}, expected ${expected}`,
      );
    }
    this.#db.write();
    this.#sql.append.run(room, frame.seq, frame.time, JSON.stringify(frame), size);
    this.#seqs.set(room, frame.seq);
    return frame.seq;
  }

  history(room: string): MessageFrame[] {
    if (this.#historySize === 0) return [];
    const rows = this.#sql.newest.all(room, this.#historySize) as unknown as Row[];
    return rows.reverse().map((row) => JSON.parse(row.frame) as MessageFrame);
  }

  replay(room: string, since: number | undefined, budget: number): Replay {
    if (this.#historySize === 0) return { frames: [], trimmed: false };
    const rows = this.#sql.newestAfter.all(room, since ?? 0, this.#historySize) as unknown as Row[];
    const frames: MessageFrame[] = [];
    let used = 0;
    for (const row of rows) {
      used += row.size;
      if (used > budget) return { frames: frames.reverse(), trimmed: true };
      frames.push(JSON.parse(row.frame) as MessageFrame);
    }
    return { frames: frames.reverse(), trimmed: false };
  }

  page(room: string, before: number, limit: number): MessageFrame[] {
    if (limit <= 0) return [];
    const rows = this.#sql.page.all(room, before, limit) as unknown as Row[];
    return rows.reverse().map((row) => JSON.parse(row.frame) as MessageFrame);
  }

  query(room: string, query: HistoryQuery): MessageFrame[] {
    const limit = Math.max(0, Math.floor(query.limit));
    if (limit === 0) return [];
    // Every kept message counts, not only the replayed history: the store reaches further back.
    const where = ["room = ?"];
    const args: (string | number)[] = [room];
    for (const [bound, op] of [[query.after, ">"], [query.before, "<"]] as const) {
      if (bound === undefined) continue;
      where.push("seq" in bound ? `seq ${op} ?` : `time ${op} ?`);
      args.push("seq" in bound ? bound.seq : bound.time);
    }
    const order = query.from === "newest" ? "DESC" : "ASC";
    const sql = `SELECT frame, size, seq FROM messages WHERE ${where.join(" AND ")} ` +
      `ORDER BY seq ${order} LIMIT ?`;
    let statement = this.#queries.get(sql);
    if (statement === undefined) {
      statement = this.#db.prepare(sql);
      this.#queries.set(sql, statement);
    }
    const rows = statement.all(...args, limit) as unknown as Row[];
    if (order === "DESC") rows.reverse();
    return rows.map((row) => JSON.parse(row.frame) as MessageFrame);
  }

  search(room: string, words: string, limit: number): MessageFrame[] {
    const wanted = searchWords(words);
    if (limit <= 0 || wanted.length === 0) return [];
    // What came since the last background pass first: the newest messages are found too.
    this.indexText(Number.MAX_SAFE_INTEGER);
    // Each word a quoted FTS5 string matching word starts; together, all of them.
    const query = wanted.map((word) => `"${word.replaceAll('"', '""')}"*`).join(" ");
    const rows = this.#sql.search.all(query, room, limit) as unknown as Row[];
    return rows.map((row) => JSON.parse(row.frame) as MessageFrame);
  }

  /**
   * Adds the words of up to `limit` messages not indexed yet to the search index; returns how
   * many. Writing a message stays one insert: the server calls this in the background.
   */
  indexText(limit: number): number {
    const indexed = (this.#sql.indexed.get() as { indexed: number }).indexed;
    const rows = this.#sql.unindexed.all(indexed, limit) as unknown as IndexRow[];
    const last = rows.at(-1);
    if (last === undefined) return 0;
    this.#db.write();
    for (const row of rows) this.#sql.addText.run(row.id, row.text);
    this.#sql.setIndexed.run(last.id);
    return rows.length;
  }

  sentSeq(room: string, key: string): number | undefined {
    const row = this.#sql.sentSeq.get(room, key) as { seq: number } | undefined;
    return row?.seq;
  }

  markSent(room: string, key: string, seq: number): void {
    this.#db.write();
    let kept = this.#sentCount(room);
    // A key marked again keeps its place in the order, as a map's key does.
    if (this.#sql.markSent.run(room, key, seq).changes === 0) {
      this.#sql.remarkSent.run(seq, room, key);
    } else kept++;
    // Forgotten in batches, not one per message (that delete was most of a message's cost):
    // past the bound by a slack, down to the bound in one statement.
    if (kept > this.#sentBound + sentSlack(this.#sentBound)) {
      this.#sql.forgetOldestSent.run(room, room, kept - this.#sentBound);
      kept = this.#sentBound;
    }
    this.#sentCounts.set(room, kept);
  }

  /**
   * Deletes up to `limit` of the oldest messages, those sent before `before` (ms since the
   * epoch), in every room; returns how many went. A room's seq stays where it was, even when all
   * its messages go.
   */
  prune(before: number, limit: number): number {
    const rows = this.#sql.oldest.all(limit) as unknown as PruneRow[];
    let last: number | undefined;
    const rooms = new Set<string>();
    for (const row of rows) {
      // Ids grow with time; a clock that went back only delays what comes after it.
      if (row.time >= before) break;
      last = row.id;
      rooms.add(row.room);
    }
    if (last === undefined) return 0;
    this.#db.write();
    for (const room of rooms) this.#sql.setFloor.run(room, this.lastSeq(room));
    this.#sql.unindexUpTo.run(last);
    return Number(this.#sql.deleteUpTo.run(last).changes);
  }

  drop(room: string): void {
    this.#db.write();
    this.#sql.unindexRoom.run(room);
    this.#sql.dropMessages.run(room);
    this.#sql.dropSeq.run(room);
    this.#sql.dropSent.run(room);
    this.#seqs.delete(room);
    this.#sentCounts.delete(room);
  }

  #sentCount(room: string): number {
    let count = this.#sentCounts.get(room);
    if (count === undefined) {
      count = (this.#sql.countSent.get(room) as { n: number }).n;
      this.#sentCounts.set(room, count);
    }
    return count;
  }
}

function statements(db: SqliteDatabase) {
  return {
    newestSeq: db.prepare("SELECT max(seq) AS seq FROM messages WHERE room = ?"),
    floorSeq: db.prepare("SELECT seq FROM room_seqs WHERE room = ?"),
    append: db.prepare(
      "INSERT INTO messages (room, seq, time, frame, size) VALUES (?, ?, ?, ?, ?)",
    ),
    newest: db.prepare(
      "SELECT frame, size, seq FROM messages WHERE room = ? ORDER BY seq DESC LIMIT ?",
    ),
    newestAfter: db.prepare(
      "SELECT frame, size, seq FROM messages WHERE room = ? AND seq > ? ORDER BY seq DESC LIMIT ?",
    ),
    page: db.prepare(
      "SELECT frame, size, seq FROM messages WHERE room = ? AND seq < ? ORDER BY seq DESC LIMIT ?",
    ),
    sentSeq: db.prepare("SELECT seq FROM sent WHERE room = ? AND key = ?"),
    countSent: db.prepare("SELECT count(*) AS n FROM sent WHERE room = ?"),
    markSent: db.prepare("INSERT OR IGNORE INTO sent (room, key, seq) VALUES (?, ?, ?)"),
    remarkSent: db.prepare("UPDATE sent SET seq = ? WHERE room = ? AND key = ?"),
    forgetOldestSent: db.prepare(
      "DELETE FROM sent WHERE room = ? AND rowid IN " +
        "(SELECT rowid FROM sent WHERE room = ? ORDER BY rowid LIMIT ?)",
    ),
    oldest: db.prepare("SELECT id, room, time FROM messages ORDER BY id LIMIT ?"),
    setFloor: db.prepare(
      "INSERT INTO room_seqs (room, seq) VALUES (?, ?) " +
        "ON CONFLICT (room) DO UPDATE SET seq = excluded.seq",
    ),
    deleteUpTo: db.prepare("DELETE FROM messages WHERE id <= ?"),
    indexed: db.prepare("SELECT indexed FROM fts_state"),
    unindexed: db.prepare(
      "SELECT id, json_extract(frame, '$.text') AS text FROM messages WHERE id > ? " +
        "ORDER BY id LIMIT ?",
    ),
    addText: db.prepare("INSERT INTO messages_fts (rowid, text) VALUES (?, ?)"),
    setIndexed: db.prepare("UPDATE fts_state SET indexed = ?"),
    // Only what was indexed is in the index (deleting more would leave tombstones for nothing).
    unindexUpTo: db.prepare(
      "DELETE FROM messages_fts WHERE rowid <= min(?, (SELECT indexed FROM fts_state))",
    ),
    unindexRoom: db.prepare(
      "DELETE FROM messages_fts WHERE rowid IN (SELECT id FROM messages WHERE room = ? " +
        "AND id <= (SELECT indexed FROM fts_state))",
    ),
    // Newest first: FTS5 walks its rowids backwards and stops at the limit.
    search: db.prepare(
      "SELECT m.frame AS frame, m.size AS size, m.seq AS seq FROM messages_fts f " +
        "JOIN messages m ON m.id = f.rowid WHERE messages_fts MATCH ? AND m.room = ? " +
        "ORDER BY f.rowid DESC LIMIT ?",
    ),
    dropMessages: db.prepare("DELETE FROM messages WHERE room = ?"),
    dropSeq: db.prepare("DELETE FROM room_seqs WHERE room = ?"),
    dropSent: db.prepare("DELETE FROM sent WHERE room = ?"),
  };
}
