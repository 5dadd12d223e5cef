import assert from "node:assert/strict";
import { assertChatError } from "./assert_chat_error.ts";
import { flagLetter, MAX_MODE_CHANGES, parseModes } from "../src/server/room_modes.ts";
import { channelModeIs, modeChanges } from "../src/dialect/irc/channel_modes.ts";

Deno.test("parseModes() reads signed letters and a nick for each o and v, in order", () => {
  assert.deepEqual(parseModes("+im-t+o ana"), [
    { kind: "flag", flag: "inviteOnly", set: true },
    { kind: "flag", flag: "moderated", set: true },
    { kind: "flag", flag: "openTopic", set: true },
    { kind: "role", role: "operator", nick: "ana", set: true },
  ]);
  assert.deepEqual(parseModes("-v+n bob"), [
    { kind: "role", role: "voice", nick: "bob", set: false },
    { kind: "flag", flag: "outsiders", set: false },
  ]);
  assert.deepEqual(parseModes("m"), [{ kind: "flag", flag: "moderated", set: true }]);
});

Deno.test("parseModes() refuses unknown letters, missing or extra nicks, and too many", () => {
  assertChatError(() => parseModes(""), "bad_arguments", /^Not enough arguments/);
  assertChatError(() => parseModes("+x"), "bad_arguments", /^Unknown mode "x"/);
  assertChatError(() => parseModes("+o"), "bad_arguments", /^Mode \+o needs a nick/);
  assertChatError(() => parseModes("+m ana"), "bad_arguments", /^Too many nicks: ana/);
  assertChatError(() => parseModes("+-"), "bad_arguments", /^No modes given/);
  assertChatError(
    () => parseModes("+" + "m".repeat(MAX_MODE_CHANGES + 1)),
    "bad_arguments",
    /^Too many changes at once/,
  );
});

Deno.test("flagLetter() gives n and t their inverted sense", () => {
  assert.equal(flagLetter("inviteOnly", true), "+i");
  assert.equal(flagLetter("openTopic", true), "-t");
  assert.equal(flagLetter("outsiders", false), "+n");
});

Deno.test("modeChanges() writes each sign once per run, arguments after the letters", () => {
  assert.deepEqual(
    modeChanges([
      { kind: "flag", flag: "moderated", set: true },
      { kind: "role", role: "voice", nick: "ana", set: true },
      { kind: "limit" },
      { kind: "password", set: false },
      { kind: "ban", nick: "eve", set: true },
      { kind: "persistent", persistent: true },
    ]),
    ["+mv-lk+b", "ana", "*", "eve!*@*"],
  );
  assert.deepEqual(modeChanges([{ kind: "owner", owner: "bob", was: "ana" }]), [
    "-o+o",
    "ana",
    "bob",
  ]);
  assert.deepEqual(modeChanges([{ kind: "persistent", persistent: false }]), []);
});

Deno.test("channelModeIs() shows +n and +t unless the room opened them, in letter order", () => {
  assert.deepEqual(channelModeIs({ name: "games", members: 1 }), ["+nt"]);
  assert.deepEqual(
    channelModeIs({
      name: "games",
      members: 1,
      limit: 5,
      password: true,
      inviteOnly: true,
      moderated: true,
      private: true,
      openTopic: true,
      outsiders: true,
    }),
    ["+iklms", "5"],
  );
});
