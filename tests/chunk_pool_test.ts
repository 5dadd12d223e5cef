import assert from "node:assert/strict";
import { ChunkPool, HeldChunk } from "../src/chunk_pool.ts";

Deno.test("ChunkPool.take() reuses a buffer only once every holder of its chunk let go", () => {
  const pool = new ChunkPool(8);
  const buffer = pool.take();
  let freed = 0;
  const chunk = new HeldChunk(pool, buffer.subarray(0, 5), { at: 16, onFree: () => freed++ });
  assert.equal(chunk.end, 21);
  const spool = chunk.hold();
  const receiver = chunk.hold();
  spool();
  spool(); // a second call by the same holder counts once
  assert.equal(chunk.held, true);
  assert.notEqual(pool.take().buffer, buffer.buffer);
  receiver();
  assert.equal(chunk.held, false);
  assert.equal(freed, 1);
  assert.equal(pool.take().buffer, buffer.buffer);
});

Deno.test("HeldChunk.hold() throws once its buffer went back to the pool", () => {
  const pool = new ChunkPool(4);
  const chunk = new HeldChunk(pool, pool.take(), { at: 0 });
  chunk.hold()();
  assert.throws(() => chunk.hold(), TypeError);
});

Deno.test("ChunkPool keeps at most `keep` free buffers and refuses foreign ones", () => {
  const pool = new ChunkPool(4, { keep: 1 });
  const [a, b] = [pool.take(), pool.take()];
  pool.give(a);
  pool.give(b);
  assert.equal(pool.free, 1);
  assert.throws(() => pool.give(new Uint8Array(3)), RangeError);
  assert.throws(() => new ChunkPool(0), RangeError);
});
