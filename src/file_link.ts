/**
 * The HTTP paths of shared files on the chat port: `/files/ID/TOKEN/NAME` downloads a file (TOKEN
 * is a recipient's download token or the file's link token; NAME, the safe name, is only there so
 * that browsers, `curl -O` and `wget` save it under its name), and `/files/ID/TOKEN` with `POST`
 * uploads one (TOKEN is the upload token). Tokens are long random strings
 * ({@linkcode TOKEN_REGEXP}): nothing under `/files/` can be found by guessing. Pure.
 *
 * @example
 * ```ts
 * import { fileLinkPath, parseFilePath } from "./file_link.ts";
 *
 * const token = "A".repeat(43);
 * fileLinkPath("7", token, "../../etc/passwd"); // "/files/7/AAAA(43 in all)/passwd"
 * parseFilePath(`/files/7/${token}/passwd`); // { id: "7", token }
 * parseFilePath("/files/7/short/passwd"); // undefined
 * ```
 */
import { safeFileName } from "./file_name.ts";

/** Where file paths start. */
export const FILE_PATH_PREFIX = "/files/";

/** Random bytes in a token: 256 bits. */
export const TOKEN_BYTES = 32;

/** A token as it appears in a path: {@linkcode TOKEN_BYTES} bytes in unpadded base64url. */
export const TOKEN_REGEXP = /^[A-Za-z0-9_-]{43}$/;

/** A transfer id: what the server numbers transfers with. */
const ID_REGEXP = /^[1-9][0-9]{0,15}$/;

/** What a file path names. */
export interface FilePath {
  readonly id: string;
  readonly token: string;
}

/**
 * The path that downloads transfer `id` with `token`, ending in the safe form of `name`
 * (percent-encoded).
 */
export function fileLinkPath(id: string, token: string, name: string): string {
  return `${FILE_PATH_PREFIX}${id}/${token}/${encodeURIComponent(safeFileName(name))}`;
}

/** The path a browser uploads transfer `id` to with its upload token. */
export function fileUploadPath(id: string, token: string): string {
  return `${FILE_PATH_PREFIX}${id}/${token}`;
}

/**
 * The id and token a request target names (`/files/ID/TOKEN` or `/files/ID/TOKEN/NAME`, any
 * query ignored), or undefined when it is not one: a malformed id or token, a missing part, or
 * more parts. The name part is not checked: only the token grants access.
 */
export function parseFilePath(target: string): FilePath | undefined {
  const path = target.split("?")[0] ?? "";
  if (!path.startsWith(FILE_PATH_PREFIX)) return undefined;
  const parts = path.slice(FILE_PATH_PREFIX.length).split("/");
  if (parts.length < 2 || parts.length > 3) return undefined;
  const [id = "", token = ""] = parts;
  if (!ID_REGEXP.test(id) || !TOKEN_REGEXP.test(token)) return undefined;
  return { id, token };
}

/**
 * Encodes random bytes (from `crypto.getRandomValues`) as a token: unpadded base64url.
 * Throws a `RangeError` unless there are {@linkcode TOKEN_BYTES} of them.
 */
export function encodeToken(bytes: Uint8Array): string {
  if (bytes.length !== TOKEN_BYTES) {
    throw new RangeError(`A token takes ${TOKEN_BYTES} random bytes, not ${bytes.length}`);
  }
  let binary = "";
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}
