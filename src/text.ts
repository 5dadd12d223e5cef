/** Rules for message text (server side) and for showing untrusted text on a terminal. Pure. */
import { ChatError, type ErrorCode } from "./errors.ts";
import { MAX_REASON_CHARS, MAX_TEXT_BYTES } from "./limits.ts";

// C0 controls but tab, DEL, and C1 controls: matching them is the point.
// deno-lint-ignore no-control-regex
const CONTROL = /[\u0000-\u0008\u000a-\u001f\u007f-\u009f]/u;
const encoder = new TextEncoder();

/**
 * Checks message text: not blank, no control characters but tab, at most MAX_TEXT_BYTES.
 * `what` names the text in errors ("Topic is empty"); `code` is the error's code.
 */
export function validateText(
  text: string,
  what = "Message",
  code: ErrorCode = "text_invalid",
): string {
  if (text.trim() === "") throw new ChatError(code, `${what} is empty`);
  const bytes = encoder.encode(text).length;
  if (bytes > MAX_TEXT_BYTES) {
    throw new ChatError(code, `${what} is too long: ${bytes} bytes, at most ${MAX_TEXT_BYTES}`);
  }
  if (CONTROL.test(text)) throw new ChatError(code, `${what} contains control characters`);
  return text;
}

// Controls (C0, DEL, C1), bidi embeddings/overrides/isolates and marks, zero-width characters,
// line and paragraph separators, and the BOM.
const UNSAFE = new RegExp(
  // deno-lint-ignore no-control-regex
  /[\u0000-\u0008\u000a-\u001f\u007f-\u009f\u061c\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]/u
    .source +
    // Every other invisible character (soft hyphen, tags, fillers), except the emoji
    // presentation selector U+FE0F.
    "|(?!\\uFE0F)\\p{Default_Ignorable_Code_Point}",
  "gu",
);

/**
 * Makes untrusted text safe to print on a terminal: every control, bidi or invisible character
 * becomes a visible `\u{...}` escape (tab becomes a space), so no escape sequence reaches the
 * terminal and nothing can fake a line break or reorder the line.
 */
export function safeText(text: string): string {
  return text.replaceAll("\t", " ").replace(
    UNSAFE,
    (ch) => `\\u{${(ch.codePointAt(0) ?? 0).toString(16)}}`,
  );
}

/**
 * Cleans a free-form reason (such as a quit message) that must not be refused: control
 * characters become spaces, the ends are trimmed, and anything past
 * MAX_REASON_CHARS is cut with "...".
 */
export function cleanReason(text: string): string {
  const cleaned = text.replace(new RegExp(CONTROL.source, "gu"), " ").trim();
  const chars = [...cleaned];
  return chars.length > MAX_REASON_CHARS
    ? chars.slice(0, MAX_REASON_CHARS - 3).join("") + "..."
    : cleaned;
}
