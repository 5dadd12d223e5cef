import assert from "node:assert/strict";
import { heapGrowth, type HeapSnapshot } from "../scripts/bench/heap_diff.ts";

/** A snapshot of nodes given as [type index, name index, self size]. */
function snapshot(nodes: [number, number, number][]): HeapSnapshot {
  return {
    snapshot: {
      meta: {
        node_fields: ["type", "name", "self_size"],
        node_types: [["hidden", "object", "string"]],
      },
    },
    nodes: nodes.flat(),
    strings: ["", "Session", "Outbox", "hello"],
  };
}

Deno.test("heapGrowth() sums self sizes by constructor, largest growth first", () => {
  const before = snapshot([[1, 1, 100], [2, 3, 16]]);
  const after = snapshot([[1, 1, 100], [1, 1, 100], [1, 2, 40], [1, 2, 40], [2, 3, 16], [
    2,
    3,
    24,
  ]]);
  assert.deepEqual(heapGrowth(before, after), [
    { kind: "object Session", bytes: 100, count: 1 },
    { kind: "object Outbox", bytes: 80, count: 2 },
    { kind: "string", bytes: 24, count: 1 },
  ]);
});
