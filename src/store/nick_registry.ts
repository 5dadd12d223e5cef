/**
 * The port for nicks: who holds which, with our uniqueness rule (nicks that differ only in case,
 * width, normalisation or look-alike letters are one nick, as `nickKey` folds them). Nicks come
 * in checked (`validateNick`); the registry only keeps them unique. Synchronous. Pure (a type).
 */
import type { MemberId } from "./member_id.ts";

/** Nicks and the members holding them. */
export interface NickRegistry {
  /** The member holding a nick (in any spelling that folds alike), if anyone. */
  holderOf(nick: string): MemberId | undefined;
  /**
   * Takes a nick for a member: true when it is now theirs (it was free, or theirs already),
   * false (and nothing changed) when someone else holds it.
   */
  claim(nick: string, member: MemberId): boolean;
  /**
   * Moves a member from nick `from` to nick `to` in one step (`to` may be `from` in another
   * spelling): false, and nothing changed, when someone else holds `to`.
   */
  rename(from: string, to: string, member: MemberId): boolean;
  /** Gives a nick up; nothing happens unless `member` holds it. */
  release(nick: string, member: MemberId): void;
}
