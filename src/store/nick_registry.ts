/**
 * The port for nicks: who holds which, unique under the folding of `nickKey` (case, width and
 * look-alike letters), so `Ana`, `ANA` and Cyrillic `\u0430na` are one nick. Implementations: memory
 * now, SQLite and Redis later; all synchronous, like the hub that calls them. Pure (a type).
 */
import type { MemberId } from "./member_id.ts";

/** Whoever holds a nick: a member. */
export type NickHolder = MemberId;

/**
 * Nicks and their holders. Nicks are passed as the member typed them (validated already); the
 * registry compares them folded, and a holder may hold one nick or several.
 */
export interface NickRegistry {
  /** Who holds the nick (or any nick that folds to the same key), if anyone. */
  holder(nick: string): NickHolder | undefined;
  /**
   * Gives the nick to `holder` unless someone else holds it; true when `holder` holds it now
   * (also when it held it already), false and nothing changed otherwise.
   */
  claim(nick: string, holder: NickHolder): boolean;
  /** Frees the nick if `holder` holds it; true when it did, false and nothing changed otherwise. */
  release(nick: string, holder: NickHolder): boolean;
  /**
   * Moves `holder` from `old` to `next` in one step (they may fold alike: `ana` to `Ana`); false
   * and nothing changed when someone else holds `next`.
   */
  rename(old: string, next: string, holder: NickHolder): boolean;
}
