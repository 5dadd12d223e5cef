import * as assert from "node:assert/strict";
import { parseUserModes, userModeString } from "../src/dialect/irc/user_modes.ts";

Deno.test("parseUserModes() takes B and w with their signs and ignores other letters", () => {
  assert.deepEqual(parseUserModes("+w"), {
    changes: [{ kind: "wallops", wallops: true }],
    applied: "+w",
  });
  assert.deepEqual(parseUserModes("+Bx-w"), {
    changes: [{ kind: "bot", bot: true }, { kind: "wallops", wallops: false }],
    applied: "+B-w",
  });
  assert.deepEqual(parseUserModes("+i-o"), { changes: [], applied: "" });
  assert.deepEqual(parseUserModes("w"), { changes: [], applied: "" });
});

Deno.test("userModeString() shows i always, and B, o and w when they apply", () => {
  assert.equal(userModeString({}), "+i");
  assert.equal(userModeString({ bot: true, operator: true, wallops: true }), "+Biow");
});
