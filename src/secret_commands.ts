/**
 * Slash commands whose arguments hold a password (or a single sign-on token, `/login --token`):
 * their lines are never logged, echoed or kept in input history (by the server, `chat join`'s
 * line editor, or anyone else). Pure.
 *
 * @example
 * ```ts
 * import { isSecretCommand } from "./secret_commands.ts";
 * isSecretCommand("/login ana hunter22"); // true
 * isSecretCommand("/join games"); // false
 * ```
 */

/** The commands, without their slash. */
export const SECRET_COMMANDS: readonly string[] = [
  "register",
  "login",
  "identify",
  "passwd",
  "unregister",
  "oper",
];

/** Whether a typed line is one of {@linkcode SECRET_COMMANDS}. */
export function isSecretCommand(line: string): boolean {
  const match = /^\s*\/(\S+)/.exec(line);
  return match !== null && SECRET_COMMANDS.includes((match[1] ?? "").toLowerCase());
}
