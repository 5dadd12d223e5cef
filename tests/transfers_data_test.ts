/**
 * The server's file data path, in-process over scripted byte streams: receivers that keep up are
 * handed the upload's chunks from memory, late and slow ones read the spool, and every one of
 * them gets exactly the file; a slow receiver never holds up the upload.
 */
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import type { ByteStream } from "../src/carrier/connection.ts";
import { FILE_CHUNK_BYTES } from "../src/limits.ts";
import { Logger } from "../src/log.ts";
import type { FileFrame, OfferOkFrame } from "../src/protocol.ts";
import type { Delivery, MemberId } from "../src/server/hub.ts";
import { Transfers } from "../src/server/transfers.ts";

const decoder = new TextDecoder();
const SENDER: MemberId = 1;

/** Several chunks and a ragged end, so pieces and chunks do not line up. */
function content(size: number): Uint8Array {
  const bytes = new Uint8Array(size);
  for (let i = 0; i < size; i += 65536) crypto.getRandomValues(bytes.subarray(i, i + 65536));
  return bytes;
}

/** A promise with its resolve function, for steps the test releases by hand. */
function gate(): { promise: Promise<void>; open: () => void } {
  let open = () => {};
  const promise = new Promise<void>((resolve) => open = resolve);
  return { promise, open };
}

/**
 * The uploader's end, as the server reads it: hands out the file in pieces of `piece` bytes,
 * each only once `next()` lets it (or all at once when `paced` is false).
 */
class ScriptedUpload implements ByteStream {
  readonly #data: Uint8Array;
  readonly #piece: number;
  #offset = 0;
  #allowed: number;
  #waiting: (() => void) | undefined;
  closed = false;

  constructor(data: Uint8Array, options: { piece: number; paced: boolean }) {
    this.#data = data;
    this.#piece = options.piece;
    this.#allowed = options.paced ? 0 : Infinity;
  }

  /** Lets the server read one more piece. */
  next(): void {
    this.#allowed += 1;
    this.#waiting?.();
  }

  /** Lets the server read the rest. */
  rest(): void {
    this.#allowed = Infinity;
    this.#waiting?.();
  }

  async read(buffer: Uint8Array): Promise<number | null> {
    while (this.#allowed === 0) await new Promise<void>((resolve) => this.#waiting = resolve);
    if (this.#offset >= this.#data.length) return null;
    this.#allowed -= 1;
    const n = Math.min(buffer.length, this.#piece, this.#data.length - this.#offset);
    buffer.set(this.#data.subarray(this.#offset, this.#offset + n));
    this.#offset += n;
    return n;
  }

  write(bytes: Uint8Array): Promise<number> {
    return Promise.resolve(bytes.length); // `ready` and the outcome line
  }

  close(): void {
    this.closed = true;
  }
}

/**
 * A receiver's end: records what the server writes. Each write is copied only when it completes,
 * so a buffer reused before then would show up as wrong bytes. A `slow` receiver completes its
 * writes after the `data` line only when `release()` is called.
 */
class RecordingDownload implements ByteStream {
  readonly #parts: Uint8Array[] = [];
  #slow: boolean;
  #releases: (() => void)[] = [];
  #writesWaiting: (() => void)[] = [];
  readonly closed = gate();

  constructor(options: { slow: boolean }) {
    this.#slow = options.slow;
  }

  async write(bytes: Uint8Array): Promise<number> {
    if (this.#slow && this.#parts.length > 0) {
      const wait = gate();
      this.#releases.push(wait.open);
      for (const wake of this.#writesWaiting.splice(0)) wake();
      await wait.promise;
    }
    this.#parts.push(bytes.slice());
    return bytes.length;
  }

  /** Resolves once a write is waiting to be released. */
  async writeWaiting(): Promise<void> {
    while (this.#releases.length === 0) {
      await new Promise<void>((resolve) => this.#writesWaiting.push(resolve));
    }
  }

  /** Completes the writes waiting, and every later one. */
  release(): void {
    this.#slow = false;
    for (const open of this.#releases.splice(0)) open();
  }

  read(): Promise<number | null> {
    return Promise.resolve(null);
  }

  close(): void {
    this.closed.open();
  }

  /** The bytes after the `data` line. */
  body(): Uint8Array {
    const all = new Uint8Array(this.#parts.reduce((sum, part) => sum + part.length, 0));
    let offset = 0;
    for (const part of this.#parts) {
      all.set(part, offset);
      offset += part.length;
    }
    const lineEnd = all.indexOf(0x0a);
    assert.match(decoder.decode(all.subarray(0, lineEnd)), /"type":"data"/);
    return all.slice(lineEnd + 1);
  }
}

async function withTransfers(
  run: (transfers: Transfers, delivered: Delivery[]) => Promise<void>,
): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "chat-transfers-data-test-" });
  const delivered: Delivery[] = [];
  const transfers = new Transfers(dir, { maxFileBytes: 64 * 1024 * 1024 }, {
    log: new Logger({ sink: () => {} }),
    clock: () => Date.now(),
    deliver: (deliveries) => delivered.push(...deliveries),
  });
  try {
    await run(transfers, delivered);
  } finally {
    await transfers.close();
  }
}

function offer(
  transfers: Transfers,
  data: Uint8Array,
  recipients: MemberId[],
): { ok: OfferOkFrame; files: FileFrame[] } {
  const sha256 = createHash("sha256").update(data).digest("hex");
  const deliveries = transfers.offer(
    { type: "offer", ref: "r1", name: "big.bin", size: data.length, sha256 },
    { senderId: SENDER, sender: "ana", room: "lobby", recipients },
  );
  const ok = deliveries.find((d) => d.frame.type === "offer_ok")?.frame as OfferOkFrame;
  const files = deliveries.flatMap((d) => d.frame.type === "file" ? [d.frame] : []);
  return { ok, files };
}

/** Fails with the first differing offset (a diff of megabytes would take minutes to print). */
function assertSameBytes(actual: Uint8Array, expected: Uint8Array): void {
  assert.equal(actual.length, expected.length, "length");
  const at = actual.findIndex((byte, i) => byte !== expected[i]);
  assert.equal(at, -1, `bytes differ from offset ${at}`);
}

function uploaded(delivered: readonly Delivery[]): boolean {
  return delivered.some((d) => d.frame.type === "transfer" && d.frame.state === "uploaded");
}

Deno.test("Transfers: receivers that keep up, come late or write slowly all get exactly the file", async () => {
  await withTransfers(async (transfers, delivered) => {
    const data = content(5 * FILE_CHUNK_BYTES + 12_345);
    const { ok, files } = offer(transfers, data, [2, 3, 4]);
    const [early, slow, late] = files;
    assert.ok(early && slow && late);
    const sender = new ScriptedUpload(data, { piece: 100_000, paced: true });
    const fast = new RecordingDownload({ slow: false });
    const sluggish = new RecordingDownload({ slow: true });
    // Two receivers wait before any byte has arrived: they follow the upload.
    const fastDone = transfers.download(fast, { type: "download", id: ok.id, token: early.token });
    const slowDone = transfers.download(sluggish, {
      type: "download",
      id: ok.id,
      token: slow.token,
    });
    const upload = transfers.upload(sender, { type: "upload", id: ok.id, token: ok.token });
    sender.next();
    await sluggish.writeWaiting();
    // The slow receiver holds the first piece from memory; the upload goes on to the end without
    // it, and the piece's buffer is not read into again meanwhile.
    sender.rest();
    await upload;
    assert.ok(uploaded(delivered), "the upload completed while a receiver was still writing");
    await fastDone;
    assertSameBytes(fast.body(), data);
    sluggish.release();
    await slowDone;
    assertSameBytes(sluggish.body(), data);
    // One that comes after the upload reads the spool.
    const latecomer = new RecordingDownload({ slow: false });
    await transfers.download(latecomer, { type: "download", id: ok.id, token: late.token });
    assertSameBytes(latecomer.body(), data);
  });
});

Deno.test("Transfers: a receiver that joins midway catches up from the spool, then follows", async () => {
  await withTransfers(async (transfers) => {
    const data = content(4 * FILE_CHUNK_BYTES + 1);
    const { ok, files } = offer(transfers, data, [2]);
    const [file] = files;
    assert.ok(file);
    const sender = new ScriptedUpload(data, { piece: FILE_CHUNK_BYTES, paced: true });
    const upload = transfers.upload(sender, { type: "upload", id: ok.id, token: ok.token });
    sender.next();
    sender.next();
    const receiver = new RecordingDownload({ slow: false });
    const done = transfers.download(receiver, { type: "download", id: ok.id, token: file.token });
    sender.rest();
    await Promise.all([upload, done]);
    assertSameBytes(receiver.body(), data);
  });
});

Deno.test("Transfers: a receiver of a failed upload gets no more than what arrived, then is closed", async () => {
  await withTransfers(async (transfers, delivered) => {
    const data = content(3 * FILE_CHUNK_BYTES);
    const { ok, files } = offer(transfers, data, [2]);
    const [file] = files;
    assert.ok(file);
    // The sender disconnects after two pieces.
    const sender = new ScriptedUpload(data.subarray(0, 2 * FILE_CHUNK_BYTES), {
      piece: FILE_CHUNK_BYTES,
      paced: false,
    });
    const receiver = new RecordingDownload({ slow: false });
    const done = transfers.download(receiver, { type: "download", id: ok.id, token: file.token });
    await transfers.upload(sender, { type: "upload", id: ok.id, token: ok.token });
    await done;
    await receiver.closed.promise;
    assert.ok(receiver.body().length < data.length);
    assertSameBytes(receiver.body(), data.subarray(0, receiver.body().length));
    assert.ok(
      delivered.some((d) => d.frame.type === "transfer" && d.frame.state === "failed"),
    );
  });
});
