import assert from "node:assert/strict";
import { matchMask } from "../src/dialect/irc/mask.ts";

Deno.test("matchMask() matches * and ? ignoring case", () => {
  assert.ok(matchMask("*", ""));
  assert.ok(matchMask("*", "anything"));
  assert.ok(matchMask("coolni*", "coolNick"));
  assert.ok(matchMask("COOL?ICK", "coolnick"));
  assert.ok(matchMask("*!*@chat", "ana!uana@chat"));
  assert.ok(matchMask("a*b*c", "aXXbYYc"));
  assert.ok(!matchMask("a*b*c", "aXXbYY"));
  assert.ok(!matchMask("an?", "anna"));
  assert.ok(!matchMask("", "x"));
  // Regex characters are plain characters in a mask.
  assert.ok(matchMask("a.b", "a.b"));
  assert.ok(!matchMask("a.b", "axb"));
  assert.ok(matchMask("(x)[y]", "(X)[Y]"));
});

Deno.test("matchMask() answers a hostile mask at once (no exponential backtracking)", () => {
  const mask = "*a".repeat(200) + "b";
  const text = "a".repeat(100);
  assert.equal(matchMask(mask, text), false);
  assert.equal(matchMask("*a".repeat(50), text), true);
});
