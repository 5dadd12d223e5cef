import assert from "node:assert/strict";
import { ChatError } from "../src/errors.ts";
import { MAX_TEXT_BYTES } from "../src/limits.ts";
import { safeText, validateText } from "../src/text.ts";

function assertTextInvalid(text: string, message?: string): void {
  assert.throws(() => validateText(text), (error: unknown) => {
    assert.ok(error instanceof ChatError, `expected ChatError for ${JSON.stringify(text)}`);
    assert.equal(error.code, "text_invalid");
    if (message !== undefined) assert.equal(error.message, message);
    return true;
  }, `text ${JSON.stringify(text)} should be refused`);
}

Deno.test("validateText() accepts normal text and returns it unchanged", () => {
  for (const text of ["hello", " padded ", "/not a command", "caf\u00e9 \u674e \u{1f600}", "x"]) {
    assert.equal(validateText(text), text);
  }
});

Deno.test("validateText() accepts tabs", () => {
  assert.equal(validateText("a\tb"), "a\tb");
  assert.equal(validateText("\tindented"), "\tindented");
});

Deno.test("validateText() refuses empty and blank text", () => {
  for (const text of ["", " ", "   ", "\t", " \t ", "\u3000"]) {
    assertTextInvalid(text, "Message is empty");
  }
});

Deno.test("validateText() refuses control characters", () => {
  const texts = [
    "a\u0000b", // NUL
    "\u001b[2J", // ESC
    "a\rb",
    "a\nb",
    "line\n",
    "a\u007fb", // DEL
    "a\u0085b", // C1 next line
    "a\u009bb", // C1 CSI
    "a\u0007", // BEL
    "a\u0008b", // backspace
    "a\u001fb",
  ];
  for (const text of texts) assertTextInvalid(text, "Message contains control characters");
});

Deno.test("validateText() accepts exactly MAX_TEXT_BYTES bytes", () => {
  assert.equal(MAX_TEXT_BYTES, 4096);
  const ascii = "a".repeat(MAX_TEXT_BYTES);
  assert.equal(validateText(ascii), ascii);
  const twoByte = "\u00e9".repeat(MAX_TEXT_BYTES / 2);
  assert.equal(validateText(twoByte), twoByte);
  const fourByte = "\u{1f600}".repeat(MAX_TEXT_BYTES / 4);
  assert.equal(validateText(fourByte), fourByte);
});

Deno.test("validateText() refuses text over MAX_TEXT_BYTES, counting bytes not characters", () => {
  assertTextInvalid("a".repeat(4097), "Message is too long: 4097 bytes, at most 4096");
  // 2049 characters but 4098 bytes.
  assertTextInvalid("\u00e9".repeat(2049), "Message is too long: 4098 bytes, at most 4096");
  // 1366 characters but 4098 bytes.
  assertTextInvalid("\u674e".repeat(1366), "Message is too long: 4098 bytes, at most 4096");
  // 1025 characters (2050 UTF-16 code units) but 4100 bytes.
  assertTextInvalid("\u{1f600}".repeat(1025), "Message is too long: 4100 bytes, at most 4096");
});

Deno.test("safeText() leaves ordinary text alone", () => {
  for (const text of ["hello", "caf\u00e9", "\u674e\u96f7", "\u{1f600}", "<a> & [b]", ""]) {
    assert.equal(safeText(text), text);
  }
});

Deno.test("safeText() turns every tab into a space", () => {
  assert.equal(safeText("\ta\tb\t\tc\t"), " a b  c ");
});

Deno.test("safeText() escapes terminal escape sequences", () => {
  assert.equal(safeText("\u001b[2J\u001b[H"), "\\u{1b}[2J\\u{1b}[H");
  assert.equal(safeText("\u001b]0;title\u0007"), "\\u{1b}]0;title\\u{7}");
  assert.equal(safeText("\u009b31m"), "\\u{9b}31m");
});

Deno.test("safeText() escapes line breaks and other controls", () => {
  assert.equal(safeText("a\rb\nc"), "a\\u{d}b\\u{a}c");
  assert.equal(safeText("\u0000\u0008\u007f\u0085"), "\\u{0}\\u{8}\\u{7f}\\u{85}");
  assert.equal(safeText("a\u2028b\u2029c"), "a\\u{2028}b\\u{2029}c");
});

Deno.test("safeText() escapes bidi controls", () => {
  assert.equal(safeText("\u202eevil"), "\\u{202e}evil");
  assert.equal(safeText("\u202a\u202b\u202c\u202d"), "\\u{202a}\\u{202b}\\u{202c}\\u{202d}");
  assert.equal(safeText("\u2066\u2067\u2068\u2069"), "\\u{2066}\\u{2067}\\u{2068}\\u{2069}");
  assert.equal(safeText("\u200e\u200f\u061c"), "\\u{200e}\\u{200f}\\u{61c}");
});

Deno.test("safeText() escapes zero-width characters and the BOM", () => {
  assert.equal(safeText("a\u200bb\u200cc\u200dd"), "a\\u{200b}b\\u{200c}c\\u{200d}d");
  assert.equal(safeText("\u2060\ufeff"), "\\u{2060}\\u{feff}");
});

/** What safeText() must never let through. */
// deno-lint-ignore no-control-regex
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u061c\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]/;

Deno.test("safeText() output has no control, bidi or invisible characters left", () => {
  let all = "";
  for (let code = 0; code < 0x2100; code++) all += String.fromCharCode(code);
  const out = safeText(all + "\ufeff");
  assert.doesNotMatch(out, UNSAFE);
});
