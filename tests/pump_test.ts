import assert from "node:assert/strict";
import { pump, writeAll, writeAllSync } from "../src/pump.ts";

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
  const events: string[] = [];
  let writes = 0;
  const pumping = pump(sourceOf(data, 4096), async (chunk) => {
    const write = ++writes;
    events.push(`write ${write} started (${chunk.length} bytes)`);
    if (write === 1) {
      // The first write settles late: the next read has long been done meanwhile.
      await new Promise((resolve) => setTimeout(resolve, 30));
      events.push("write 1 resolved");
      return;
    }
    throw new Error("disk full");
  }, { chunkBytes: 4096 });
  await assert.rejects(
    pumping.finally(() => events.push("pump rejected")),
    /disk full/,
  );
  assert.deepEqual(events, [
    "write 1 started (4096 bytes)",
    "write 1 resolved",
    "write 2 started (4096 bytes)",
    "pump rejected",
  ]);
});

Deno.test("pump() rethrows a source failure only once the write in flight has settled", async () => {
  const events: string[] = [];
  let reads = 0;
  const pumping = pump((buffer) => {
    if (++reads === 1) {
      buffer.fill(1, 0, 100);
      return Promise.resolve(100);
    }
    // Fails while the first chunk is still being written.
    events.push("read failed");
    return Promise.reject(new Error("connection reset"));
  }, async () => {
    events.push("write started");
    await new Promise((resolve) => setTimeout(resolve, 30));
    events.push("write resolved");
  }, { chunkBytes: 4096 });
  await assert.rejects(
    pumping.finally(() => events.push("pump rejected")),
    /connection reset/,
  );
  // The chunk handed to the sink was never taken back from under it.
  assert.deepEqual(events, ["write started", "read failed", "write resolved", "pump rejected"]);
});

/** A writer that takes at most `most` bytes a call, and what it got. */
function partialWriter(most: number) {
  const got: number[] = [];
  const take = (bytes: Uint8Array) => {
    const n = Math.min(most, bytes.length);
    got.push(...bytes.subarray(0, n));
    return n;
  };
  return { got, write: (bytes: Uint8Array) => Promise.resolve(take(bytes)), writeSync: take };
}

Deno.test("writeAll() and writeAllSync() write every byte through partial writes", async () => {
  const data = new Uint8Array(1000).map((_, i) => i % 251);
  const writer = partialWriter(7);
  await writeAll(writer, data);
  assert.deepEqual(writer.got, [...data]);
  const syncWriter = partialWriter(3);
  writeAllSync(syncWriter, data);
  assert.deepEqual(syncWriter.got, [...data]);
  await writeAll(writer, new Uint8Array(0));
  assert.equal(writer.got.length, data.length);
});
