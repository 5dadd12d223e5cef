/** Checks the numeric reply table (src/dialect/irc/numerics.ts) for typos. */
import assert from "node:assert/strict";
import * as numerics from "../src/dialect/irc/numerics.ts";

Deno.test("numerics are three-digit strings, one name each, RPL_ or ERR_ by convention", () => {
  const byValue = new Map<string, string>();
  for (const [name, value] of Object.entries(numerics)) {
    assert.match(name, /^(RPL|ERR)_[A-Z]+$/, name);
    assert.match(value, /^[0-9]{3}$/, name);
    assert.equal(
      byValue.get(value),
      undefined,
      `${name} and ${byValue.get(value)} are both ${value}`,
    );
    byValue.set(value, name);
  }
  assert.equal(numerics.RPL_WELCOME, "001");
  assert.equal(numerics.RPL_ISUPPORT, "005");
  assert.equal(numerics.ERR_INPUTTOOLONG, "417");
  assert.equal(numerics.ERR_NICKNAMEINUSE, "433");
  assert.equal(numerics.RPL_WHOSPCRPL, "354");
  assert.equal(numerics.RPL_TOPICWHOTIME, "333");
});
