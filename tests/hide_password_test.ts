import assert from "node:assert/strict";
import { hidePassword } from "../src/hide_password.ts";

Deno.test("hidePassword() hides the password of a URL and leaves the rest", () => {
  assert.equal(hidePassword("redis://app:s3cret@cache:6379/2"), "redis://app:***@cache:6379/2");
  assert.equal(hidePassword("rediss://:s3cret@cache"), "rediss://:***@cache");
  assert.equal(hidePassword("redis://cache:6379"), "redis://cache:6379");
  assert.equal(hidePassword("redis://app@cache"), "redis://app@cache");
});
