/**
 * The database's schema as a list of migrations: `MIGRATIONS[i]` takes a database from schema
 * version `i` (SQLite's `user_version`) to `i + 1`. A new database runs them all; an old one the
 * ones it lacks, at start, in one transaction. Released migrations are never edited: a change is
 * a new entry at the end.
 */

/** One step of the schema. */
export interface Migration {
  /** What it changes, for the log. */
  readonly summary: string;
  readonly sql: string;
}

export const MIGRATIONS: readonly Migration[] = [
  {
    summary: "rooms, messages, room sequence floors, accepted message ids",
    sql: `
      -- Rooms in creation order (id). The owner is not kept: it is someone connected.
      CREATE TABLE rooms (
        id INTEGER PRIMARY KEY,
        key TEXT NOT NULL UNIQUE,
        name TEXT NOT NULL,
        persistent INTEGER NOT NULL,
        member_limit INTEGER,
        topic TEXT,
        password_hash TEXT,
        listed INTEGER NOT NULL
      );
      -- Every message, as its frame (JSON), by room key and seq; ids grow with time, so the
      -- oldest are found by id (retention) without an index on time.
      CREATE TABLE messages (
        id INTEGER PRIMARY KEY,
        room TEXT NOT NULL,
        seq INTEGER NOT NULL,
        time INTEGER NOT NULL,
        frame TEXT NOT NULL,
        size INTEGER NOT NULL,
        UNIQUE (room, seq)
      );
      -- A room's seq when its newest messages were deleted: seq never goes back.
      CREATE TABLE room_seqs (
        room TEXT PRIMARY KEY,
        seq INTEGER NOT NULL
      ) WITHOUT ROWID;
      -- Client message ids accepted, oldest first by rowid, so a resend is not delivered twice.
      CREATE TABLE sent (
        room TEXT NOT NULL,
        key TEXT NOT NULL,
        seq INTEGER NOT NULL,
        PRIMARY KEY (room, key)
      );
      CREATE INDEX sent_by_room ON sent (room);
    `,
  },
  {
    summary: "rooms keep their creation time",
    sql: `ALTER TABLE rooms ADD COLUMN created INTEGER;`,
  },
  {
    summary: "full-text search of messages",
    sql: `
      -- The words of each message, by message id; the text itself stays in messages.
      CREATE VIRTUAL TABLE messages_fts USING fts5 (text, content = '', contentless_delete = 1);
      -- Messages up to this id are in messages_fts (indexed in the background, and before a
      -- search): writing a message stays one insert.
      CREATE TABLE fts_state (indexed INTEGER NOT NULL);
      INSERT INTO fts_state (indexed) VALUES (0);
    `,
  },
  {
    summary: "accounts: nicks people own, with salted password hashes, and operators",
    sql: `
      -- One row per registered nick, by its key (case and look-alikes folded). hash is a salted
      -- scrypt hash (password_hash.ts), never a password.
      CREATE TABLE accounts (
        key TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        hash TEXT NOT NULL,
        created INTEGER NOT NULL,
        operator INTEGER NOT NULL DEFAULT 0
      ) WITHOUT ROWID;
    `,
  },
  {
    summary: "moderation: server bans, mutes and room bans",
    sql: `
      -- Server bans by nick key (kind 'nick') or by address or CIDR block (kind 'address');
      -- until is when it ends (ms since the epoch), NULL for never. by_nick: who banned.
      CREATE TABLE bans (
        kind TEXT NOT NULL,
        target TEXT NOT NULL,
        label TEXT NOT NULL,
        reason TEXT NOT NULL,
        by_nick TEXT NOT NULL,
        since INTEGER NOT NULL,
        until INTEGER,
        PRIMARY KEY (kind, target)
      );
      -- Muted nicks (by key): they read, they do not talk.
      CREATE TABLE mutes (
        key TEXT PRIMARY KEY,
        nick TEXT NOT NULL,
        by_nick TEXT NOT NULL,
        since INTEGER NOT NULL,
        until INTEGER
      );
      -- Nicks (by key) a room's owner keeps out of the room (by key).
      CREATE TABLE room_bans (
        room TEXT NOT NULL,
        key TEXT NOT NULL,
        nick TEXT NOT NULL,
        by_nick TEXT NOT NULL,
        since INTEGER NOT NULL,
        PRIMARY KEY (room, key)
      );
    `,
  },
  {
    summary: "rooms keep their on/off settings (invite-only, moderated, open topic, " +
      "outsiders), and who set the topic when",
    sql: `
      -- Bit i set: ROOM_FLAGS[i] (room_directory.ts) is on.
      ALTER TABLE rooms ADD COLUMN flags INTEGER NOT NULL DEFAULT 0;
      ALTER TABLE rooms ADD COLUMN topic_by TEXT;
      ALTER TABLE rooms ADD COLUMN topic_time INTEGER;
    `,
  },
];

/** The schema version this program writes. */
export const SCHEMA_VERSION = MIGRATIONS.length;
