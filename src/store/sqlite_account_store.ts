/**
 * An {@linkcode AccountStore} in a SQLite database's `accounts` table. Reads go to the database
 * (accounts are read at logins and nick changes, not per message); writes join its open
 * transaction (see {@linkcode SqliteDatabase.write}), which the server commits.
 */
import type { AccountRecord, AccountStore } from "./account_store.ts";
import type { SqliteDatabase } from "./sqlite_database.ts";

interface AccountRow {
  key: string;
  name: string;
  hash: string;
  created: number;
  operator: number;
}

/** Accounts kept in the database. */
export class SqliteAccountStore implements AccountStore {
  readonly #db: SqliteDatabase;
  readonly #sql;

  constructor(db: SqliteDatabase) {
    this.#db = db;
    this.#sql = {
      find: db.prepare("SELECT key, name, hash, created, operator FROM accounts WHERE key = ?"),
      insert: db.prepare(
        "INSERT INTO accounts (key, name, hash, created, operator) VALUES (?, ?, ?, ?, ?)",
      ),
      setHash: db.prepare("UPDATE accounts SET hash = ? WHERE key = ?"),
      setOperator: db.prepare("UPDATE accounts SET operator = ? WHERE key = ?"),
      remove: db.prepare("DELETE FROM accounts WHERE key = ?"),
      operators: db.prepare("SELECT name FROM accounts WHERE operator = 1 ORDER BY key"),
    };
  }

  find(key: string): AccountRecord | undefined {
    const row = this.#sql.find.get(key) as AccountRow | undefined;
    return row === undefined ? undefined : {
      key: row.key,
      name: row.name,
      hash: row.hash,
      created: row.created,
      operator: row.operator === 1,
    };
  }

  create(record: AccountRecord): void {
    if (this.find(record.key) !== undefined) {
      throw new RangeError(`Cannot create account "${record.key}": it exists`);
    }
    this.#db.write();
    this.#sql.insert.run(
      record.key,
      record.name,
      record.hash,
      record.created,
      record.operator ? 1 : 0,
    );
  }

  setHash(key: string, hash: string): void {
    this.#db.write();
    if (Number(this.#sql.setHash.run(hash, key).changes) === 0) {
      throw new RangeError(`No account "${key}"`);
    }
  }

  setOperator(key: string, operator: boolean): void {
    this.#db.write();
    if (Number(this.#sql.setOperator.run(operator ? 1 : 0, key).changes) === 0) {
      throw new RangeError(`No account "${key}"`);
    }
  }

  remove(key: string): boolean {
    this.#db.write();
    return Number(this.#sql.remove.run(key).changes) > 0;
  }

  operators(): string[] {
    return (this.#sql.operators.all() as unknown as { name: string }[]).map((row) => row.name);
  }
}
