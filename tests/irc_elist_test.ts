import * as assert from "node:assert/strict";
import { type ListFilter, listKeeps, parseListFilter } from "../src/dialect/irc/elist.ts";

const ROOMS = [
  { name: "chan1", members: 1 },
  { name: "chan2", members: 2 },
  { name: "games", members: 5 },
];

function kept(param: string): string[] {
  const filter = parseListFilter(param);
  if ("reason" in filter) throw new Error(filter.reason);
  return ROOMS.filter((room) => listKeeps(filter as ListFilter, room)).map((room) => room.name);
}

Deno.test("parseListFilter() keeps every room for an empty parameter", () => {
  assert.deepEqual(kept(""), ["chan1", "chan2", "games"]);
});

Deno.test("parseListFilter() keeps rooms by name (any case) or mask (M)", () => {
  assert.deepEqual(kept("#GAMES"), ["games"]);
  assert.deepEqual(kept("#games,#chan1"), ["chan1", "games"]);
  assert.deepEqual(kept("*an1"), ["chan1"]);
  assert.deepEqual(kept("#c*n2"), ["chan2"]);
  assert.deepEqual(kept("#ch*"), ["chan1", "chan2"]);
  assert.deepEqual(kept("*an3"), []);
  assert.deepEqual(kept("#nowhere"), []);
});

Deno.test("parseListFilter() leaves out rooms matching a negated mask (N)", () => {
  assert.deepEqual(kept("!*an1"), ["chan2", "games"]);
  assert.deepEqual(kept("!#ch*"), ["games"]);
  assert.deepEqual(kept("#ch*,!*2"), ["chan1"]);
});

Deno.test("parseListFilter() filters on member counts (U), strictly", () => {
  assert.deepEqual(kept(">0"), ["chan1", "chan2", "games"]);
  assert.deepEqual(kept("<1"), []);
  assert.deepEqual(kept(">1"), ["chan2", "games"]);
  assert.deepEqual(kept("<2"), ["chan1"]);
  assert.deepEqual(kept(">1,<5"), ["chan2"]);
  assert.deepEqual(kept("<9999999999"), ["chan1", "chan2", "games"]);
});

Deno.test("parseListFilter() refuses C and T conditions and bad counts with the reason", () => {
  for (const bad of ["C>2", "T<10", "<x", ">", "<123456789012"]) {
    const result = parseListFilter(`#games,${bad}`);
    assert.ok("reason" in result, bad);
    assert.equal(result.condition, bad);
  }
});
