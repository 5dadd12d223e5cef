/**
 * Accounts that log in by token (single sign-on) have no password: where a password account
 * keeps its hash, they keep whom they belong to at the identity provider, `oidc$ISSUER$SUBJECT`
 * (each part URI-encoded). No password ever matches that, and a token for the same name from
 * another subject (a name the provider gave to someone else) is refused. Pure.
 *
 * @example
 * ```ts
 * import { isTokenAccount, tokenBinding } from "./token_account.ts";
 * const hash = tokenBinding("https://id.example.org", "f81d4fae");
 * hash; // "oidc$https%3A%2F%2Fid.example.org$f81d4fae"
 * isTokenAccount({ hash }); // true
 * ```
 */
import type { AccountRecord } from "./account_store.ts";

const PREFIX = "oidc$";

/** What a token account keeps in place of a password hash. */
export function tokenBinding(issuer: string, subject: string): string {
  return PREFIX + encodeURIComponent(issuer) + "$" + encodeURIComponent(subject);
}

/** Whether an account logs in by token (and so has no password). */
export function isTokenAccount(record: Pick<AccountRecord, "hash">): boolean {
  return record.hash.startsWith(PREFIX);
}
