/** An {@linkcode AccountStore} in memory (a server run with `--memory`, and tests). Pure. */
import type { AccountRecord, AccountStore } from "./account_store.ts";

/** Accounts in a map, gone when the process ends. */
export class MemoryAccountStore implements AccountStore {
  readonly #accounts = new Map<string, AccountRecord>();

  find(key: string): AccountRecord | undefined {
    return this.#accounts.get(key);
  }

  create(record: AccountRecord): void {
    if (this.#accounts.has(record.key)) {
      throw new RangeError(`Cannot create account "${record.key}": it exists`);
    }
    this.#accounts.set(record.key, { ...record });
  }

  setHash(key: string, hash: string): void {
    this.#accounts.set(key, { ...this.#require(key), hash });
  }

  setOperator(key: string, operator: boolean): void {
    this.#accounts.set(key, { ...this.#require(key), operator });
  }

  remove(key: string): boolean {
    return this.#accounts.delete(key);
  }

  operators(): string[] {
    return [...this.#accounts.values()].filter((each) => each.operator).map((each) => each.name);
  }

  #require(key: string): AccountRecord {
    const record = this.#accounts.get(key);
    if (record === undefined) throw new RangeError(`No account "${key}"`);
    return record;
  }
}
