/**
 * IRC text formatting codes (https://modern.ircdocs.horse/formatting): what IRC clients put in
 * messages for bold, colours and the like. Pure.
 */

// The formatting codes, each with what follows it:
//   \x02 bold, \x1D italics, \x1F underline, \x1E strikethrough, \x11 monospace,
//   \x16 reverse colour, \x0F reset: the code alone;
//   \x03 colour: up to two digits, then (only after a digit) a comma and up to two more;
//   \x04 hex colour: six hex digits, then (only after them) a comma and six more.
const FORMATTING =
  // deno-lint-ignore no-control-regex
  /[\x02\x0F\x11\x16\x1D\x1E\x1F]|\x03(?:[0-9]{1,2}(?:,[0-9]{1,2})?)?|\x04(?:[0-9A-Fa-f]{6}(?:,[0-9A-Fa-f]{6})?)?/g;

/**
 * Removes IRC formatting codes from text, so other users get it clean.
 *
 * The rule: bold `\x02`, italics `\x1D`, underline `\x1F`, strikethrough `\x1E`, monospace
 * `\x11`, reverse `\x16` and reset `\x0F` are removed. Colour `\x03` is removed with the
 * foreground that follows it (one or two ASCII digits) and, only when there is a foreground,
 * a comma and a background of one or two digits; a comma not followed by a digit stays, as do
 * digits past the second (`\x03` `123` keeps `3`). Hex colour `\x04` is removed with six hex
 * digits and, only after them, a comma and six more. Nothing else is touched: the CTCP
 * delimiter `\x01` is read (./ctcp.ts) before this runs, and any other control character is
 * then refused by the server's normal text rule (src/text.ts), not silently dropped.
 *
 * @example
 * ```ts
 * import { stripFormatting } from "./formatting.ts";
 *
 * stripFormatting("\x02bold\x02 and \x0304,12red on blue\x03"); // "bold and red on blue"
 * stripFormatting("\x0399 bottles, \x03,5 left"); // " bottles, ,5 left"
 * ```
 */
export function stripFormatting(text: string): string {
  return text.replace(FORMATTING, "");
}
