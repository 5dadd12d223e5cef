/**
 * The server's side of accounts: hashing and checking passwords (slow, on node:crypto's worker
 * threads, never in the hub), with failed logins slowed down per account and per address. A
 * failed login says the same thing, after the same work, whether the account exists or not.
 * The session calls these, then records a login with a synchronous hub call.
 */
import { ChatError } from "../errors.ts";
import { LOGIN_LIMIT } from "../limits.ts";
import { LoginThrottle } from "../login_throttle.ts";
import { nickKey } from "../nick.ts";
import type { BucketOptions } from "../rate_limit.ts";
import type { AccountRecord, AccountStore } from "../store/account_store.ts";
import { ACCOUNT_COST, hashPasswordAsync, passwordMatchesAsync } from "../store/password_hash.ts";
import { hostOf } from "../address_match.ts";

/** Options for {@linkcode Accounts}. */
export interface AccountsOptions {
  readonly store: AccountStore;
  readonly clock: () => number;
  /** scrypt's N for new hashes. @default ACCOUNT_COST */
  readonly cost?: number;
  /** Failed logins allowed per account and per address. @default LOGIN_LIMIT */
  readonly limit?: BucketOptions;
}

/** Accounts: register, check, change, delete. */
export class Accounts {
  readonly store: AccountStore;
  readonly #clock: () => number;
  readonly #cost: number;
  readonly #throttle: LoginThrottle;
  /** A hash of nothing, checked against when there is no account: the same work either way. */
  #decoy: Promise<string> | undefined;

  constructor(options: AccountsOptions) {
    this.store = options.store;
    this.#clock = options.clock;
    this.#cost = options.cost ?? ACCOUNT_COST;
    this.#throttle = new LoginThrottle(options.limit ?? LOGIN_LIMIT);
  }

  /** Whether a nick is an account. */
  isRegistered(nick: string): boolean {
    return this.store.find(nickKey(nick)) !== undefined;
  }

  /** Makes `nick` an account with `password`. Throws `nick_registered` if it is one already. */
  async register(nick: string, password: string, operator = false): Promise<AccountRecord> {
    const hash = await hashPasswordAsync(password, this.#cost);
    const key = nickKey(nick);
    if (this.store.find(key) !== undefined) {
      throw new ChatError("nick_registered", `Nick ${nick} is registered already`);
    }
    const record = { key, name: nick, hash, created: this.#clock(), operator };
    this.store.create(record);
    return record;
  }

  /**
   * Checks a login; returns the account. Throws `rate_limited` (too many failures for this
   * account or from this address: nothing is checked) or `login_failed` (the same for a wrong
   * password and for no such account).
   */
  async verify(nick: string, password: string, remote: string): Promise<AccountRecord> {
    const key = nickKey(nick);
    const keys = [`account:${key}`, `address:${hostOf(remote)}`];
    const wait = this.#throttle.waitMs(keys, this.#clock());
    if (wait > 0) {
      throw new ChatError(
        "rate_limited",
        `Too many failed logins: try again in ${Math.ceil(wait / 1000)} s`,
      );
    }
    const record = this.store.find(key);
    const stored = record?.hash ?? await (this.#decoy ??= hashPasswordAsync("", this.#cost));
    const matches = await passwordMatchesAsync(stored, password);
    // Read again: it may have gone while the hash was computed.
    const now = this.store.find(key);
    if (!matches || record === undefined || now === undefined || now.hash !== record.hash) {
      this.#throttle.failed(keys, this.#clock());
      throw new ChatError("login_failed", "Wrong nick or password");
    }
    return now;
  }

  /** Changes an account's password, after checking the old one (as a login). */
  async change(nick: string, old: string, password: string, remote: string): Promise<void> {
    const record = await this.verify(nick, old, remote);
    const hash = await hashPasswordAsync(password, this.#cost);
    if (this.store.find(record.key) !== undefined) this.store.setHash(record.key, hash);
  }

  /** Deletes an account, after checking its password (as a login). */
  async remove(nick: string, password: string, remote: string): Promise<void> {
    const record = await this.verify(nick, password, remote);
    this.store.remove(record.key);
  }
}
