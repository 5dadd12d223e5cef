import assert from "node:assert/strict";
import { ChatError } from "../src/errors.ts";
import { MAX_ROOM_NAME_CHARS } from "../src/limits.ts";
import { ROOM_RULE, roomKey, validateRoomName } from "../src/room_name.ts";

function assertRoomInvalid(raw: string, message?: string | RegExp): void {
  assert.throws(() => validateRoomName(raw), (error: unknown) => {
    assert.ok(error instanceof ChatError, `expected ChatError, got ${String(error)}`);
    assert.equal(error.code, "room_invalid", JSON.stringify(raw));
    if (typeof message === "string") assert.equal(error.message, message);
    else if (message !== undefined) assert.match(error.message, message);
    return true;
  });
}

Deno.test("validateRoomName() accepts letters, digits and _ - . of any script", () => {
  for (
    const name of [
      "games",
      "Games",
      "a",
      "2024",
      "_x",
      "a-b.c_d",
      "\u0438\u0433\u0440\u044b",
      "\u6e38\u620f",
      "caf\u00e9",
    ]
  ) {
    assert.equal(validateRoomName(name), name);
  }
});

Deno.test("validateRoomName() strips one leading # and returns the name NFC-normalised", () => {
  assert.equal(validateRoomName("#games"), "games");
  assert.equal(validateRoomName("#Games"), "Games");
  assert.equal(validateRoomName("cafe\u0301"), "caf\u00e9");
  assertRoomInvalid("##games", /^Room name "#games" is not allowed/);
});

Deno.test("validateRoomName() refuses an empty name", () => {
  const message = `Room name is empty: use ${ROOM_RULE}`;
  assertRoomInvalid("", message);
  assertRoomInvalid("#", message);
});

Deno.test("validateRoomName() refuses a name over MAX_ROOM_NAME_CHARS code points", () => {
  assert.equal(MAX_ROOM_NAME_CHARS, 32);
  assert.equal(validateRoomName("x".repeat(32)), "x".repeat(32));
  assert.equal(validateRoomName("#" + "x".repeat(32)), "x".repeat(32));
  assert.equal(validateRoomName("\u00e9".repeat(32)), "\u00e9".repeat(32));
  assertRoomInvalid("x".repeat(33), "Room name is too long: 33 characters, at most 32");
  assertRoomInvalid("\u{1d400}".repeat(33), "Room name is too long: 33 characters, at most 32");
});

Deno.test("validateRoomName() refuses spaces, punctuation and a leading - or .", () => {
  assertRoomInvalid("bad room", `Room name "bad room" is not allowed: use ${ROOM_RULE}`);
  for (const name of ["-games", ".games", "games!", "a:b", "a/b", "a#b", "[games]", "a,b", "*"]) {
    assertRoomInvalid(name, /^Room name ".*" is not allowed: use 1 to 32 letters/);
  }
});

Deno.test("validateRoomName() refuses control, bidi and zero-width characters", () => {
  const hostile = [
    "a\u0000b",
    "a\tb",
    "a\nb",
    "a\u001b[2J",
    "a\u007fb",
    "a\u0085b",
    "\u202egames",
    "games\u200e",
    "\u2066games\u2069",
    "ga\u200bmes",
    "ga\u200dmes",
    "\ufeffgames",
    "ga\u00admes",
  ];
  for (const name of hostile) assertRoomInvalid(name, /is not allowed/);
});

Deno.test("validateRoomName() error messages show hostile characters escaped", () => {
  assert.throws(() => validateRoomName("a\u001b[2Jb"), (error: unknown) => {
    assert.ok(error instanceof ChatError);
    assert.ok(!error.message.includes("\u001b"));
    assert.match(error.message, /\\u001b/);
    return true;
  });
});

Deno.test("roomKey() folds case, width and a leading #", () => {
  assert.equal(roomKey("Games"), roomKey("games"));
  assert.equal(roomKey("GAMES"), roomKey("#games"));
  assert.equal(roomKey("\uff27\uff41\uff4d\uff45\uff53"), roomKey("games"));
  assert.equal(roomKey("caf\u00e9"), roomKey("CAFE\u0301"));
  assert.notEqual(roomKey("games"), roomKey("game"));
  assert.notEqual(roomKey("a.b"), roomKey("a-b"));
});

Deno.test("validateRoomName() refuses a name that mixes alphabets, naming them", () => {
  assertRoomInvalid(
    "g\u0430mes",
    'Room name "g\u0430mes" mixes alphabets (Latin and Cyrillic): use one',
  );
  assertRoomInvalid(
    "#\u03b1games",
    'Room name "\u03b1games" mixes alphabets (Greek and Latin): use one',
  );
  assertRoomInvalid("games\u6e38", /mixes alphabets \(Latin and Japanese or Chinese\): use one$/);
});

Deno.test("validateRoomName() accepts Japanese and names in one alphabet", () => {
  for (
    const name of [
      "\u65e5\u672c\u3072\u3089\u30ab\u30bf",
      "\u0441\u043e\u0440\u0435\u0445",
      "\u03b1\u03b2\u03b3-2",
      "r00m",
    ]
  ) {
    assert.equal(validateRoomName(name), name);
  }
});

Deno.test("validateRoomName() refuses invisible filler letters", () => {
  for (const name of ["\u3164", "ga\u3164mes", "a\uffa0b", "\u115fgames"]) {
    assertRoomInvalid(name, /^Room name ".+" contains invisible characters$/);
  }
});

Deno.test("roomKey() folds look-alikes like nickKey()", () => {
  assert.equal(roomKey("r00m"), roomKey("room"));
  assert.equal(roomKey("#\u0441\u043e\u0440\u0435\u0445"), roomKey("COPEX"));
  assert.equal(roomKey("g\u0251mes"), roomKey("games"));
  assert.notEqual(roomKey("\u0431"), roomKey("b"));
});
