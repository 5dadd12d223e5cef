/**
 * The port for accounts: nicks people own, each with a salted password hash (never the
 * password), and whether its owner is one of the server's operators. Keys are nick keys
 * (`nickKey`: case and look-alikes folded). Pure (a type).
 */

/** One account. */
export interface AccountRecord {
  /** The nick's key (`nickKey(name)`). */
  readonly key: string;
  /** The nick as registered. */
  readonly name: string;
  /**
   * The password's salted hash (`password_hash.ts`): `scrypt$N$r$p$SALT$HASH`; for an account
   * that logs in by token, whose it is at the identity provider (`token_account.ts`).
   */
  readonly hash: string;
  /** When it was registered, in ms since the epoch. */
  readonly created: number;
  /** Whether its owner is one of the server's operators. */
  readonly operator: boolean;
}

/** Where accounts are kept. Writes join the store's open transaction (the server commits). */
export interface AccountStore {
  /** The account with this key, if any. */
  find(key: string): AccountRecord | undefined;
  /** Adds an account. Throws `RangeError` when one with its key exists. */
  create(record: AccountRecord): void;
  /** Replaces an account's password hash. Throws `RangeError` for an unknown key. */
  setHash(key: string, hash: string): void;
  /** Makes an account an operator, or not. Throws `RangeError` for an unknown key. */
  setOperator(key: string, operator: boolean): void;
  /** Deletes an account; false when there was none. */
  remove(key: string): boolean;
  /** Every account that is an operator, by name. */
  operators(): string[];
}
