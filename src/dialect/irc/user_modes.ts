/**
 * The user modes a user sets on themselves with `MODE nick +B-w`: bot mode (`B`) and wallops
 * (`w`, the operators' WALLOPS reach you). Everyone is always invisible (`i`); an operator's `o`
 * comes from logging in (`OPER`), not from MODE; other letters are ignored. Pure.
 */

/** A user mode change asked for: bot mode or wallops, on or off. */
export type UserModeChange =
  | { readonly kind: "bot"; readonly bot: boolean }
  | { readonly kind: "wallops"; readonly wallops: boolean };

/**
 * The changes in a MODE string, and the string to echo for them (`+Bw`, `-w`, `+B-w`; empty
 * when nothing applies).
 *
 * @example
 * ```ts
 * import { parseUserModes } from "./user_modes.ts";
 * const { changes, applied } = parseUserModes("+wx-B");
 * console.assert(changes.length === 2 && applied === "+w-B");
 * ```
 */
export function parseUserModes(modes: string): { changes: UserModeChange[]; applied: string } {
  const changes: UserModeChange[] = [];
  let applied = "";
  let sign = "";
  let shown = "";
  for (const char of modes) {
    if (char === "+" || char === "-") {
      sign = char;
      continue;
    }
    if (sign === "" || (char !== "B" && char !== "w")) continue;
    const set = sign === "+";
    changes.push(char === "B" ? { kind: "bot", bot: set } : { kind: "wallops", wallops: set });
    if (shown !== sign) applied += shown = sign;
    applied += char;
  }
  return { changes, applied };
}

/** The `221` answer to `MODE nick`: `+i`, with `B`, `o` and `w` when they apply. */
export function userModeString(
  info: { bot?: boolean; operator?: boolean; wallops?: boolean },
): string {
  return "+" + (info.bot ? "B" : "") + "i" + (info.operator ? "o" : "") +
    (info.wallops ? "w" : "");
}
