/**
 * The order of member lists (`room` and `users` frames): nicks sorted ignoring case and accents,
 * kept sorted as people come and go instead of sorted again for every newcomer. Pure.
 */

/** Nick order for member lists; one collator for all (localeCompare builds one per call). */
export const compareNicks = new Intl.Collator("en", { sensitivity: "base" }).compare;

/**
 * Puts `nick` into a sorted list, after any nick that compares equal: O(log n) comparisons.
 *
 * @example
 * ```ts
 * const list = ["ana", "cy"];
 * insertNick(list, "Bob"); // list is ["ana", "Bob", "cy"]
 * ```
 */
export function insertNick(list: string[], nick: string): void {
  let low = 0;
  let high = list.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (compareNicks(list[middle] ?? "", nick) <= 0) low = middle + 1;
    else high = middle;
  }
  list.splice(low, 0, nick);
}

/** Takes `nick` (exactly as spelled) out of a list; whether it was there. */
export function removeNick(list: string[], nick: string): boolean {
  const at = list.indexOf(nick);
  if (at === -1) return false;
  list.splice(at, 1);
  return true;
}
