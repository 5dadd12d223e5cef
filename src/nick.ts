/** The nick rule, shared by server (which enforces it) and client (which explains it). Pure. */
import { ChatError } from "./errors.ts";
import { MAX_NICK_CHARS, NICK_REGEXP } from "./limits.ts";

/** The rule in words, for error messages, `/help` and docs. */
export const NICK_RULE = `1 to ${MAX_NICK_CHARS} letters or digits, plus _ - . ` +
  "(not first: - or .)";

/**
 * Checks a nick against the rule and returns it (NFC-normalised); throws `ChatError("nick_invalid")`
 * with the reason otherwise.
 */
export function validateNick(raw: string): string {
  const nick = raw.normalize("NFC");
  const chars = [...nick].length;
  if (chars === 0) throw new ChatError("nick_invalid", `Nick is empty: use ${NICK_RULE}`);
  if (chars > MAX_NICK_CHARS) {
    throw new ChatError(
      "nick_invalid",
      `Nick is too long: ${chars} characters, at most ${MAX_NICK_CHARS}`,
    );
  }
  if (!NICK_REGEXP.test(nick)) {
    throw new ChatError("nick_invalid", `Nick ${quote(nick)} is not allowed: use ${NICK_RULE}`);
  }
  return nick;
}

/**
 * The key under which a nick is unique: case-folded and compatibility-normalised, so `Ana`,
 * `ANA` and the full-width `\uFF21\uFF4E\uFF41` are the same person.
 */
export function nickKey(nick: string): string {
  return nick.normalize("NFKC").toLowerCase().normalize("NFKC");
}

/** Quotes user text for an error message, with anything invisible made visible. */
export function quote(text: string): string {
  return JSON.stringify(text.length > 40 ? text.slice(0, 40) + "..." : text);
}
