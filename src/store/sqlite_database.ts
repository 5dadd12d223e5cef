/**
 * The server's database file (`node:sqlite`): opened once at start, held alone, its schema
 * brought up to date, and its writes grouped into transactions that the server commits before
 * anything it acknowledges goes out.
 *
 * Settings, and what they promise:
 * - `journal_mode=WAL`: a commit appends to the write-ahead log; readers never block.
 * - `synchronous=NORMAL`: a commit is handed to the operating system but not flushed to the disk
 *   (fsync happens at checkpoints). A crash of the process (`kill -9`, a bug) loses nothing
 *   committed: the operating system still writes it. A power cut or a crash of the whole machine
 *   may lose the transactions committed since the last checkpoint (the last moments), never the
 *   database's consistency. `FULL` would fsync at every commit, several times a second under load,
 *   on the thread that serves everyone.
 * - `locking_mode=EXCLUSIVE`, taken at open: a second server on the same file is refused; the
 *   operating system releases the lock when the process ends, however it ends.
 */
import { backup, DatabaseSync, type StatementSync } from "node:sqlite";
import { existsSync, statSync } from "node:fs";
import { StoreError } from "../errors.ts";
import { MIGRATIONS, SCHEMA_VERSION } from "./sqlite_schema.ts";

/** Options for {@linkcode SqliteDatabase.open}. */
export interface SqliteDatabaseOptions {
  /** Writes a transaction holds before it commits by itself. @default 1000 */
  maxBatch?: number;
  /**
   * Bring an older schema up to date (and refuse a newer one). Off, the schema is left as it is
   * (for a backup, which copies pages whatever they hold). @default true
   */
  migrate?: boolean;
}

/** SQLite's primary result codes that mean something to the user. */
const SQLITE_BUSY = 5;
const SQLITE_LOCKED = 6;
const SQLITE_CORRUPT = 11;
const SQLITE_CANTOPEN = 14;
const SQLITE_NOTADB = 26;

/** How the schema changed at open. */
export interface Migrated {
  readonly from: number;
  readonly to: number;
}

/** An open database file, held by this process alone. */
export class SqliteDatabase {
  readonly path: string;
  /** The schema versions before and after opening (equal when nothing was migrated). */
  readonly migrated: Migrated;
  readonly #db: DatabaseSync;
  readonly #maxBatch: number;
  #inTransaction = false;
  #writes = 0;
  #closed = false;

  private constructor(path: string, db: DatabaseSync, migrated: Migrated, maxBatch: number) {
    this.path = path;
    this.#db = db;
    this.migrated = migrated;
    this.#maxBatch = maxBatch;
  }

  /**
   * Opens (or creates) the database at `path`: takes the lock, checks the file, migrates an older
   * schema. Throws `StoreError` with a sentence for the user when it cannot be used.
   */
  static open(path: string, options: SqliteDatabaseOptions = {}): SqliteDatabase {
    const fail = (why: string, cause?: unknown) =>
      new StoreError(`Cannot use the database ${path}: ${why}`, { cause });
    if (existsSync(path) && statSync(path).size === 0 && !hasContent(`${path}-wal`)) {
      throw fail("the file is empty (truncated?); move it away to start with a new database");
    }
    let db: DatabaseSync;
    try {
      db = new DatabaseSync(path);
    } catch (error) {
      throw fail(explain(error), error);
    }
    try {
      // Statements, not `exec`: only their errors carry SQLite's code (`errcode`).
      // First, before anything is written: a new database can then give free pages back to the
      // file system (`compact`); for an existing one it changes nothing.
      run(db, "PRAGMA auto_vacuum = INCREMENTAL");
      run(db, "PRAGMA locking_mode = EXCLUSIVE");
      run(db, "PRAGMA journal_mode = WAL");
      run(db, "PRAGMA synchronous = NORMAL");
      // An exclusive lock is taken by the first write and kept until the file is closed.
      run(db, "BEGIN EXCLUSIVE");
      run(db, "COMMIT");
      const check = db.prepare("PRAGMA quick_check(1)").get() as { quick_check?: string };
      if (check.quick_check !== "ok") {
        throw fail(`the file is damaged (${check.quick_check ?? "unreadable"})`);
      }
      const version = (db.prepare("PRAGMA user_version").get() as { user_version: number })
        .user_version;
      const migrated = options.migrate === false
        ? { from: version, to: version }
        : migrate(db, fail);
      return new SqliteDatabase(path, db, migrated, options.maxBatch ?? 1000);
    } catch (error) {
      db.close();
      if (error instanceof StoreError) throw error;
      throw fail(explain(error), error);
    }
  }

  /** A prepared statement on this database. */
  prepare(sql: string): StatementSync {
    return this.#db.prepare(sql);
  }

  /**
   * Call before each write: opens a transaction if none is open, and commits the open one first
   * when it already holds the most writes it may.
   */
  write(): void {
    if (this.#writes >= this.#maxBatch) this.commit();
    if (!this.#inTransaction) {
      this.#db.exec("BEGIN IMMEDIATE");
      this.#inTransaction = true;
    }
    this.#writes++;
  }

  /** Commits the open transaction, if any: what it holds is then safe from a process crash. */
  commit(): void {
    if (!this.#inTransaction) return;
    this.#db.exec("COMMIT");
    this.#inTransaction = false;
    this.#writes = 0;
  }

  /** Drops the writes of the open transaction, if any. */
  rollback(): void {
    if (!this.#inTransaction) return;
    this.#db.exec("ROLLBACK");
    this.#inTransaction = false;
    this.#writes = 0;
  }

  /** Whether writes are waiting for a commit. */
  get pending(): boolean {
    return this.#inTransaction;
  }

  /** The database's size in bytes (pages in use and free). */
  get bytes(): number {
    const row = this.#db.prepare(
      "SELECT page_count * page_size AS bytes FROM pragma_page_count(), pragma_page_size()",
    ).get() as { bytes: number };
    return row.bytes;
  }

  /**
   * Writes a consistent copy of the database to `file` (SQLite's online backup, a few pages at a
   * time between other work; writes meanwhile are copied too). Rejects if `file` exists.
   */
  async backup(file: string): Promise<void> {
    if (existsSync(file)) throw new Error("the file exists");
    this.commit();
    await backup(this.#db, file);
  }

  /**
   * Gives the database's free pages (left by deleted messages) back to the file system; returns
   * its size before and after. (SQLite's VACUUM would need to attach a database, which Deno
   * allows only with every permission: databases are made with incremental auto-vacuum instead.)
   */
  compact(): { before: number; after: number } {
    this.commit();
    const before = this.bytes;
    this.#db.prepare("PRAGMA incremental_vacuum").all();
    return { before, after: this.bytes };
  }

  /** Commits what is pending and closes the file, releasing the lock. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    try {
      this.commit();
    } finally {
      this.#db.close();
    }
  }
}

/** Brings the schema up to date; refuses a newer one and a database that is not ours. */
function migrate(db: DatabaseSync, fail: (why: string) => StoreError): Migrated {
  const from = (db.prepare("PRAGMA user_version").get() as { user_version: number })
    .user_version;
  if (from > SCHEMA_VERSION) {
    throw fail(
      `it was written by a newer chat (schema ${from}; this one knows up to ${SCHEMA_VERSION}): ` +
        "run that version, or a newer one",
    );
  }
  if (from === 0) {
    const tables = db.prepare("SELECT count(*) AS n FROM sqlite_master").get() as { n: number };
    if (tables.n > 0) throw fail("it is not a chat database (it has tables of its own)");
  }
  if (from === SCHEMA_VERSION) return { from, to: from };
  db.exec("BEGIN IMMEDIATE");
  try {
    for (const migration of MIGRATIONS.slice(from)) db.exec(migration.sql);
    db.exec(`PRAGMA user_version = ${SCHEMA_VERSION}`);
    db.exec("COMMIT");
  } catch (error) {
    db.exec("ROLLBACK");
    throw error;
  }
  return { from, to: SCHEMA_VERSION };
}

function run(db: DatabaseSync, sql: string): void {
  db.prepare(sql).run();
}

/** SQLite's messages for the codes below, for errors that come without a code. */
const CODES_BY_MESSAGE: Record<string, number> = {
  "database is locked": SQLITE_BUSY,
  "database disk image is malformed": SQLITE_CORRUPT,
  "file is not a database": SQLITE_NOTADB,
  "unable to open database file": SQLITE_CANTOPEN,
};

/** A SQLite error in the user's words. */
function explain(error: unknown): string {
  const code = (error as { errcode?: unknown }).errcode;
  const message = error instanceof Error ? error.message : String(error);
  const primary = typeof code === "number" ? code & 0xff : CODES_BY_MESSAGE[message];
  switch (primary) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      return "database is in use by another chat server";
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
      return "the file is damaged or not a database (corrupt or truncated?)";
    case SQLITE_CANTOPEN:
      return "cannot open the file (does its folder exist, and may this user write there?)";
    default:
      return message;
  }
}

function hasContent(path: string): boolean {
  try {
    return statSync(path).size > 0;
  } catch {
    return false;
  }
}
