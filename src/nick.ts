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
  checkLookAlikes(nick, "Nick", "nick_invalid");
  return nick;
}

// Alphabets a nick may not mix (so "\u0430na", Cyrillic a then Latin na, cannot pass for
// "ana"). Han, Hiragana and Katakana together are one: Japanese mixes them.
const SCRIPTS: readonly [string, RegExp][] = [
  ["Latin", /\p{Script=Latin}/u],
  ["Cyrillic", /\p{Script=Cyrillic}/u],
  ["Greek", /\p{Script=Greek}/u],
  ["Armenian", /\p{Script=Armenian}/u],
  ["Georgian", /\p{Script=Georgian}/u],
  ["Hebrew", /\p{Script=Hebrew}/u],
  ["Arabic", /\p{Script=Arabic}/u],
  ["Cherokee", /\p{Script=Cherokee}/u],
  ["Japanese or Chinese", /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}]/u],
  ["Korean", /\p{Script=Hangul}/u],
];

/** The alphabets of a text's letters, in order of first use. */
function scriptsOf(text: string): string[] {
  const found: string[] = [];
  for (const char of text) {
    const script = SCRIPTS.find(([, regexp]) => regexp.test(char))?.[0];
    if (script !== undefined && !found.includes(script)) found.push(script);
  }
  return found;
}

// Letters that look like Latin ones in most fonts, after lowercasing: Cyrillic, Greek, and the
// digits 0 and 1. Folded into the key, they make look-alike nicks count as taken.
const CONFUSABLES: Readonly<Record<string, string>> = {
  "\u0430": "a", // Cyrillic a
  "\u0432": "b", // Cyrillic ve (like B)
  "\u0435": "e", // Cyrillic ie
  "\u0451": "e", // Cyrillic io
  "\u043a": "k", // Cyrillic ka
  "\u043c": "m", // Cyrillic em (like M)
  "\u043d": "h", // Cyrillic en (like H)
  "\u043e": "o", // Cyrillic o
  "\u0440": "p", // Cyrillic er
  "\u0441": "c", // Cyrillic es
  "\u0442": "t", // Cyrillic te (like T)
  "\u0443": "y", // Cyrillic u
  "\u0445": "x", // Cyrillic ha
  "\u0456": "i", // Cyrillic i
  "\u0458": "j", // Cyrillic je
  "\u0455": "s", // Cyrillic dze
  "\u0501": "d", // Cyrillic komi de
  "\u04bb": "h", // Cyrillic shha
  "\u03b1": "a", // Greek alpha
  "\u03b2": "b", // Greek beta
  "\u03b5": "e", // Greek epsilon
  "\u03b9": "i", // Greek iota
  "\u03ba": "k", // Greek kappa
  "\u03bd": "v", // Greek nu
  "\u03bf": "o", // Greek omicron
  "\u03c1": "p", // Greek rho
  "\u03c4": "t", // Greek tau
  "\u03c5": "u", // Greek upsilon
  "\u03c7": "x", // Greek chi
  "\u03b7": "n", // Greek eta
  "\u0251": "a", // Latin alpha
  "\u0131": "i", // Latin dotless i
  "\u0261": "g", // Latin script g
  "\u026a": "i", // Latin small capital i
  "\u0269": "i", // Latin iota
  "\u028f": "y", // Latin small capital y
  "\u1d00": "a", // Latin small capital a
  "\u1d04": "c", // Latin small capital c
  "\u1d0f": "o", // Latin small capital o
  "\u1d1c": "u", // Latin small capital u
  "\u1d20": "v", // Latin small capital v
  "\u1d21": "w", // Latin small capital w
  "\u1d22": "z", // Latin small capital z
  "0": "o",
  "1": "l",
};

/** Characters that show as nothing (fillers, joiners): letters by category, but invisible. */
const INVISIBLE = /\p{Default_Ignorable_Code_Point}/u;

/**
 * Throws `invalid` (with `what` in the message) for text that mixes alphabets or holds invisible
 * characters; used for nicks and room names.
 */
export function checkLookAlikes(
  text: string,
  what: string,
  code: "nick_invalid" | "room_invalid",
): void {
  if (INVISIBLE.test(text)) {
    throw new ChatError(code, `${what} ${quote(text)} contains invisible characters`);
  }
  // On the compatibility form, so mathematical and other styled letters count as their alphabet.
  const scripts = scriptsOf(text.normalize("NFKC"));
  if (scripts.length > 1) {
    throw new ChatError(
      code,
      `${what} ${quote(text)} mixes alphabets (${scripts.join(" and ")}): use one`,
    );
  }
}

/**
 * The key under which a nick is unique: case-folded, compatibility-normalised and with common
 * look-alike letters folded to Latin ones, so `Ana`, `b0b` and `bob`, Cyrillic `\u0430na` and
 * `ana` are the same person; also `Ana`,
 * `ANA` and the full-width `\uFF21\uFF4E\uFF41` are the same person.
 */
export function nickKey(nick: string): string {
  const folded = nick.normalize("NFKC").toLowerCase().normalize("NFKC");
  let key = "";
  for (const char of folded) key += CONFUSABLES[char] ?? char;
  return key;
}

/**
 * Quotes user text for an error message as a JSON string: cut to its first 40 UTF-16 code units
 * (then `...`), in double quotes, with quotes, backslashes, control characters and lone
 * surrogates escaped. Other invisible characters (zero-width, bidi controls) stay as they are.
 *
 * @example
 * ```ts
 * import { quote } from "./nick.ts";
 * quote('say "hi"\n'); // '"say \\"hi\\"\\n"'
 * ```
 */
export function quote(text: string): string {
  return JSON.stringify(text.length > 40 ? text.slice(0, 40) + "..." : text);
}
