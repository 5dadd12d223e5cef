/**
 * IRC masks (`*` any run of characters, `?` exactly one), matched case-insensitively in time
 * proportional to the mask's length times the text's: a hostile mask such as `*a*a*a*...b`
 * cannot make a match backtrack exponentially, as a RegExp built from it could. Pure.
 */

/**
 * Whether `text` matches the IRC mask `mask`, ignoring case.
 *
 * @example
 * ```ts
 * import { matchMask } from "./mask.ts";
 * console.assert(matchMask("an*", "Ana"));
 * console.assert(matchMask("?na", "ana"));
 * console.assert(!matchMask("an?", "anna"));
 * ```
 */
export function matchMask(mask: string, text: string): boolean {
  const pattern = [...mask.toLowerCase()];
  const chars = [...text.toLowerCase()];
  let p = 0;
  let t = 0;
  // Where the last `*` was, and the text position it was tried against.
  let star = -1;
  let mark = 0;
  while (t < chars.length) {
    if (p < pattern.length && (pattern[p] === "?" || pattern[p] === chars[t])) {
      p++;
      t++;
    } else if (p < pattern.length && pattern[p] === "*") {
      star = p++;
      mark = t;
    } else if (star !== -1) {
      // Let the last `*` take one more character and try again from there.
      p = star + 1;
      t = ++mark;
    } else {
      return false;
    }
  }
  while (p < pattern.length && pattern[p] === "*") p++;
  return p === pattern.length;
}
