import assert from "node:assert/strict";
import fc from "fast-check";
import { compareNicks, insertNick, removeNick } from "../src/server/nick_order.ts";

Deno.test("insertNick() keeps a list in member-list order, ignoring case", () => {
  const list: string[] = [];
  for (const nick of ["cy", "Bob", "ana", "dee", "Ana2"]) insertNick(list, nick);
  assert.deepEqual(list, ["ana", "Ana2", "Bob", "cy", "dee"]);
  assert.equal(removeNick(list, "Bob"), true);
  assert.equal(removeNick(list, "bob"), false, "exactly as spelled");
  assert.deepEqual(list, ["ana", "Ana2", "cy", "dee"]);
});

Deno.test("insertNick() one at a time gives what sorting all at once gives", () => {
  fc.assert(fc.property(fc.uniqueArray(fc.string({ minLength: 1, maxLength: 6 })), (nicks) => {
    const list: string[] = [];
    for (const nick of nicks) insertNick(list, nick);
    const sorted = [...nicks].sort(compareNicks);
    // Equal under the collator may sit in another order; compare the keys they sort by.
    assert.deepEqual(
      list.map((nick) => sorted.findIndex((each) => compareNicks(each, nick) === 0)),
      sorted.map((nick) => sorted.findIndex((each) => compareNicks(each, nick) === 0)),
    );
  }));
});
