import assert from "node:assert/strict";
import { isFinal, stalled, TransferState, type TransferStatus } from "../src/transfer_state.ts";

function uploading(size: number, now = 0): TransferState {
  const transfer = new TransferState({ size, now });
  transfer.start(now);
  return transfer;
}

Deno.test("TransferState starts offered, with nothing received", () => {
  const transfer = new TransferState({ size: 100, now: 5 });
  assert.equal(transfer.status, "offered");
  assert.equal(transfer.size, 100);
  assert.equal(transfer.received, 0);
  assert.equal(transfer.reason, undefined);
  assert.equal(transfer.done, false);
  assert.equal(transfer.progress, 0);
  assert.equal(transfer.lastProgressAt, 5);
});

Deno.test("TransferState goes offered -> uploading -> complete when every byte comes", () => {
  const transfer = new TransferState({ size: 10, now: 0 });
  transfer.start(1);
  assert.equal(transfer.status, "uploading");
  assert.deepEqual(transfer.receive(4, 2), { ok: true });
  assert.equal(transfer.progress, 0.4);
  assert.deepEqual(transfer.receive(6, 3), { ok: true });
  assert.equal(transfer.received, 10);
  assert.equal(transfer.progress, 1);
  assert.equal(transfer.status, "uploading", "completion waits for end()");
  assert.deepEqual(transfer.end(), { ok: true });
  assert.equal(transfer.status, "complete");
  assert.equal(transfer.done, true);
  assert.equal(transfer.reason, undefined);
});

Deno.test("TransferState fails when the sender sends more than it declared", () => {
  const transfer = uploading(10);
  assert.deepEqual(transfer.receive(8, 1), { ok: true });
  const result = transfer.receive(3, 2);
  const reason = "Sender sent more than it declared: at least 11 bytes, declared 10";
  assert.deepEqual(result, { ok: false, reason });
  assert.equal(transfer.status, "failed");
  assert.equal(transfer.reason, reason);
  assert.equal(transfer.received, 8, "the extra bytes are never counted");
});

Deno.test("TransferState fails when the sender ends early", () => {
  const transfer = uploading(10);
  transfer.receive(7, 1);
  const reason = "Sender stopped early: received 7 of 10 bytes";
  assert.deepEqual(transfer.end(), { ok: false, reason });
  assert.equal(transfer.status, "failed");
  assert.equal(transfer.reason, reason);
});

Deno.test("TransferState refuses data or an end before the upload started", () => {
  const early = new TransferState({ size: 10, now: 0 });
  const reason = "Sender sent data before the upload started";
  assert.deepEqual(early.receive(1, 1), { ok: false, reason });
  assert.equal(early.status, "failed");
  const ended = new TransferState({ size: 0, now: 0 });
  assert.deepEqual(ended.end(), {
    ok: false,
    reason: "Sender finished before the upload started",
  });
  assert.equal(ended.status, "failed");
});

Deno.test("TransferState completes an empty file, whose progress is 0 until then", () => {
  const transfer = uploading(0);
  assert.equal(transfer.progress, 0);
  assert.deepEqual(transfer.receive(0, 1), { ok: true });
  assert.deepEqual(transfer.end(), { ok: true });
  assert.equal(transfer.status, "complete");
  assert.equal(transfer.progress, 1);
});

Deno.test("TransferState never leaves a final state", () => {
  const make: Record<"complete" | "failed" | "cancelled", () => TransferState> = {
    complete: () => {
      const transfer = uploading(1);
      transfer.receive(1, 1);
      transfer.end();
      return transfer;
    },
    failed: () => {
      const transfer = uploading(1);
      transfer.fail("Disk is full");
      return transfer;
    },
    cancelled: () => {
      const transfer = uploading(1);
      transfer.cancel();
      return transfer;
    },
  };
  for (const [status, build] of Object.entries(make)) {
    const transfer = build();
    assert.equal(transfer.status, status);
    const reason = transfer.reason;
    const received = transfer.received;
    assert.deepEqual(transfer.receive(1, 9), {
      ok: false,
      reason: `Transfer is already ${status}`,
    });
    assert.deepEqual(transfer.end(), { ok: false, reason: `Transfer is already ${status}` });
    assert.equal(transfer.fail("Later failure"), false);
    assert.equal(transfer.cancel("Later cancel"), false);
    assert.throws(() => transfer.start(9), {
      name: "TypeError",
      message: `Cannot start a transfer that is ${status}`,
    });
    assert.equal(transfer.status, status);
    assert.equal(transfer.reason, reason);
    assert.equal(transfer.received, received);
    assert.equal(transfer.done, true);
  }
});

Deno.test("TransferState.cancel() and fail() keep their reason, and the first ending wins", () => {
  const cancelled = new TransferState({ size: 5, now: 0 });
  assert.equal(cancelled.cancel(), true);
  assert.equal(cancelled.status, "cancelled");
  assert.equal(cancelled.reason, "Transfer was cancelled");
  const byUser = uploading(5);
  assert.equal(byUser.cancel("Cancelled by alice"), true);
  assert.equal(byUser.reason, "Cancelled by alice");
  const failed = uploading(5);
  assert.equal(failed.fail("File is corrupt: hash mismatch"), true);
  assert.equal(failed.cancel("Too late"), false);
  assert.equal(failed.status, "failed");
  assert.equal(failed.reason, "File is corrupt: hash mismatch");
});

Deno.test("TransferState throws for programmer mistakes", () => {
  for (const size of [-1, 1.5, Number.NaN, Infinity, 2 ** 53]) {
    assert.throws(() => new TransferState({ size, now: 0 }), RangeError, String(size));
  }
  assert.throws(() => new TransferState({ size: 1, now: Number.NaN }), {
    name: "RangeError",
    message: "Invalid time: NaN is not a finite number",
  });
  const transfer = uploading(10);
  assert.throws(() => transfer.start(1), {
    name: "TypeError",
    message: "Cannot start a transfer that is uploading",
  });
  assert.throws(() => transfer.receive(-1, 1), {
    name: "RangeError",
    message: "Invalid bytes: -1 is not a whole number of bytes",
  });
  assert.throws(() => transfer.fail(""), TypeError);
  assert.equal(transfer.status, "uploading");
});

Deno.test("stalled() is true once the timeout has passed since the last progress", () => {
  assert.equal(stalled(1_000, 1_000, 30_000), false);
  assert.equal(stalled(30_999, 1_000, 30_000), false);
  assert.equal(stalled(31_000, 1_000, 30_000), true);
  assert.equal(stalled(99_000, 1_000, 30_000), true);
});

Deno.test("TransferState.stalled() counts from the offer, the start and each received byte", () => {
  const transfer = new TransferState({ size: 10, now: 1_000 });
  assert.equal(transfer.stalled(10_999, 10_000), false);
  assert.equal(transfer.stalled(11_000, 10_000), true, "an offer nobody starts stalls");
  transfer.start(20_000);
  assert.equal(transfer.lastProgressAt, 20_000);
  assert.equal(transfer.stalled(29_999, 10_000), false);
  transfer.receive(1, 25_000);
  assert.equal(transfer.stalled(34_999, 10_000), false);
  transfer.receive(0, 34_000);
  assert.equal(transfer.lastProgressAt, 25_000, "an empty chunk is no progress");
  assert.equal(transfer.stalled(35_000, 10_000), true);
  transfer.cancel();
  assert.equal(transfer.stalled(99_000, 10_000), false, "an ended transfer never stalls");
});

Deno.test("isFinal() tells the states a transfer never leaves", () => {
  const expected: Record<TransferStatus, boolean> = {
    offered: false,
    uploading: false,
    complete: true,
    failed: true,
    cancelled: true,
  };
  for (const [status, final] of Object.entries(expected)) {
    assert.equal(isFinal(status as TransferStatus), final, status);
  }
});
