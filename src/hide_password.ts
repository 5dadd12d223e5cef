/**
 * A URL with its password hidden, for messages and logs (`redis://app:***@10.0.0.5:6379`). Pure.
 *
 * @example
 * ```ts
 * import { hidePassword } from "./hide_password.ts";
 * hidePassword("redis://app:s3cret@cache:6379"); // "redis://app:***@cache:6379"
 * ```
 */
export function hidePassword(url: string): string {
  return url.replace(/\/\/([^@/:]*):[^@/]*@/, "//$1:***@");
}
