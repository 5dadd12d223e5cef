/**
 * The server's side of accounts: hashing and checking passwords (slow, on node:crypto's worker
 * threads, never in the hub), with failed logins slowed down per account and per address. A
 * failed login says the same thing, after the same work, whether the account exists or not.
 * The session calls these, then records a login with a synchronous hub call. On a server with
 * single sign-on, a token checked by its {@linkcode TokenVerifier} is a login too.
 */
import { ChatError } from "../errors.ts";
import { LOGIN_LIMIT } from "../limits.ts";
import { LoginThrottle } from "../login_throttle.ts";
import { nickKey } from "../nick.ts";
import type { BucketOptions } from "../rate_limit.ts";
import type { AccountRecord, AccountStore } from "../store/account_store.ts";
import { ACCOUNT_COST, hashPasswordAsync, passwordMatchesAsync } from "../store/password_hash.ts";
import { hostOf } from "../address_match.ts";
import { unreachable } from "../protocol.ts";
import { isTokenAccount, tokenBinding } from "../store/token_account.ts";
import { ProviderUnavailable, type TokenVerifier } from "./token_login.ts";

/** Options for {@linkcode Accounts}. */
export interface AccountsOptions {
  readonly store: AccountStore;
  readonly clock: () => number;
  /** scrypt's N for new hashes. @default ACCOUNT_COST */
  readonly cost?: number;
  /** Failed logins allowed per account and per address. @default LOGIN_LIMIT */
  readonly limit?: BucketOptions;
  /**
   * Makes a change to the store (a cluster node sends it through the cluster's log, so every
   * node's store changes alike). Rejects with `ChatError` when it cannot be made.
   * @default the store changed at once
   */
  readonly write?: (change: AccountChange) => Promise<void>;
  /** Checks tokens for single sign-on (`chat serve --oidc-issuer`). @default no token logins */
  readonly tokens?: TokenVerifier;
}

/** A change to the accounts kept. */
export type AccountChange =
  | { readonly kind: "account_create"; readonly record: AccountRecord }
  | { readonly kind: "account_hash"; readonly key: string; readonly hash: string }
  | { readonly kind: "account_remove"; readonly key: string };

/** Accounts: register, check, change, delete. */
export class Accounts {
  readonly store: AccountStore;
  readonly #clock: () => number;
  readonly #cost: number;
  readonly #throttle: LoginThrottle;
  readonly #tokens: TokenVerifier | undefined;
  /** A hash of nothing, checked against when there is no account: the same work either way. */
  #decoy: Promise<string> | undefined;
  readonly #write: ((change: AccountChange) => Promise<void>) | undefined;

  constructor(options: AccountsOptions) {
    this.store = options.store;
    this.#clock = options.clock;
    this.#cost = options.cost ?? ACCOUNT_COST;
    this.#throttle = new LoginThrottle(options.limit ?? LOGIN_LIMIT);
    this.#write = options.write;
    this.#tokens = options.tokens;
  }

  /** Makes a change: through `write`, or to the store at once. */
  async #change(change: AccountChange): Promise<void> {
    if (this.#write !== undefined) return await this.#write(change);
    switch (change.kind) {
      case "account_create":
        this.store.create(change.record);
        return;
      case "account_hash":
        if (this.store.find(change.key) !== undefined) this.store.setHash(change.key, change.hash);
        return;
      case "account_remove":
        this.store.remove(change.key);
        return;
      default:
        unreachable(change);
    }
  }

  /** Whether this server takes tokens as logins (single sign-on). */
  get takesTokens(): boolean {
    return this.#tokens !== undefined;
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
    await this.#change({ kind: "account_create", record });
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
    if (record !== undefined && isTokenAccount(record)) throw tokenOnly(record.name);
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

  /**
   * Checks a login by token (single sign-on) and returns the account the token names, made on
   * first use: an account with no password, bound to the token's issuer and subject. Throws
   * `bad_arguments` on a server without single sign-on, `rate_limited` (too many failures from
   * this address), `login_failed` (the token is refused, saying why; counted as a failed
   * login unless the identity provider could not be asked) or `nick_taken` (the name is a
   * password account here, or the token account of another subject).
   *
   * IRC's `SASL OAUTHBEARER` calls this with the bearer token (see `sasl_oauthbearer.ts`).
   */
  async loginWithToken(token: string, remote: string): Promise<AccountRecord> {
    const tokens = this.#tokens;
    if (tokens === undefined) {
      throw new ChatError(
        "bad_arguments",
        "This server takes no tokens: log in with a nick and password",
      );
    }
    const keys = [`address:${hostOf(remote)}`];
    const wait = this.#throttle.waitMs(keys, this.#clock());
    if (wait > 0) {
      throw new ChatError(
        "rate_limited",
        `Too many failed logins: try again in ${Math.ceil(wait / 1000)} s`,
      );
    }
    let identity;
    try {
      identity = await tokens.verify(token);
    } catch (error) {
      if (error instanceof ChatError && !(error instanceof ProviderUnavailable)) {
        this.#throttle.failed(keys, this.#clock());
      }
      throw error;
    }
    const key = nickKey(identity.name);
    const binding = tokenBinding(identity.issuer, identity.subject);
    const record = this.store.find(key);
    if (record === undefined) {
      const made = {
        key,
        name: identity.name,
        hash: binding,
        created: this.#clock(),
        operator: false,
      };
      await this.#change({ kind: "account_create", record: made });
      return made;
    }
    if (record.hash === binding) return record;
    throw isTokenAccount(record)
      ? new ChatError(
        "nick_taken",
        `Account ${record.name} belongs to someone else at the identity provider`,
      )
      : new ChatError(
        "nick_taken",
        `Nick ${record.name} is a password account here: log in with its password`,
        `/login ${record.name} PASSWORD`,
      );
  }

  /** Changes an account's password, after checking the old one (as a login). */
  async change(nick: string, old: string, password: string, remote: string): Promise<void> {
    this.#passwordAccount(nick);
    const record = await this.verify(nick, old, remote);
    const hash = await hashPasswordAsync(password, this.#cost);
    await this.#change({ kind: "account_hash", key: record.key, hash });
  }

  /** Deletes an account, after checking its password (as a login). */
  async remove(nick: string, password: string, remote: string): Promise<void> {
    this.#passwordAccount(nick);
    const record = await this.verify(nick, password, remote);
    await this.#change({ kind: "account_remove", key: record.key });
  }

  /** Throws for an account that logs in by token: it has no password to check or change. */
  #passwordAccount(nick: string): void {
    const record = this.store.find(nickKey(nick));
    if (record !== undefined && isTokenAccount(record)) throw tokenOnly(record.name);
  }
}

/** The refusal of a password for an account that logs in by token. */
function tokenOnly(name: string): ChatError {
  return new ChatError(
    "not_allowed",
    `Account ${name} logs in by single sign-on: it has no password`,
    "/login --token TOKEN",
  );
}
