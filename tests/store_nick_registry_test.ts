/** The NickRegistry contract, run against every implementation. */
import assert from "node:assert/strict";
import { MemoryNickRegistry } from "../src/store/memory_nick_registry.ts";
import type { NickRegistry } from "../src/store/nick_registry.ts";

const IMPLEMENTATIONS: [string, () => NickRegistry][] = [
  ["MemoryNickRegistry", () => new MemoryNickRegistry()],
];

for (const [name, make] of IMPLEMENTATIONS) {
  Deno.test(`${name}.claim() gives a free nick and refuses one held, folded alike`, () => {
    const nicks = make();
    assert.equal(nicks.holder("ana"), undefined);
    assert.equal(nicks.claim("Ana", 1), true);
    assert.equal(nicks.claim("Ana", 1), true, "claiming again is fine");
    for (const lookAlike of ["ana", "ANA", "\uFF21\uFF4E\uFF41", "\u0430na"]) {
      assert.equal(nicks.claim(lookAlike, 2), false, lookAlike);
      assert.equal(nicks.holder(lookAlike), 1, lookAlike);
    }
    assert.equal(nicks.claim("bob", 2), true);
    assert.equal(nicks.holder("b0b"), 2);
  });

  Deno.test(`${name}.release() frees only the holder's nick`, () => {
    const nicks = make();
    nicks.claim("ana", 1);
    assert.equal(nicks.release("ANA", 2), false);
    assert.equal(nicks.holder("ana"), 1);
    assert.equal(nicks.release("ANA", 1), true);
    assert.equal(nicks.holder("ana"), undefined);
    assert.equal(nicks.release("ana", 1), false);
    assert.equal(nicks.claim("ana", 2), true);
  });

  Deno.test(`${name}.rename() moves a holder, also between nicks folded alike`, () => {
    const nicks = make();
    nicks.claim("ana", 1);
    nicks.claim("bob", 2);
    assert.equal(nicks.rename("ana", "Bob", 1), false, "bob holds it");
    assert.equal(nicks.holder("ana"), 1);
    assert.equal(nicks.rename("ana", "Ana", 1), true);
    assert.equal(nicks.holder("ana"), 1);
    assert.equal(nicks.rename("Ana", "carol", 1), true);
    assert.equal(nicks.holder("ana"), undefined);
    assert.equal(nicks.holder("CAROL"), 1);
  });
}
