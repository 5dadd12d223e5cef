/**
 * Styled lines as text for a terminal: an optional `HH:MM` timestamp, SGR colour codes per span
 * (or none at all), each nick in a colour of its own. Pure.
 *
 * Span text is printed as given: it has already passed through `safeText` in `render.ts`, so it
 * holds no control characters.
 */
import { clockTime, type Line, type Style } from "../render.ts";
import { nickKey } from "../nick.ts";

/** Options for {@linkcode formatLine}. */
export interface FormatOptions {
  /**
   * Whether to use colours; `false` gives plain text without any escape code.
   *
   * @default {true}
   */
  color?: boolean;
  /**
   * Whether to start the line with its time as `HH:MM ` (local time).
   *
   * @default {true}
   */
  timestamps?: boolean;
  /** Time (ms since epoch) shown for a line that has none of its own; none if not given. */
  now?: number;
}

/**
 * The 256-colour palette nicks are drawn from: mid-tone colours readable on dark and on light
 * backgrounds, none of them red (errors are red).
 */
export const NICK_COLORS: readonly number[] = [32, 37, 35, 70, 136, 166, 169, 133, 98, 67];

/** SGR parameters of each style, except `nick`, whose colour depends on the nick. */
const STYLE_CODES: Readonly<Record<Exclude<Style, "nick">, string>> = {
  system: "90",
  dim: "2",
  error: "31",
  highlight: "1;33",
  private: "35",
};
const TIME_CODE = "90";
const RESET = "\x1b[0m";

/**
 * The colour of a nick, from {@linkcode NICK_COLORS}: always the same for the same nick (and for
 * nicks that are the same person, such as `Ana` and `ana`).
 *
 * @example
 * ```ts
 * import { nickColor } from "./ansi.ts";
 * nickColor("alice") === nickColor("ALICE"); // true
 * ```
 */
export function nickColor(nick: string): number {
  // FNV-1a, 32 bits, over UTF-16 code units.
  let hash = 0x811c9dc5;
  const key = nickKey(nick);
  for (let i = 0; i < key.length; i++) {
    hash ^= key.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return NICK_COLORS[hash % NICK_COLORS.length] ?? 0;
}

/**
 * A line as terminal text, without a line end: every styled span is wrapped in its SGR code and
 * a reset, unstyled spans are left as they are.
 *
 * @example
 * ```ts
 * import { formatLine } from "./ansi.ts";
 * const line = { spans: [{ text: "<" }, { text: "bob", style: "nick" as const }, { text: "> hi" }] };
 * formatLine(line, { color: false }); // "<bob> hi"
 * ```
 */
export function formatLine(line: Line, options: FormatOptions = {}): string {
  const color = options.color ?? true;
  const time = line.time ?? options.now;
  let text = "";
  if ((options.timestamps ?? true) && time !== undefined && Number.isFinite(time)) {
    text += paint(`${clockTime(time)} `, TIME_CODE, color);
  }
  if (line.history) {
    // A replayed message is shown faint as a whole, so it stands apart from live ones.
    return text + paint(line.spans.map((span) => span.text).join(""), STYLE_CODES.dim, color);
  }
  for (const span of line.spans) {
    if (span.style === undefined) text += span.text;
    else if (span.style === "nick") text += paint(span.text, `38;5;${nickColor(span.text)}`, color);
    else text += paint(span.text, STYLE_CODES[span.style], color);
  }
  return text;
}

function paint(text: string, code: string, color: boolean): string {
  return color && text !== "" ? `\x1b[${code}m${text}${RESET}` : text;
}
