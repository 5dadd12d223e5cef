/**
 * Reads a file the operator named (a password, a certificate), turning a failure into a
 * `ChatError` that says which file and why, in one line.
 */
import { ChatError } from "./errors.ts";

/**
 * The text of `file`. Throws `ChatError` (`bad_arguments`): `Cannot read WHAT: no such file`, or
 * the system's reason. `what` names the file for people (`the TLS key /etc/chat/key.pem`).
 */
export async function readTextFile(file: string, what: string): Promise<string> {
  try {
    return await Deno.readTextFile(file);
  } catch (error) {
    const why = error instanceof Deno.errors.NotFound
      ? "no such file"
      : error instanceof Error
      ? error.message
      : String(error);
    throw new ChatError("bad_arguments", `Cannot read ${what}: ${why}`);
  }
}
