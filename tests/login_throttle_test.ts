import assert from "node:assert/strict";
import { LoginThrottle } from "../src/login_throttle.ts";

Deno.test("LoginThrottle allows a burst of failures, then makes every key wait", () => {
  const throttle = new LoginThrottle({ burst: 3, perSecond: 0.1 });
  const ana = ["account:ana", "address:10.0.0.1"];
  assert.equal(throttle.waitMs(ana, 0), 0);
  for (let i = 0; i < 3; i++) throttle.failed(ana, 0);
  assert.equal(throttle.waitMs(ana, 0), 10_000);
  // The same address trying another account waits too; another address for ana as well.
  assert.equal(throttle.waitMs(["account:bob", "address:10.0.0.1"], 0), 10_000);
  assert.equal(throttle.waitMs(["account:ana", "address:10.0.0.2"], 0), 10_000);
  assert.equal(throttle.waitMs(["account:bob", "address:10.0.0.2"], 0), 0);
  assert.equal(throttle.waitMs(ana, 10_000), 0, "one more try after ten seconds");
});
