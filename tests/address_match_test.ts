import assert from "node:assert/strict";
import { addressMatches, hostOf, isAddressPattern } from "../src/address_match.ts";

Deno.test("hostOf() takes the host from host:port, IPv6 in brackets too", () => {
  assert.equal(hostOf("127.0.0.1:5000"), "127.0.0.1");
  assert.equal(hostOf("[::1]:5000"), "::1");
  assert.equal(hostOf("memory"), "memory");
});

Deno.test("addressMatches() matches addresses and CIDR blocks, IPv4 and IPv6", () => {
  assert.equal(addressMatches("10.1.2.3", "10.1.2.3"), true);
  assert.equal(addressMatches("10.1.2.3", "10.1.0.0/16"), true);
  assert.equal(addressMatches("10.2.0.1", "10.1.0.0/16"), false);
  assert.equal(addressMatches("127.0.0.1", "0.0.0.0/0"), true);
  assert.equal(addressMatches("::ffff:127.0.0.1", "127.0.0.0/8"), true, "mapped IPv4");
  assert.equal(addressMatches("2001:db8::5", "2001:db8::/32"), true);
  assert.equal(addressMatches("2001:db9::5", "2001:db8::/32"), false);
  assert.equal(addressMatches("::1", "127.0.0.1"), false, "another family");
});

Deno.test("isAddressPattern() tells addresses and blocks from nicks and nonsense", () => {
  for (const yes of ["1.2.3.4", "10.0.0.0/8", "::1", "2001:db8::/32"]) {
    assert.equal(isAddressPattern(yes), true, yes);
  }
  for (const no of ["ana", "1.2.3", "1.2.3.4/33", "256.1.1.1", "10.0.0.0/8/1", "::1::2"]) {
    assert.equal(isAddressPattern(no), false, no);
  }
});
