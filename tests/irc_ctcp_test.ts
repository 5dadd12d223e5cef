/** Unit tests of CTCP reading and writing (src/dialect/irc/ctcp.ts). */
import assert from "node:assert/strict";
import { formatAction, formatCtcp, parseCtcp } from "../src/dialect/irc/ctcp.ts";

Deno.test("parseCtcp() reads an ACTION with and without the closing \\x01", () => {
  assert.deepEqual(parseCtcp("\x01ACTION waves\x01"), { command: "ACTION", args: "waves" });
  assert.deepEqual(parseCtcp("\x01ACTION waves"), { command: "ACTION", args: "waves" });
  assert.deepEqual(parseCtcp("\x01ACTION waves at  you \x01"), {
    command: "ACTION",
    args: "waves at  you ",
  });
});

Deno.test("parseCtcp() reads a CTCP without arguments, and uppercases the command", () => {
  assert.deepEqual(parseCtcp("\x01VERSION\x01"), { command: "VERSION", args: "" });
  assert.deepEqual(parseCtcp("\x01VERSION"), { command: "VERSION", args: "" });
  assert.deepEqual(parseCtcp("\x01action hi\x01"), { command: "ACTION", args: "hi" });
  assert.deepEqual(parseCtcp("\x01ACTION \x01"), { command: "ACTION", args: "" });
});

Deno.test("parseCtcp() returns undefined for plain text and for an empty CTCP", () => {
  for (
    const text of ["hello", "", "ACTION waves", " \x01ACTION x\x01", "\x01", "\x01\x01", "\x01 x"]
  ) {
    assert.equal(parseCtcp(text), undefined, JSON.stringify(text));
  }
});

Deno.test("parseCtcp() leaves a \\x01 inside the arguments for the text rule to refuse", () => {
  assert.deepEqual(parseCtcp("\x01ACTION a\x01b\x01"), { command: "ACTION", args: "a\x01b" });
});

Deno.test("formatAction() wraps text as an ACTION that parseCtcp() reads back", () => {
  assert.equal(formatAction("waves"), "\x01ACTION waves\x01");
  assert.deepEqual(parseCtcp(formatAction("waves  twice ")), {
    command: "ACTION",
    args: "waves  twice ",
  });
});

Deno.test("formatCtcp() writes a CTCP with or without arguments", () => {
  assert.equal(formatCtcp("VERSION"), "\x01VERSION\x01");
  assert.equal(formatCtcp("PING", "123"), "\x01PING 123\x01");
});

Deno.test("formatCtcp() throws TypeError for a bad command or \\x01, CR, LF or NUL in the text", () => {
  for (const command of ["", "A B", "ACTION\x01", "V1"]) {
    assert.throws(() => formatCtcp(command), TypeError, JSON.stringify(command));
  }
  for (const text of ["a\x01b", "a\rb", "a\nb", "a\0b"]) {
    assert.throws(() => formatAction(text), TypeError, JSON.stringify(text));
  }
});
