/**
 * The server's transfers, in-process over loopback sockets: what the sender is told once the
 * receivers say whether they saved the file (`saved` frames).
 */
import { nativeFrame } from "../src/dialect/native_frames.ts";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { Logger } from "../src/log.ts";
import type { FileFrame, OfferOkFrame, ServerFrame } from "../src/protocol.ts";
import type { Delivery, MemberId } from "../src/server/hub.ts";
import { type OfferTarget, Transfers } from "../src/server/transfers.ts";

const encoder = new TextEncoder();
const decoder = new TextDecoder();
const CONTENT = encoder.encode("hello, file\n");
const SHA256 = createHash("sha256").update(CONTENT).digest("hex");

const SENDER: MemberId = 1;
const BOB: MemberId = 2;
const FAY: MemberId = 3;

/** A server-side and a client-side end of one loopback TCP connection. */
async function connectionPair(): Promise<{ server: Deno.Conn; client: Deno.Conn }> {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  try {
    const { port } = listener.addr as Deno.NetAddr;
    const [server, client] = await Promise.all([
      listener.accept(),
      Deno.connect({ hostname: "127.0.0.1", port }),
    ]);
    return { server, client };
  } finally {
    listener.close();
  }
}

/** Reads a client end until the server closes it. */
async function readAll(conn: Deno.Conn): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  const buffer = new Uint8Array(4096);
  while (true) {
    const n = await conn.read(buffer).catch(() => null);
    if (n === null) break;
    chunks.push(buffer.slice(0, n));
  }
  conn.close();
  const all = new Uint8Array(chunks.reduce((sum, chunk) => sum + chunk.length, 0));
  let offset = 0;
  for (const chunk of chunks) {
    all.set(chunk, offset);
    offset += chunk.length;
  }
  return all;
}

/** Transfers with a spool folder, a settable clock, and the deliveries it makes, in order. */
async function setup(linkBase?: string): Promise<{
  transfers: Transfers;
  delivered: Delivery[];
  clock: { now: number };
  dir: string;
}> {
  const dir = await Deno.makeTempDir({ prefix: "chat-transfers-test-" });
  const delivered: Delivery[] = [];
  const clock = { now: 1_000_000 };
  const transfers = new Transfers(dir, { maxFileBytes: 1024 * 1024, linkBase }, {
    log: new Logger({ sink: () => {} }),
    clock: () => clock.now,
    deliver: (deliveries) => delivered.push(...deliveries),
  });
  return { transfers, delivered, clock, dir };
}

/** Offers CONTENT to `recipients`; returns the sender's `offer_ok` and each recipient's `file`. */
function offer(
  transfers: Transfers,
  target: Omit<OfferTarget, "senderId" | "sender">,
): { ok: OfferOkFrame; files: Map<MemberId, FileFrame> } {
  const deliveries = transfers.offer(
    { type: "offer", ref: "r1", name: "notes.txt", size: CONTENT.length, sha256: SHA256 },
    { senderId: SENDER, sender: "ana", ...target },
  );
  const ok = deliveries.find((d) => d.frame.type === "offer_ok")?.frame as OfferOkFrame;
  const files = new Map<MemberId, FileFrame>();
  for (const delivery of deliveries) {
    if (delivery.frame.type === "file") files.set(delivery.to[0] ?? 0, delivery.frame);
  }
  return { ok, files };
}

/** Uploads CONTENT as the sender would, to the end. */
async function upload(transfers: Transfers, ok: OfferOkFrame): Promise<void> {
  const { server, client } = await connectionPair();
  const served = transfers.upload(server, { type: "upload", id: ok.id, token: ok.token });
  const reader = readAll(client);
  await client.write(CONTENT);
  await Promise.all([served, reader]);
}

/** Downloads a file as a receiver would; returns the bytes after the `data` line. */
async function download(transfers: Transfers, file: FileFrame): Promise<Uint8Array> {
  const { server, client } = await connectionPair();
  const served = transfers.download(server, { type: "download", id: file.id, token: file.token });
  const [bytes] = await Promise.all([readAll(client), served]);
  const text = decoder.decode(bytes);
  const lineEnd = text.indexOf("\n");
  assert.match(text.slice(0, lineEnd), /"type":"data"/);
  return bytes.slice(lineEnd + 1);
}

/** The `transfer` frames sent to the sender, but the upload's `uploaded`. */
function toSender(delivered: readonly Delivery[]): ServerFrame[] {
  return delivered
    .filter((d) => d.to.includes(SENDER))
    .flatMap((d) => nativeFrame(d.frame) ?? [])
    .filter((frame) => frame.type === "transfer" && frame.state !== "uploaded");
}

Deno.test("Transfers.saved(): a receiver that could not save the file is named to the sender, with why", async () => {
  const { transfers, delivered, dir } = await setup();
  try {
    const { ok, files } = offer(transfers, { to: "fay", recipients: [FAY] });
    await upload(transfers, ok);
    const fay = files.get(FAY);
    assert.ok(fay);
    assert.deepEqual(await download(transfers, fay), CONTENT);
    // Every byte went out, but fay has not said whether she saved it: nothing told yet.
    assert.deepEqual(toSender(delivered), []);
    const told = transfers.saved(
      FAY,
      { type: "saved", id: ok.id, error: "their disk is full" },
      "fay",
    );
    assert.deepEqual(told, [{
      to: [SENDER],
      frame: {
        type: "transfer",
        id: ok.id,
        name: "notes.txt",
        state: "failed",
        reason: "Nobody saved it: fay could not save it (their disk is full)",
      },
    }]);
    // Once only.
    assert.deepEqual(transfers.saved(FAY, { type: "saved", id: ok.id }, "fay"), []);
  } finally {
    await transfers.close();
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  }
});

Deno.test("Transfers.saved(): the sender hears who saved a room's file and who could not, once all have said", async () => {
  const { transfers, delivered, dir } = await setup();
  try {
    const { ok, files } = offer(transfers, { room: "lobby", recipients: [BOB, FAY] });
    await upload(transfers, ok);
    // Fay cannot even start (her download folder cannot be made): she never fetches it.
    assert.deepEqual(
      transfers.saved(
        FAY,
        { type: "saved", id: ok.id, error: "they may not write to their download folder" },
        "fay",
      ),
      [],
      "bob has not fetched it yet",
    );
    const bob = files.get(BOB);
    assert.ok(bob);
    await download(transfers, bob);
    assert.deepEqual(toSender(delivered), []);
    const told = transfers.saved(BOB, { type: "saved", id: ok.id }, "bob");
    assert.equal(told.length, 1);
    assert.deepEqual(told[0]?.frame, {
      type: "transfer",
      id: ok.id,
      name: "notes.txt",
      state: "delivered",
      reason: "saved by bob; fay could not save it (they may not write to their download folder)",
    });
  } finally {
    await transfers.close();
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  }
});

Deno.test("Transfers.saved() ignores a frame from someone the file was not for, or for no transfer", async () => {
  const { transfers, dir } = await setup();
  try {
    const { ok } = offer(transfers, { to: "fay", recipients: [FAY] });
    assert.deepEqual(transfers.saved(BOB, { type: "saved", id: ok.id, error: "x" }, "bob"), []);
    assert.deepEqual(transfers.saved(FAY, { type: "saved", id: "nope" }, "fay"), []);
  } finally {
    await transfers.close();
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  }
});

Deno.test("Transfers: a receiver that never says whether it saved the file counts as having received it", async () => {
  const { transfers, delivered, clock, dir } = await setup();
  try {
    const { ok, files } = offer(transfers, { to: "fay", recipients: [FAY] });
    await upload(transfers, ok);
    const fay = files.get(FAY);
    assert.ok(fay);
    await download(transfers, fay);
    transfers.sweep(clock.now + 1000);
    assert.deepEqual(toSender(delivered), [], "it has a minute to say");
    transfers.sweep(clock.now + 61_000);
    assert.deepEqual(toSender(delivered), [{
      type: "transfer",
      id: ok.id,
      name: "notes.txt",
      state: "delivered",
      reason: "received by 1 person",
    }]);
  } finally {
    await transfers.close();
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  }
});

/** Downloads through the link of a `file` frame's url; the bytes, or undefined if refused. */
async function downloadByLink(transfers: Transfers, url: string): Promise<Uint8Array | undefined> {
  const [, , id = "", token = ""] = new URL(url).pathname.split("/");
  const { server, client } = await connectionPair();
  let refused = false;
  const served = transfers.send(id, token, server, {
    refuse: (conn) => {
      refused = true;
      conn.close();
      return Promise.resolve();
    },
    start: () => Promise.resolve(),
  });
  const [bytes] = await Promise.all([readAll(client), served]);
  return refused ? undefined : bytes;
}

Deno.test("Transfers: nc users get the link alone; the file is kept until it expires and link downloads count", async () => {
  const { transfers, delivered, clock, dir } = await setup("http://192.168.1.20:12345");
  try {
    const { ok, files } = offer(transfers, {
      room: "lobby",
      recipients: [BOB],
      linkViewers: [FAY],
    });
    const bob = files.get(BOB);
    const fay = files.get(FAY);
    assert.ok(bob && fay);
    // One link for everyone; a token only for the recipient.
    assert.equal(bob.url, fay.url);
    assert.match(
      bob.url ?? "",
      /^http:\/\/192\.168\.1\.20:12345\/files\/1\/[A-Za-z0-9_-]{43}\/notes\.txt$/,
    );
    assert.match(bob.token, /^[A-Za-z0-9_-]{43}$/);
    assert.equal(fay.token, "");
    assert.match(ok.token, /^[A-Za-z0-9_-]{43}$/);
    await upload(transfers, ok);
    assert.deepEqual(await download(transfers, bob), CONTENT);
    transfers.saved(BOB, { type: "saved", id: ok.id }, "bob");
    // Bob has it, but fay may still use the link: not settled.
    assert.deepEqual(toSender(delivered), []);
    assert.deepEqual(await downloadByLink(transfers, fay.url ?? ""), CONTENT);
    assert.deepEqual(await downloadByLink(transfers, fay.url ?? ""), CONTENT, "not used up");
    assert.equal(await downloadByLink(transfers, (fay.url ?? "").replace("/1/", "/2/")), undefined);
    clock.now += 10 * 60_000 + 1;
    transfers.sweep(clock.now);
    assert.deepEqual(
      toSender(delivered).map((frame) => frame.type === "transfer" && frame.reason),
      [
        "saved by bob; downloaded 2 times by link",
      ],
    );
    assert.equal(await downloadByLink(transfers, fay.url ?? ""), undefined, "gone once expired");
  } finally {
    await transfers.close();
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  }
});

Deno.test("Transfers: an offer with only nc users to show the link to is taken; without a link base, no url", async () => {
  const { transfers, dir } = await setup();
  try {
    const { files } = offer(transfers, { room: "lobby", recipients: [], linkViewers: [FAY] });
    assert.equal(files.get(FAY)?.url, undefined);
    assert.throws(
      () => offer(transfers, { room: "lobby", recipients: [], linkViewers: [] }),
      /Nobody else is here to receive it/,
    );
  } finally {
    await transfers.close();
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  }
});
