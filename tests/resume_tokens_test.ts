import assert from "node:assert/strict";
import { ResumeTokens } from "../src/server/resume_tokens.ts";

Deno.test("ResumeTokens finds a token's member, and forgets it when the member leaves", () => {
  const tokens = new ResumeTokens();
  tokens.set("t1", 1);
  tokens.set("t2", 2);
  assert.equal(tokens.memberOf("t1"), 1);
  tokens.forget(1);
  assert.equal(tokens.memberOf("t1"), undefined);
  assert.equal(tokens.size, 1);
  // A resumed token moves to the new member; the old one keeps nothing.
  tokens.set("t2", 3);
  assert.equal(tokens.memberOf("t2"), 3);
  tokens.forget(2);
  assert.equal(tokens.memberOf("t2"), 3);
  assert.equal(tokens.size, 1);
  tokens.forget(99);
  assert.equal(tokens.size, 1);
});
