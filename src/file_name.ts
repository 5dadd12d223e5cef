/**
 * Names for received files: any name a peer sends is reduced to a safe base name, and a name
 * already taken in the download folder gets a ` (1)` suffix. Pure: existence checks come in as a
 * callback.
 *
 * A safe name is one component (no `/` or `\`), holds no control, bidi or invisible character,
 * does not start with `.` or `-` (no hidden files, nothing an option parser would take for an
 * option), does not end with a space or dot, is not a Windows device name, and is at most
 * {@linkcode MAX_FILE_NAME_BYTES} bytes of UTF-8, so that `NAME.part` fits every file system.
 */

/**
 * Longest safe file name, in bytes of UTF-8. File systems allow 255; the rest leaves room for the
 * `.part` of a download in progress and for a ` (N)` suffix on another system.
 */
export const MAX_FILE_NAME_BYTES = 200;

/** Longest extension (with its dot), in bytes, that is kept when a long name is shortened. */
const MAX_KEPT_EXTENSION_BYTES = 16;

/** How many ` (N)` suffixes {@linkcode uniqueName} tries before giving up. */
const MAX_UNIQUE_TRIES = 10_000;

/** Name given when nothing usable is left of the received one. */
const FALLBACK_NAME = "file";

/**
 * Characters removed from names: controls (C0, DEL, C1), format characters (bidi embeddings,
 * overrides, isolates and marks, zero-width characters, the BOM, tags), other default-ignorable
 * code points (variation selectors, Hangul fillers), line and paragraph separators, and lone
 * surrogates (they have no UTF-8 form).
 */
const INVISIBLE = /^[\p{Cc}\p{Cf}\p{Cs}\p{Zl}\p{Zp}\p{Default_Ignorable_Code_Point}]$/u;
const ZERO_WIDTH_JOINER = "\u200d";
const VARIATION_SELECTORS = new Set(["\ufe0e", "\ufe0f"]);
const PICTOGRAPHIC = /^\p{Extended_Pictographic}$/u;
const EMOJI_MODIFIER = /^\p{Emoji_Modifier}$/u;

/** Characters Windows refuses in names; `/` and `\` are gone by the time this applies. */
const ILLEGAL_ON_WINDOWS = /[<>:"/\\|?*]/g;
const DRIVE_LETTER = /^[A-Za-z]:/;
const LEADING_JUNK = /^[\p{White_Space}.\-]+/u;
const TRAILING_JUNK = /[\p{White_Space}.]+$/u;

/**
 * Windows device names, reserved with any extension and in any case (`con.txt`, `Nul.tar.gz`),
 * and also with spaces before the extension. Superscript digits count as digits there.
 */
const RESERVED_DEVICE =
  /^(?:CON|PRN|AUX|NUL|CONIN\$|CONOUT\$|CLOCK\$|(?:COM|LPT)[0-9\u00b9\u00b2\u00b3])$/i;

const encoder = new TextEncoder();
const segmenter = new Intl.Segmenter("en", { granularity: "grapheme" });

/** Bytes of UTF-8 that text takes. */
function utf8Bytes(text: string): number {
  return encoder.encode(text).length;
}

/**
 * Whether an invisible character stays because it belongs to an emoji: a variation selector right
 * after a pictograph (as in a red heart), or a zero-width joiner between two pictographs (as in a
 * family or a rainbow flag). Anywhere else they could hide text or make two names look alike.
 * `before` is the last character kept, `after` the next one in the input.
 */
function keptInEmoji(char: string, before: string | undefined, after: string | undefined): boolean {
  if (before === undefined) return false;
  if (VARIATION_SELECTORS.has(char)) return PICTOGRAPHIC.test(before);
  if (char !== ZERO_WIDTH_JOINER || after === undefined) return false;
  const joinsAfter = PICTOGRAPHIC.test(before) || EMOJI_MODIFIER.test(before) ||
    VARIATION_SELECTORS.has(before);
  return joinsAfter && PICTOGRAPHIC.test(after);
}

/** Text without the characters in {@linkcode INVISIBLE}, emoji sequences aside. */
function removeInvisible(text: string): string {
  const chars = Array.from(text);
  const kept: string[] = [];
  chars.forEach((char, index) => {
    if (!INVISIBLE.test(char) || keptInEmoji(char, kept.at(-1), chars[index + 1])) kept.push(char);
  });
  return kept.join("");
}

/** The last non-empty component of a path written with `/` or `\`, without a drive letter. */
function lastComponent(path: string): string {
  const parts = path.split(/[/\\]/).filter((part) => part !== "");
  return (parts.at(-1) ?? "").replace(DRIVE_LETTER, "");
}

/** Splits a name at its last dot that is not the first character: `["a.tar", ".gz"]`. */
function splitExtension(name: string): [stem: string, extension: string] {
  const dot = name.lastIndexOf(".");
  return dot > 0 ? [name.slice(0, dot), name.slice(dot)] : [name, ""];
}

/**
 * The longest start of text that fits in `maxBytes` of UTF-8, cut between grapheme clusters; a
 * first cluster too big on its own (a letter under hundreds of accents) is cut between code
 * points instead, so the result is empty only when `maxBytes` is below one code point.
 */
function cutToBytes(text: string, maxBytes: number): string {
  if (utf8Bytes(text) <= maxBytes) return text;
  let kept = "";
  let bytes = 0;
  for (const { segment } of segmenter.segment(text)) {
    const size = utf8Bytes(segment);
    if (bytes + size > maxBytes) {
      if (kept !== "") return kept;
      for (const char of segment) {
        const charSize = utf8Bytes(char);
        if (bytes + charSize > maxBytes) break;
        kept += char;
        bytes += charSize;
      }
      // A joiner is kept only between two pictographs: it may not end the cut.
      return kept.replace(/\u200d+$/u, "");
    }
    kept += segment;
    bytes += size;
  }
  return kept;
}

/**
 * Shortens a name to `maxBytes` of UTF-8, keeping a short extension (at most 16 bytes with its
 * dot) whole and cutting the stem; a name with a longer extension is cut at its end.
 */
function capName(name: string, maxBytes: number): string {
  if (utf8Bytes(name) <= maxBytes) return name;
  const [stem, extension] = splitExtension(name);
  const extensionBytes = utf8Bytes(extension);
  if (extension !== "" && extensionBytes <= MAX_KEPT_EXTENSION_BYTES) {
    const cut = cutToBytes(stem, maxBytes - extensionBytes);
    if (cut !== "") return cut + extension;
  }
  return cutToBytes(name, maxBytes);
}

/** Whether Windows takes the name for a device (`CON`, `com1.txt`, `nul .tar.gz`). */
function isReservedDevice(name: string): boolean {
  const dot = name.indexOf(".");
  const base = dot === -1 ? name : name.slice(0, dot);
  return RESERVED_DEVICE.test(base.replace(/ +$/, ""));
}

/**
 * Reduces any received file name to a safe base name for the download folder.
 *
 * Steps, in order: invisible characters go (controls, bidi and zero-width characters, the BOM,
 * other default-ignorable code points; zero-width joiners and variation selectors stay inside
 * emoji), the text is NFC-normalised, only the last path component is kept (both `/` and `\`
 * separate, a drive letter such as `C:` goes), the characters Windows refuses (`<>:"|?*`) become
 * `_`, leading spaces, dots and dashes go, trailing spaces and dots go, the name is cut to
 * {@linkcode MAX_FILE_NAME_BYTES} (keeping a short extension, never splitting a character), a
 * Windows device name gets a leading `_`, and an empty result becomes `file`.
 *
 * @example
 * ```ts
 * import { safeFileName } from "./file_name.ts";
 * safeFileName("../../etc/passwd"); // "passwd"
 * safeFileName("C:\\Users\\me\\.bashrc"); // "bashrc"
 * safeFileName("con.txt"); // "_con.txt"
 * safeFileName(".."); // "file"
 * ```
 */
export function safeFileName(raw: string): string {
  const visible = removeInvisible(raw).normalize("NFC");
  const cleaned = lastComponent(visible)
    .replace(ILLEGAL_ON_WINDOWS, "_")
    .replace(LEADING_JUNK, "")
    .replace(TRAILING_JUNK, "");
  if (cleaned === "") return FALLBACK_NAME;
  // Cutting keeps the start, so only the end can need trimming again; the start stays a letter.
  const name = capName(cleaned, MAX_FILE_NAME_BYTES).replace(TRAILING_JUNK, "");
  if (!isReservedDevice(name)) return name;
  return "_" + capName(name, MAX_FILE_NAME_BYTES - 1).replace(TRAILING_JUNK, "");
}

/**
 * The first of `name`, `stem (1).ext`, `stem (2).ext`, ... that `exists` says is free. The
 * extension starts at the last dot that is not the first character (`a.tar.gz` gives
 * `a.tar (1).gz`); a name without one gets the suffix at its end (`notes (1)`, `.bashrc (1)`).
 * When the suffix would push the name past {@linkcode MAX_FILE_NAME_BYTES}, the stem is shortened
 * (between characters) instead. Expects a name from {@linkcode safeFileName}.
 *
 * Throws a `RangeError` when the first 10 000 candidates are all taken.
 *
 * @example
 * ```ts
 * import { uniqueName } from "./file_name.ts";
 * const taken = new Set(["notes.pdf", "notes (1).pdf"]);
 * uniqueName("notes.pdf", (candidate) => taken.has(candidate)); // "notes (2).pdf"
 * ```
 */
export function uniqueName(name: string, exists: (candidate: string) => boolean): string {
  if (!exists(name)) return name;
  let [stem, extension] = splitExtension(name);
  for (let n = 1; n <= MAX_UNIQUE_TRIES; n++) {
    const suffix = ` (${n})`;
    let budget = MAX_FILE_NAME_BYTES - utf8Bytes(suffix) - utf8Bytes(extension);
    if (budget < 1 && extension !== "") {
      // An extension too long to keep beside a suffix becomes part of the stem.
      [stem, extension] = [name, ""];
      budget = MAX_FILE_NAME_BYTES - utf8Bytes(suffix);
    }
    const candidate = cutToBytes(stem, budget) + suffix + extension;
    if (!exists(candidate)) return candidate;
  }
  throw new RangeError(
    `Cannot find a free file name for "${name}": ${MAX_UNIQUE_TRIES} candidates are taken`,
  );
}
