import assert from "node:assert/strict";
import { pump } from "../src/pump.ts";

/** A source that hands out `data` in pieces of at most `piece` bytes. */
function sourceOf(data: Uint8Array, piece: number) {
  let offset = 0;
  return (buffer: Uint8Array): Promise<number | null> => {
    if (offset >= data.length) return Promise.resolve(null);
    const n = Math.min(piece, buffer.length, data.length - offset);
    buffer.set(data.subarray(offset, offset + n));
    offset += n;
    return Promise.resolve(n);
  };
}

Deno.test("pump() moves every byte in order, copying nothing the sink still holds", async () => {
  const data = new Uint8Array(100_000).map((_, i) => i % 251);
  const out: number[] = [];
  let inFlight = 0;
  let most = 0;
  const moved = await pump(sourceOf(data, 3000), async (chunk) => {
    inFlight += 1;
    most = Math.max(most, inFlight);
    const copy = [...chunk];
    await new Promise((resolve) => setTimeout(resolve, 0));
    // The chunk must not have been overwritten by a read while this write was in flight.
    assert.deepEqual([...chunk], copy);
    out.push(...chunk);
    inFlight -= 1;
  }, { chunkBytes: 4096 });
  assert.equal(moved, data.length);
  assert.deepEqual(out, [...data]);
  assert.equal(most, 1);
});

Deno.test("pump() stops at the limit without asking the source for more", async () => {
  const data = new Uint8Array(10_000).fill(1);
  const requested: number[] = [];
  const source = sourceOf(data, 1000);
  const moved = await pump(
    (buffer) => {
      requested.push(buffer.length);
      return source(buffer);
    },
    () => Promise.resolve(),
    { chunkBytes: 4096, limit: 2500 },
  );
  assert.equal(moved, 2500);
  // Each read asks only for what is left under the limit.
  assert.deepEqual(requested, [2500, 1500, 500]);
});

Deno.test("pump() rethrows a sink failure once the write in flight has settled", async () => {
  const data = new Uint8Array(50_000);
  await assert.rejects(
    pump(
      sourceOf(data, 4096),
      (chunk) => chunk.length > 0 ? Promise.reject(new Error("disk full")) : Promise.resolve(),
      {
        chunkBytes: 4096,
      },
    ),
    /disk full/,
  );
});
