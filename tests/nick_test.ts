import assert from "node:assert/strict";
import { ChatError } from "../src/errors.ts";
import { MAX_NICK_CHARS, NICK_REGEXP } from "../src/limits.ts";
import { checkLookAlikes, NICK_RULE, nickKey, quote, validateNick } from "../src/nick.ts";

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
  // Full-width digits fold like ASCII ones (and 1, like l, to "l").
  assert.equal(nickKey("\uff12\uff13"), "23");
  assert.equal(nickKey("\uff11\uff12"), nickKey("12"));
  assert.equal(nickKey("\uff11\uff12"), "l2");
});

Deno.test("nickKey() folds composed and decomposed forms together", () => {
  assert.equal(nickKey("Ren\u00e9"), nickKey("RENE\u0301"));
});

Deno.test("nickKey() keeps different nicks apart", () => {
  assert.notEqual(nickKey("ana"), nickKey("anna"));
  assert.notEqual(nickKey("ana"), nickKey("ana_"));
  assert.notEqual(nickKey("ana"), nickKey("an-a"));
});

// ---- look-alikes -------------------------------------------------------------------------------

Deno.test("validateNick() refuses a nick that mixes alphabets, naming them in order of use", () => {
  const cases: [string, string][] = [
    ["\u0430na", "Cyrillic and Latin"], // Cyrillic a, then Latin na: passes for "ana"
    ["an\u0430", "Latin and Cyrillic"],
    ["\u0410na", "Cyrillic and Latin"], // a capital
    ["\u03b1na", "Greek and Latin"],
    ["\u0430\u03b1", "Cyrillic and Greek"],
    ["ana\u674e", "Latin and Japanese or Chinese"],
    ["a1\u0430", "Latin and Cyrillic"], // digits belong to no alphabet and do not split the rule
    ["a\u0430\u03b1", "Latin and Cyrillic and Greek"],
  ];
  for (const [nick, scripts] of cases) {
    assertNickInvalid(nick, `Nick ${quote(nick)} mixes alphabets (${scripts}): use one`);
  }
});

Deno.test("validateNick() accepts Japanese, which mixes Han, Hiragana and Katakana", () => {
  const nicks = [
    "\u65e5\u672c\u3072\u3089\u30ab\u30bf", // Han, Hiragana, Katakana
    "\u5c71\u7530\u305f\u308d\u3046", // Han, Hiragana
    "\u30bf\u30ed\u30a6\u5c71", // Katakana, Han
    "\u3072\u3089\u30ab\u30bf_1",
  ];
  for (const nick of nicks) assert.equal(validateNick(nick), nick);
});

Deno.test("validateNick() accepts a nick in one alphabet with digits and _ - .", () => {
  const nicks = [
    "\u0441\u043e\u0440\u0435\u0445", // all Cyrillic, though it looks like "copex"
    "\u0410\u043d\u044f_2",
    "\u03b1\u03b2\u03b3", // all Greek
    "\u0391\u03b8\u03b7\u03bd\u03ac.1",
    "\ud55c\uae00", // Korean
    "ana_1-b.2",
    "b0b",
    "an\u0251", // Latin alpha is Latin
    "\u0131na", // so is dotless i
  ];
  for (const nick of nicks) assert.equal(validateNick(nick), nick);
});

Deno.test("validateNick() refuses invisible filler letters", () => {
  // Letters by category, so the nick rule lets them through; they show as nothing.
  const nicks = ["\u3164", "a\u3164", "a\uffa0b", "\u115fab", "ana\u1160"];
  for (const nick of nicks) {
    assertNickInvalid(nick, /^Nick ".+" contains invisible characters$/);
  }
  // Zero-width spaces are not letters: the nick rule itself refuses them.
  assertNickInvalid("a\u200bb", /is not allowed: use 1 to 24 letters/);
});

Deno.test("checkLookAlikes() throws the given code and names the thing checked", () => {
  assert.throws(() => checkLookAlikes("\u0430na", "Topic", "room_invalid"), (error: unknown) => {
    assert.ok(error instanceof ChatError);
    assert.equal(error.code, "room_invalid");
    assert.equal(error.message, `Topic "\u0430na" mixes alphabets (Cyrillic and Latin): use one`);
    return true;
  });
  assert.throws(() => checkLookAlikes("a\u3164", "Nick", "nick_invalid"), (error: unknown) => {
    assert.ok(error instanceof ChatError);
    assert.equal(error.code, "nick_invalid");
    assert.match(error.message, /^Nick ".+" contains invisible characters$/);
    return true;
  });
  assert.equal(checkLookAlikes("ana", "Nick", "nick_invalid"), undefined);
  assert.equal(checkLookAlikes("_-.", "Nick", "nick_invalid"), undefined);
});

Deno.test("nickKey() folds look-alike letters and digits to Latin ones", () => {
  const pairs: [string, string][] = [
    ["\u0430na", "ana"], // Cyrillic a (refused as a nick, but keyed all the same)
    ["b0b", "bob"],
    ["B0B", "bob"],
    ["\u0441\u043e\u0440\u0435\u0445", "copex"], // all Cyrillic
    ["\u0421\u041e\u0420\u0415\u0425", "copex"], // all Cyrillic capitals
    ["an\u0251", "ana"], // Latin alpha
    ["\u0131na", "ina"], // dotless i
    ["\u03b1\u03b7\u03b1", "ana"], // Greek alpha, eta
    ["\u0391\u0397\u0391", "ana"], // Greek capitals
    ["\u1d00\u1d04\u1d0f", "aco"], // Latin small capitals
    ["l1l", "lll"],
    ["\uff10", "o"], // full-width 0
  ];
  for (const [nick, key] of pairs) {
    assert.equal(nickKey(nick), key, JSON.stringify(nick));
    assert.equal(nickKey(nick), nickKey(key), JSON.stringify(nick));
  }
});

Deno.test("nickKey() leaves letters without a Latin look-alike alone", () => {
  assert.equal(nickKey("\u0431\u0434\u0436"), "\u0431\u0434\u0436"); // Cyrillic be, de, zhe
  assert.equal(nickKey("\u674e\u96f7"), "\u674e\u96f7");
  assert.notEqual(nickKey("b0b"), nickKey("bab"));
  assert.notEqual(nickKey("ana2"), nickKey("ana"));
});

Deno.test("quote() JSON-quotes text and shortens it after 40 characters", () => {
  assert.equal(quote("ana"), '"ana"');
  assert.equal(quote('a"b\n'), '"a\\"b\\n"');
  assert.equal(quote("x".repeat(40)), `"${"x".repeat(40)}"`);
  assert.equal(quote("x".repeat(41)), `"${"x".repeat(40)}..."`);
});
