/**
 * Splits message text into pieces that each fit one IRC line, so a long message reaches IRC
 * users as several PRIVMSGs instead of being cut. Pure.
 */
import { utf8Length } from "./message.ts";

/** Smallest `maxBytes` that {@linkcode splitText} takes: one code point is up to 4 bytes. */
export const MIN_SPLIT_BYTES = 4;

const graphemes = new Intl.Segmenter(undefined, { granularity: "grapheme" });

/**
 * Splits `text` into pieces of at most `maxBytes` bytes of UTF-8 each, in order, with nothing
 * lost or added: `splitText(text, n).join("") === text`.
 *
 * Pieces end at grapheme boundaries (so an emoji sequence or a letter with its accents stays
 * whole); a grapheme longer than `maxBytes` is cut between code points. A piece never ends
 * inside a surrogate pair or a UTF-8 sequence. When a piece must end, it ends after its last
 * space (U+0020) if that space is within the last fifth of `maxBytes`; otherwise it is filled
 * up and the next piece starts mid-word. A space where a piece ends stays at the end of that
 * piece (IRC clients show it as nothing), so that pieces joined without a separator, as IRCv3
 * `draft/multiline-concat` joins them, give back the text. Text that fits is one piece; `""`
 * gives no pieces.
 *
 * Throws `RangeError` when `maxBytes` is not an integer of at least {@linkcode MIN_SPLIT_BYTES}.
 *
 * @example
 * ```ts
 * import { splitText } from "./split_text.ts";
 *
 * splitText("the quick brown fox", 12); // ["the quick ", "brown fox"]
 * splitText("abcdefgh", 4); // ["abcd", "efgh"]
 * ```
 */
export function splitText(text: string, maxBytes: number): string[] {
  if (!Number.isInteger(maxBytes) || maxBytes < MIN_SPLIT_BYTES) {
    throw new RangeError(
      `Cannot split text into pieces of ${maxBytes} bytes: at least ${MIN_SPLIT_BYTES}`,
    );
  }
  if (utf8Length(text) <= maxBytes) return text === "" ? [] : [text];
  // A break after a space is taken when it leaves at most this many bytes to carry over.
  const slack = Math.floor(maxBytes / 5);
  const pieces: string[] = [];
  let current = "";
  let currentBytes = 0;
  // Where the current piece could end after a space: its length in UTF-16 units and bytes.
  let spaceEnd = -1;
  let spaceEndBytes = 0;
  for (const unit of units(text, maxBytes)) {
    const bytes = utf8Length(unit);
    while (currentBytes + bytes > maxBytes) {
      if (spaceEnd > 0 && currentBytes - spaceEndBytes <= slack) {
        pieces.push(current.slice(0, spaceEnd));
        current = current.slice(spaceEnd);
        currentBytes -= spaceEndBytes;
      } else {
        pieces.push(current);
        current = "";
        currentBytes = 0;
      }
      spaceEnd = -1;
    }
    current += unit;
    currentBytes += bytes;
    if (unit === " ") {
      spaceEnd = current.length;
      spaceEndBytes = currentBytes;
    }
  }
  if (current !== "") pieces.push(current);
  return pieces;
}

/** The graphemes of `text`, with any longer than `maxBytes` cut into code points. */
function* units(text: string, maxBytes: number): Generator<string> {
  for (const { segment } of graphemes.segment(text)) {
    if (utf8Length(segment) <= maxBytes) yield segment;
    else yield* segment;
  }
}
