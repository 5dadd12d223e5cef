/** Unit tests of stripping IRC formatting codes (src/dialect/irc/formatting.ts). */
import assert from "node:assert/strict";
import { stripFormatting } from "../src/dialect/irc/formatting.ts";

Deno.test("stripFormatting() removes the one-character codes", () => {
  assert.equal(
    stripFormatting(
      "\x02bold\x02 \x1Ditalic\x1D \x1Funder\x1F \x1Estrike\x1E \x11mono\x11 \x16rev\x0F.",
    ),
    "bold italic under strike mono rev.",
  );
});

Deno.test("stripFormatting() removes colour codes with one or two digits and a background", () => {
  assert.equal(stripFormatting("\x034red\x03"), "red");
  assert.equal(stripFormatting("\x0304red\x03 plain"), "red plain");
  assert.equal(stripFormatting("\x0304,12red on blue\x03"), "red on blue");
  assert.equal(stripFormatting("\x034,2x"), "x");
  assert.equal(stripFormatting("\x03plain"), "plain");
});

Deno.test("stripFormatting() keeps what is not part of a colour code", () => {
  assert.equal(stripFormatting("\x03123"), "3", "at most two digits");
  assert.equal(stripFormatting("\x0312,345"), "5", "at most two background digits");
  assert.equal(stripFormatting("\x03,12 x"), ",12 x", "no background without a foreground");
  assert.equal(stripFormatting("\x0312, x"), ", x", "a comma without digits stays");
  assert.equal(stripFormatting("\x0399 bottles, \x03,5 left"), " bottles, ,5 left");
});

Deno.test("stripFormatting() removes hex colour codes with six hex digits and a background", () => {
  assert.equal(stripFormatting("\x04FF0000red\x04"), "red");
  assert.equal(stripFormatting("\x04ff0000,00FF00x"), "x");
  assert.equal(stripFormatting("\x04FF00x"), "FF00x", "fewer than six digits are text");
  assert.equal(stripFormatting("\x04FF0000,00FFx"), ",00FFx");
});

Deno.test("stripFormatting() leaves other control characters and CTCP alone", () => {
  assert.equal(stripFormatting("\x01ACTION \x02waves\x02\x01"), "\x01ACTION waves\x01");
  assert.equal(stripFormatting("a\x07b\tc\x1Bd"), "a\x07b\tc\x1Bd");
  assert.equal(stripFormatting("plain text, 12 digits"), "plain text, 12 digits");
  assert.equal(stripFormatting(""), "");
});
