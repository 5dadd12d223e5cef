/**
 * The SQLite {@linkcode Store}: one database file, `chat.db`, in the server's data folder.
 */
import { mkdirSync } from "node:fs";
import { resolve } from "node:path";
import { StoreError } from "../errors.ts";
import { SqliteAccountStore } from "./sqlite_account_store.ts";
import { SqliteDatabase } from "./sqlite_database.ts";
import { SqliteModerationStore } from "./sqlite_moderation_store.ts";
import { SqliteRoomDirectory } from "./sqlite_room_directory.ts";
import { SqliteRoomLog } from "./sqlite_room_log.ts";
import type { Store, StoreStats } from "./store.ts";

/** The database's file name in the data folder. */
export const DATABASE_FILE = "chat.db";

/** Options for {@linkcode openSqliteStore}. */
export interface SqliteStoreOptions {
  /** Messages each room gives for history and replay. */
  historySize: number;
  /** Writes a transaction holds before it commits by itself. @default 1000 */
  maxBatch?: number;
}

/** A store in a SQLite database. */
export class SqliteStore implements Store {
  readonly database: SqliteDatabase;
  readonly roomLog: SqliteRoomLog;
  readonly roomDirectory: SqliteRoomDirectory;
  readonly accounts: SqliteAccountStore;
  readonly moderation: SqliteModerationStore;
  readonly #countMessages;

  constructor(database: SqliteDatabase, options: SqliteStoreOptions) {
    this.database = database;
    this.roomLog = new SqliteRoomLog(database, { historySize: options.historySize });
    this.roomDirectory = new SqliteRoomDirectory(database);
    this.accounts = new SqliteAccountStore(database);
    this.moderation = new SqliteModerationStore(database);
    this.#countMessages = database.prepare("SELECT count(*) AS n FROM messages");
  }

  get location(): string {
    return this.database.path;
  }

  commit(): void {
    this.database.commit();
  }

  stats(): StoreStats {
    const row = this.#countMessages.get() as { n: number };
    return { bytes: this.database.bytes, messages: row.n };
  }

  prune(before: number, limit: number): number {
    return this.roomLog.prune(before, limit);
  }

  index(limit: number): number {
    return this.roomLog.indexText(limit);
  }

  backup(file: string): Promise<void> {
    return this.database.backup(file);
  }

  discard(): void {
    this.database.rollback();
  }

  close(): void {
    this.database.close();
  }
}

/**
 * Opens the store in `folder` (created if missing). Throws `StoreError` when the folder or the
 * database cannot be used.
 */
export function openSqliteStore(folder: string, options: SqliteStoreOptions): SqliteStore {
  try {
    mkdirSync(folder, { recursive: true });
  } catch (error) {
    const why = error instanceof Error ? error.message : String(error);
    throw new StoreError(`Cannot use the data folder ${folder}: ${why}`, { cause: error });
  }
  // An absolute path: it is printed at start, for people to find.
  const database = SqliteDatabase.open(resolve(folder, DATABASE_FILE), {
    maxBatch: options.maxBatch,
  });
  return new SqliteStore(database, options);
}
