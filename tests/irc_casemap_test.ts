/**
 * Tests of the IRC casemapping (src/dialect/irc/casemap.ts), including the property that makes
 * advertising `CASEMAPPING=ascii` true: names equal under it are equal under the server's
 * `nickKey` (src/nick.ts).
 */
import assert from "node:assert/strict";
import fc from "fast-check";
import { CASEMAPPING, ircLower } from "../src/dialect/irc/casemap.ts";
import { NICK_REGEXP } from "../src/limits.ts";
import { nickKey } from "../src/nick.ts";

Deno.test("ircLower() lowercases ASCII letters only", () => {
  assert.equal(CASEMAPPING, "ascii");
  assert.equal(ircLower("Ana_B-1.X"), "ana_b-1.x");
  assert.equal(ircLower("[]\\~{}|^"), "[]\\~{}|^", "no rfc1459 folding");
  assert.equal(ircLower("\u00c9LODIE"), "\u00c9lodie");
  assert.equal(ircLower("\u0410\u041d\u042f"), "\u0410\u041d\u042f", "Cyrillic stays");
  assert.equal(ircLower(""), "");
});

Deno.test("the nick rule allows none of the characters where rfc1459 and ascii differ", () => {
  for (const char of "[]\\~{}|^") assert.equal(NICK_REGEXP.test(`a${char}`), false, char);
});

/** Names from letters that fold in interesting ways, ASCII letters in both cases among them. */
const name = fc.array(
  fc.constantFrom(
    "a",
    "A",
    "i",
    "I",
    "k",
    "K",
    "s",
    "S",
    "o",
    "O",
    "0",
    "1",
    "l",
    "L",
    "_",
    "-",
    ".",
    "\u0301",
    "\u0307",
    "\u0130",
    "\u0131",
    "\u00df",
    "\u017f",
    "\u212a",
    "\u00c5",
    "\u212b",
    "\uff21",
    "\uff41",
    "\u0430",
    "\u0410",
    "\u03a3",
    "\u03c2",
    "\u01c5",
    "\u1e9e",
  ),
  { maxLength: 8 },
).map((chars) => chars.join(""));

Deno.test("names equal under ircLower() always have the same nickKey()", () => {
  const asciiUpper = (text: string) => text.replace(/[a-z]+/g, (s) => s.toUpperCase());
  fc.assert(
    fc.property(name, (original) => {
      const key = nickKey(original);
      assert.equal(nickKey(ircLower(original)), key);
      assert.equal(nickKey(asciiUpper(original)), key);
    }),
    { numRuns: 2000 },
  );
});
