import assert from "node:assert/strict";
import { ChatError } from "../src/errors.ts";
import { MAX_NICK_CHARS, NICK_REGEXP } from "../src/limits.ts";
import { NICK_RULE, nickKey, quote, validateNick } from "../src/nick.ts";

function assertNickInvalid(nick: string, message?: string | RegExp): void {
  assert.throws(() => validateNick(nick), (error: unknown) => {
    assert.ok(error instanceof ChatError, `expected ChatError for ${JSON.stringify(nick)}`);
    assert.equal(error.code, "nick_invalid");
    if (typeof message === "string") assert.equal(error.message, message);
    else if (message !== undefined) assert.match(error.message, message);
    return true;
  }, `nick ${JSON.stringify(nick)} should be refused`);
}

Deno.test("validateNick() accepts ASCII letters, digits, _ - and .", () => {
  for (
    const nick of ["ana", "Bob", "x", "_", "_ana", "42", "0day", "a-b.c_d", "a..b", "a-", "a."]
  ) {
    assert.equal(validateNick(nick), nick);
  }
});

Deno.test("validateNick() accepts letters of other scripts", () => {
  const nicks = [
    "\u0430\u043d\u044f", // Cyrillic
    "\u674e\u96f7", // CJK
    "\u00e9lodie", // Latin with accent
    "\u03b1\u03b2\u03b3", // Greek
    "\u0627\u062d\u0645\u062f", // Arabic
    "\u0661\u0662", // Arabic-Indic digits
    "\u{20000}\u{20001}", // CJK Extension B, outside the BMP
  ];
  for (const nick of nicks) assert.equal(validateNick(nick), nick);
});

Deno.test("validateNick() accepts exactly MAX_NICK_CHARS code points, ASCII or astral", () => {
  assert.equal(MAX_NICK_CHARS, 24);
  assert.equal(validateNick("a".repeat(24)), "a".repeat(24));
  const astral = "\u{20000}".repeat(24); // 48 UTF-16 code units, 24 code points
  assert.equal(validateNick(astral), astral);
  const cjk = "\u674e".repeat(24); // 72 bytes of UTF-8
  assert.equal(validateNick(cjk), cjk);
});

Deno.test("validateNick() refuses a nick over MAX_NICK_CHARS code points", () => {
  assertNickInvalid("a".repeat(25), "Nick is too long: 25 characters, at most 24");
  assertNickInvalid("\u{20000}".repeat(25), "Nick is too long: 25 characters, at most 24");
});

Deno.test("validateNick() refuses an empty nick with the rule", () => {
  assertNickInvalid("", `Nick is empty: use ${NICK_RULE}`);
});

Deno.test("validateNick() normalises to NFC before checking", () => {
  // "e" + combining acute accent: a combining mark alone would not match the rule.
  assert.equal(validateNick("Rene\u0301"), "Ren\u00e9");
});

Deno.test("validateNick() refuses spaces, punctuation, symbols and a leading - or .", () => {
  const nicks = [
    " ",
    "ana bob",
    " ana",
    "ana ",
    "-ana",
    ".ana",
    "a*b",
    "<ana>",
    "ana!",
    "@ana",
    "#room",
    "ana:",
    "a/b",
    "a,b",
    "a\u00a0b", // no-break space
    "\u3000ana", // ideographic space
  ];
  for (const nick of nicks) assertNickInvalid(nick, /is not allowed: use 1 to 24 letters/);
});

Deno.test("validateNick() refuses control, invisible and bidi characters", () => {
  const nicks = [
    "ana\u0000",
    "ana\u0007",
    "ana\u001b[2J",
    "ana\n",
    "ana\r",
    "ana\t",
    "ana\u007f",
    "ana\u0085",
    "ana\u200b", // zero-width space
    "an\u200da", // zero-width joiner
    "ana\u2060", // word joiner
    "\ufeffana", // BOM
    "\u202eana", // right-to-left override
    "ana\u2067", // right-to-left isolate
    "ana\u200f", // right-to-left mark
    "ana\u00ad", // soft hyphen
  ];
  for (const nick of nicks) assertNickInvalid(nick);
});

Deno.test("validateNick() refuses emoji", () => {
  for (const nick of ["\u{1f600}", "ana\u{1f600}", "\u2764", "ana\u{1f1fa}\u{1f1f8}"]) {
    assertNickInvalid(nick);
  }
});

Deno.test("validateNick() quotes the refused nick visibly in its message", () => {
  assertNickInvalid("a\u0000b", `Nick "a\\u0000b" is not allowed: use ${NICK_RULE}`);
});

Deno.test("NICK_RULE describes the rule in words", () => {
  assert.equal(NICK_RULE, "1 to 24 letters or digits, plus _ - . (not first: - or .)");
  assert.ok(NICK_REGEXP.test("a-b") && !NICK_REGEXP.test("-ab"));
});

Deno.test("nickKey() folds case", () => {
  assert.equal(nickKey("Ana"), "ana");
  assert.equal(nickKey("ANA"), nickKey("ana"));
  assert.equal(nickKey("\u0410\u041d\u042f"), nickKey("\u0430\u043d\u044f")); // Cyrillic
  assert.equal(nickKey("\u00c9LODIE"), nickKey("\u00e9lodie"));
});

Deno.test("nickKey() folds full-width forms to their ASCII letters", () => {
  assert.equal(nickKey("\uff21\uff4e\uff41"), "ana"); // full-width "Ana"
  assert.equal(nickKey("\uff41\uff4e\uff41"), nickKey("ANA"));
  assert.equal(nickKey("\uff11\uff12"), "12"); // full-width digits
});

Deno.test("nickKey() folds composed and decomposed forms together", () => {
  assert.equal(nickKey("Ren\u00e9"), nickKey("RENE\u0301"));
});

Deno.test("nickKey() keeps different nicks apart", () => {
  assert.notEqual(nickKey("ana"), nickKey("anna"));
  assert.notEqual(nickKey("ana"), nickKey("ana_"));
  assert.notEqual(nickKey("ana"), nickKey("an-a"));
});

Deno.test("quote() JSON-quotes text and shortens it after 40 characters", () => {
  assert.equal(quote("ana"), '"ana"');
  assert.equal(quote('a"b\n'), '"a\\"b\\n"');
  assert.equal(quote("x".repeat(40)), `"${"x".repeat(40)}"`);
  assert.equal(quote("x".repeat(41)), `"${"x".repeat(40)}..."`);
});
