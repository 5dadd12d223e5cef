/**
 * IRC casemapping: how IRC clients decide that two nicks or channel names are the same one.
 * The server advertises it in ISUPPORT as `CASEMAPPING=ascii`. Pure.
 *
 * Why `ascii` (and not `rfc1459`): `rfc1459` also makes `[]\~` the lower case of `{}|^`, but our
 * nick and room-name rule (src/limits.ts `NICK_REGEXP`, src/nick.ts) allows only letters and
 * digits of one alphabet plus `_ - .`, so none of those characters can ever be in a name and
 * the two mappings never differ on one. `ascii` is the simpler truth, and what ergo advertises.
 *
 * Why that is the truth although the server folds more: the server keeps names unique by
 * `nickKey` (src/nick.ts), which folds Unicode case, full-width forms and look-alike letters
 * (`b0b` is taken while `bob` is on). Two names that are equal under `ascii` differ only in the
 * case of ASCII letters, so they always have the same `nickKey` too: whatever a client takes for
 * one person is one person on the server. The server only refuses more (a second user cannot
 * take `\u0430na` while `ana` is on), and clients learn that from `433 ERR_NICKNAMEINUSE`. Ergo
 * does the same: with `casemapping: precis` (Unicode nicks, PRECIS folding, confusables) or
 * `permissive` it still advertises `CASEMAPPING=ascii`; it advertises `rfc1459` or
 * `rfc1459-strict` only when configured to fold that way (and `rfc7700` in old oragono days).
 *
 * Targets (`PRIVMSG Ana`) should therefore be looked up by `nickKey`, like everything else on the
 * server; `ircLower` is for the dialect's own bookkeeping of what a client sees (for example
 * matching the nick a client named in a command against the one it was told).
 */

/** What the server sends as `CASEMAPPING` in `005 RPL_ISUPPORT`. */
export const CASEMAPPING = "ascii";

/**
 * Lowercases a nick or channel name under the `ascii` casemapping: `A`-`Z` become `a`-`z`,
 * every other character stays as it is.
 *
 * @example
 * ```ts
 * import { ircLower } from "./casemap.ts";
 *
 * ircLower("Ana[m]"); // "ana[m]"
 * ircLower("\u00c9LODIE"); // "\u00c9lodie": only ASCII letters change
 * ```
 */
export function ircLower(name: string): string {
  return name.replace(/[A-Z]+/g, (letters) => letters.toLowerCase());
}
