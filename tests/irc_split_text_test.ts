/**
 * Tests of splitting long text into IRC-sized pieces (src/dialect/irc/split_text.ts): examples,
 * then fast-check properties (nothing lost, every piece fits, no code point or grapheme cut
 * unless it alone is too long, breaks at a space when one is near the end).
 */
import assert from "node:assert/strict";
import fc from "fast-check";
import { utf8Length } from "../src/dialect/irc/message.ts";
import { MIN_SPLIT_BYTES, splitText } from "../src/dialect/irc/split_text.ts";

Deno.test('splitText() returns text that fits as one piece, and no piece for ""', () => {
  assert.deepEqual(splitText("hello", 5), ["hello"]);
  assert.deepEqual(splitText("hello", 400), ["hello"]);
  assert.deepEqual(splitText("", 10), []);
});

Deno.test("splitText() breaks after the last space when it is in the last fifth", () => {
  assert.deepEqual(splitText("the quick brown fox", 12), ["the quick ", "brown fox"]);
  // The first 20 bytes end "ijklmnopq r": the space leaves 1 byte (at most 4), so it is taken.
  assert.deepEqual(splitText("abcdefgh ijklmnopq rstuvwxyz", 20), [
    "abcdefgh ijklmnopq ",
    "rstuvwxyz",
  ]);
});

Deno.test("splitText() fills the piece when the last space is further back", () => {
  assert.deepEqual(splitText("ab cdefghijklmnop", 10), ["ab cdefghi", "jklmnop"]);
  assert.deepEqual(splitText("abcdefgh", 4), ["abcd", "efgh"]);
  assert.deepEqual(splitText("abcdefghi", 4), ["abcd", "efgh", "i"]);
});

Deno.test('splitText() keeps the breaking space with the earlier piece, so join("") gives the text', () => {
  const text = "lorem ipsum dolor sit amet, consectetur adipiscing elit";
  for (let max = MIN_SPLIT_BYTES; max < 60; max++) {
    const pieces = splitText(text, max);
    assert.equal(pieces.join(""), text, `max ${max}`);
    for (const piece of pieces) assert.ok(utf8Length(piece) <= max, `max ${max}: ${piece}`);
  }
});

Deno.test("splitText() counts bytes, so multi-byte characters make shorter pieces", () => {
  // "\u00e9" is 2 bytes, "\u20ac" 3, "\u{1F600}" 4 (2 UTF-16 code units).
  assert.deepEqual(splitText("\u00e9".repeat(5), 4), ["\u00e9\u00e9", "\u00e9\u00e9", "\u00e9"]);
  assert.deepEqual(splitText("a\u20ac\u20acb", 4), ["a\u20ac", "\u20acb"]);
  assert.deepEqual(splitText("\u{1F600}\u{1F600}a", 5), ["\u{1F600}", "\u{1F600}a"]);
});

Deno.test("splitText() keeps a grapheme whole when it fits, and cuts it between code points when not", () => {
  const family = "\u{1F469}\u200d\u{1F469}\u200d\u{1F467}"; // 18 bytes, one grapheme
  assert.deepEqual(splitText(`ab${family}`, 18), ["ab", family]);
  const accented = "e\u0301"; // 3 bytes, one grapheme
  assert.deepEqual(splitText(`ab${accented}`, 4), ["ab", accented]);
  // Longer than a piece: cut between its code points, never inside one.
  assert.deepEqual(splitText(family, 8), ["\u{1F469}\u200d", "\u{1F469}\u200d", "\u{1F467}"]);
});

Deno.test("splitText() throws RangeError for fewer than 4 bytes or a fraction", () => {
  for (const max of [0, 3, -1, 4.5, NaN, Infinity]) {
    assert.throws(() => splitText("abc", max), RangeError, String(max));
  }
});

const graphemes = new Intl.Segmenter(undefined, { granularity: "grapheme" });

/** Text of ASCII, spaces, accents, CJK, emoji and joiners, astral and lone surrogates. */
const text = fc.array(
  fc.oneof(
    { weight: 6, arbitrary: fc.string({ unit: "grapheme-ascii", minLength: 1, maxLength: 1 }) },
    { weight: 3, arbitrary: fc.constant(" ") },
    { weight: 2, arbitrary: fc.string({ unit: "grapheme", minLength: 1, maxLength: 1 }) },
    {
      weight: 1,
      arbitrary: fc.constantFrom(
        "\u0301",
        "\u00e9",
        "\u674e",
        "\u{1F600}",
        "\u200d",
        "\u{1F469}\u200d\u{1F467}",
        "\u{1F1EB}\u{1F1F7}",
        "\ud800",
        "\udc00",
      ),
    },
  ),
  { maxLength: 80 },
).map((parts) => parts.join(""));

const maxBytes = fc.integer({ min: MIN_SPLIT_BYTES, max: 40 });

/** UTF-16 offsets where the text's graphemes start, and the bytes of the grapheme at each. */
function graphemeStarts(value: string): Map<number, number> {
  const starts = new Map<number, number>();
  for (const { index, segment } of graphemes.segment(value)) starts.set(index, utf8Length(segment));
  return starts;
}

/** The grapheme that holds UTF-16 offset `at`. */
function graphemeAt(value: string, at: number): string {
  for (const { index, segment } of graphemes.segment(value)) {
    if (index <= at && at < index + segment.length) return segment;
  }
  return "";
}

Deno.test("splitText() loses nothing and every piece fits in maxBytes", () => {
  fc.assert(
    fc.property(text, maxBytes, (value, max) => {
      const pieces = splitText(value, max);
      assert.equal(pieces.join(""), value);
      for (const piece of pieces) {
        assert.ok(piece.length > 0);
        assert.ok(utf8Length(piece) <= max);
      }
    }),
    { numRuns: 1000 },
  );
});

Deno.test("splitText() never cuts a code point, and cuts a grapheme only if it alone is too long", () => {
  fc.assert(
    fc.property(text, maxBytes, (value, max) => {
      const pieces = splitText(value, max);
      const starts = graphemeStarts(value);
      let at = 0;
      for (const piece of pieces.slice(0, -1)) {
        at += piece.length;
        const before = value.charCodeAt(at - 1);
        const after = value.charCodeAt(at);
        const highThenLow = before >= 0xd800 && before <= 0xdbff && after >= 0xdc00 &&
          after <= 0xdfff;
        assert.ok(!highThenLow, `surrogate pair cut at ${at}`);
        if (!starts.has(at)) {
          assert.ok(utf8Length(graphemeAt(value, at)) > max, `grapheme cut at ${at}`);
        }
      }
      // Each piece is the same bytes whether encoded alone or as part of the whole text.
      const encoder = new TextEncoder();
      const joined = pieces.map((piece) => [...encoder.encode(piece)]).flat();
      assert.deepEqual(joined, [...encoder.encode(value)]);
    }),
    { numRuns: 1000 },
  );
});

Deno.test("splitText() ends a piece mid-word only when no space is in its last fifth", () => {
  fc.assert(
    fc.property(text, maxBytes, (value, max) => {
      const pieces = splitText(value, max);
      for (const piece of pieces.slice(0, -1)) {
        if (piece.endsWith(" ")) continue;
        // A break opportunity is a space that is a grapheme of its own: a space followed by a
        // combining mark or a joiner is one grapheme with it (" \u0301", " \u200d"), and pieces
        // end only between graphemes.
        const spaces = [...graphemes.segment(piece)].filter((each) => each.segment === " ");
        const lastSpace = spaces.at(-1)?.index ?? -1;
        if (lastSpace === -1) continue;
        const after = utf8Length(piece.slice(lastSpace + 1));
        assert.ok(
          after > Math.floor(max / 5),
          `${JSON.stringify(piece)}: space ${after} bytes from the end`,
        );
      }
    }),
    // A counterexample once found: a space followed by a joiner is no break opportunity.
    { numRuns: 1000, examples: [["  \u200d\u{1F469}\u200d\u{1F467}", 15]] },
  );
});
